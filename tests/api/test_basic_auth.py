"""Issue 21: HTTP Basic with the API token as the password, for GIS clients that send nothing else
(QGIS 3.22). The user name is the token owner's e-mail or the word `token`; the answer, the audit and
the refusals are those of `Authorization: Bearer <token>`. Machine paths only; never asked of a browser.
"""

from __future__ import annotations

import base64
import math
from datetime import timedelta

import pytest
import sqlalchemy as sa

from observo.models import ApiToken, AuditEntry
from observo.models.base import utcnow
from observo.services import accounts
from tests import factories

P = factories.TURIN
ITEMS = "/ogc/collections/cameras/items"
CAMERAS = "/api/v1/cameras"
REASON = "proc. pen. 1234/2026"
GEOJSON = "application/geo+json"
BASIC_CHALLENGE = 'Basic realm="Observo", charset="UTF-8"'


def basic(user_name: str, token: str) -> dict[str, str]:
    return raw_basic(f"{user_name}:{token}".encode())


def raw_basic(credentials: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(credentials).decode("ascii")}


def restricted_tile(point=P, zoom: int = 15) -> str:
    lon, lat = point
    n = 2**zoom
    x = math.floor((lon + 180.0) / 360.0 * n)
    y = math.floor((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return f"/tiles/cameras/restricted/{zoom}/{x}/{y}.mvt"


def last_id(session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


def entries_after(session, start: int) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id)))


def assert_refused(response, status: int = 401, code: str = "not_authenticated") -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == code and response.json["status"] == status


@pytest.fixture
def town(session):
    return factories.org(session, "torino", istat_code="001272")


@pytest.fixture
def world(session, town):
    """Cameras of every visibility in two towns, and a carabinieri officer (police attributes)."""
    other = factories.org(session, "moncalieri", istat_code="001156")
    for owner in (town, other):
        for n, visibility in enumerate(("public", "shared", "private")):
            factories.camera(session, owner, P[0] + 0.0004 * n, P[1], visibility=visibility)
    officer = factories.user(session, factories.org(session, "cc", kind="carabinieri"), "viewer")
    return {"officer": officer, "token": factories.token(session, officer)}


# ---------------------------------------------------------------- the bearer's answer, by Basic


def test_basic_with_the_e_mail_or_the_word_token_answers_as_the_bearer(client, world):
    officer, token = world["officer"], world["token"]
    bearer = factories.auth(token)
    anonymous = client.get(ITEMS).json
    for user_name in (officer.email, f"  {officer.email.upper()} ", "token", "Token"):
        headers = basic(user_name, token)
        for path in (ITEMS, f"{CAMERAS}?limit=1000", f"{ITEMS}/{anonymous['features'][0]['id']}"):
            expected = client.get(path, headers=bearer)
            answered = client.get(path, headers=headers)
            assert answered.status_code == expected.status_code == 200, (user_name, path)
            assert answered.json == expected.json, (user_name, path)
        tile = client.get(restricted_tile(), headers=headers)
        assert tile.status_code == 200 and tile.data == client.get(restricted_tile(), headers=bearer).data
    body = client.get(ITEMS, headers=basic(officer.email, token)).json
    # Carabinieri: public and shared cameras of both towns, with the police attributes.
    assert body["numberMatched"] == 4 and anonymous["numberMatched"] == 2
    assert len(body["features"][0]["properties"]) > len(anonymous["features"][0]["properties"])


def test_an_accountable_query_by_basic_is_audited_as_by_bearer(client, session, world):
    officer, token = world["officer"], world["token"]
    logged = []
    for headers in (factories.auth(token), basic(officer.email, token), basic("token", token)):
        start = last_id(session)
        response = client.get(
            CAMERAS, query_string={"near": f"{P[0]},{P[1]}", "radius": 500, "reason": REASON}, headers=headers
        )
        assert response.status_code == 200 and len(response.json["features"]) == 4
        (entry,) = entries_after(session, start)
        assert entry.request_id == response.headers["X-Request-ID"]
        logged.append(
            (
                entry.action,
                entry.actor_user_id,
                entry.actor_label,
                entry.reason,
                entry.result_count,
                entry.details,
            )
        )
    assert logged[0][1] == officer.id and logged[0][3] == REASON
    assert logged[0] == logged[1] == logged[2]


