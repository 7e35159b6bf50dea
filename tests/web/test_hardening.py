"""Hardening: security headers on every response, CORS, rate limits, proxies, cookies and CSRF."""

from __future__ import annotations

import dataclasses
import logging
import uuid

import pytest
from flask import Flask
from werkzeug.routing import Rule as UrlRule

from observo.extensions import db
from observo.http import route_policy
from observo.http.route_policy import ANYONE, Rule, rule_for
from observo.settings import Settings
from tests import factories
from tests.conftest import make_app

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
CORS_REQUEST_HEADERS = "Content-Type, If-None-Match, Accept-Language"
BBOX = "7.6,45.0,7.8,45.2"


# --- helpers ---



def _sign_in(client, email, password=factories.PASSWORD, **kwargs):
    data = {"email": email, "password": password, "csrf_token": factories.csrf_token(client)}
    return client.post("/login", data=data, **kwargs)


def assert_hardened(response, *, api: bool, authenticated: bool, cors: bool = False, framable: bool = False):
    """The headers every response carries, whatever its status or type."""
    headers = response.headers
    where = f"{response.status} {response.mimetype}"
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    policy = headers.get("Content-Security-Policy", "")
    assert policy, where
    if framable:
        assert "X-Frame-Options" not in headers, where
    else:
        assert headers.get("X-Frame-Options") == "DENY" and "frame-ancestors 'none'" in policy, where
    if response.mimetype != "text/html":
        assert policy.startswith("default-src 'none'"), where
    if api:
        assert {"authorization", "cookie"} <= {value.lower() for value in response.vary}, where
    if authenticated:
        assert headers.get("Cache-Control") == "private, no-store", where
    assert "Access-Control-Allow-Credentials" not in headers, where
    if cors and not authenticated:
        assert headers.get("Access-Control-Allow-Origin") == "*", where
        assert "Retry-After" in headers.get("Access-Control-Expose-Headers", ""), where
    else:
        assert not [name for name, _ in headers.items() if name.lower().startswith("access-control-")], where


@pytest.fixture
def build_app(app: Flask, session):
    """A dedicated app on the test database with some settings changed (ones read at start)."""
    built: list[Flask] = []
    settings = app.config["OBSERVO_SETTINGS"]

    def build(**overrides: object) -> Flask:
        built.append(make_app(settings.database_url, settings.instance_path, **overrides))
        return built[-1]

    yield build
    for application in built:
        with application.app_context():
            db.engine.dispose()


# --- every route, every method, three kinds of caller ---

# Path parameters the test knows nothing about get a plausible value of their type.
_VALUES_BY_CONVERTER = {
    "DatabaseId": 1,
    "IntegerConverter": 1,
    "PathConverter": "observo.css",
    "UUIDConverter": uuid.uuid4(),
}


def _path(rule: UrlRule, known: dict[str, object]) -> str:
    values = {
        name: known.get(name, _VALUES_BY_CONVERTER.get(type(converter).__name__, "x"))
        for name, converter in rule._converters.items()
    }
    return rule.build(values)[1]


def _walk(client, known: dict[str, object], headers: dict[str, str], authenticated: bool) -> int:
    rules = client.application.url_map.iter_rules()
    calls = [(url_rule, method) for url_rule in rules for method in url_rule.methods]
    # DELETE last: a caller may delete its own token (id 1), and the rest should still run as that caller.
    calls.sort(key=lambda call: call[1] == "DELETE")
    for url_rule, method in calls:
        path = _path(url_rule, known)
        response = client.open(path, method=method, headers=headers)
        policy = rule_for(url_rule.endpoint, method)
        assert_hardened(
            response,
            api=path.startswith("/api/"),
            authenticated=authenticated,
            cors=policy is not None and policy.cors,
            framable=policy is not None and policy.framable,
        )
    return len(calls)


