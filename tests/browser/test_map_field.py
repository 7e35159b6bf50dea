"""The map as officers use it (issue 18, section 2) and its accessibility (section 4), in Chromium
on the demo territory: where it opens, the heads of one pole, plurals and Italian numbers, Italian
time, empty and failed answers, no background tiles, keyboard-only queries, axe-core."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.browser.axe import describe, violations
from tests.browser.conftest import (
    ADMIN,
    EDITOR,
    TILE_HOST,
    _refuse_outside,
    api_json,
    assert_no_js_errors,
    map_config,
    sign_in,
)

CREMONA = "sala.operativa@cremona.example.it"
ROME = ZoneInfo("Europe/Rome")


def _ready(page: Page) -> None:
    page.wait_for_selector("body[data-map-state=ready]")


def _centre(page: Page) -> dict:
    return page.evaluate(
        "() => { const c = window.observoMap.map.getCenter(); return {lat: c.lat, lng: c.lng}; }"
    )


def _set_view(page: Page, lat: float, lng: float, zoom: int) -> None:
    """Move the map and wait for the cameras of the new view to be drawn (not the old view's)."""
    page.evaluate(
        """([lat, lng, z]) => new Promise((resolve) => {
          document.addEventListener("observo:rendered", () => resolve(), { once: true });
          window.observoMap.map.setView([lat, lng], z, { animate: false });
        })""",
        [lat, lng, zoom],
    )


def _own_cameras(page: Page, live_server: str, owner: str) -> list[dict]:
    return api_json(page, live_server, f"/api/v1/cameras?owner={owner}&limit=1000")["features"]


def test_the_cremona_officer_opens_on_cremona_and_finds_the_map_where_it_was_left(page, live_server):
    sign_in(page, live_server, CREMONA)
    _ready(page)
    cameras = _own_cameras(page, live_server, "cremona")
    lons = [c["geometry"]["coordinates"][0] for c in cameras]
    lats = [c["geometry"]["coordinates"][1] for c in cameras]
    home = map_config(page)["home"]
    assert home[0] <= min(lons) and home[2] >= max(lons) and home[1] <= min(lats) and home[3] >= max(lats)
    bounds = page.evaluate("() => window.observoMap.map.getBounds().toBBoxString()").split(",")
    west, south, east, north = map(float, bounds)
    assert west <= min(lons) and east >= max(lons) and south <= min(lats) and north >= max(lats)
    assert (
        page.evaluate("() => window.observoMap.cameras.features().length") > 0
        or page.evaluate("() => document.body.dataset.mapMode") == "clusters"
    )

    # A view of its own, then back to /map with no link state: the same view, for this user.
    _set_view(page, 45.1350, 10.0250, 17)
    page.goto(f"{live_server}/map")
    _ready(page)
    centre = _centre(page)
    assert abs(centre["lat"] - 45.135) < 1e-3 and abs(centre["lng"] - 10.025) < 1e-3
    assert page.evaluate("() => window.observoMap.map.getZoom()") == 17
    assert_no_js_errors(page)


def test_another_user_on_the_same_browser_opens_on_its_own_area(page, live_server):
    sign_in(page, live_server, CREMONA)
    _ready(page)
    _set_view(page, 45.1350, 10.0250, 17)
    page.context.clear_cookies()  # signed out; the browser's storage stays
    sign_in(page, live_server, EDITOR)  # Moncalieri, 120 km away
    _ready(page)
    centre = _centre(page)
    assert 44.9 < centre["lat"] < 45.1 and 7.5 < centre["lng"] < 7.8, centre


def _site(page: Page, live_server: str) -> list[dict]:
    """Heads standing on one spot (one pole) the editor may read."""
    spots: dict[tuple, list[dict]] = defaultdict(list)
    for camera in _own_cameras(page, live_server, "moncalieri"):
        spots[tuple(round(v, 7) for v in camera["geometry"]["coordinates"])].append(camera)
    return max(spots.values(), key=len)


def test_the_heads_of_one_pole_spread_out_and_each_opens(page, live_server):
    sign_in(page, live_server, EDITOR)
    _ready(page)
    heads = _site(page, live_server)
    assert len(heads) >= 2, "the demo has multi-head poles"
    lon, lat = heads[0]["geometry"]["coordinates"]
    _set_view(page, lat, lon, 18)
    site = page.locator(".site-cluster").filter(has_text=str(len(heads))).first
    expect(site).to_have_attribute("aria-label", re.compile(rf"^{len(heads)} telecamere ravvicinate"))
    site.focus()
    expect(site).to_be_focused()
    page.keyboard.press("Enter")  # the keyboard opens it as a click does
    page.wait_for_function(
        "(ids) => ids.every((id) => window.observoMap.cameras.marker(id)?.getElement()?.isConnected)",
        arg=[head["id"] for head in heads],
    )
    for head in heads:
        marker = page.locator(f".leaflet-marker-icon[title='{head['properties']['name']}']")
        expect(marker).to_be_visible()
    names = sorted(head["properties"]["name"] for head in heads)
    # the keyboard lands on the first spread head
    page.wait_for_function("(names) => names.includes(document.activeElement?.title)", arg=names)
    for head in heads:
        # The panel opening narrows the map, which reloads its cameras: the pole must stay spread, so
        # each click waits for that reload before the next head (under load it lands between clicks).
        page.evaluate(
            """() => { window.renders = 0;
              document.addEventListener("observo:rendered", () => { window.renders += 1; }); }"""
        )
        page.locator(f".leaflet-marker-icon[title='{head['properties']['name']}']").click()
        expect(
            page.locator(f"#panel[data-view=details] .details[data-camera='{head['id']}']")
        ).to_be_visible()
        if head is heads[0]:
            page.wait_for_function("() => window.renders > 0")
    assert_no_js_errors(page)


def _seen_by_one(page: Page, live_server: str) -> tuple[float, float]:
    """A point exactly one camera sees: the middle of a narrow sector, asked of the API."""
    for camera in _own_cameras(page, live_server, "moncalieri"):
        props = camera["properties"]
        if not props.get("fov") or props.get("hfov_deg", 360) > 120 or props.get("bearing_deg") is None:
            continue
        lon, lat = camera["geometry"]["coordinates"]
        ring = props["fov"]["coordinates"][0]
        tip_lon = sum(p[0] for p in ring[1:-1]) / len(ring[1:-1])
        tip_lat = sum(p[1] for p in ring[1:-1]) / len(ring[1:-1])
        point = (lon + (tip_lon - lon) * 0.5, lat + (tip_lat - lat) * 0.5)
        sees = f"/api/v1/cameras?sees={point[0]:.6f},{point[1]:.6f}&reason=probe"
        found = api_json(page, live_server, sees)
        if len(found["features"]) == 1:
            return point
    raise AssertionError("no point seen by one camera only")


def test_who_sees_this_point_by_keyboard_only_says_one_camera_found_with_no_stray_null(page, live_server):
    sign_in(page, live_server, EDITOR)
    _ready(page)
    lon, lat = _seen_by_one(page, live_server)
    _set_view(page, lat, lon, 18)
    button = page.locator("#sees-point")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#sees-point-hint")).to_be_visible()
    page.locator("#map").focus()
    page.keyboard.press("Enter")  # the map's centre: the cross
    expect(page.locator("#reason-dialog")).to_be_visible()
    page.keyboard.type("Prot. 18/2026")
    page.keyboard.press("Enter")
    results = page.locator("#panel[data-view=results]")
    expect(results.locator(".result-count")).to_have_text("1 telecamera trovata.")
    assert "null" not in results.inner_text()
    expect(page.locator("#panel-title")).to_be_focused()  # the keyboard follows the answer
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(page.locator("#panel")).to_be_hidden()
    assert_no_js_errors(page)


def test_the_area_in_view_is_queried_by_keyboard_with_italian_numbers_and_owner_names(page, live_server):
    sign_in(page, live_server, EDITOR)
    _ready(page)
    camera = _own_cameras(page, live_server, "moncalieri")[0]
    lon, lat = camera["geometry"]["coordinates"]
    _set_view(page, lat, lon, 17)
    page.locator("#query-view").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("Prot. 18/2026")
    page.keyboard.press("Enter")
    results = page.locator("#panel[data-view=results]")
    expect(results.locator(".result-count")).to_have_text(re.compile(r"^\d+ telecamer[ae] trovat[ae]\.$"))
    owners = map_config(page)["ownerNames"]
    assert "Moncalieri" in owners["moncalieri"]
    expect(results.locator(".result-list .meta").first).to_contain_text(owners["moncalieri"])
    assert not re.search(r"(^|\s)moncalieri(\s|$)", results.locator(".result-list").inner_text())
    results.locator("button.coverage-run").focus()
    page.keyboard.press("Enter")
    figures = page.locator(".coverage-figures")
    expect(figures).to_be_visible()
    area = figures.locator("dd").first.inner_text()
    assert re.fullmatch(r"\d{1,3}(\.\d{3})+ m²|\d+(\.\d{3})*(,\d)? ha", area), area
    expect(figures.locator(".coverage-ratio")).to_have_text(re.compile(r"^\d+,\d %$"))
    found = violations(page)  # the results and the coverage, with the gaps drawn
    assert not found, describe(found)
    assert_no_js_errors(page)


def test_times_are_italian_whatever_the_browser_zone_and_contacts_fit_the_panel(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id="America/New_York")
    context.route("**/*", _refuse_outside(live_server))  # as the `page` fixture does
    page = context.new_page()
    try:
        sign_in(page, live_server, EDITOR)
        _ready(page)
        camera = next(
            c for c in _own_cameras(page, live_server, "moncalieri") if c["properties"].get("retention_hours")
        )
        page.evaluate("(id) => window.observoMap.details.open(id)", camera["id"])
        details = page.locator("#panel .details")
        expect(details).to_be_visible()
        # 14:00 typed on a browser set to New York is 14:00 in Italy, and so is what the panel says.
        page.locator("#footage-time").fill("2026-07-01T14:00")
        hours = camera["properties"]["retention_hours"]
        until = datetime(2026, 7, 1, 14, 0, tzinfo=ROME) + timedelta(hours=hours)
        expect(details.locator(".retention-until")).to_contain_text("14:00")
        expect(details.locator(".retention-until")).to_contain_text(until.strftime("%H:%M"))
        expect(details.locator("#footage-time-zone")).to_have_text("ora italiana (Europe/Rome)")
        details.locator("button.show-contacts").click()
        contacts = details.locator(".contacts .fields")
        expect(contacts).to_be_visible()
        widths = page.evaluate(
            "() => { const p = document.getElementById('panel');"
            " return {scroll: p.scrollWidth, client: p.clientWidth,"
            " widest: Math.max(...[...p.querySelectorAll('.contacts *')]"
            ".map((e) => e.getBoundingClientRect().right)),"
            " edge: p.getBoundingClientRect().right}; }"
        )
        assert widths["scroll"] <= widths["client"], widths
        assert widths["widest"] <= widths["edge"] + 0.5, widths
    finally:
        context.close()


def test_an_empty_or_failed_intervention_load_is_said_not_thrown(page, live_server):
    sign_in(page, live_server, EDITOR)
    _ready(page)
    interventions = api_json(page, live_server, "/api/v1/interventions")
    assert interventions, "the demo has interventions"
    first = interventions[0]["id"]
    page.route(
        re.compile(rf".*/api/v1/interventions/{first}/map$"),
        lambda route: route.fulfill(status=200, body=b"", headers={"Content-Type": "application/geo+json"}),
    )
    page.goto(f"{live_server}/map?intervention={first}")
    expect(page.locator("#panel .message-error")).to_have_text("Il server ha inviato una risposta vuota.")
    page.unroute(re.compile(rf".*/api/v1/interventions/{first}/map$"))
    page.route(re.compile(rf".*/api/v1/interventions/{first}/map$"), lambda route: route.abort())
    page.evaluate("(id) => window.observoMap.intervention.open(id)", first)
    expect(page.locator("#panel .message-error")).not_to_have_text("Il server ha inviato una risposta vuota.")
    assert_no_js_errors(page)


def _single(page: Page, live_server: str) -> dict:
    """A camera alone on its spot (not one of a pole's heads, which group at street zoom)."""
    cameras = _own_cameras(page, live_server, "moncalieri")
    spots = defaultdict(int)
    for camera in cameras:
        spots[tuple(camera["geometry"]["coordinates"])] += 1
    return next(c for c in cameras if spots[tuple(c["geometry"]["coordinates"])] == 1)


def test_with_no_background_tiles_the_map_says_so_and_names_the_cameras(page, live_server):
    page.route(f"{TILE_HOST}/**", lambda route: route.abort())
    sign_in(page, live_server, EDITOR)
    _ready(page)
    camera = _single(page, live_server)
    lon, lat = camera["geometry"]["coordinates"]
    _set_view(page, lat, lon, 17)
    note = page.locator(".no-tiles-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Mappa di sfondo non disponibile")
    expect(page.locator("#map.no-tiles")).to_have_count(1)
    expect(page.locator(".cam-label").filter(has_text=camera["properties"]["name"]).first).to_be_visible()
    found = violations(page)  # the names on the neutral background are readable too
    assert not found, describe(found)
    errors = [e for e in page.js_errors if "Failed to load resource" not in e and "ERR_FAILED" not in e]
    assert not errors, errors


def test_the_map_has_no_wcag_violations_with_its_panel_and_dialog_open(page, live_server):
    sign_in(page, live_server, EDITOR)
    _ready(page)
    camera = _own_cameras(page, live_server, "moncalieri")[0]
    lon, lat = camera["geometry"]["coordinates"]
    _set_view(page, lat, lon, 17)
    found = violations(page)
    assert not found, describe(found)
    page.evaluate("(id) => window.observoMap.details.open(id)", camera["id"])
    expect(page.locator("#panel .details")).to_be_visible()
    page.locator("#panel button.show-contacts").click()
    expect(page.locator("#panel .contacts .fields")).to_be_visible()
    found = violations(page)
    assert not found, describe(found)
    page.locator("#query-view").click()
    expect(page.locator("#reason-dialog")).to_be_visible()
    found = violations(page)
    assert not found, describe(found)
    page.keyboard.press("Escape")
    # The legend open, in English, on a tablet (tools, map and panel stacked).
    page.set_viewport_size({"width": 800, "height": 1000})
    page.goto(f"{live_server}/map?lang=en&lat={lat}&lng={lon}&z=17")
    _ready(page)
    page.locator(".legend summary").click()
    expect(page.locator(".legend .legend-status")).to_be_visible()
    found = violations(page)
    assert not found, describe(found)
    assert_no_js_errors(page)


def test_markers_have_accessible_names(page, live_server):
    sign_in(page, live_server, EDITOR)
    _ready(page)
    camera = _own_cameras(page, live_server, "moncalieri")[0]
    lon, lat = camera["geometry"]["coordinates"]
    _set_view(page, lat, lon, 15)
    names = page.evaluate(
        "() => [...document.querySelectorAll('.leaflet-marker-icon[role=button]')]"
        ".map((e) => e.getAttribute('aria-label') || e.title)"
    )
    assert names and all(names), names
    assert_no_js_errors(page)


def test_a_camera_is_placed_without_a_pointer(page, live_server):
    sign_in(page, live_server, EDITOR)
    _ready(page)
    page.locator("#add-camera").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#notice")).to_contain_text("premi Invio")
    page.locator("#map").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#panel .edit-form #e-name")).to_be_focused()
    apex = page.locator(".leaflet-marker-icon[title='Posizione della telecamera']").bounding_box()
    box = page.locator("#map").bounding_box()
    # At the centre of the map as it was (the panel opening narrows the map but keeps its centre);
    # the pin's tip, the middle of its bottom edge, marks the spot.
    point = page.evaluate(
        "() => window.observoMap.map.latLngToContainerPoint(window.observoMap.map.getCenter())"
    )
    assert abs(apex["x"] + apex["width"] / 2 - box["x"] - point["x"]) < 3
    assert abs(apex["y"] + apex["height"] - box["y"] - point["y"]) < 3
    page.keyboard.press("Escape")
    expect(page.locator("#panel")).to_be_hidden()
    assert_no_js_errors(page)


def test_a_second_intervention_asked_for_meanwhile_wins_without_an_error(page, live_server):
    sign_in(page, live_server, EDITOR)
    _ready(page)
    second = api_json(page, live_server, "/api/v1/interventions")[0]
    # The first load (of an intervention that is not there) is cut short by the second: no error shown.
    page.evaluate(
        "([a, b]) => { window.observoMap.intervention.open(a);"
        " return window.observoMap.intervention.open(b); }",
        [999_999, second["id"]],
    )
    expect(page.locator(f"#panel .intervention-view[data-intervention='{second['id']}']")).to_be_visible()
    expect(page.locator("#panel-title")).to_have_text(second["title"])
    expect(page.locator("#panel .intervention-cameras .note")).to_have_text(
        "Orari in ora italiana (Europe/Rome)."
    )
    assert_no_js_errors(page)


def _panel_overflow(page: Page) -> dict:
    return page.evaluate(
        "() => { const p = document.getElementById('panel'); const edge = p.getBoundingClientRect().right;"
        " const rights = [...p.querySelectorAll('*')].map((e) => e.getBoundingClientRect().right);"
        " const widest = Math.max(...rights);"
        " return {scroll: p.scrollWidth, client: p.clientWidth, widest, edge}; }"
    )


def test_footage_contacts_of_every_owner_fit_the_panel(page, live_server):
    sign_in(page, live_server, ADMIN)
    _ready(page)
    one_each: dict[str, dict] = {}
    for camera in api_json(page, live_server, "/api/v1/cameras?limit=1000")["features"]:
        one_each.setdefault(camera["properties"]["owner"], camera)
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 800})
        for camera in one_each.values():
            page.evaluate("(id) => window.observoMap.details.open(id)", camera["id"])
            expect(page.locator(f"#panel .details[data-camera='{camera['id']}']")).to_be_visible()
            page.locator("#panel button.show-contacts").click()
            expect(page.locator("#panel .contacts .fields")).to_be_visible()
            sizes = _panel_overflow(page)
            assert sizes["scroll"] <= sizes["client"], (width, camera["properties"]["owner"], sizes)
            assert sizes["widest"] <= sizes["edge"] + 0.5, (width, camera["properties"]["owner"], sizes)
    assert_no_js_errors(page)


