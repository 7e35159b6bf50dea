"""The public embed (/embed/<slug>) and its share page: no cookie, framing, options, public data only."""

from __future__ import annotations

import html
import json
import re

import pytest

from observo.domain.permissions import SYSTEM
from observo.rendering.features import property_names
from observo.services.organisations import update_organisation
from observo.web.embed import EMBED_MESSAGES
from tests import factories

LON, LAT = factories.TURIN
BBOX = f"{LON - 0.05},{LAT - 0.05},{LON + 0.05},{LAT + 0.05}"
EMBED_JS = "static/js/embed.js"


@pytest.fixture
def towns(session):
    """Town A with a camera of each visibility, town B with one public camera, a private owner."""
    town_a, town_b = factories.org(session, "town-a"), factories.org(session, "town-b")
    cameras = {
        "public": factories.camera(session, town_a, visibility="public", name="Piazza pubblica"),
        "public_far": factories.camera(session, town_a, LON + 0.01, LAT + 0.01, visibility="public"),
        "shared": factories.camera(session, town_a, visibility="shared", name="Condivisa segreta"),
        "private": factories.camera(session, town_a, visibility="private", name="Privata segreta"),
        "other": factories.camera(session, town_b, visibility="public", name="Altra città"),
    }
    shop = factories.org(session, "bar-sport", kind="private", sponsor_slug="town-a")
    factories.camera(session, shop, visibility="public", name="Bar pubblico")
    return {"a": town_a, "b": town_b, "shop": shop, "cameras": cameras}


def embed_config(response) -> dict:
    text = response.get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="embed-config">(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


def frame_ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]*)", policy).group(1)


# --- the embed page ---


@pytest.mark.parametrize("slug", ["nowhere", "bar-sport"])
def test_unknown_or_private_organisation_is_404_without_cookie(client, towns, slug):
    response = client.get(f"/embed/{slug}")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Set-Cookie" not in response.headers
    assert "csrf_token" not in response.get_data(as_text=True)


def test_embed_sets_no_cookie(client, towns):
    response = client.get("/embed/town-a")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    page = response.get_data(as_text=True)
    assert "csrf_token" not in page and "/logout" not in page  # no sign-in bar: not base.html
    assert client.get_cookie("session") is None


