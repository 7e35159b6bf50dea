"""Coverage and interventions on the operational map (issue 6), on the demo territory."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Page, expect
from shapely.geometry import shape

from tests.browser.conftest import EDITOR, VIEWER, assert_no_js_errors, map_config, sign_in

GARDENS = (7.74620, 44.98180)  # Trofarello, "Giardini di via Armando Diaz"
CASTELLO = (7.64000, 44.99400)  # Nichelino, "Quartiere Castello"
PERCENT = re.compile(r"^\d{1,3}(,\d)? %$")


def _call(page: Page, live_server: str, method: str, path: str, body: Any = None, etag: str | None = None):
    """The API with the page's session, as the map's scripts call it (CSRF token on writes)."""
    headers = {
        "Content-Type": "application/json",
        "X-CSRFToken": map_config(page)["csrfToken"],
        "X-Requested-With": "observo",  # as the map's calls: the session is believed only from our pages
    }
    if etag:
        headers["If-Match"] = etag
    return page.request.fetch(
        f"{live_server}{path}",
        method=method,
        headers=headers,
        data=None if body is None else json.dumps(body),
    )


def _open_map(page: Page, live_server: str, query: str) -> None:
    page.goto(f"{live_server}/map?{query}")
    page.wait_for_selector("body[data-map-state=ready]")


def _centre(page: Page) -> tuple[float, float]:
    box = page.locator("#map").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _run_query(page: Page, reason: str) -> None:
    dialog = page.locator("#reason-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("#reason").fill(reason)
    dialog.locator("button[value=run]").click()
    page.wait_for_selector("#panel[data-view=results]")


def _draw_area(page: Page, reason: str) -> dict:
    """A rectangle of 300 × 240 pixels around the map's centre, queried with `reason`."""
    page.click("[data-draw=polygon]")
    x, y = _centre(page)
    corners = [(-150, -120), (150, -120), (150, 120), (-150, 120)]
    for dx, dy in [*corners, corners[0]]:
        page.mouse.click(x + dx, y + dy)
    _run_query(page, reason)
    return page.evaluate("window.observoMap.query.lastQuery()")


def _coverage_by_api(page: Page, live_server: str, query: dict) -> dict:
    body = {key: value for key, value in query.items() if key not in ("limit", "offset")}
    answer = _call(page, live_server, "POST", "/api/v1/coverage", {**body, "suggestions": 3})
    assert answer.ok, answer.text()
    return answer.json()


def _percent(ratio: float) -> str:
    return f"{ratio * 100:.1f} %".replace(".", ",")


def test_coverage_of_a_drawn_area_shows_figures_gaps_and_suggestions(page, live_server):
    sign_in(page, live_server, VIEWER)
    _open_map(page, live_server, f"lat={GARDENS[1]}&lng={GARDENS[0]}&z=17")
    query = _draw_area(page, "Fascicolo 45/2026")
    page.click("#panel button.coverage-run")
    page.wait_for_selector("#panel .coverage-summary")
    shown = page.locator("#panel .coverage-ratio").text_content()
    assert PERCENT.match(shown), shown
    # The same run through the API: the panel shows its ratio, the map its gaps and suggestions.
    expected = _coverage_by_api(page, live_server, query)
    assert 0 < expected["ratio"] < 1 and expected["cameras"]
    assert shown == _percent(expected["ratio"])
    gaps = expected["gaps"]["features"]
    assert len(gaps) >= 1
    assert page.locator("path.coverage-gap").count() == len(gaps)
    assert page.locator("#panel .coverage-gaps li").count() == len(gaps)
    assert page.locator("path.coverage-suggestion").count() == len(expected["suggestions"]) >= 1
    assert page.locator(".coverage-suggestion-label").count() == len(expected["suggestions"])
    listed = page.locator("#panel .coverage-cameras li button").all_text_contents()
    assert listed == [camera["name"] or camera["code"] for camera in expected["cameras"]][: len(listed)]
    # Every gap lies in the drawn area.
    drawn = shape(query["geometry"]).buffer(1e-6)
    assert all(drawn.contains(shape(gap["geometry"])) for gap in gaps)
    # A contributing camera opens its card.
    page.locator("#panel .coverage-cameras li button").first.click()
    page.wait_for_selector(f"#panel[data-view=details] [data-camera='{expected['cameras'][0]['id']}']")
    assert page.locator("path.coverage-gap").count() == len(gaps)  # the overlay stays while reading it
    assert_no_js_errors(page)