def test_an_intervention_window_is_typed_in_italian_time_on_a_browser_set_elsewhere(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id="Asia/Tokyo")
    context.route("**/*", _refuse_outside(live_server))
    page = context.new_page()
    try:
        sign_in(page, live_server, EDITOR)
        _ready(page)
        camera = _single(page, live_server)
        lon, lat = camera["geometry"]["coordinates"]
        _set_view(page, lat, lon, 18)
        page.locator("#query-view").click()
        page.locator("#reason").fill("Prot. 18/2026")
        page.keyboard.press("Enter")
        page.locator("#panel button.add-to-intervention").click()
        dialog = page.locator("#intervention-dialog")
        expect(dialog.locator(".hint")).to_have_text("ora italiana (Europe/Rome)")
        dialog.locator("[name=title]").fill("Mercato del sabato")
        dialog.locator("[name=window_start]").fill("2026-07-04T08:00")
        dialog.locator("[name=window_end]").fill("2026-07-04T13:30")
        dialog.locator("[name=target_name]").fill("Piazza del mercato")
        dialog.locator("button.create-intervention").click()
        page.wait_for_selector("#panel[data-view=intervention]")
        identifier = int(re.search(r"intervention=(\d+)", page.url).group(1))
        stored = api_json(page, live_server, f"/api/v1/interventions/{identifier}")
        start = datetime.fromisoformat(stored["window"]["start"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(stored["window"]["end"].replace("Z", "+00:00"))
        assert start == datetime(2026, 7, 4, 8, 0, tzinfo=ROME)  # 06:00 UTC, not Tokyo's 23:00 the day before
        assert end == datetime(2026, 7, 4, 13, 30, tzinfo=ROME)
        # And the panel shows the window as it was typed, saying in which time.
        expect(page.locator("#panel .intervention-view .fields")).to_contain_text("08:00")
        expect(page.locator("#panel .intervention-view .fields")).to_contain_text(
            "ora italiana (Europe/Rome)"
        )
        found = violations(page)
        assert not found, describe(found)
    finally:
        context.close()
