"""Issue 15, class 3: nothing typed by a user is ever markup in someone else's browser (Chromium).

An editor of a new organisation types markup into every free-text field it may write: the
organisation's and its pact's names and contacts (typed by the admin who registers them), its
cameras' names, addresses, makes, models and other text properties, a sensitive place, an
intervention (title, description, protocol number, target names) and a footage preservation request
(contact, protocol number, note). Others then open every page and map view that shows that text: a
pact partner (the map, its details panel and footage contacts, a query's results and their coverage,
the intervention on the map with its target labels and camera popups, the camera and intervention
pages, the brief), the admin (statistics, the embed's share page and its preview) and an anonymous
visitor (the public embed). Each time: no element of the payload exists in any frame, its inline
handler never ran, the browser asked nothing the payload names, and the text reads as typed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from markupsafe import escape
from playwright.sync_api import Browser, Page, expect

from observo.cli import DEMO_PASSWORD
from tests.browser.conftest import ADMIN, VIEWER, assert_no_js_errors, sign_in

PARTNER = VIEWER  # Nichelino's control room: in the new organisation's pact, and the plan is shared with it
AUTHOR = "autore@x-comune.example.it"
SLUG = "x-comune"
SPOT = (7.72000, 44.93000)  # open country south of Trofarello, kilometres from any demo camera

CONTACTS_URL = "/api/v1/cameras/1/contacts"  # an audited same-site GET: read in the victim's name
EVIL = "https://evil.example/"
PAYLOAD_IDS = ("x-img", "x-a", "x-svg", "x-b", "x-i")
# Markup the page's CSP would let through (a same-site image, a link), an inline handler, and the
# breakers of an attribute value and of a <script> block, for each size of field.
LONG = (
    f'<img id="x-img" src="{CONTACTS_URL}"><a id="x-a" href="{EVIL}">a</a>'
    '<svg id="x-svg" onload="window.__pwned=1"></svg>"><b id="x-b">b</b></script><i id="x-i">'
)
MEDIUM = f'<img id="x-img" src="{EVIL}x.png">"><b id="x-b">b</b></script><i id="x-i">'
SHORT = '"><b id="x-b">b</b><i id="x-i">'
TINY = "<i id=x-i>i</i>"


def typed(label: str, payload: str = LONG) -> str:
    return f"{label} {payload}"


ORG_NAME = typed("Ente")
PACT_NAME = typed("Patto")
CAMERA = {
    "name": typed("Varco"),
    "address": typed("Via"),
    "ref": typed("Rif", MEDIUM),
    "site_ref": typed("Palo", MEDIUM),
    "level": TINY,
    "make": typed("Marca", MEDIUM),
    "model": typed("Modello", MEDIUM),
    "data_controller": typed("Titolare"),
    "footage_contact_name": typed("Ufficio"),
    "footage_contact_phone": typed("011", SHORT),
    "footage_contact_hours": typed("Orari"),
    "legal_basis": typed("Base"),
    "resolution": typed("4K", SHORT),
}
PUBLIC_CAMERA_NAME = typed("Piazza")
PLACE_NAME = typed("Parco")
INTERVENTION = {
    "title": typed("Piano"),
    "description": typed("Descrizione"),
    "reason": typed("Fascicolo 15/2026"),
    "protocol_number": typed("PG", MEDIUM),
}
TARGETS = (typed("Giardini"), typed("Strada"))
REQUEST = {"contact": typed("Contatto"), "protocol_number": typed("PEC", MEDIUM), "note": typed("Nota")}

API = """async ([method, path, body]) => {
  // The map's own client (CSRF token, headers), loaded next to the page's main.js.
  const main = document.querySelector('script[src*="js/map/main.js"]').src;
  const { createApi } = await import(main.replace(/main\\.js.*$/, "api.js"));
  const config = JSON.parse(document.getElementById("observo-config").textContent);
  const api = createApi(config.csrfToken, config.lang);
  const answer = method === "GET" ? await api.get(path) : await api.post(path, body);
  return { ok: answer.ok, status: answer.status, data: answer.data, problem: answer.problem };
}"""


def api(page: Page, method: str, path: str, body: Any = None) -> Any:
    """Observo's API as the signed-in user's map calls it; the answer's body, or a failed test."""
    answer = page.evaluate(API, [method, path, body])
    assert answer["ok"], (method, path, answer["status"], json.dumps(answer["problem"]))
    return answer["data"]


