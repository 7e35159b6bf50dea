"""What a camera really sees on the map (issue 20): where buildings clip a sector, the visible area is
filled and the whole sector drawn faintly behind it; the panel says the view is reduced; the public
embed shows no field of view at all."""

from __future__ import annotations

import json
from collections import Counter

from playwright.sync_api import Page, expect
from pyproj import Geod

from tests.browser.conftest import EDITOR, OURS, api_json, assert_no_js_errors, map_config, sign_in

GEOD = Geod(ellps="WGS84")
SOURCE = "prova-muro-basso"  # the test's own layer, removed at the end
WALL_HEIGHT_M = 2.0


def _open_map(page: Page, live_server: str, query: str) -> None:
    page.goto(f"{live_server}/map?{query}")
    page.wait_for_selector("body[data-map-state=ready]")


def _unclipped_camera(page: Page, live_server: str) -> dict:
    """A Moncalieri camera that records nothing clips yet: narrow sector, known height, alone on its spot."""
    cameras = api_json(page, live_server, "/api/v1/cameras?owner=moncalieri&limit=1000")["features"]
    spots = Counter(tuple(c["geometry"]["coordinates"]) for c in cameras)
    return next(
        c
        for c in cameras
        if c["properties"].get("fov")
        and c["properties"]["fov_visible"] is None
        and c["properties"]["hfov_deg"] < 180
        and (c["properties"].get("height_m") or 0) > 2 * WALL_HEIGHT_M
        and spots[tuple(c["geometry"]["coordinates"])] == 1
    )


def _low_wall_across(camera: dict) -> dict:
    """A 2 m wall across the camera's whole sector at 40 % of its reach: the camera (higher) sees over
    it, so the ground just behind the wall is hidden and the ground beyond is seen again: the visible
    area is a MultiPolygon."""
    lon, lat = camera["geometry"]["coordinates"]
    ring = camera["properties"]["fov"]["coordinates"][0]
    reach = max(GEOD.inv(lon, lat, x, y)[2] for x, y in ring if (x, y) != (lon, lat))
    bearing, half = camera["properties"]["bearing_deg"], camera["properties"]["hfov_deg"] / 2 + 15
    steps = 12
    line = []
    for step in range(steps + 1):
        azimuth = bearing - half + 2 * half * step / steps
        x, y, _ = GEOD.fwd(lon, lat, azimuth, 0.4 * reach)
        line.append([round(x, 7), round(y, 7)])
    wall = {"type": "LineString", "coordinates": line}
    feature = {"type": "Feature", "id": "muro-1", "properties": {"height": WALL_HEIGHT_M}, "geometry": wall}
    return {"type": "FeatureCollection", "features": [feature]}


def _import_layer(page: Page, live_server: str, layer: dict) -> None:
    token = map_config(page)["csrfToken"]
    answer = page.request.post(
        f"{live_server}/api/v1/obstacles/imports",
        multipart={
            "file": {
                "name": f"{SOURCE}.geojson",
                "mimeType": "application/geo+json",
                "buffer": json.dumps(layer).encode(),
            },
            "organization": "moncalieri",
            "source": SOURCE,
        },
        headers={**OURS, "X-CSRFToken": token},
    )
    assert answer.status == 201, answer.text()


def _delete_layer(page: Page, live_server: str) -> None:
    token = map_config(page)["csrfToken"]
    answer = page.request.delete(
        f"{live_server}/api/v1/obstacles?organization=moncalieri&source={SOURCE}",
        headers={**OURS, "X-CSRFToken": token},
    )
    assert answer.ok, answer.text()


def _parts(page: Page, camera_id: int) -> list[dict]:
    return page.evaluate("(id) => window.observoMap.cameras.sectorParts(id)", camera_id)