@pytest.mark.parametrize("query", ["", "?lang=en", "?lang=it&height=300"])
def test_embed_never_writes_a_signed_in_session(client, session, towns, query):
    factories.sign_in(client, factories.user(session, towns["a"], "viewer"))
    before = client.get_cookie("session").value
    response = client.get(f"/embed/town-a{query}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert client.get_cookie("session").value == before
    assert "/logout" not in response.get_data(as_text=True)


def test_frame_ancestors_follow_each_organisation(client, session, towns, configure):
    update_organisation(
        session, SYSTEM, "town-a", {"embed_origins": ["https://www.a.example", "https://*.a.example"]}
    )
    update_organisation(session, SYSTEM, "town-b", {"embed_origins": ["https://b.example:8443"]})
    session.commit()
    town_a, town_b = client.get("/embed/town-a"), client.get("/embed/town-b")
    assert frame_ancestors(town_a) == "'self' https://www.a.example https://*.a.example"
    assert frame_ancestors(town_b) == "'self' https://b.example:8443"
    for response in (town_a, town_b):
        assert "X-Frame-Options" not in response.headers
    # The deployment's origins may frame every organisation's map.
    configure(embed_origins=("https://regione.example",))
    assert (
        frame_ancestors(client.get("/embed/town-b"))
        == "'self' https://regione.example https://b.example:8443"
    )


def test_embed_without_origins_allows_only_observo_and_other_pages_stay_unframable(client, towns):
    assert frame_ancestors(client.get("/embed/town-a")) == "'self'"
    login = client.get("/login")
    assert login.headers["X-Frame-Options"] == "DENY" and frame_ancestors(login) == "'none'"


def test_page_carries_public_extent_and_no_restricted_camera(client, towns):
    response = client.get("/embed/town-a")
    config = embed_config(response)
    features = client.get(f"/api/v1/cameras?owner=town-a&bbox={BBOX}").json["features"]
    lons = [feature["geometry"]["coordinates"][0] for feature in features]
    lats = [feature["geometry"]["coordinates"][1] for feature in features]
    assert config["extent"] == pytest.approx([min(lons), min(lats), max(lons), max(lats)])
    assert config["organisation"] == {"slug": "town-a", "name": "Town-A"}
    page = response.get_data(as_text=True)
    assert "segreta" not in page and "fov" not in page


def test_empty_map_for_an_organisation_without_public_cameras(client, session):
    factories.camera(session, factories.org(session, "town-c"), visibility="shared")
    response = client.get("/embed/town-c")
    assert response.status_code == 200 and embed_config(response)["extent"] is None


@pytest.mark.parametrize(
    ("query", "height", "center", "zoom"),
    [
        ("", "100vh", None, None),
        ("?height=400", "400px", None, None),
        ("?height=400px&zoom=12", "400px", None, 12),
        ("?height=100&zoom=25", "100vh", None, None),
        ("?height=abc&zoom=-1", "100vh", None, None),
        ("?height=%C2%B2&zoom=1e3", "100vh", None, None),
        ("?center=45.07,7.68&zoom=15", "100vh", [45.07, 7.68], 15),
        ("?center=7.68,45.07", "100vh", None, None),  # swapped: outside Italy
        ("?center=nan,nan&height=99999", "100vh", None, None),
        ("?center=45.07", "100vh", None, None),
        ("?center=45,7,1&zoom=", "100vh", None, None),
    ],
)
def test_query_options_are_validated_never_an_error(client, towns, query, height, center, zoom):
    response = client.get(f"/embed/town-a{query}")
    assert response.status_code == 200
    assert f'style="height: {height}"' in response.get_data(as_text=True)
    assert embed_config(response)["view"] == {"center": center, "zoom": zoom}


def test_language_is_italian_unless_asked(client, towns):
    italian, english = client.get("/embed/town-a"), client.get("/embed/town-a?lang=en")
    assert '<html lang="it">' in italian.get_data(as_text=True)
    assert embed_config(italian)["messages"]["Type"] == "Tipo"
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert embed_config(english)["messages"]["Type"] == "Type"
    assert embed_config(english)["labels"]["camera_type"]["fixed"] == "Fixed"
    # Accept-Language does not choose the embed's language: the site that frames it does.
    assert '<html lang="it">' in client.get("/embed/town-a", headers={"Accept-Language": "en"}).text


def test_every_script_string_has_its_translation_in_the_config():
    """embed.js looks its strings up in the config: each `_("...")` there must be listed in the view."""
    with open(EMBED_JS, encoding="utf-8") as script:
        used = set(re.findall(r'\b_\("((?:[^"\\]|\\.)*)"', script.read()))
    assert used and used <= set(EMBED_MESSAGES), used - set(EMBED_MESSAGES)


# --- the data the embed asks for ---


def test_embed_data_request_returns_only_public_cameras_with_public_fields(client, towns):
    response = client.get(f"/api/v1/cameras?owner=town-a&bbox={BBOX}&limit=1000")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    cameras = towns["cameras"]
    ids = {feature["id"] for feature in response.json["features"]}
    assert ids == {cameras["public"].id, cameras["public_far"].id}
    allowed = set(property_names("public"))
    for feature in response.json["features"]:
        assert set(feature["properties"]) <= allowed
        assert set(feature) == {"type", "id", "geometry", "properties"}
    assert client.get(f"/api/v1/cameras?owner=bar-sport&bbox={BBOX}").json["features"] == []


# --- the share page ---


def test_share_page_shows_the_snippet_to_members(client, session, towns):
    update_organisation(session, SYSTEM, "town-a", {"embed_origins": ["https://www.a.example"]})
    session.commit()
    factories.sign_in(client, factories.user(session, towns["a"], "viewer"))
    response = client.get("/organizations/town-a/embed")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    snippet = html.unescape(
        re.search(r'<textarea id="embed-snippet"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    )
    assert snippet.startswith('<iframe src="http://localhost/embed/town-a?height=500&amp;lang=it" ')
    assert 'height="500"' in snippet and 'title="' in snippet
    assert "https://www.a.example" in page and "/api/v1/organizations/town-a" in page
    assert 'id="embed-preview"' in page and 'src="/embed/town-a?height=500&amp;lang=it"' in page


def test_share_page_is_for_the_organisation_and_admins_only(client, session, towns):
    factories.sign_in(client, factories.user(session, towns["b"], "editor"))
    assert client.get("/organizations/town-a/embed").status_code == 404
    assert client.get("/organizations/town-b/embed").status_code == 200
    assert client.get("/organizations/nowhere/embed").status_code == 404
    client.post("/logout", data={"csrf_token": _page_csrf(client)})
    admin = factories.user(session, factories.org(session, "regione", kind="public_body"), "admin")
    factories.sign_in(client, admin)
    assert client.get("/organizations/town-a/embed").status_code == 200


def _page_csrf(client) -> str:
    page = client.get("/organizations/town-b/embed").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_share_page_sends_anonymous_visitors_to_sign_in(client, towns):
    response = client.get("/organizations/town-a/embed")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
