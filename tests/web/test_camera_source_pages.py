"""What a camera's source says, on the police card and in the map's config (issue 17): the operator
as the source names it, the licence's attribution, a direction nobody knows, the source's tags.
Italian first, English on request; anonymous readers get none of it; user text stays text.

Shaped like a real OpenStreetMap node (tags from the wiki's man_made=surveillance page) imported
into the registry: every tag kept verbatim, licence ODbL-1.0, the operator unmatched.
"""

from __future__ import annotations

import json
import re

import pytest
from markupsafe import escape

from observo.web import source_data
from tests import factories

NODE_TAGS = {
    "man_made": "surveillance",
    "surveillance": "public",
    "surveillance:type": "camera",
    "surveillance:zone": "traffic",
    "camera:type": "fixed",
    "camera:mount": "pole",
    "operator": "Polizia Locale di Torino",
    "addr:street": "Via Nizza",
    "note": "direzione da rilevare",
}
OSM = {
    "source": "osm_import",
    "osm_id": 4_567_890_123,
    "licence": "ODbL-1.0",
    "source_tags": NODE_TAGS,
    "operator_name": "Polizia Locale di Torino",
    "direction_unknown": True,
    "bearing_deg": None,
}
# Markup typed into a source file: the breakers of an element, an attribute and a <script> block.
MARKUP = '"><img src="https://evil.example/x.png" id="x-img"></script><b>b</b>'


@pytest.fixture
def town(session):
    return factories.org(session, "torino")


@pytest.fixture
def editor(client, session, town):
    user = factories.user(session, town, "editor")
    factories.sign_in(client, user)
    return user


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _card(page: str) -> str:
    return page[page.index('<dl class="card">') : page.index("</dl>")]


def _tag_rows(page: str) -> list[tuple[str, str]]:
    table = page[page.index('<table class="source-tags">') : page.index("</table>")]
    return re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td></tr>', table)


def test_card_of_an_osm_node_in_italian(client, session, town, editor):
    camera = factories.camera(session, town, name="Varco Nizza", **OSM)
    page = _page(client, f"/cameras/{camera.id}")
    card = _card(page)
    assert "<dt>Gestore (come lo indica la fonte)</dt><dd>Polizia Locale di Torino</dd>" in card
    assert (
        "<dt>Direzione</dt><dd>Direzione sconosciuta: non conta nella copertura finché la direzione "
        "non viene rilevata sul posto.</dd>"
    ) in card
    assert "Direzione (°)" not in card  # no bearing to show
    assert "<dt>Licenza dei dati</dt>" in card
    assert (
        '<a href="https://www.openstreetmap.org/copyright" rel="license">'
        "© OpenStreetMap contributors, ODbL 1.0</a>"
    ) in card
    # "Dati della fonte": every tag verbatim, by key; nine tags are more than the open table's eight.
    assert "Dati della fonte (9)" in page
    assert '<details class="source-tags">' in page  # folded: it is long
    assert _tag_rows(page) == sorted(NODE_TAGS.items())
    assert "I tag o le colonne della fonte, come li ha scritti" in page


def test_card_in_english(client, session, town, editor):
    tags = {"osm_id": "node/42", "note": "behind the bus stop"}
    camera = factories.camera(session, town, **{**OSM, "source_tags": tags})
    page = _page(client, f"/cameras/{camera.id}?lang=en")
    card = _card(page)
    assert "<dt>Operator (as the source names it)</dt><dd>Polizia Locale di Torino</dd>" in card
    assert "Direction unknown: it does not count in coverage until its direction is surveyed." in card
    assert "<dt>Data licence</dt>" in card and "© OpenStreetMap contributors, ODbL 1.0</a>" in card
    assert "Source data (2)" in page and '<details class="source-tags" open>' in page  # short: open
    assert _tag_rows(page) == [("note", "behind the bus stop"), ("osm_id", "node/42")]