def test_a_clipped_camera_shows_what_it_sees_over_its_faint_sector(page, live_server):
    sign_in(page, live_server, EDITOR)
    camera = _unclipped_camera(page, live_server)
    lon, lat = camera["geometry"]["coordinates"]
    _open_map(page, live_server, f"lat={lat}&lng={lon}&z=18")
    assert page.locator("body").get_attribute("data-map-mode") == "points"
    assert _parts(page, camera["id"]) == [{"part": "sector", "polygons": 1}]

    _import_layer(page, live_server, _low_wall_across(camera))
    try:
        clipped = api_json(page, live_server, f"/api/v1/cameras/{camera['id']}")
        assert clipped["properties"]["fov_visible"]["type"] == "MultiPolygon"
        assert clipped["properties"]["version"] == camera["properties"]["version"]  # derived data
        # The next load redraws it although its version is the same: two layers, the visible area
        # being the two polygons either side of the wall's shadow.
        page.evaluate("window.observoMap.cameras.reloadNow()")
        page.wait_for_selector("body[data-map-state=ready]")
        assert _parts(page, camera["id"]) == [
            {"part": "sector-outline", "polygons": 1},
            {"part": "visible", "polygons": 2},
        ]
        # A camera in view that nothing clips: its sector alone, as before.
        shown = page.evaluate("window.observoMap.cameras.features()")
        plain = [f for f in shown if f["properties"].get("fov") and f["properties"]["fov_visible"] is None]
        assert plain, "another camera in view that nothing clips"
        for feature in plain:
            if _parts(page, feature["id"]):  # drawn (a direction nobody knows has no sector)
                assert _parts(page, feature["id"]) == [{"part": "sector", "polygons": 1}]

        # The panel says so, in Italian.
        page.locator(f".leaflet-marker-icon[title='{camera['properties']['name']}']").click()
        page.wait_for_selector("#panel[data-view=details]")
        expect(page.locator("#panel .fov-clipped")).to_contain_text("Campo visivo ridotto dagli edifici")
        expect(page.locator(".legend")).to_contain_text("Contorno tenue tratteggiato")
        assert_no_js_errors(page)
    finally:
        _delete_layer(page, live_server)

    # The layer gone, the visible area is recomputed (null again) and the plain sector comes back.
    assert api_json(page, live_server, f"/api/v1/cameras/{camera['id']}")["properties"]["fov_visible"] is None
    page.evaluate("window.observoMap.cameras.reloadNow()")
    page.wait_for_selector("body[data-map-state=ready]")
    assert _parts(page, camera["id"]) == [{"part": "sector", "polygons": 1}]
    assert page.locator("#panel .fov-clipped").count() == 1  # the panel opened before stays as it was
    page.locator(f".leaflet-marker-icon[title='{camera['properties']['name']}']").click()
    expect(page.locator("#panel .fov-clipped")).to_have_count(0)
    assert_no_js_errors(page)


def test_the_demo_buildings_clip_some_cameras_on_the_map(page, live_server):
    """The demo territory's generated buildings: some cameras in Moncalieri are drawn clipped."""
    sign_in(page, live_server, EDITOR)
    cameras = api_json(page, live_server, "/api/v1/cameras?owner=moncalieri&limit=1000")["features"]
    clipped = [c for c in cameras if c["properties"]["fov_visible"] is not None]
    assert clipped
    camera = clipped[0]
    lon, lat = camera["geometry"]["coordinates"]
    _open_map(page, live_server, f"lat={lat}&lng={lon}&z=18")
    assert [part["part"] for part in _parts(page, camera["id"])] == ["sector-outline", "visible"]
    # The buildings themselves, faint under the sectors, from Observo's own API.
    page.wait_for_function("() => window.observoMap.cameras.buildings.count() > 0")
    assert page.locator(".leaflet-buildings-pane canvas").count() == 1
    # Zoomed out below street level, they are gone.
    page.evaluate("() => { window.observoMap.map.setZoom(15); }")
    page.wait_for_function("() => window.observoMap.cameras.buildings.count() === 0")
    assert_no_js_errors(page)


def test_the_public_embed_draws_no_field_of_view_even_where_buildings_clip_it(page, live_server):
    responses: list = []
    page.on("response", lambda response: responses.append(response))
    page.goto(f"{live_server}/embed/moncalieri")
    page.wait_for_selector("#embed-map[data-state=ready]")
    page.wait_for_load_state("networkidle")
    # Neither the sector nor the visible area reach an anonymous caller, nor is anything drawn.
    api = [r for r in responses if r.url.startswith(f"{live_server}/api/v1/")]
    assert api
    for response in api:
        body = response.text()
        assert "fov_visible" not in body and '"fov"' not in body, response.url
    assert page.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas").count() == 0
    assert_no_js_errors(page)