def test_coverage_is_removed_by_its_button_and_by_a_new_query(page, live_server):
    sign_in(page, live_server, VIEWER)
    _open_map(page, live_server, f"lat={GARDENS[1]}&lng={GARDENS[0]}&z=17")
    _draw_area(page, "Fascicolo 46/2026")
    page.click("#panel button.coverage-run")
    page.wait_for_selector("#panel .coverage-summary")
    assert page.locator("path.coverage-gap").count() >= 1
    page.click("#panel button.coverage-clear")
    expect(page.locator("path.coverage-gap")).to_have_count(0)
    expect(page.locator("#panel button.coverage-run")).to_be_visible()
    page.click("#panel button.coverage-run")
    page.wait_for_selector("#panel .coverage-summary")
    assert page.locator("path.coverage-gap").count() >= 1
    page.click("[data-draw=polygon]")  # a new query starts
    expect(page.locator("path.coverage-gap")).to_have_count(0)
    expect(page.locator("path.coverage-suggestion")).to_have_count(0)
    assert_no_js_errors(page)


def test_coverage_of_a_route_shows_its_length_and_uncovered_stretches(page, live_server):
    sign_in(page, live_server, VIEWER)
    _open_map(page, live_server, f"lat={GARDENS[1]}&lng={GARDENS[0]}&z=17")
    page.click("[data-draw=route]")
    x, y = _centre(page)
    for dx, dy in [(-250, 10), (0, 0), (250, -10)]:
        page.mouse.click(x + dx, y + dy)
    page.mouse.click(x + 250, y - 10)  # clicking the last vertex again ends the line
    _run_query(page, "Servizio 12/2026")
    query = page.evaluate("window.observoMap.query.lastQuery()")
    assert query["geometry"]["type"] == "LineString" and query["buffer_m"] == 50
    page.click("#panel button.coverage-run")
    page.wait_for_selector("#panel .coverage-summary[data-kind=route]")
    expected = _coverage_by_api(page, live_server, query)
    route = expected["route"]
    assert route["length_m"] > 300 and route["uncovered"]
    assert page.locator("#panel .coverage-route-ratio").text_content() == _percent(route["ratio"])
    assert page.locator("path.coverage-uncovered").count() == len(route["uncovered"])
    assert_no_js_errors(page)


def _intervention_body() -> dict:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    gardens = [
        (GARDENS[0] + dx, GARDENS[1] + dy)
        for dx, dy in [(-0.0015, -0.001), (0.0015, -0.001), (0.0015, 0.001), (-0.0015, 0.001)]
    ]
    return {
        "title": "Pattuglia di prossimità – giardini e Castello",
        "kind": "proximity_patrol",
        "window": {
            "start": start.isoformat().replace("+00:00", "Z"),
            "end": (start + timedelta(hours=4)).isoformat().replace("+00:00", "Z"),
        },
        "reason": "Ordine di servizio 88/2026",
        "shared_with": {"organizations": ["nichelino", "trofarello"]},
        "targets": [
            {
                "name": "Giardini di via Armando Diaz",
                "buffer_m": 0,
                "geometry": {"type": "Polygon", "coordinates": [[*gardens, gardens[0]]]},
            },
            {
                "name": "Quartiere Castello",
                "buffer_m": 20,
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[CASTELLO[0] - 0.002, CASTELLO[1]], [CASTELLO[0] + 0.002, CASTELLO[1]]],
                },
            },
        ],
    }


