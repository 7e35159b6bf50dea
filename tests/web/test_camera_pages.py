"""The camera list (/cameras) and card (/cameras/<id>): read scope, filters, paging, errors, language."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from observo.web import camera_pages
from tests import factories

ROW_LINK = re.compile(r'<th scope="row"><a href="/cameras/(\d+)">')



def _page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _listed(client, url):
    """Camera ids in the table, in order."""
    return [int(found) for found in ROW_LINK.findall(_page(client, url))]


@pytest.fixture
def town(session):
    return factories.org(session, "torino")


@pytest.fixture
def editor(client, session, town):
    user = factories.user(session, town, "editor")
    factories.sign_in(client, user)
    return user


def test_pages_require_login(client, session, town):
    camera = factories.camera(session, town)
    for path in ("/cameras", f"/cameras/{camera.id}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_editor_sees_own_private_cameras_not_another_towns(client, session, town, editor):
    other = factories.org(session, "asti")
    own_private = factories.camera(session, town, name="Nostra privata", visibility="private")
    their_private = factories.camera(session, other, name="Loro privata", visibility="private")
    their_shared = factories.camera(session, other, name="Loro condivisa", visibility="shared")
    their_public = factories.camera(session, other, name="Loro pubblica", visibility="public")
    factories.camera(session, factories.org(session, "cuneo"), visibility="private")
    assert _listed(client, "/cameras") == [own_private.id, their_public.id]
    page = _page(client, "/cameras")
    assert "Nostra privata" in page and "Loro privata" not in page and "Loro condivisa" not in page
    # The owner select offers the owners of readable cameras, by name.
    assert '<option value="asti">Asti</option>' in page and '<option value="torino">Torino</option>' in page
    assert 'value="cuneo"' not in page
    assert client.get(f"/cameras/{their_private.id}").status_code == 404
    assert client.get(f"/cameras/{their_shared.id}").status_code == 404
    assert "Nostra privata" in _page(client, f"/cameras/{own_private.id}")


def test_filters_narrow_the_table(client, session, town, editor):
    dome = factories.camera(session, town, name="Cupola piazza", camera_type="dome", visibility="public")
    faulty = factories.camera(session, town, name="Varco nord", status="faulty", address="Via Po 1")
    planned = factories.camera(session, town, name="Varco sud", status="planned", visibility="private")
    retired = factories.camera(session, town, name="Vecchia", status="decommissioned")
    assert _listed(client, "/cameras") == [dome.id, faulty.id, planned.id]  # decommissioned hidden
    assert _listed(client, "/cameras?camera_type=dome") == [dome.id]
    assert _listed(client, "/cameras?status=faulty") == [faulty.id]
    assert _listed(client, "/cameras?status=decommissioned") == [retired.id]
    assert _listed(client, "/cameras?visibility=private") == [planned.id]
    assert _listed(client, "/cameras?q=varco") == [faulty.id, planned.id]
    assert _listed(client, "/cameras?q=via+po") == [faulty.id]  # the address too
    assert _listed(client, f"/cameras?q=OBS-{planned.id:06d}") == [planned.id]
    assert _listed(client, "/cameras?camera_type=fixed&status=planned&q=varco") == [planned.id]
    assert _listed(client, "/cameras?municipality=001272") == []
    # The empty values a GET form sends for "all" are no filter.
    assert _listed(client, "/cameras?camera_type=&status=&owner=&municipality=&visibility=&q=") == [
        dome.id,
        faulty.id,
        planned.id,
    ]
    selected = _page(client, "/cameras?status=faulty")
    assert '<option value="faulty" selected>' in selected


def test_owner_and_municipality_filters(client, session, town, editor):
    sponsored = factories.org(session, "bar-sport", kind="private", sponsor_slug="torino")
    ours = factories.camera(session, town, municipality="001272")
    theirs = factories.camera(session, sponsored, municipality="001156")
    assert _listed(client, "/cameras") == [ours.id, theirs.id]
    assert _listed(client, "/cameras?owner=bar-sport") == [theirs.id]
    assert _listed(client, "/cameras?municipality=001272") == [ours.id]
    assert _listed(client, "/cameras?owner=nobody") == []


def test_rows_link_to_card_and_map(client, session, town, editor):
    camera = factories.camera(session, town, name="Piazza Castello", retention_hours=72)
    page = _page(client, "/cameras")
    assert f'href="/cameras/{camera.id}">OBS-{camera.id:06d}</a>' in page
    assert f'href="/map?camera={camera.id}"' in page
    assert "<caption" in page and page.count('scope="col"') == 10
    row = page[page.index('<th scope="row">') :]
    row = row[: row.index("</tr>")]
    assert "Piazza Castello" in row and ">72<" in row and ">Fissa<" in row and ">Condivisa<" in row


def test_paging_keeps_the_filters(client, session, town, editor):
    domes = [factories.camera(session, town, camera_type="dome") for _ in range(5)]
    factories.camera(session, town, camera_type="fixed")
    ids = [camera.id for camera in domes]
    first = _page(client, "/cameras?camera_type=dome&limit=2")
    assert [int(found) for found in ROW_LINK.findall(first)] == ids[:2]
    assert "1–2 di 5" in first
    assert 'rel="prev"' not in first
    next_url = html.unescape(re.search(r'<a href="([^"]+)" rel="next"', first).group(1))
    assert "camera_type=dome" in next_url and "offset=2" in next_url and "limit=2" in next_url
    second = _page(client, next_url)
    assert [int(found) for found in ROW_LINK.findall(second)] == ids[2:4]
    previous_url = html.unescape(re.search(r'<a href="([^"]+)" rel="prev"', second).group(1))
    assert _listed(client, previous_url) == ids[:2]
    last = _page(client, "/cameras?camera_type=dome&limit=2&offset=4")
    assert [int(found) for found in ROW_LINK.findall(last)] == ids[4:]
    assert "5–5 di 5" in last and 'rel="next"' not in last
    assert "oltre" not in first


def test_count_beyond_the_cap_and_clamped_limit(client, session, town, editor, configure, monkeypatch):
    cameras = [factories.camera(session, town) for _ in range(4)]
    configure(count_cap=2)
    page = _page(client, "/cameras?limit=1")
    assert "1–1 di oltre 2" in page
    monkeypatch.setattr(camera_pages, "MAX_PAGE_LIMIT", 3)
    assert _listed(client, "/cameras?limit=500") == [camera.id for camera in cameras[:3]]
    past = _page(client, "/cameras?offset=10")
    assert ROW_LINK.findall(past) == [] and 'rel="prev"' in past


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("camera_type=banana", "Filtro “Tipo”: scegli un valore dall&#39;elenco."),
        ("status=active,exploded", "Filtro “Stato”"),
        ("visibility=secret", "Filtro “Condivisione”"),
        ("municipality=12ab", "Filtro “Comune (ISTAT)”: un codice ISTAT ha sei cifre."),
        ("limit=many", "Filtro “Per pagina”"),
        ("limit=0", "Filtro “Per pagina”"),
        ("offset=-1", "Filtro “Parti da”"),
        ("q=" + "x" * 101, "Filtro “Cerca”"),
    ],
)
def test_bad_filter_is_400_with_an_italian_message(client, session, town, editor, query, message):
    factories.camera(session, town)
    page = _page(client, f"/cameras?{query}", status=400)
    assert message in page
    assert "Alcuni filtri non sono validi" in page
    assert "<table" not in page and "Traceback" not in page and "ValidationError" not in page


def test_card_shows_history_after_an_edit(client, session, town, editor):
    camera = factories.camera(session, town)
    url = f"/api/v1/cameras/{camera.id}"
    same_origin = {"Sec-Fetch-Site": "same-origin"}  # as the map's calls
    etag = client.get(url, headers=same_origin).headers["ETag"]
    token = factories.csrf_token(client, "/cameras")
    patched = client.patch(
        url,
        json={"properties": {"status": "faulty"}},
        headers={
            **same_origin,
            "If-Match": etag,
            "X-CSRFToken": token,
            "Content-Type": "application/merge-patch+json",
        },
    )
    assert patched.status_code == 200
    page = _page(client, f"/cameras/{camera.id}")
    history = page[page.index("Storico dello stato") :]
    assert "Registrata come Attiva" in history
    assert "Attiva → Guasta" in history and editor.email in history
    assert history.index("Registrata come Attiva") < history.index("Attiva → Guasta")
    assert f'href="/map?camera={camera.id}"' in page and "Mostra sulla mappa" in page
    assert 'href="/cameras"' in page


def test_card_reads_like_a_card_without_footage_contacts(client, session, town, editor):
    camera = factories.camera(
        session,
        town,
        footage_contact_email="video@torino.example",
        footage_contact_phone="+39 011 555 0000",
        mount="street_lamp",
        height_m=6.5,
        last_verified_on=date(2026, 3, 5),
    )
    page = _page(client, f"/cameras/{camera.id}")
    assert "video@torino.example" not in page and "555 0000" not in page
    assert "ogni consultazione è registrata" in page
    card = page[page.index('<dl class="card">') : page.index("</dl>")]
    assert "<dd>Torino</dd>" in card  # the owner's name, not its slug
    assert "<dd>Su lampione</dd>" in card and "<dd>6,5</dd>" in card and "<dd>5 mar 2026</dd>" in card


def test_english_on_request(client, session, town, editor):
    camera = factories.camera(session, town, status="faulty")
    italian = _page(client, "/cameras")
    assert "Vedi sulla mappa" in italian and "Telecamere che puoi vedere" in italian and ">Guasta<" in italian
    english = _page(client, "/cameras?lang=en")
    assert 'lang="en"' in english
    assert "Cameras you may see" in english and "See on the map" in english and ">Faulty<" in english
    assert 'class="c-camera_type">Type</th>' in english and "1–1 of 1" in english
    card = _page(client, f"/cameras/{camera.id}")  # the language stays for the session
    assert "Status history" in card and "Show on the map" in card
    assert "Filter “Type”: choose a value from the list." in _page(client, "/cameras?camera_type=x", 400)