def test_a_linked_operator_hides_the_sources_name_and_another_licence_shows_its_text(
    client, session, town, editor
):
    factories.org(session, "gtt", kind="private", sponsor_slug="torino")
    camera = factories.camera(
        session,
        town,
        operator="gtt",
        operator_name="GTT S.p.A.",
        licence="CC-BY-4.0",
        bearing_deg=135.0,
        source="csv_import",
    )
    card = _card(_page(client, f"/cameras/{camera.id}"))
    assert "GTT S.p.A." not in card and "Gestore" not in card
    assert re.search(r'<dt>Licenza dei dati</dt>\s*<dd class="attribution">CC-BY-4.0</dd>', card)
    assert "OpenStreetMap" not in card
    assert "<dt>Direzione (°)</dt><dd>135</dd>" in card and "Direzione sconosciuta" not in card


def test_a_camera_without_source_data_shows_none_of_it(client, session, town, editor):
    camera = factories.camera(session, town)
    page = _page(client, f"/cameras/{camera.id}")
    for absent in ("Gestore", "Licenza dei dati", "Dati della fonte", "source-tags", "sconosciuta"):
        assert absent not in page, absent


def test_an_osm_import_without_a_stored_licence_still_credits_openstreetmap(client, session, town, editor):
    """Rows imported before cameras kept their licence: OSM's data is ODbL all the same."""
    camera = factories.camera(session, town, source="osm_import", osm_id=77)
    card = _card(_page(client, f"/cameras/{camera.id}"))
    assert "© OpenStreetMap contributors, ODbL 1.0</a>" in card


def test_markup_in_source_tags_and_operator_name_is_text(client, session, town, editor):
    tags = {f"note{MARKUP}": f"valore {MARKUP}", "operator": MARKUP}
    camera = factories.camera(
        session, town, source_tags=tags, operator_name=f"Ente {MARKUP}", licence=f"Licenza {MARKUP}"
    )
    page = _page(client, f"/cameras/{camera.id}")
    assert "<img" not in page and "<b>" not in page
    for typed in (f"note{MARKUP}", f"valore {MARKUP}", MARKUP, f"Ente {MARKUP}", f"Licenza {MARKUP}"):
        assert str(escape(typed)) in page, typed
    assert sorted(_tag_rows(page)) == sorted((str(escape(k)), str(escape(v))) for k, v in tags.items())


