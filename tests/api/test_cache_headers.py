"""Issue 21: caching that cannot confuse audiences (observo/http/caching.py).

An answer to a caller with credentials (Bearer, Basic, a signed-in session) is `private, no-store`:
nothing keeps it. An anonymous answer on /ogc, /api/ and /tiles/ is `no-store` too (unless its view
chose a caching of its own) and varies on `Authorization, Cookie`: a client cache that ignores `Vary`
and reuses entries without asking (QGIS 3.22's PreferCache) has nothing to hand a later token request,
and the server never confirms the anonymous body (304) to a caller that reads more, because validators
name the bytes this caller would be sent.
"""

from __future__ import annotations

import base64
import math

import pytest

from tests import factories

P = factories.TURIN
ITEMS = "/ogc/collections/cameras/items"
CAMERAS = "/api/v1/cameras"
CLUSTERS = "/api/v1/clusters?bbox=7.62,45.02,7.76,45.12&zoom=12"
REASON = "proc. pen. 1234/2026"
OWN_PAGE = {"Sec-Fetch-Site": "same-origin"}  # a session is accepted on machine paths from the site only
ROLES = ("town viewer", "town editor", "carabinieri viewer", "admin")


def tile(zoom: int = 15, restricted: bool = False) -> str:
    lon, lat = P
    n = 2**zoom
    x = math.floor((lon + 180.0) / 360.0 * n)
    y = math.floor((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return f"/tiles/cameras/{'restricted/' if restricted else ''}{zoom}/{x}/{y}.mvt"


def basic(user_name: str, token: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user_name}:{token}".encode()).decode()}


def varies_on_credentials(response) -> bool:
    return {"authorization", "cookie"} <= {value.lower() for value in response.vary}


@pytest.fixture
def world(session):
    town = factories.org(session, "torino", istat_code="001272")
    other = factories.org(session, "moncalieri", istat_code="001156")
    cameras = [
        factories.camera(session, owner, P[0] + 0.0004 * n, P[1], visibility=visibility)
        for owner in (town, other)
        for n, visibility in enumerate(("public", "shared", "private"))
    ]
    users = {
        "town viewer": factories.user(session, town, "viewer"),
        "town editor": factories.user(session, town, "editor"),
        "carabinieri viewer": factories.user(
            session, factories.org(session, "cc", kind="carabinieri"), "viewer"
        ),
        "admin": factories.user(session, factories.org(session, "regione", kind="public_body"), "admin"),
    }
    return {"town": town, "cameras": cameras, "users": users}


def paths(world) -> list[str]:
    public = world["cameras"][0].id
    return [
        "/ogc",
        "/ogc/collections/cameras",
        ITEMS,
        f"{ITEMS}/{public}",
        CAMERAS,
        f"{CAMERAS}/{public}",
        tile(restricted=True),
        tile(),
        CLUSTERS,
    ]


# ---------------------------------------------------------------- with credentials: never stored


@pytest.mark.parametrize("role", ROLES)
def test_every_roles_answers_are_private_and_not_stored(app, client, session, world, role):
    user = world["users"][role]
    token = factories.token(session, user)
    signed_in = app.test_client()
    factories.sign_in(signed_in, user)
    for path in paths(world):
        for how, caller, headers in (
            ("bearer", client, factories.auth(token)),
            ("basic e-mail", client, basic(user.email, token)),
            ("basic token", client, basic("token", token)),
            ("session", signed_in, OWN_PAGE),
        ):
            response = caller.get(path, headers=headers)
            assert response.status_code in (200, 204), (role, how, path, response.status_code)
            assert response.headers["Cache-Control"] == "private, no-store", (role, how, path)
            assert varies_on_credentials(response), (role, how, path)
            assert "Access-Control-Allow-Origin" not in response.headers, (role, how, path)


def test_refusals_of_credentials_are_private_too(client, session, world):
    for headers in (factories.auth("obs_bad"), basic("token", "obs_bad")):
        for path in (ITEMS, CAMERAS, tile(restricted=True)):
            response = client.get(path, headers=headers)
            assert response.status_code == 401
            assert response.headers["Cache-Control"] == "private, no-store"


# ---------------------------------------------------------------- anonymous: not stored either


def test_anonymous_machine_answers_are_not_stored(client, world):
    chosen_by_the_view = {tile(): "public, max-age=300", CLUSTERS: "public, max-age=60"}
    for path in paths(world):
        response = client.get(path)
        expected = chosen_by_the_view.get(path, "no-store")
        if path == tile(restricted=True):
            assert response.status_code == 401 and response.mimetype == "application/problem+json"
        else:
            assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == expected, path
        assert varies_on_credentials(response), path
    for missing in ("/ogc/collections/nothing", f"{CAMERAS}/999999", "/api/v1/nowhere"):
        response = client.get(missing)
        assert response.status_code == 404
        assert response.headers["Cache-Control"] == "no-store" and varies_on_credentials(response)


def test_a_session_cookie_without_anyone_signed_in_is_no_credential(client, world):
    factories.csrf_token(client)  # the sign-in form writes the session cookie: nobody signed in
    assert client.get_cookie("session") is not None
    response = client.get(ITEMS, headers=OWN_PAGE)
    assert response.status_code == 200 and response.json["numberMatched"] == 2
    assert response.headers["Cache-Control"] == "no-store" and varies_on_credentials(response)


def test_pages_and_static_files_keep_their_own_caching(client, world):
    favicon = client.get("/favicon.ico")
    assert "max-age=86400" in favicon.headers["Cache-Control"]
    assert not varies_on_credentials(favicon)
    login = client.get("/login")
    assert "no-store" not in login.headers.get("Cache-Control", "")


# ---------------------------------------------------------------- validators name what the caller reads


class VaryIgnoringCache:
    """Qt's QNetworkDiskCache as QGIS 3.22 uses it: one entry per URL whoever asked, handed back
    without asking the server (PreferCache: the capabilities and the first page of items), never
    storing `no-store`."""

    def __init__(self, client):
        self.client = client
        self.entries: dict[str, bytes] = {}

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        if path in self.entries:
            return 200, self.entries[path]
        response = self.client.get(path, headers=dict(headers or {}))
        if "no-store" not in response.headers.get("Cache-Control", ""):
            self.entries[path] = response.data
        return response.status_code, response.data


def test_a_cache_ignoring_vary_never_shows_the_anonymous_answer_to_a_token(client, session, world):
    # The public clusters keep `public, max-age=60`: only the map (a browser, which honours Vary)
    # asks for them. Everything a GIS client opens is below.
    token = factories.token(session, world["users"]["carabinieri viewer"])
    for headers in (factories.auth(token), basic("token", token)):
        for path in (
            "/ogc",
            "/ogc/collections",
            "/ogc/collections/cameras",
            ITEMS,
            f"{CAMERAS}?limit=1000",
            f"/api/v1/exports?f=geojson&reason={REASON.replace(' ', '+')}",
        ):
            cache = VaryIgnoringCache(client)
            anonymous_status, anonymous = cache.get(path)
            assert anonymous_status == 200, path
            assert path not in cache.entries, path  # nothing kept for the next caller
            status, seen = cache.get(path, headers)
            assert status == 200 and seen == client.get(path, headers=headers).data, path
            if path != "/ogc":  # the landing page is the same for everyone
                assert seen != anonymous, path
            assert path not in cache.entries, path  # the token's answer was not stored either


def test_etags_differ_per_audience_and_the_anonymous_one_gets_no_304_with_a_token(client, session, world):
    token = factories.token(session, world["users"]["town viewer"])
    for path in (CLUSTERS, "/api/v1/exports?f=csv"):
        anonymous = client.get(path)
        etag = anonymous.headers["ETag"]
        assert (
            client.get(path, headers={"If-None-Match": etag}).status_code == 304
        )  # the anonymous may revalidate
        asked = f"{path}&reason={REASON}" if "exports" in path else path
        for headers in (factories.auth(token), basic("token", token)):
            response = client.get(asked, headers={**headers, "If-None-Match": etag})
            assert response.status_code == 200, path
            assert response.data != anonymous.data and response.headers.get("ETag") != etag, path
    for path in (ITEMS, CAMERAS, f"{ITEMS}/{world['cameras'][0].id}"):
        # No validator on these: a revalidation is a full answer, whoever asks.
        assert "ETag" not in client.get(path).headers
        response = client.get(path, headers={**factories.auth(token), "If-None-Match": '"anything"'})
        assert response.status_code == 200


def test_the_public_tile_is_the_same_bytes_for_everyone_so_its_etag_is_too(client, session, world):
    """Credentials are ignored on the public tiles: a 304 confirms bytes the caller would get anyway."""
    token = factories.token(session, world["users"]["admin"])
    anonymous = client.get(tile())
    with_token = client.get(tile(), headers=factories.auth(token))
    assert with_token.data == anonymous.data and with_token.headers["ETag"] == anonymous.headers["ETag"]
    assert with_token.headers["Cache-Control"] == "private, no-store"
    assert client.get(tile(restricted=True), headers=factories.auth(token)).data != anonymous.data
