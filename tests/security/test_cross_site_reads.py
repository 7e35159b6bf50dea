"""Class 4 of issue 15: another site cannot make a signed-in officer's browser run accountable reads.

A session cookie is SameSite=Lax: the browser sends it on a top-level navigation from any site. So
every API request that relies on the cookie must prove it comes from Observo's own pages (Fetch
Metadata, Origin, Referer or the map's `X-Requested-With`), or it is refused with 403 problem+json
and nothing is logged but the refusal. Bearer tokens are unaffected.

The first half drives the app with the headers each kind of browser request carries (both
databases); the second attacks from a page on another origin in Chromium.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from shapely.geometry import Point, box

from observo.domain.shapes import Area
from observo.models import AuditEntry
from observo.services import interventions as plans
from observo.services.actors import actor_for
from tests import factories
from tests.browser.conftest import EDITOR, sign_in

LON, LAT = factories.TURIN
REASON = "ATTACCO-CROSS-SITE-42"
CAMERA_CONTACT = {"footage_contact_name": "Ufficio video", "footage_contact_phone": "+39 011 555 0101"}
# Audited reads: what an attacker would like to make the officer run.
ACCOUNTABLE_ACTIONS = ("query.", "export.", "camera.contacts.read", "intervention.")


@pytest.fixture
def world(session):
    town = factories.org(session, "torino")
    officer = factories.user(session, town, "editor")
    camera = factories.camera(session, town, LON, LAT, visibility="private", **CAMERA_CONTACT)
    square = Area(Point(LON, LAT)).to_lonlat(box(-80, -80, 80, 80))
    plan = plans.create_intervention(
        session,
        actor_for(session, officer),
        {
            "title": "Corteo",
            "kind": "event",
            "status": "planned",
            "reason": "Ordine di servizio 7/2026",
            "window_start": datetime(2026, 11, 20, 17, 0, tzinfo=UTC),
            "window_end": datetime(2026, 11, 20, 21, 0, tzinfo=UTC),
            "targets": [{"name": "Piazza", "geometry": square, "buffer_m": 0}],
        },
    )
    session.commit()
    return {"officer": officer, "camera": camera, "intervention": plan}


def _reads(world) -> dict[str, str]:
    """Session-authenticated reads an attacker's link could aim at (each audited when answered)."""
    camera, plan = world["camera"].id, world["intervention"].id
    bbox = f"{LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}"
    return {
        "near": f"/api/v1/cameras?near={LON},{LAT}&radius=500&reason={REASON}",
        "sees": f"/api/v1/cameras?sees={LON + 0.0002},{LAT}&reason={REASON}",
        "nearest": f"/api/v1/cameras/nearest?point={LON},{LAT}&k=2&reason={REASON}",
        "csv": f"/api/v1/cameras?f=csv&bbox={bbox}&reason={REASON}",
        "contacts": f"/api/v1/cameras/{camera}/contacts",
        "deadlines": f"/api/v1/interventions/{plan}/deadlines",
        "brief": f"/api/v1/interventions/{plan}/brief",
        "me": "/api/v1/users/me",
    }



def _last_id(session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


def _entries_after(session, start: int) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id)))


def _accountable(entries: list[AuditEntry]) -> list[str]:
    return [entry.action for entry in entries if entry.action.startswith(ACCOUNTABLE_ACTIONS)]