def _map_config(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="observo-config">(.*?)</script>', page, re.S)
    assert found
    return json.loads(found.group(1))


def test_map_config_carries_the_attributions_and_labels(client, session, town, editor):
    config = _map_config(_page(client, "/map"))
    assert config["licences"] == {
        "ODbL-1.0": {
            "text": "© OpenStreetMap contributors, ODbL 1.0",
            "url": "https://www.openstreetmap.org/copyright",
        }
    }
    fields = config["labels"]["fields"]
    assert fields["operator_name"] == "Gestore (come lo indica la fonte)"
    assert fields["licence"] == "Licenza dei dati" and fields["direction_unknown"] == "Direzione"
    catalogue = client.get("/i18n/it.json").get_json()
    assert catalogue["Source data (%(count)s)"] == "Dati della fonte (%(count)s)"
    assert catalogue["Direction unknown: no sector"] == "Direzione sconosciuta: nessun settore"
    assert catalogue["%(name)s (direction unknown)"] == "%(name)s (direzione sconosciuta)"


def test_map_edit_form_offers_direction_unknown_and_the_operator_name(client, session, town, editor):
    page = _page(client, "/map")
    form = page[page.index('<template id="edit-form-template">') : page.index("</template>")]
    assert '<input name="direction_unknown" type="checkbox"' in form
    assert '<input id="e-operator-name" name="operator_name" maxlength="200"' in form
    assert "data-source-readonly" in form
    # Licence and source tags are shown, never typed: no input carries them.
    assert 'name="licence"' not in form and 'name="source_tags"' not in form


def _write_headers(client, etag: str | None = None) -> dict[str, str]:
    """As the map's own calls: same origin, its CSRF token, the ETag read."""
    headers = {"Sec-Fetch-Site": "same-origin", "X-CSRFToken": factories.csrf_token(client, "/cameras")}
    return {**headers, "If-Match": etag} if etag else headers


def test_the_edit_forms_body_saves_a_fixed_camera_with_its_direction_unknown(client, session, town, editor):
    """The body edit.js sends (every field of the form, bearing null with the box ticked), then the
    card; and back to a surveyed direction."""
    camera = factories.camera(session, town, name="Varco Po", bearing_deg=40.0, hfov_deg=70.0, range_m=30.0)
    url = f"/api/v1/cameras/{camera.id}"
    etag = client.get(url, headers={"Sec-Fetch-Site": "same-origin"}).headers["ETag"]
    lon, lat = factories.TURIN
    form = {
        "name": "Varco Po",
        "owner": "torino",
        "camera_type": "fixed",
        "status": "active",
        "visibility": "shared",
        "address": None,
        "operator_name": "Condominio Via Po 12",
        "bearing_deg": None,
        "hfov_deg": 70,
        "range_m": 30,
        "retention_hours": 168,
        "height_m": None,
        "records": True,
        "direction_unknown": True,
    }
    body = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": form}
    saved = client.patch(url, json=body, headers=_write_headers(client, etag))
    assert saved.status_code == 200, saved.get_data(as_text=True)
    props = saved.get_json()["properties"]
    assert props["direction_unknown"] is True and props["bearing_deg"] is None
    assert props["operator_name"] == "Condominio Via Po 12" and props["hfov_deg"] == 70
    card = _card(_page(client, f"/cameras/{camera.id}"))
    assert "Direzione sconosciuta" in card and "<dd>Condominio Via Po 12</dd>" in card

    surveyed = {**form, "bearing_deg": 215, "direction_unknown": False}
    again = client.patch(
        url, json={**body, "properties": surveyed}, headers=_write_headers(client, saved.headers["ETag"])
    )
    assert again.status_code == 200, again.get_data(as_text=True)
    assert again.get_json()["properties"]["direction_unknown"] is False
    card = _card(_page(client, f"/cameras/{camera.id}"))
    assert "Direzione sconosciuta" not in card and "<dt>Direzione (°)</dt><dd>215</dd>" in card


def test_anonymous_readers_get_none_of_the_source_data(client, session, town):
    factories.camera(session, town, visibility="public", **OSM)
    features = client.get("/api/v1/cameras").get_json()["features"]  # what the public embed reads
    assert len(features) == 1
    properties = features[0]["properties"]
    for name in ("source_tags", "operator_name", "licence", "direction_unknown", "source", "fov"):
        assert name not in properties, name
    text = json.dumps(features, ensure_ascii=False)
    assert "Polizia Locale" not in text and "ODbL" not in text


def test_source_view_rules():
    view = source_data.source_view({**OSM, "operator": None, "source_tags": {"b": "2", "a": "1"}})
    assert view["tags"] == [("a", "1"), ("b", "2")] and view["tags_open"] is True
    assert view["direction_unknown"] is True and view["operator_name"] == "Polizia Locale di Torino"
    assert view["attribution"] == source_data.Attribution(
        "© OpenStreetMap contributors, ODbL 1.0", "https://www.openstreetmap.org/copyright"
    )
    # A bearing ends "unknown"; a linked organisation hides the source's name; no licence, no credit.
    bare = source_data.source_view(
        {
            "direction_unknown": True,
            "bearing_deg": 10.0,
            "operator": "gtt",
            "operator_name": "GTT",
            "source": "api",
        }
    )
    assert bare["direction_unknown"] is False and bare["operator_name"] is None
    assert bare["attribution"] is None and bare["tags"] == []