def test_every_route_and_method_carries_the_headers(app, client, session):
    town = factories.org(session, "torino")
    camera = factories.camera(session, town, visibility="public")
    known = {"camera_id": camera.id, "slug": town.slug, "filename": "observo.css"}
    user = factories.user(session, town, "viewer")
    sent = _walk(client, known, {}, authenticated=False)
    sent += _walk(client, known, factories.auth(factories.token(session, user)), authenticated=True)
    signed_in = app.test_client()
    assert _sign_in(signed_in, user.email).status_code == 302
    sent += _walk(signed_in, known, {}, authenticated=True)
    assert signed_in.get("/map").status_code == 200  # nothing in the walk signed the session out
    assert sent >= 3 * 40


# --- response types ---


def test_error_responses_carry_the_headers(client, session):
    for path in ("/nowhere", "/api/v1/nowhere"):
        response = client.get(path)
        assert response.status_code == 404
        assert_hardened(response, api=path.startswith("/api/"), authenticated=False)
    assert client.get("/api/v1/nowhere").mimetype == "application/problem+json"
    refused = client.put("/api/v1/cameras", json={})
    assert refused.status_code == 405 and refused.mimetype == "application/problem+json"
    assert_hardened(refused, api=True, authenticated=False)


def test_large_and_mistyped_bodies_carry_the_headers(app, client, session):
    too_large = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/api/v1/search", data=too_large, content_type="application/json")
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert_hardened(response, api=True, authenticated=False, cors=True)
    response = client.post("/api/v1/search", data="geometry", content_type="text/plain")
    assert response.status_code == 415 and response.mimetype == "application/problem+json"
    assert_hardened(response, api=True, authenticated=False, cors=True)


def test_csv_and_problem_for_a_token_are_private(client, session):
    town = factories.org(session, "torino")
    factories.camera(session, town)
    police = factories.headers_for(session, town, "viewer")
    response = client.get("/api/v1/cameras?f=csv&reason=case 42", headers=police)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert_hardened(response, api=True, authenticated=True)
    missing_reason = client.get("/api/v1/cameras?f=csv", headers=police)
    assert missing_reason.status_code == 422 and missing_reason.mimetype == "application/problem+json"
    assert_hardened(missing_reason, api=True, authenticated=True)


def test_clusters_cache_publicly_only_for_anonymous_callers(client, session):
    town = factories.org(session, "torino")
    factories.camera(session, town, visibility="public")
    url = f"/api/v1/clusters?bbox={BBOX}&zoom=12"
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=60"
    revalidated = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and revalidated.headers["Cache-Control"] == "public, max-age=60"
    assert_hardened(revalidated, api=True, authenticated=False, cors=True)
    police = factories.headers_for(session, town, "viewer")
    signed = client.get(url, headers=police)
    again = client.get(url, headers={**police, "If-None-Match": signed.headers["ETag"]})
    assert again.status_code == 304
    for response in (signed, again):
        assert_hardened(response, api=True, authenticated=True)
    assert [v.lower() for v in signed.vary].count("cookie") == 1  # added to the view's Vary, not twice


# --- framing ---


def _embed_probe(build_app, monkeypatch, **overrides: object) -> Flask:
    """An app with a framable page, as the public embed will be."""
    monkeypatch.setitem(route_policy.POLICY, "embed_probe", {"GET": Rule(ANYONE, "test", framable=True)})
    probe = build_app(**overrides)
    probe.add_url_rule("/embed-probe", "embed_probe", lambda: "<!doctype html><p>embed</p>")
    return probe


def test_framable_route_lists_the_embed_origins(build_app, monkeypatch, session):
    origins = ("https://www.comune.torino.it", "https://*.example.it")
    probe = _embed_probe(build_app, monkeypatch, embed_origins=origins)
    response = probe.test_client().get("/embed-probe")
    assert response.status_code == 200
    assert_hardened(response, api=False, authenticated=False, framable=True)
    assert (
        "frame-ancestors 'self' https://www.comune.torino.it https://*.example.it;"
        in (response.headers["Content-Security-Policy"])
    )
    probe.config["OBSERVO_SETTINGS"] = dataclasses.replace(probe.config["OBSERVO_SETTINGS"], embed_origins=())
    default = probe.test_client().get("/embed-probe").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self';" in default
    assert probe.test_client().get("/login").headers["X-Frame-Options"] == "DENY"