def test_intervention_view_draws_targets_cameras_and_pending_requests(page, live_server):
    sign_in(page, live_server, EDITOR)
    page.goto(f"{live_server}/map")
    created = _call(page, live_server, "POST", "/api/v1/interventions", _intervention_body())
    assert created.status == 201, created.text()
    intervention = created.json()
    base = f"/api/v1/interventions/{intervention['id']}"
    features = _call(page, live_server, "GET", f"{base}/map").json()["features"]
    cameras = [f for f in features if f["properties"]["layer"] == "camera"]
    assert cameras
    # Trofarello was asked to preserve its footage: its cameras show the request as pending.
    asked = [c for c in cameras if c["properties"]["owner"] == "trofarello"]
    assert asked
    request = _call(
        page,
        live_server,
        "POST",
        f"{base}/preservation-requests",
        {
            "owner": "trofarello",
            "camera_ids": [c["properties"]["id"] for c in asked],
            "channel": "pec",
            "protocol_number": "PEC 991/2026",
        },
    )
    assert request.status == 201, request.text()

    _open_map(page, live_server, f"intervention={intervention['id']}")
    page.wait_for_selector("#panel[data-view=intervention]")
    expect(page.locator("#panel .panel-title")).to_have_text(intervention["title"])
    expect(page.locator("path.intervention-target")).to_have_count(2)
    labels = page.locator(".intervention-target-label").all_text_contents()
    assert any(label.startswith("Giardini di via Armando Diaz") and "%" in label for label in labels), labels
    assert page.locator("#panel .intervention-targets li").count() == 2
    expect(page.locator("path.intervention-camera")).to_have_count(len(cameras))
    expect(page.locator("path.intervention-pending")).to_have_count(len(asked))
    flagged = [c for c in cameras if c["properties"]["flag"]]
    expect(page.locator("path.intervention-flagged")).to_have_count(len(flagged))
    expect(page.locator("#panel .intervention-cameras li.pending")).to_have_count(len(asked))
    gaps = [f for f in features if f["properties"]["layer"] == "gap"]
    assert page.locator("path.coverage-gap").count() == len(gaps)
    # What each camera sees is filled; a sector the demo's buildings clip is only outlined behind it.
    sectors = [f for f in features if f["properties"]["layer"] == "fov"]
    clipped = [f for f in sectors if f["properties"]["clipped"]]
    visible = [f for f in features if f["properties"]["layer"] == "visible"]
    assert clipped and len(visible) == len(clipped)
    assert {f["properties"]["camera_id"] for f in visible} == {f["properties"]["camera_id"] for f in clipped}
    expect(page.locator("path.intervention-visible")).to_have_count(len(visible))
    expect(page.locator("path.intervention-fov-sector")).to_have_count(len(clipped))
    expect(page.locator("path.intervention-fov")).to_have_count(len(sectors))  # unclipped + visible
    # The cameras are listed by footage expiry, soonest first (flagged ones, with none, last).
    listed = page.locator("#panel .intervention-cameras li").evaluate_all(
        "items => items.map((item) => Number(item.dataset.camera))"
    )
    expiry = {c["properties"]["id"]: c["properties"]["footage_expires_at"] for c in cameras}
    times = [expiry[i] or "9999" for i in listed]
    assert times == sorted(times)
    brief = page.locator("#panel a.intervention-brief-link")
    assert brief.get_attribute("href") == f"{base}/brief?lang=it"  # the brief in the map's language
    page_link = page.locator("#panel a.intervention-page-link").get_attribute("href")
    assert page_link == f"/interventions/{intervention['id']}"
    assert f"intervention={intervention['id']}" in page.url
    # A pending camera's popup says so.
    page.locator("#panel .intervention-cameras li.pending button").first.click()
    expect(page.locator(".leaflet-popup .preservation-pending")).to_have_count(1)
    # Closing the view removes it from the map and from the address bar.
    page.click("#panel button.intervention-close")
    expect(page.locator("path.intervention-target")).to_have_count(0)
    assert "intervention=" not in page.url
    assert_no_js_errors(page)


def test_a_drawn_circle_becomes_a_draft_intervention(page, live_server):
    sign_in(page, live_server, EDITOR)
    _open_map(page, live_server, f"lat={GARDENS[1]}&lng={GARDENS[0]}&z=17")
    page.click("[data-draw=circle]")
    x, y = _centre(page)
    page.mouse.click(x, y)
    page.mouse.move(x + 60, y)
    page.mouse.click(x + 120, y)
    _run_query(page, "Esposto 7/2026")
    query = page.evaluate("window.observoMap.query.lastQuery()")
    assert query["geometry"]["type"] == "Point" and query["buffer_m"] > 50
    page.click("#panel button.add-to-intervention")
    dialog = page.locator("#intervention-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[name=reason]")).to_have_value("Esposto 7/2026")
    dialog.locator("[name=title]").fill("Ufficio mobile ai giardini")
    dialog.locator("[name=kind]").select_option("mobile_office")
    dialog.locator("[name=target_name]").fill("Giardini di via Armando Diaz")
    dialog.locator("button.create-intervention").click()
    page.wait_for_selector("#panel[data-view=intervention]")
    expect(page.locator("path.intervention-target")).to_have_count(1)
    identifier = int(re.search(r"intervention=(\d+)", page.url).group(1))
    stored = _call(page, live_server, "GET", f"/api/v1/interventions/{identifier}").json()
    assert stored["status"] == "draft" and stored["kind"] == "mobile_office"
    assert stored["reason"] == "Esposto 7/2026"
    target = stored["targets"][0]
    assert target["name"] == "Giardini di via Armando Diaz"
    # The circle became a polygon whose vertices lie at the drawn radius from the drawn centre.
    lon0, lat0 = query["geometry"]["coordinates"]
    assert target["geometry"]["type"] == "Polygon" and target["buffer_m"] == 0
    for lon, lat in target["geometry"]["coordinates"][0]:
        east = (lon - lon0) * 111_320 * math.cos(math.radians(lat0))
        north = (lat - lat0) * 111_320
        assert abs(math.hypot(east, north) - query["buffer_m"]) < 0.5
    assert_no_js_errors(page)