def offset(east_m: float, north_m: float) -> list[float]:
    lon, lat = SPOT
    return [round(lon + east_m / 78_700, 7), round(lat + north_m / 111_200, 7)]


def iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def square(half_m: float) -> dict:
    ring = [offset(x * half_m, y * half_m) for x, y in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


# --- the planted data ----------------------------------------------------------------------------


@contextmanager
def _signed_in(browser: Browser, live_server: str, email: str) -> Iterator[Page]:
    """A tab signed in on the map, for writing through the API only (nothing leaves the server)."""
    context = browser.new_context()
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(live_server) else route.abort(),
    )
    tab = context.new_page()
    sign_in(tab, live_server, email)
    yield tab
    context.close()


def _register_author(tab: Page) -> None:
    """The admin registers the organisation, its pact with Nichelino and its editor: names as typed."""
    api(
        tab,
        "POST",
        "/api/v1/organizations",
        {
            "slug": SLUG,
            "name": ORG_NAME,
            "kind": "public_body",
            "contact_name": typed("Referente"),
            "contact_phone": typed("011", SHORT),
            "contact_email": "ente@x-comune.example.it",
        },
    )
    api(tab, "POST", "/api/v1/pacts", {"slug": "x-patto", "name": PACT_NAME, "members": [SLUG, "nichelino"]})
    api(
        tab,
        "POST",
        "/api/v1/users",
        {
            "email": AUTHOR,
            "name": typed("Autore"),
            "organization": SLUG,
            "role": "editor",
            "password": DEMO_PASSWORD,
        },
    )


def _camera(tab: Page, east_m: float, properties: dict) -> dict:
    body = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": offset(east_m, 0)},
        "properties": {"owner": SLUG, "camera_type": "fixed", "status": "active", **properties},
    }
    return api(tab, "POST", "/api/v1/cameras", body)


def _plant(tab: Page) -> dict:
    """The author's cameras, place, intervention (confirmed: it has its snapshot) and request."""
    shared = _camera(
        tab,
        0,
        {
            **CAMERA,
            "visibility": "shared",
            "bearing_deg": 90,
            "hfov_deg": 90,
            "range_m": 60,
            "records": True,
            "retention_hours": 72,
        },
    )
    public = _camera(
        tab,
        40,
        {
            "name": PUBLIC_CAMERA_NAME,
            "visibility": "public",
            "bearing_deg": 270,
            "hfov_deg": 90,
            "range_m": 40,
            "retention_hours": 24,
        },
    )
    api(tab, "POST", "/api/v1/places", {"name": PLACE_NAME, "category": "park", "geometry": square(50)})
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    route = {"type": "LineString", "coordinates": [offset(-80, 30), offset(120, 30)]}
    plan = api(
        tab,
        "POST",
        "/api/v1/interventions",
        {
            **INTERVENTION,
            "kind": "event",
            "status": "planned",
            "window": {"start": iso(start), "end": iso(start + timedelta(hours=4))},
            "shared_with": {"organizations": ["nichelino"], "pacts": ["x-patto"]},
            "targets": [
                {"name": TARGETS[0], "geometry": square(70)},
                {"name": TARGETS[1], "geometry": route, "buffer_m": 20},
            ],
        },
    )
    api(
        tab,
        "POST",
        f"/api/v1/interventions/{plan['id']}/preservation-requests",
        {
            **REQUEST,
            "owner": SLUG,
            "camera_ids": [shared["id"]],
            "channel": "pec",
        },
    )
    return {"shared": shared["id"], "public": public["id"], "intervention": plan["id"]}


@pytest.fixture(scope="module")
def planted(browser: Browser, live_server: str) -> dict:
    """Ids of what the author wrote, on this folder's own live server (no other test reads it)."""
    with _signed_in(browser, live_server, ADMIN) as tab:
        _register_author(tab)
    with _signed_in(browser, live_server, AUTHOR) as tab:
        return _plant(tab)


# --- what every view must show ----------------------------------------------------------------------


@pytest.fixture
def asked(page: Page) -> list[str]:
    """Every URL the page's context requests, frames included."""
    urls: list[str] = []
    page.context.on("request", lambda request: urls.append(request.url))
    return urls


FIND = f"() => document.querySelectorAll('{', '.join(f'#{name}' for name in PAYLOAD_IDS)}').length"


