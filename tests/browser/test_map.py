"""The operational map in a real browser: the scenarios of issue 5, on the demo territory."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from playwright.sync_api import Page, expect
from shapely.geometry import Point, Polygon, shape

from tests.browser.conftest import EDITOR, OURS, VIEWER, api_json, assert_no_js_errors, map_config, sign_in

STREET_ZOOM = 17


def _open_map(page: Page, live_server: str, query: str) -> None:
    page.goto(f"{live_server}/map?{query}")
    page.wait_for_selector("body[data-map-state=ready]")


def _recorded_camera(page: Page, live_server: str) -> dict:
    """A demo camera of Moncalieri that records, with a narrow field of view (a known sector), alone on
    its spot (the heads of one pole stay grouped at street zoom until the group is opened)."""
    spots = Counter(
        tuple(c["geometry"]["coordinates"])
        for c in api_json(page, live_server, "/api/v1/cameras?owner=moncalieri&limit=1000")["features"]
    )
    active = "/api/v1/cameras?owner=moncalieri&status=active&limit=200"
    cameras = api_json(page, live_server, active)["features"]
    return next(
        c
        for c in cameras
        if c["properties"].get("fov")
        and c["properties"]["hfov_deg"] < 180
        and spots[tuple(c["geometry"]["coordinates"])] == 1
    )


def _screen_point(page: Page, lon: float, lat: float) -> dict:
    point = page.evaluate(
        "([lat, lng]) => window.observoMap.map.latLngToContainerPoint([lat, lng])", [lat, lon]
    )
    box = page.locator("#map").bounding_box()
    return {"x": box["x"] + point["x"], "y": box["y"] + point["y"]}


def _run_query(page: Page, reason: str) -> None:
    dialog = page.locator("#reason-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("#reason").fill(reason)
    dialog.locator("button[value=run]").click()
    page.wait_for_selector("#panel[data-view=results]")


def test_signed_in_officer_sees_demo_cameras_and_their_sectors(page, live_server):
    sign_in(page, live_server, VIEWER)
    camera = _recorded_camera(page, live_server)
    lon, lat = camera["geometry"]["coordinates"]
    _open_map(page, live_server, f"lat={lat}&lng={lon}&z={STREET_ZOOM}")
    assert page.locator("body").get_attribute("data-map-mode") == "points"
    expect(page.locator(f".leaflet-marker-icon[title='{camera['properties']['name']}']")).to_have_count(1)
    assert page.evaluate("window.observoMap.cameras.sectorCount()") >= 1
    # Zoomed out, the server's grid clusters replace the points (and no sector is drawn).
    page.evaluate("window.observoMap.map.setZoom(9)")
    page.wait_for_selector("body[data-map-mode=clusters][data-map-state=ready]")
    assert page.locator(".server-cluster").count() >= 1
    assert page.evaluate("window.observoMap.cameras.sectorCount()") == 0
    assert_no_js_errors(page)


def test_filters_narrow_the_map_and_live_in_the_url(page, live_server):
    sign_in(page, live_server, VIEWER)
    _open_map(page, live_server, "lat=45.0&lng=7.68&z=13")
    page.select_option("#f-status", "faulty")
    page.wait_for_url(re.compile(r"status=faulty"))
    page.wait_for_selector("body[data-map-state=ready][data-map-mode=points]")
    features = page.evaluate("window.observoMap.cameras.features()")
    assert features and {f["properties"]["status"] for f in features} == {"faulty"}
    # The URL reopens the same view with the same filter: a link a colleague can use.
    page.goto(page.url)
    page.wait_for_selector("body[data-map-state=ready]")
    assert page.locator("#f-status").input_value() == "faulty"
    assert_no_js_errors(page)


def test_drawn_area_with_a_reason_lists_what_the_search_api_finds(page, live_server):
    sign_in(page, live_server, VIEWER)
    camera = _recorded_camera(page, live_server)
    lon, lat = camera["geometry"]["coordinates"]
    _open_map(page, live_server, f"lat={lat}&lng={lon}&z=16")
    page.click("[data-draw=polygon]")
    box = page.locator("#map").bounding_box()
    corners = [(-150, -120), (150, -120), (150, 120), (-150, 120)]
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for dx, dy in [*corners, corners[0]]:
        page.mouse.click(centre[0] + dx, centre[1] + dy)
    _run_query(page, "Fascicolo 123/2026")
    listed = page.locator(".result-list li").count()
    drawn = page.evaluate("window.observoMap.query.lastQuery().geometry")
    assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == 5
    token = map_config(page)["csrfToken"]
    answer = page.request.post(
        f"{live_server}/api/v1/search",
        data=json.dumps({"geometry": drawn, "reason": "check", "limit": 1000}),
        headers={**OURS, "Content-Type": "application/json", "X-CSRFToken": token},
    ).json()
    assert listed == len(answer["features"]) >= 1
    # Independent check: every camera listed as inside lies in the drawn polygon.
    polygon = shape(drawn)
    for feature in answer["features"]:
        if feature["properties"]["relation"] == "inside":
            assert polygon.buffer(1e-7).contains(Point(feature["geometry"]["coordinates"]))
        else:
            assert shape(feature["properties"]["fov"]).intersects(polygon.buffer(1e-7))
    assert page.locator("path.highlight").count() == listed
    assert_no_js_errors(page)


def test_who_sees_this_point_finds_the_camera_whose_sector_holds_it(page, live_server):
    sign_in(page, live_server, VIEWER)
    camera = _recorded_camera(page, live_server)
    sector = Polygon(camera["properties"]["fov"]["coordinates"][0])
    inside = sector.centroid
    assert sector.contains(inside)
    _open_map(page, live_server, f"lat={inside.y}&lng={inside.x}&z=19")
    page.click("#sees-point")
    page.mouse.click(**_screen_point(page, inside.x, inside.y))
    _run_query(page, "Verbale 77")
    names = page.locator(".result-list li button").all_text_contents()
    assert camera["properties"]["name"] in names
    assert_no_js_errors(page)


def _add_camera(page: Page, name: str) -> None:
    page.click("#add-camera")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    form = page.locator("#panel form.edit-form")
    expect(form).to_be_visible()
    form.locator("[name=name]").fill(name)
    form.locator("input[type=range][data-for=bearing_deg]").fill("120")
    expect(form.locator("[name=bearing_deg]")).to_have_value("120")
    form.locator("button.save").click()


def test_editor_adds_a_camera_that_is_there_after_reload(page, live_server):
    sign_in(page, live_server, EDITOR)
    _open_map(page, live_server, "lat=44.99&lng=7.70&z=18")
    # An empty name is refused with the field's message in Italian, and nothing is created.
    _add_camera(page, "")
    expect(page.locator("[data-error-for=name]")).to_have_text("Questo campo è obbligatorio.")
    page.locator("#panel form.edit-form [name=name]").fill("Telecamera di prova browser")
    page.locator("#panel form.edit-form button.save").click()
    expect(page.locator("#notice")).to_contain_text("Telecamera salvata.")
    page.reload()
    page.wait_for_selector("body[data-map-state=ready]")
    expect(page.locator(".leaflet-marker-icon[title='Telecamera di prova browser']")).to_have_count(1)
    found = api_json(page, live_server, "/api/v1/cameras?q=Telecamera%20di%20prova%20browser")["features"]
    assert len(found) == 1 and found[0]["properties"]["bearing_deg"] == 120
    assert_no_js_errors(page)


def test_a_stale_edit_is_refused_with_a_message(page, live_server):
    sign_in(page, live_server, EDITOR)
    camera = _recorded_camera(page, live_server)
    _open_map(page, live_server, f"camera={camera['id']}")
    page.click("#panel button.edit-camera")
    form = page.locator("#panel form.edit-form")
    expect(form).to_be_visible()
    # Meanwhile a colleague renames it.
    url = f"{live_server}/api/v1/cameras/{camera['id']}"
    etag = page.request.get(url, headers=OURS).headers["etag"]
    token = map_config(page)["csrfToken"]
    changed = page.request.patch(
        url,
        data=json.dumps({"properties": {"name": "Rinominata dal collega"}}),
        headers={**OURS, "Content-Type": "application/json", "If-Match": etag, "X-CSRFToken": token},
    )
    assert changed.ok
    form.locator("[name=name]").fill("La mia modifica")
    form.locator("button.save").click()
    expect(form.locator(".form-status")).to_contain_text("Qualcun altro ha modificato questa telecamera")
    assert page.request.get(url, headers=OURS).json()["properties"]["name"] == "Rinominata dal collega"
    # Reloading shows the colleague's version, ready to edit again.
    form.locator("button.reload-camera").click()
    expect(page.locator("#panel form.edit-form [name=name]")).to_have_value("Rinominata dal collega")


@pytest.mark.parametrize(
    ("query", "lang", "words"),
    [("", "it", ("Mappa", "Filtri", "Legenda")), ("lang=en&", "en", ("Map", "Filters", "Legend"))],
)
def test_italian_by_default_english_on_request(page, live_server, query, lang, words):
    sign_in(page, live_server, VIEWER)
    _open_map(page, live_server, f"{query}lat=45&lng=7.68&z=12")
    assert page.locator("html").get_attribute("lang") == lang
    nav, tools, legend = words
    expect(page.locator("header.bar nav")).to_contain_text(nav)
    expect(page.locator(".tools summary").first).to_have_text(tools)
    expect(page.locator(".legend summary")).to_have_text(legend)  # a string from the scripts' catalogue
    assert_no_js_errors(page)
