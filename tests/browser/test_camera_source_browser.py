"""What a camera's source says, on the operational map in Chromium (issue 17).

A new municipality's editor registers, far from the demo's cameras, a node imported from
OpenStreetMap (every tag kept, licence ODbL-1.0, operator unmatched, a fixed head whose direction
nobody knows) and a camera of its own with a known bearing. The map draws the first without a sector
(a dashed ring and a "?" badge), credits OpenStreetMap for the data on a line of its own, and its
panel shows the operator, the licence, "Direzione sconosciuta" and the source's tags as text, markup
in keys and values included. The edit form saves a direction unknown and shows the source read-only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from observo.cli import DEMO_PASSWORD
from tests.browser.conftest import ADMIN, assert_no_js_errors, sign_in

AUTHOR = "ufficio@x-fonte.example.it"
SLUG = "x-fonte"
SPOT = (7.70000, 44.90500)  # fields south of Moncalieri: kilometres from any demo camera
EVIL = "https://evil.example/"
PAYLOAD = (
    f'"><img id="x-img" src="{EVIL}t.png"><svg id="x-svg" onload="window.__pwned=1"></svg>'
    '</script><b id="x-b">'
)
TAGS = {
    "man_made": "surveillance",
    "surveillance": "public",
    "surveillance:type": "camera",
    "surveillance:zone": "traffic",
    "camera:type": "fixed",
    "camera:mount": "pole",
    "operator": "Polizia Locale",
    "addr:street": "Strada Carignano",
    "check_date": "2024-05-02",
    f"note{PAYLOAD}": f"sul palo {PAYLOAD}",
}
OPERATOR = f"Polizia Locale {PAYLOAD}"
OSM_NAME = "Varco Strada Carignano"
OWN_NAME = "Rotatoria Carignano"

API = """async ([method, path, body]) => {
  const main = document.querySelector('script[src*="js/map/main.js"]').src;
  const { createApi } = await import(main.replace(/main\\.js.*$/, "api.js"));
  const config = JSON.parse(document.getElementById("observo-config").textContent);
  const api = createApi(config.csrfToken, config.lang);
  const answer = method === "GET" ? await api.get(path) : await api.post(path, body);
  return { ok: answer.ok, status: answer.status, data: answer.data, problem: answer.problem };
}"""


def api(page: Page, method: str, path: str, body: Any = None) -> Any:
    """Observo's API as the signed-in user's map calls it."""
    answer = page.evaluate(API, [method, path, body])
    assert answer["ok"], (method, path, answer["status"], json.dumps(answer["problem"]))
    return answer["data"]


def offset(east_m: float) -> list[float]:
    return [round(SPOT[0] + east_m / 78_700, 7), SPOT[1]]


@contextmanager
def _signed_in(browser: Browser, live_server: str, email: str) -> Iterator[Page]:
    context = browser.new_context()
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(live_server) else route.abort(),
    )
    tab = context.new_page()
    sign_in(tab, live_server, email)
    yield tab
    context.close()


def _camera(tab: Page, east_m: float, properties: dict) -> int:
    body = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": offset(east_m)},
        "properties": {
            "owner": SLUG,
            "camera_type": "fixed",
            "status": "active",
            "visibility": "shared",
            "retention_hours": 72,
            **properties,
        },
    }
    return api(tab, "POST", "/api/v1/cameras", body)["id"]


@pytest.fixture(scope="module")
def cameras(browser: Browser, live_server: str) -> dict[str, int]:
    with _signed_in(browser, live_server, ADMIN) as tab:
        api(
            tab,
            "POST",
            "/api/v1/organizations",
            {"slug": SLUG, "name": "Comune di Fonte", "kind": "municipality"},
        )
        api(
            tab,
            "POST",
            "/api/v1/users",
            {
                "email": AUTHOR,
                "name": "Ufficio",
                "organization": SLUG,
                "role": "editor",
                "password": DEMO_PASSWORD,
            },
        )
    with _signed_in(browser, live_server, AUTHOR) as tab:
        osm = _camera(
            tab,
            0,
            {
                "name": OSM_NAME,
                "source": "osm_import",
                "osm_id": 9_876_543_210,
                "licence": "ODbL-1.0",
                "source_tags": TAGS,
                "operator_name": OPERATOR,
                "direction_unknown": True,
                "hfov_deg": 90,
                "range_m": 40,
            },
        )
        own = _camera(tab, 60, {"name": OWN_NAME, "bearing_deg": 270, "hfov_deg": 80, "range_m": 40})
    return {"osm": osm, "own": own}


def _open_map(page: Page, live_server: str, query: str) -> None:
    page.goto(f"{live_server}/map?{query}")
    page.wait_for_selector("body[data-map-state=ready]")


def _marker(page: Page, camera_id: int):
    page.wait_for_function("id => window.observoMap.cameras.marker(id)?.getElement()", arg=camera_id)
    return page.evaluate_handle(
        "id => window.observoMap.cameras.marker(id).getElement()", camera_id
    ).as_element()


def _assert_inert(page: Page, asked: list[str]) -> None:
    assert page.evaluate("() => document.querySelectorAll('#x-img, #x-svg, #x-b').length") == 0
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert not [url for url in asked if url.startswith(EVIL)]
    assert_no_js_errors(page)


def test_popup_shows_the_source_as_text_and_the_marker_has_no_sector(page, live_server, cameras):
    asked: list[str] = []
    page.context.on("request", lambda request: asked.append(request.url))
    sign_in(page, live_server, AUTHOR)
    _open_map(page, live_server, f"lat={SPOT[1]}&lng={SPOT[0]}&z=17")
    page.wait_for_selector("body[data-map-mode=points]")

    # The direction-unknown marker: a dashed ring, a "?" badge, said in its title; no sector. The
    # other camera keeps its sector.
    unknown = _marker(page, cameras["osm"])
    assert "cam-direction-unknown" in unknown.get_attribute("class")
    assert unknown.query_selector(".cam-badge").text_content() == "?"
    assert unknown.get_attribute("title") == f"{OSM_NAME} (direzione sconosciuta)"
    ring = page.evaluate(
        "el => { const s = getComputedStyle(el, '::after'); return [s.borderStyle, s.content]; }", unknown
    )
    assert ring == ["dashed", '""']
    known = _marker(page, cameras["own"])
    assert (
        "cam-direction-unknown" not in known.get_attribute("class")
        and known.get_attribute("title") == OWN_NAME
    )
    assert page.evaluate("window.observoMap.cameras.sectorCount()") == 1

    # The data credit: a line of its own, right above the tiles' credit.
    credit = page.locator(".leaflet-bottom.leaflet-right .data-attribution")
    expect(credit).to_be_visible()
    expect(credit).to_have_text("Dati delle telecamere: © OpenStreetMap contributors, ODbL 1.0")
    assert credit.locator("a").get_attribute("href") == "https://www.openstreetmap.org/copyright"
    assert page.evaluate(
        "() => document.querySelector('.data-attribution').nextElementSibling"
        ".matches('.leaflet-control-attribution:not(.data-attribution)')"
    )

    unknown.click()
    panel = page.locator(f"#panel[data-view=details] [data-camera='{cameras['osm']}']")
    expect(panel).to_be_visible()
    fields = dict(
        zip(
            panel.locator("dl.fields > dt").all_text_contents(),
            panel.locator("dl.fields > dd").all_text_contents(),
            strict=True,
        )
    )
    assert fields["Gestore (come lo indica la fonte)"] == OPERATOR
    assert fields["Licenza dei dati"] == "© OpenStreetMap contributors, ODbL 1.0"
    assert "Direzione (°)" not in fields
    expect(panel.locator(".message-warning").first).to_have_text(
        "Direzione sconosciuta: non conta nella copertura finché la direzione non viene rilevata sul posto."
    )
    tags = panel.locator("details.source-tags")
    expect(tags.locator("summary")).to_have_text(f"Dati della fonte ({len(TAGS)})")
    assert tags.get_attribute("open") is None  # ten tags: folded
    tags.locator("summary").click()
    expect(tags.locator("table")).to_be_visible()
    rows = tags.locator("tbody tr")
    shown = [(row.locator("th").text_content(), row.locator("td").text_content()) for row in rows.all()]
    assert shown == sorted(TAGS.items())
    _assert_inert(page, asked)

    # Away from the imported node, the credit goes with it.
    page.evaluate("window.observoMap.map.setView([44.9985, 7.6826], 17)")
    page.wait_for_function(
        "() => document.body.dataset.mapState === 'ready' && window.observoMap.cameras.features().length > 0"
    )
    expect(credit).to_be_hidden()


def test_panel_in_english(page, live_server, cameras):
    sign_in(page, live_server, AUTHOR)
    _open_map(page, live_server, f"lang=en&camera={cameras['osm']}")
    panel = page.locator("#panel[data-view=details]")
    expect(panel.locator("details.source-tags summary")).to_have_text(f"Source data ({len(TAGS)})")
    expect(panel.locator(".message-warning").first).to_contain_text(
        "Direction unknown: it does not count in coverage"
    )
    expect(panel.locator("dl.fields")).to_contain_text("Operator (as the source names it)")
    credit = page.locator(".data-attribution")
    expect(credit).to_have_text("Camera data: © OpenStreetMap contributors, ODbL 1.0")
    assert_no_js_errors(page)


def _save(page: Page, form) -> None:
    """Save the edit form; the panel is back on the details when the server has answered."""
    form.locator("button.save").click()
    page.wait_for_selector("#panel[data-view=details]")
    expect(page.locator("#notice")).to_contain_text("Telecamera salvata.")


def test_edit_form_saves_a_direction_unknown_and_shows_the_source_read_only(page, live_server, cameras):
    sign_in(page, live_server, AUTHOR)
    own = cameras["own"]
    _open_map(page, live_server, f"camera={own}")
    page.click("#panel button.edit-camera")
    form = page.locator("#panel form.edit-form")
    expect(form).to_be_visible()
    expect(form.locator("[name=bearing_deg]")).to_have_value("270")
    expect(page.locator(".direction-handle")).to_have_count(1)
    form.locator("[name=direction_unknown]").check()
    expect(form.locator("[name=bearing_deg]")).to_be_disabled()
    expect(form.locator("input[type=range][data-for=bearing_deg]")).to_be_disabled()
    expect(page.locator(".direction-handle")).to_have_count(0)  # nothing to turn
    form.locator("[name=operator_name]").fill("Condominio Strada Carignano 3")
    _save(page, form)
    saved = api(page, "GET", f"/api/v1/cameras/{own}")["properties"]
    assert saved["direction_unknown"] is True and saved["bearing_deg"] is None
    assert saved["operator_name"] == "Condominio Strada Carignano 3"
    expect(page.locator("#panel .message-warning").first).to_contain_text("Direzione sconosciuta")
    page.wait_for_function(
        "id => window.observoMap.cameras.marker(id)?.getElement()?.matches('.cam-direction-unknown')",
        arg=own,
    )

    # Surveyed: back to a bearing, and the handle returns.
    page.click("#panel button.edit-camera")
    form = page.locator("#panel form.edit-form")
    expect(form.locator("[name=direction_unknown]")).to_be_checked()
    form.locator("[name=direction_unknown]").uncheck()
    expect(page.locator(".direction-handle")).to_have_count(1)
    form.locator("[name=bearing_deg]").fill("200")
    _save(page, form)
    saved = api(page, "GET", f"/api/v1/cameras/{own}")["properties"]
    assert saved["direction_unknown"] is False and saved["bearing_deg"] == 200

    # The imported node: licence and tags shown in the form, not editable, and kept by a save.
    _open_map(page, live_server, f"camera={cameras['osm']}")
    page.click("#panel button.edit-camera")
    form = page.locator("#panel form.edit-form")
    readonly = form.locator("[data-source-readonly]")
    expect(readonly).to_contain_text("© OpenStreetMap contributors, ODbL 1.0")
    expect(readonly.locator("details.source-tags summary")).to_have_text(f"Dati della fonte ({len(TAGS)})")
    assert readonly.locator("input, select, textarea").count() == 0
    expect(form.locator("[name=direction_unknown]")).to_be_checked()
    expect(form.locator("[name=operator_name]")).to_have_value(OPERATOR)
    _save(page, form)
    saved = api(page, "GET", f"/api/v1/cameras/{cameras['osm']}")["properties"]
    assert saved["source_tags"] == TAGS and saved["licence"] == "ODbL-1.0"
    assert saved["direction_unknown"] is True and saved["operator_name"] == OPERATOR
    assert_no_js_errors(page)