def assert_inert(page: Page, asked: list[str], *texts: str) -> None:
    """No payload element in any frame (Leaflet's panes and tooltips included), no handler run, no
    request the payload names; `texts` read as typed in the page."""
    for frame in page.frames:
        assert frame.evaluate(FIND) == 0, frame.url
        assert frame.evaluate("() => typeof window.__pwned") == "undefined", frame.url
    leaked = [url for url in asked if url.startswith(EVIL) or url.split("?")[0].endswith(CONTACTS_URL)]
    assert not leaked, leaked
    shown = page.locator("body").inner_text()
    for text in texts:
        assert text in shown, text
    assert_no_js_errors(page)


def _map_ready(page: Page, live_server: str, query: str) -> None:
    page.goto(f"{live_server}/map?{query}")
    page.wait_for_selector("body[data-map-state=ready]")


def _click_camera_marker(page: Page, camera_id: int) -> None:
    page.wait_for_function("id => window.observoMap.cameras.marker(id)?.getElement()", arg=camera_id)
    page.evaluate_handle(
        "id => window.observoMap.cameras.marker(id).getElement()", camera_id
    ).as_element().click()


def _draw_area_query(page: Page, reason: str) -> None:
    """A rectangle of 300 x 240 pixels around the map's centre, queried with `reason`."""
    page.click("[data-draw=polygon]")
    box = page.locator("#map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(-150, -120), (150, -120), (150, 120), (-150, 120)]
    for dx, dy in [*corners, corners[0]]:
        page.mouse.click(x + dx, y + dy)
    page.locator("#reason-dialog #reason").fill(reason)
    page.locator("#reason-dialog button[value=run]").click()
    page.wait_for_selector("#panel[data-view=results]")


# --- the pact partner ------------------------------------------------------------------------------


def test_partner_map_details_contacts_query_and_coverage_show_markup_as_text(
    page, live_server, planted, asked
):
    sign_in(page, live_server, PARTNER)
    _map_ready(page, live_server, f"lat={SPOT[1]}&lng={SPOT[0]}&z=17")
    page.wait_for_selector("body[data-map-mode=points]")
    marker = page.evaluate("id => window.observoMap.cameras.marker(id).getElement().title", planted["shared"])
    assert marker == CAMERA["name"]
    _click_camera_marker(page, planted["shared"])
    page.wait_for_selector(f"#panel[data-view=details] [data-camera='{planted['shared']}']")
    page.click("#panel .show-contacts")
    page.wait_for_selector("#panel .contacts dl")
    texts = [CAMERA["name"], CAMERA["address"], ORG_NAME, CAMERA["footage_contact_name"]]
    assert_inert(page, asked, *texts, CAMERA["footage_contact_phone"], CAMERA["footage_contact_hours"])

    _draw_area_query(page, "Fascicolo 15/2026")
    expect(page.locator("#panel .result-list")).to_contain_text(CAMERA["name"])
    assert_inert(page, asked, CAMERA["name"], PUBLIC_CAMERA_NAME)
    page.click("#panel button.coverage-run")
    page.wait_for_selector("#panel .coverage-summary")
    expect(page.locator("#panel .coverage-cameras")).to_contain_text(CAMERA["name"])
    assert_inert(page, asked, CAMERA["name"])
    # A shared link's filters come back from the address bar into the form: as a value, not markup.
    _map_ready(page, live_server, f"lat={SPOT[1]}&lng={SPOT[0]}&z=17&q={quote(MEDIUM)}")
    expect(page.locator("#f-q")).to_have_value(MEDIUM)
    assert_inert(page, asked)


def test_partner_intervention_map_labels_targets_and_cameras_as_text(page, live_server, planted, asked):
    sign_in(page, live_server, PARTNER)
    _map_ready(page, live_server, f"intervention={planted['intervention']}")
    page.wait_for_selector("#panel[data-view=intervention]")
    labels = page.locator(".intervention-target-label")
    expect(labels).to_have_count(len(TARGETS))
    assert_inert(page, asked, *TARGETS)  # the labels Leaflet placed on the map: text, not markup
    shown = labels.all_text_contents()
    for name in TARGETS:  # the target's name, then its coverage where the reader may see it
        assert any(label == name or label.startswith(f"{name} — ") for label in shown), (name, shown)
    expect(page.locator("#panel .panel-title")).to_have_text(INTERVENTION["title"])
    expect(page.locator(".intervention-reopen")).to_contain_text(INTERVENTION["title"])
    expect(page.locator("#panel .intervention-cameras li.pending")).to_have_count(1)  # the request
    page.locator("#panel .intervention-cameras li.pending button").click()
    expect(page.locator(".leaflet-popup")).to_contain_text(CAMERA["name"])
    assert_inert(
        page, asked, *TARGETS, INTERVENTION["title"], CAMERA["name"], INTERVENTION["protocol_number"]
    )


def test_partner_pages_and_brief_show_markup_as_text(page, live_server, planted, asked):
    sign_in(page, live_server, PARTNER)
    intervention = planted["intervention"]
    views = {
        f"/cameras?owner={SLUG}": [CAMERA["name"], CAMERA["address"], ORG_NAME, PUBLIC_CAMERA_NAME],
        f"/cameras/{planted['shared']}": [
            CAMERA["name"],
            CAMERA["address"],
            ORG_NAME,
            CAMERA["data_controller"],
        ],
        "/interventions": [INTERVENTION["title"], ORG_NAME],
        f"/interventions/{intervention}": [
            INTERVENTION["title"],
            INTERVENTION["description"],
            INTERVENTION["reason"],
            PACT_NAME,
            *TARGETS,
            CAMERA["name"],
            ORG_NAME,
            CAMERA["footage_contact_name"],
            REQUEST["contact"],
            REQUEST["protocol_number"],
        ],
    }
    for path, texts in views.items():
        page.goto(f"{live_server}{path}")
        assert_inert(page, asked, *texts)
    assert INTERVENTION["title"] in page.title()  # the intervention page's <title>, as typed
    page.click("a[href*='/brief?']:not([href*='f=pdf'])")  # the printable brief, as its link opens it
    page.wait_for_selector("svg.brief-map")
    brief = [
        INTERVENTION["title"],
        *TARGETS,
        CAMERA["name"],
        CAMERA["footage_contact_hours"],
        REQUEST["note"],
    ]
    assert_inert(page, asked, *brief)
    assert INTERVENTION["title"] in page.title()
    # The brief's maps name their target in the SVG's <title>: text, as typed.
    titles = page.locator("svg.brief-map title").all_text_contents()
    assert [title.endswith(name) for title, name in zip(titles, TARGETS, strict=True)] == [True, True]


# --- the admin and an anonymous visitor ------------------------------------------------------------


def test_admin_statistics_and_embed_share_page_show_markup_as_text(page, live_server, planted, asked):
    sign_in(page, live_server, ADMIN)
    page.goto(f"{live_server}/stats")
    assert_inert(page, asked, PLACE_NAME, ORG_NAME)
    page.goto(f"{live_server}/organizations/{SLUG}/embed")
    page.locator("#embed-preview").scroll_into_view_if_needed()  # a lazy frame loads once in view
    preview = page.frame_locator("#embed-preview")
    expect(preview.locator("#embed-map")).to_have_attribute("data-state", "ready")
    # The snippet is HTML to paste elsewhere: the name is escaped inside it, as embed_share.js keeps it.
    snippet = page.locator("#embed-snippet")
    framed_title = escape(f"Telecamere pubbliche dell'{ORG_NAME}")
    assert f'title="{framed_title}"' in snippet.input_value()
    page.select_option("#embed-lang", "en")
    expect(snippet).to_have_value(re.compile(re.escape(f'title="{escape(f"Public cameras of {ORG_NAME}")}"')))
    assert_inert(page, asked, ORG_NAME)


def test_anonymous_embed_shows_markup_as_text(page, live_server, planted, asked):
    page.goto(f"{live_server}/embed/{SLUG}")
    expect(page.locator("#embed-map")).to_have_attribute("data-state", "ready")
    assert page.title() == f"Telecamere pubbliche dell'{ORG_NAME}"
    marker = page.locator(".embed-camera")
    expect(marker).to_have_count(1)  # the public camera alone
    assert marker.get_attribute("title") == PUBLIC_CAMERA_NAME
    marker.click()
    expect(page.locator(".embed-popup")).to_contain_text(PUBLIC_CAMERA_NAME)
    assert_inert(page, asked, PUBLIC_CAMERA_NAME, ORG_NAME)