# --- CORS ---


def _preflight(client, path, method="GET", **headers):
    request_headers = {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": method}
    return client.options(path, headers={**request_headers, **headers})


def test_preflight_on_public_routes(client, session):
    response = _preflight(client, "/api/v1/cameras", "GET")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD"  # POST is not a CORS route
    assert response.headers["Access-Control-Allow-Headers"] == CORS_REQUEST_HEADERS
    assert response.headers["Access-Control-Max-Age"] == "600"
    assert_hardened(response, api=True, authenticated=False, cors=True)
    asked = {"Access-Control-Request-Headers": "Content-Type"}
    search = _preflight(client, "/api/v1/search", "POST", **asked)
    assert search.status_code == 204 and search.headers["Access-Control-Allow-Methods"] == "POST"
    assert "authorization" not in search.headers["Access-Control-Allow-Headers"].lower()


def test_no_cors_on_private_routes_or_with_credentials(app, client, session):
    for path in ("/api/v1/organizations", "/login", "/api/v1/audit"):
        response = _preflight(client, path)
        assert response.status_code != 204
        assert_hardened(response, api=path.startswith("/api/"), authenticated=False)
    town = factories.org(session, "torino")
    user = factories.user(session, town, "viewer")
    with_token = client.get("/api/v1/cameras", headers=factories.auth(factories.token(session, user)))
    assert with_token.status_code == 200 and "Access-Control-Allow-Origin" not in with_token.headers
    signed_in = app.test_client()
    _sign_in(signed_in, user.email)
    with_session = signed_in.get("/api/v1/cameras", headers={"Origin": "https://elsewhere.example"})
    # Another site's request riding on the session is refused outright (issue 15, class 4).
    assert with_session.status_code == 403 and "Access-Control-Allow-Origin" not in with_session.headers
    anonymous = client.get("/api/v1/cameras", headers={"Origin": "https://elsewhere.example"})
    assert anonymous.headers["Access-Control-Allow-Origin"] == "*"


# --- rate limits: the API ---


def test_api_quota_answers_429_problem_with_retry_after(client, configure, session):
    configure(ratelimit_api="3 per minute")
    for _ in range(3):
        assert client.get("/api/v1/cameras").status_code == 200
    response = client.get(f"/api/v1/clusters?bbox={BBOX}&zoom=12")  # one quota for the whole API
    assert response.status_code == 429 and response.mimetype == "application/problem+json"
    assert response.json["code"] == "rate_limited" and response.json["status"] == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-Request-ID"]
    assert_hardened(response, api=True, authenticated=False, cors=True)
    english = client.get("/api/v1/cameras", headers={"Accept-Language": "en"})
    assert english.json["title"] == "Too many requests: retry later"


def test_ogc_and_tiles_count_against_the_same_machine_quota(client, configure, session):
    configure(ratelimit_api="3 per minute")
    assert client.get("/ogc").status_code == 200
    assert client.get("/ogc/collections").status_code == 200
    assert client.get("/tiles/cameras/0/0/0.mvt").status_code in (200, 204)
    limited = client.get("/ogc/collections/cameras/items")
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
    assert client.get("/tiles/cameras/1/1/1.mvt").status_code == 429


def test_api_quota_is_per_caller(app, client, configure, session):
    configure(ratelimit_api="2 per minute")
    town = factories.org(session, "torino")
    user = factories.user(session, town, "viewer")
    first, second = (factories.auth(factories.token(session, user, name)) for name in ("one", "two"))
    for _ in range(2):
        assert client.get("/api/v1/cameras", headers=first).status_code == 200
    limited = client.get("/api/v1/cameras", headers=first)
    assert limited.status_code == 429
    assert_hardened(limited, api=True, authenticated=True)
    assert client.get("/api/v1/cameras", headers=second).status_code == 200  # another token
    assert client.get("/api/v1/cameras").status_code == 200  # the address, anonymously
    signed_in = app.test_client()
    _sign_in(signed_in, user.email)
    same_origin = {"Sec-Fetch-Site": "same-origin"}  # as the map's calls (issue 15, class 4)
    for _ in range(2):
        assert signed_in.get("/api/v1/cameras", headers=same_origin).status_code == 200  # the session's user
    assert signed_in.get("/api/v1/cameras", headers=same_origin).status_code == 429


def test_refusals_are_throttled_before_they_are_audited(client, configure, session):
    configure(ratelimit_api="2 per minute")
    stale = {"Authorization": "Bearer not-a-token"}  # a client retrying with a revoked token
    statuses = [client.get("/api/v1/organizations", headers=stale).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_health_static_and_pages_are_not_limited(client, configure, session):
    configure(ratelimit_api="1 per minute", ratelimit_login="1 per minute")
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert client.get("/static/observo.css").status_code == 200
        assert client.get("/login").status_code == 200


def test_limits_can_be_switched_off(build_app, session):
    relaxed = build_app(ratelimit_enabled=False, ratelimit_api="1 per minute").test_client()
    assert all(relaxed.get("/api/v1/cameras").status_code == 200 for _ in range(4))


def test_settings_with_a_bad_limit_fail_at_start(build_app, session):
    with pytest.raises(ValueError):
        build_app(ratelimit_api="600 per minit")


# --- rate limits: signing in ---


def test_failed_sign_ins_are_throttled_per_address(client, configure, session):
    configure(ratelimit_login="2 per minute")
    user = factories.user(session, factories.org(session, "torino"), "viewer")
    for _ in range(2):
        assert _sign_in(client, user.email, "wrong password!").status_code == 401
    throttled = _sign_in(client, user.email, query_string={"lang": "en"})  # even the right one
    assert throttled.status_code == 429 and throttled.mimetype == "text/html"
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    assert "Too many attempts" in throttled.get_data(as_text=True)
    assert_hardened(throttled, api=False, authenticated=False)
    assert client.get("/map").status_code == 302
    other_address = {"REMOTE_ADDR": "198.51.100.7"}
    assert _sign_in(client, user.email, environ_base=other_address).status_code == 302


def test_successful_sign_ins_cost_nothing(client, configure, session):
    configure(ratelimit_login="1 per minute")
    user = factories.user(session, factories.org(session, "torino"), "viewer")
    assert all(_sign_in(client, user.email).status_code == 302 for _ in range(3))


def test_failed_sign_ins_are_throttled_per_email_across_addresses(client, configure, session):
    configure(ratelimit_login_email="2 per hour")
    user = factories.user(session, factories.org(session, "torino"), "viewer")
    guesses = [user.email, user.email.upper()]  # one account, however it is spelt
    for number, email in enumerate(guesses, start=1):
        address = {"REMOTE_ADDR": f"203.0.113.{number}"}
        assert _sign_in(client, email, "wrong password!", environ_base=address).status_code == 401
    third = _sign_in(client, user.email, environ_base={"REMOTE_ADDR": "203.0.113.3"})
    assert third.status_code == 429 and "Retry-After" in third.headers
    other = factories.user(session, factories.org(session, "moncalieri"), "viewer")
    assert _sign_in(client, other.email, environ_base={"REMOTE_ADDR": "203.0.113.3"}).status_code == 302


# --- rate limits: the storage is down ---


def test_storage_down_keeps_serving_and_limiting(build_app, session, caplog):
    with caplog.at_level(logging.WARNING, logger="flask-limiter"):
        degraded = build_app(ratelimit_storage_url=DEAD_REDIS, ratelimit_api="3 per minute")
        client = degraded.test_client()
        assert [client.get("/api/v1/cameras").status_code for _ in range(3)] == [200, 200, 200]
        limited = client.get("/api/v1/cameras")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert_hardened(limited, api=True, authenticated=False, cors=True)
    assert any("unreachable" in record.getMessage() for record in caplog.records)
    assert client.get("/healthz").status_code == 200


def test_storage_down_still_throttles_sign_ins(build_app, session):
    degraded = build_app(ratelimit_storage_url=DEAD_REDIS, ratelimit_login="1 per minute")
    client = degraded.test_client()
    user = factories.user(session, factories.org(session, "torino"), "viewer")
    assert _sign_in(client, user.email, "wrong password!").status_code == 401
    assert _sign_in(client, user.email, "wrong password!").status_code == 429


# --- proxies ---


def _failed_sign_in_from(client, email, forwarded_for):
    headers = {"X-Forwarded-For": forwarded_for}
    return _sign_in(client, email, "wrong password!", headers=headers).status_code


def test_trusted_proxy_gives_the_client_address(build_app, session):
    behind_proxy = build_app(trusted_proxies=1, ratelimit_login="1 per minute").test_client()
    user = factories.user(session, factories.org(session, "torino"), "viewer")
    assert _failed_sign_in_from(behind_proxy, user.email, "198.51.100.1") == 401
    assert _failed_sign_in_from(behind_proxy, user.email, "198.51.100.1") == 429
    assert _failed_sign_in_from(behind_proxy, user.email, "198.51.100.2") == 401  # another client


def test_forwarded_for_is_ignored_without_trusted_proxies(client, configure, session):
    configure(ratelimit_login="1 per minute")
    user = factories.user(session, factories.org(session, "torino"), "viewer")
    assert _failed_sign_in_from(client, user.email, "198.51.100.1") == 401
    assert _failed_sign_in_from(client, user.email, "198.51.100.2") == 429  # still 127.0.0.1: forged


# --- cookies and CSRF ---


def test_session_cookie_is_secure_httponly_lax_by_default(client, session):
    assert Settings().session_cookie_secure is True
    user = factories.user(session, factories.org(session, "torino"), "viewer")
    cookie = _sign_in(client, user.email).headers["Set-Cookie"]
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "samesite=lax"} <= flags


def test_login_and_logout_without_csrf_token_change_nothing(client, session):
    user = factories.user(session, factories.org(session, "torino"), "viewer")
    refused = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert refused.status_code == 400 and client.get("/map").status_code == 302
    assert _sign_in(client, user.email).status_code == 302
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/map").status_code == 200  # still signed in


# --- settings from the environment ---


def test_hardening_settings_from_environment():
    settings = Settings.from_env(
        {
            "OBSERVO_EMBED_ORIGINS": "https://www.comune.torino.it/, https://*.example.it:8443",
            "OBSERVO_RATELIMIT_ENABLED": "0",
            "OBSERVO_RATELIMIT_STORAGE_URL": "redis://cache:6379/0",
            "OBSERVO_RATELIMIT_API": "100 per minute",
            "OBSERVO_TRUSTED_PROXIES": "2",
            "OBSERVO_SESSION_COOKIE_SECURE": "0",
        }
    )
    assert settings.embed_origins == ("https://www.comune.torino.it", "https://*.example.it:8443")
    assert not settings.ratelimit_enabled and settings.ratelimit_storage_url == "redis://cache:6379/0"
    assert settings.ratelimit_api == "100 per minute" and settings.trusted_proxies == 2
    assert settings.session_cookie_secure is False
    defaults = Settings.from_env({})
    assert defaults.embed_origins == () and defaults.trusted_proxies == 0 and defaults.ratelimit_enabled
    with pytest.raises(ValueError):
        Settings.from_env({"OBSERVO_EMBED_ORIGINS": "https://ok.it; script-src *"})