# What each kind of cross-site request carries (browsers with and without Fetch Metadata).
FORGED = {
    "link from another site": {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"},
    "image on another site": {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Dest": "image"},
    "sibling subdomain": {"Sec-Fetch-Site": "same-site"},
    "cross-site, custom header too": {"Sec-Fetch-Site": "cross-site", "X-Requested-With": "observo"},
    "old browser, foreign Origin": {"Origin": "http://evil.example"},
    "old browser, sandboxed page": {"Origin": "null"},
    "old browser, foreign Origin, our Referer": {
        "Origin": "http://evil.example",
        "Referer": "http://localhost/map",
    },
    "old browser, foreign Referer": {"Referer": "http://evil.example/page"},
    "look-alike Referer": {"Referer": "http://localhost.evil.example/map"},
    "old browser, no Referer": {},
    "wrong custom header": {"X-Requested-With": "XMLHttpRequest"},
}
# What Observo's own pages send.
GENUINE = {
    "the map's fetch": {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"},
    "a link on our page": {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"},
    "typed in the address bar": {"Sec-Fetch-Site": "none"},
    "old browser, our Origin": {"Origin": "http://localhost"},
    "old browser, link on our page": {"Referer": "http://localhost/interventions/1"},
    "old browser, the map's fetch": {"X-Requested-With": "observo"},
}


@pytest.mark.parametrize("headers", FORGED.values(), ids=FORGED.keys())
def test_a_forged_read_is_refused_and_nothing_is_logged_but_the_refusal(client, session, world, headers):
    factories.sign_in(client, world["officer"])
    first = _last_id(session)
    for name, url in _reads(world).items():
        start = _last_id(session)
        response = client.get(url, headers=headers)
        assert response.status_code == 403, (name, response.status_code)
        assert response.mimetype == "application/problem+json" and response.json["code"] == "forbidden"
        assert REASON not in response.text and "555 0101" not in response.text
        entries = _entries_after(session, start)
        assert _accountable(entries) == [], name
        # Only the refusal: in full the first time, then counted per address and hour (class 10).
        assert all(entry.action.startswith("auth.denied") and entry.reason is None for entry in entries)
    refusals = _entries_after(session, first)
    assert refusals and refusals[0].action == "auth.denied" and "/api/v1/" in str(refusals[0].details)


@pytest.mark.parametrize("headers", GENUINE.values(), ids=GENUINE.keys())
def test_our_own_pages_read_as_before(client, session, world, headers):
    factories.sign_in(client, world["officer"])
    for name, url in _reads(world).items():
        start = _last_id(session)
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (name, response.status_code, response.text[:300])
        if name != "me":
            assert _accountable(_entries_after(session, start)), name


def test_a_forged_write_is_refused_even_with_the_csrf_token(client, session, world):
    factories.sign_in(client, world["officer"])
    token = re.search(r'"csrfToken": "([^"]+)"', client.get("/map").get_data(as_text=True)).group(1)
    body = {"geometry": {"type": "Point", "coordinates": [LON, LAT]}, "buffer_m": 50, "reason": REASON}
    start = _last_id(session)
    headers = {"X-CSRFToken": token, "Sec-Fetch-Site": "cross-site"}
    assert client.post("/api/v1/search", json=body, headers=headers).status_code == 403
    assert _accountable(_entries_after(session, start)) == []
    headers["Sec-Fetch-Site"] = "same-origin"
    assert client.post("/api/v1/search", json=body, headers=headers).status_code == 200


def test_bearer_tokens_and_anonymous_callers_are_unaffected(client, session, world):
    token = factories.auth(factories.token(session, world["officer"]))
    cross_site = {"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}
    for name, url in _reads(world).items():
        response = client.get(url, headers={**token, **cross_site})
        assert response.status_code == 200, (name, response.status_code)
    # No session: the public view, as before (another site's map may show public cameras).
    assert client.get("/api/v1/cameras", headers=cross_site).status_code == 200


def test_the_sites_origin_is_the_host_scheme_and_port_it_was_asked_for(client, session, world, configure):
    configure(trusted_hosts=("observo.example.it",))
    site = "https://observo.example.it"
    form = client.get("/login", base_url=site).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    data = {"email": world["officer"].email, "password": factories.PASSWORD, "csrf_token": token}
    signed_in = client.post("/login", data=data, base_url=site, headers={"Referer": f"{site}/login"})
    assert signed_in.status_code == 302
    url = _reads(world)["near"]
    assert client.get(url, base_url=site, headers={"Origin": site}).status_code == 200
    for other in (
        "http://observo.example.it",
        "https://observo.example.it:8443",
        "https://sub.observo.example.it",
        "https://observo.example.it.evil.example",
    ):
        assert client.get(url, base_url=site, headers={"Origin": other}).status_code == 403, other


# --- in Chromium, from a page on another origin ------------------------------------------------


@pytest.fixture
def attacker_site() -> Iterator[dict]:
    """A tiny server on another origin (localhost vs the live server's 127.0.0.1) serving the page
    put in `pages[path]`."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0], "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"origin": f"http://localhost:{server.server_port}", "pages": pages}
    server.shutdown()
    server.server_close()


@pytest.fixture
def officer_tab(browser, live_server):
    """A browser signed in as the demo editor; only the live server and the attacker's origin exist."""
    context = browser.new_context()
    context.route(
        re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort()
    )  # no internet; the map's CDN files are not needed here
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    sign_in(tab, live_server, EDITOR, then="/cameras")
    yield tab
    context.close()


def _api(tab, live_server: str, path: str) -> dict:
    """A call as the map's scripts make it (same origin, their custom header)."""
    response = tab.context.request.get(f"{live_server}{path}", headers={"X-Requested-With": "observo"})
    assert response.ok, (path, response.status)
    return response.json()


def _officer_entries_since(browser, live_server: str, since: str) -> list[dict]:
    """The officer's audit entries since `since`, read by the administrator."""
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        tab.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
        sign_in(tab, live_server, "admin@observo.example", then="/cameras")
        body = _api(tab, live_server, f"/api/v1/audit?actor={quote(EDITOR)}&since={quote(since)}&limit=1000")
    finally:
        context.close()
    return body["entries"] if isinstance(body, dict) and "entries" in body else body


def test_chromium_another_site_cannot_run_queries_or_read_contacts_as_the_officer(
    browser, live_server, officer_tab, attacker_site
):
    tab = officer_tab
    since = datetime.now(UTC).isoformat(timespec="seconds")
    first = _api(tab, live_server, "/api/v1/cameras?limit=1")["features"][0]
    lon, lat = first["geometry"]["coordinates"]
    targets = {
        "near": f"{live_server}/api/v1/cameras?near={lon},{lat}&radius=500&reason={REASON}",
        "sees": f"{live_server}/api/v1/cameras?sees={lon},{lat}&reason={REASON}",
        "contacts": f"{live_server}/api/v1/cameras/{first['id']}/contacts",
    }
    images = "".join(f'<img src="{url}&amp;img=1" alt="">' for url in targets.values())
    links = "".join(f'<a id="{name}" href="{url}">{name}</a>' for name, url in targets.items())
    attacker_site["pages"]["/"] = f"<!doctype html><title>Offerte</title>{images}{links}"
    attacker = f"{attacker_site['origin']}/"

    image_statuses: list[int] = []
    tab.on(
        "response",
        lambda response: image_statuses.append(response.status) if "img=1" in response.url else None,
    )
    tab.goto(attacker, wait_until="load")
    for name in targets:
        tab.goto(attacker, wait_until="load")
        with tab.expect_navigation() as navigation:
            tab.click(f"#{name}")  # a top-level cross-site navigation: the Lax cookie rides along
        response = navigation.value
        assert response is not None and response.status == 403, (name, response and response.status)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "555" not in tab.content() and REASON not in response.text()
    # A script-driven navigation (no click) is refused alike.
    tab.goto(attacker, wait_until="load")
    with tab.expect_navigation() as navigation:
        tab.evaluate("(url) => { window.location.href = url; }", targets["near"])
    assert navigation.value.status == 403
    assert all(status in (401, 403) for status in image_statuses), image_statuses

    logged = _officer_entries_since(browser, live_server, since)
    assert [entry["action"] for entry in logged if entry["action"].startswith(ACCOUNTABLE_ACTIONS)] == []
    assert all(entry.get("reason") != REASON for entry in logged)


def test_chromium_our_own_links_and_the_map_keep_working(browser, live_server, officer_tab):
    """Same-site navigations to API URLs (the brief, a typed URL) and the map's own calls still work."""
    tab = officer_tab
    plans_listed = _api(tab, live_server, "/api/v1/interventions")
    items = (
        plans_listed["items"] if isinstance(plans_listed, dict) and "items" in plans_listed else plans_listed
    )
    plan_id = items[0]["id"]
    tab.goto(f"{live_server}/interventions/{plan_id}")
    with tab.expect_navigation() as navigation:
        tab.click("a[href*='/brief']:not([href*='f=pdf'])")
    assert navigation.value.status == 200
    typed = tab.goto(f"{live_server}/api/v1/users/me")  # the address bar: Sec-Fetch-Site none
    assert typed is not None and typed.status == 200
    tab.goto(f"{live_server}/map")
    answered = tab.evaluate(
        """async () => {
            const response = await fetch('/api/v1/users/me', {credentials: 'same-origin'});
            return response.status;
        }"""
    )
    assert answered == 200  # Chromium's Fetch Metadata alone is proof enough for a same-origin fetch