def test_an_export_and_a_write_by_basic_need_no_csrf_token(client, session, town, world):
    token = world["token"]
    query = {"f": "csv", "reason": REASON}
    by_basic = client.get("/api/v1/exports", query_string=query, headers=basic("token", token))
    assert by_basic.status_code == 200
    exported = by_basic.data  # streamed: read before the next request
    assert exported == client.get("/api/v1/exports", query_string=query, headers=factories.auth(token)).data
    editor = factories.user(session, town, "editor")
    created = client.post(
        CAMERAS,
        json=factories.feature("torino"),
        headers=basic(editor.email, factories.token(session, editor)),
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    # A browser session next to it changes nothing: the token decides, as a bearer token would.
    factories.sign_in(client, editor)
    created = client.post(
        CAMERAS,
        json=factories.feature("torino"),
        headers=basic("token", factories.token(session, editor, "gis")),
    )
    assert created.status_code == 201


def test_basic_and_bearer_share_one_api_quota(client, configure, world):
    configure(ratelimit_api="2 per minute")
    officer, token = world["officer"], world["token"]
    assert client.get(CAMERAS, headers=factories.auth(token)).status_code == 200
    assert client.get(CAMERAS, headers=basic(officer.email, token)).status_code == 200
    assert client.get(CAMERAS, headers=basic("token", token)).status_code == 429


# ---------------------------------------------------------------- refusals


def refused_basic_headers(session, world) -> dict[str, dict[str, str]]:
    officer, token = world["officer"], world["token"]
    colleague = factories.user(session, factories.org(session, "cc2", kind="carabinieri"), "viewer")
    revoked = factories.token(session, officer, "revoked")
    accounts.revoke_token(session, officer, "revoked")
    expired = factories.token(session, officer, "expired", expires_days=1)
    session.execute(
        sa.update(ApiToken)
        .where(ApiToken.name == "expired")
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    session.commit()
    return {
        "wrong password": basic(officer.email, token + "x"),
        "password is not a token": basic(officer.email, factories.PASSWORD),
        "revoked token": basic(officer.email, revoked),
        "expired token": basic("token", expired),
        "another user's e-mail": basic(colleague.email, token),
        "an unknown user name": basic("admin", token),
        "no user name": basic("", token),
        "no password": basic(officer.email, ""),
        "not base64": {"Authorization": "Basic ***not-base64***"},
        "no colon": raw_basic(f"token{token}".encode()),
        "not UTF-8": raw_basic(b"token:\xff\xfe" + token.encode()),
        "nothing after Basic": {"Authorization": "Basic"},
    }


def test_bad_basic_credentials_are_the_401_of_a_bad_bearer_token(client, session, configure, world):
    configure(ratelimit_auth_failed="1000 per minute")  # the throttle has a test of its own
    bad_bearer = client.get(ITEMS, headers=factories.auth("obs_not-a-token"))
    assert_refused(bad_bearer)
    for case, headers in refused_basic_headers(session, world).items():
        for path in (ITEMS, CAMERAS, restricted_tile(), "/api/v1/exports?f=csv"):
            response = client.get(path, headers=headers)
            assert_refused(response)
            assert response.json["title"] == bad_bearer.json["title"], case
            challenges = response.headers.getlist("WWW-Authenticate")
            assert challenges == [*bad_bearer.headers.getlist("WWW-Authenticate")], case
            assert BASIC_CHALLENGE in challenges and any(c.startswith("Bearer") for c in challenges), case
            assert response.headers["Cache-Control"] == "private, no-store", case


def test_another_users_e_mail_does_not_record_a_use_of_the_token(client, session, world):
    colleague = factories.user(session, factories.org(session, "cc2", kind="carabinieri"), "viewer")
    assert_refused(client.get(CAMERAS, headers=basic(colleague.email, world["token"])))
    session.expire_all()
    assert (
        session.scalar(sa.select(ApiToken.last_used_at).where(ApiToken.user_id == world["officer"].id))
        is None
    )


def test_refused_basic_credentials_are_audited_and_throttled_as_bearer_ones(
    client, session, configure, world
):
    configure(ratelimit_auth_failed="100 per minute")
    officer, token = world["officer"], world["token"]
    start = last_id(session)
    assert_refused(client.get(CAMERAS, headers=basic(officer.email, "obs_wrong-token")))
    (entry,) = entries_after(session, start)
    assert (entry.action, entry.actor_user_id, entry.source_ip) == ("auth.rejected", None, "127.0.0.1")
    assert entry.actor_label == "token obs_wrong-…"  # the token's first characters, as for Bearer
    cases = refused_basic_headers(session, world)
    configure(ratelimit_auth_failed=f"{len(cases) + 2} per minute")
    client.application.extensions["observo_limiter"].reset()
    client.application.extensions["observo_limiter_fallback"].storage.reset()
    assert_refused(client.get(CAMERAS, headers=factories.auth("obs_bad")))  # Bearer and Basic: one count
    for headers in cases.values():
        assert_refused(client.get(CAMERAS, headers=headers))
    assert_refused(client.get(ITEMS, headers=basic("token", "obs_bad")))
    throttled = client.get(CAMERAS, headers=basic("token", "obs_bad"))
    assert_refused(throttled, 429, "rate_limited")
    assert int(throttled.headers["Retry-After"]) >= 1
    assert_refused(client.get(CAMERAS, headers=factories.auth("obs_bad")), 429, "rate_limited")
    # The owner of a valid token, behind the same address, keeps working by Basic and by Bearer.
    assert client.get(CAMERAS, headers=basic(officer.email, token)).status_code == 200
    assert client.get(CAMERAS, headers=factories.auth(token)).status_code == 200


# ---------------------------------------------------------------- pages and browsers


def test_basic_is_refused_on_pages_even_with_a_valid_token(client, session, world):
    officer, token = world["officer"], world["token"]
    for headers in (basic(officer.email, token), basic("token", token)):
        page = client.get("/map", headers=headers)
        assert page.status_code == 401 and page.mimetype == "text/html"
        assert BASIC_CHALLENGE not in page.headers.getlist("WWW-Authenticate")  # no browser prompt
    factories.sign_in(client, officer)
    assert client.get("/map").status_code == 200
    assert client.get("/map", headers=basic("token", token)).status_code == 401


def test_browsers_are_never_asked_for_basic_credentials(client, session, world):
    assert BASIC_CHALLENGE in client.get(restricted_tile()).headers.getlist("WWW-Authenticate")
    for browser in (
        {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"},
        {"Sec-Fetch-Mode": "navigate"},
        {"X-Requested-With": "observo"},
        {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    ):
        for headers in ({}, factories.auth("obs_bad")):
            response = client.get(restricted_tile(), headers={**browser, **headers})
            assert_refused(response)
            assert response.headers.getlist("WWW-Authenticate") == ['Bearer realm="observo"'], browser


def test_basic_credentials_sent_by_another_sites_page_are_refused(client, session, world):
    """A browser that once took a Basic password sends it on its own, like a cookie: not from elsewhere."""
    officer, token = world["officer"], world["token"]
    headers = basic(officer.email, token)
    start = last_id(session)
    for browser in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
    ):
        response = client.get(
            CAMERAS,
            query_string={"near": f"{P[0]},{P[1]}", "radius": 500, "reason": REASON},
            headers={**headers, **browser},
        )
        assert_refused(response, 403, "forbidden")
    assert all(entry.action == "auth.denied" for entry in entries_after(session, start))
    own_page = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    assert client.get(CAMERAS, headers={**headers, **own_page}).status_code == 200