def test_a_drawn_area_joins_an_existing_intervention(page, live_server):
    sign_in(page, live_server, EDITOR)
    _open_map(page, live_server, f"lat={GARDENS[1]}&lng={GARDENS[0]}&z=17")
    created = _call(page, live_server, "POST", "/api/v1/interventions", _intervention_body())
    assert created.status == 201, created.text()
    intervention = created.json()
    query = _draw_area(page, "Fascicolo 47/2026")
    page.click("#panel button.add-to-intervention")
    dialog = page.locator("#intervention-dialog")
    expect(dialog.locator(f"[name=existing] option[value='{intervention['id']}']")).to_have_count(1)
    dialog.locator("[name=existing]").select_option(str(intervention["id"]))
    expect(dialog.locator("[name=title]")).to_be_hidden()  # the plan's own fields stay as they are
    dialog.locator("[name=target_name]").fill("Parcheggio di via Diaz")
    dialog.locator("button.create-intervention").click()
    page.wait_for_selector(f"#panel[data-view=intervention] [data-intervention='{intervention['id']}']")
    expect(page.locator("path.intervention-target")).to_have_count(3)
    stored = _call(page, live_server, "GET", f"/api/v1/interventions/{intervention['id']}").json()
    assert [t["name"] for t in stored["targets"]] == [
        "Giardini di via Armando Diaz",
        "Quartiere Castello",
        "Parcheggio di via Diaz",
    ]
    assert shape(stored["targets"][2]["geometry"]).equals(shape(query["geometry"]))  # reoriented, same shape
    assert stored["version"] == intervention["version"] + 1
    assert stored["title"] == intervention["title"]
    assert_no_js_errors(page)


def test_an_intervention_not_shared_with_the_reader_is_not_shown(page, live_server):
    sign_in(page, live_server, EDITOR)
    page.goto(f"{live_server}/map")
    body = {**_intervention_body(), "shared_with": {"organizations": ["trofarello"]}}
    created = _call(page, live_server, "POST", "/api/v1/interventions", body)
    assert created.status == 201, created.text()
    page.context.clear_cookies()
    sign_in(page, live_server, VIEWER)  # Nichelino: neither the lead nor shared with
    _open_map(page, live_server, f"intervention={created.json()['id']}")
    expect(page.locator("#panel .message-error")).to_contain_text("Risorsa non trovata")
    expect(page.locator("path.intervention-target")).to_have_count(0)
    expect(page.locator(".intervention-control")).to_be_hidden()
    assert_no_js_errors(page)


def test_a_click_on_a_camera_while_drawing_is_a_vertex_not_the_cameras_details(page, live_server):
    sign_in(page, live_server, VIEWER)
    _open_map(page, live_server, f"lat={GARDENS[1]}&lng={GARDENS[0]}&z=17")
    page.wait_for_selector("body[data-map-mode=points]")
    page.click("[data-draw=route]")
    x, y = _centre(page)
    page.mouse.click(x - 250, y + 10)
    page.locator(".leaflet-marker-icon.cam").first.click()
    page.wait_for_timeout(300)  # a details panel would open on the click's own task
    assert page.locator("#panel[data-view=details]").count() == 0
    assert page.evaluate("window.observoMap.map.pm.globalDrawModeEnabled()")
    assert_no_js_errors(page)
