"""The pictures saved at every run in test-artifacts/: the map (map.png), the embed (embed.png), the
demo intervention on the map (intervention-map.png) and its brief (brief.png), a street corner
without and with the demo buildings (corner-before.png, corner-after.png), on the demo territory."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from PIL import Image, ImageChops
from playwright.sync_api import expect
from shapely.geometry import shape

from observo.demo.territory_buildings import SOURCE as BUILDINGS_SOURCE
from observo.demo.territory_buildings import demo_building_layers
from observo.demo.territory_places import TOWNS
from observo.demo.territory_plans import INTERVENTION
from tests.browser.conftest import (
    ADMIN,
    ARTIFACTS,
    EDITOR,
    OURS,
    VIEWER,
    api_json,
    assert_no_js_errors,
    map_config,
    sign_in,
)

# Piazza Vittorio Emanuele II, Moncalieri: street zoom, sectors drawn.
MONCALIERI_CENTRE = "lat=45.00078&lng=7.68506&z=17"


def test_map_screenshot(page, live_server):
    sign_in(page, live_server, EDITOR)
    page.goto(f"{live_server}/map?{MONCALIERI_CENTRE}")
    page.wait_for_selector("body[data-map-state=ready][data-map-mode=points]")
    page.locator(".leaflet-marker-icon.cam").first.click()
    page.wait_for_selector("#panel[data-view=details]")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map.png"))
    assert (ARTIFACTS / "map.png").stat().st_size > 10_000
    assert_no_js_errors(page)


def test_embed_screenshot(page, live_server):
    page.set_viewport_size({"width": 800, "height": 500})
    page.goto(f"{live_server}/embed/moncalieri?height=500")
    page.wait_for_selector(".leaflet-marker-icon")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "embed.png"))
    assert (ARTIFACTS / "embed.png").stat().st_size > 5_000
    assert_no_js_errors(page)


def _demo_intervention_id(page, live_server) -> int:
    ours = {"X-Requested-With": "observo"}  # as the map's calls (issue 15, class 4)
    listed = page.request.get(f"{live_server}/api/v1/interventions", headers=ours).json()
    return next(item["id"] for item in listed if item["title"] == INTERVENTION["title"])


def test_intervention_screenshots(page, live_server):
    """The pact's demo plan on the map, as Nichelino's control room opens it, and its printed brief."""
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server, VIEWER)
    intervention_id = _demo_intervention_id(page, live_server)
    page.goto(f"{live_server}/map?intervention={intervention_id}")
    page.wait_for_selector("#panel[data-view=intervention]")
    page.wait_for_selector("path.intervention-target")
    page.wait_for_timeout(600)  # the fit to the targets animates the zoom: let it end before the picture
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "intervention-map.png"))
    assert (ARTIFACTS / "intervention-map.png").stat().st_size > 10_000
    assert_no_js_errors(page)
    page.goto(f"{live_server}/api/v1/interventions/{intervention_id}/brief?lang=it")
    page.wait_for_selector("svg")
    page.screenshot(path=str(ARTIFACTS / "brief.png"), full_page=True)
    assert (ARTIFACTS / "brief.png").stat().st_size > 10_000
    assert_no_js_errors(page)


def _corner_camera(page, live_server) -> dict:
    """A demo camera at a street corner: buildings hide part of its sector (a fixed camera of a town
    that sees between half and nine tenths of its sector), alone on its spot; the first by ref."""
    cameras = api_json(page, live_server, "/api/v1/cameras?limit=1000")["features"]
    spots = Counter(tuple(c["geometry"]["coordinates"]) for c in cameras)

    def seen(camera: dict) -> float:
        return shape(camera["properties"]["fov_visible"]).area / shape(camera["properties"]["fov"]).area

    corners = [
        c
        for c in cameras
        if c["properties"]["owner"] in TOWNS
        and c["properties"]["camera_type"] == "fixed"
        and c["properties"]["fov_visible"] is not None
        and spots[tuple(c["geometry"]["coordinates"])] == 1
        and 0.5 <= seen(c) <= 0.9
    ]
    return min(corners, key=lambda c: c["properties"]["ref"])


def _pixels_differing(first: Path, second: Path) -> int:
    with Image.open(first) as a, Image.open(second) as b:
        difference = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L")
        return sum(count for value, count in enumerate(difference.histogram()) if value > 16)


def test_street_corner_before_and_after_the_buildings(page, live_server):
    """The same street corner at zoom 18 without the town's demo buildings (corner-before.png: the
    whole sector) and with them (corner-after.png: what the camera sees, the sector faint behind)."""
    sign_in(page, live_server, ADMIN)
    camera = _corner_camera(page, live_server)
    town = camera["properties"]["owner"]
    lon, lat = camera["geometry"]["coordinates"]
    middle = shape(camera["properties"]["fov"]).centroid
    view = f"lat={(lat + middle.y) / 2:.6f}&lng={(lon + middle.x) / 2:.6f}&z=18&camera={camera['id']}"
    token = map_config(page)["csrfToken"]
    layer = f"{live_server}/api/v1/obstacles?organization={town}&source={BUILDINGS_SOURCE}"
    ARTIFACTS.mkdir(exist_ok=True)
    before, after = ARTIFACTS / "corner-before.png", ARTIFACTS / "corner-after.png"

    deleted = page.request.delete(layer, headers={**OURS, "X-CSRFToken": token})
    try:
        assert deleted.ok and deleted.json()["deleted"] > 0, deleted.text()
        _open_corner(page, live_server, view)
        assert page.evaluate("(id) => window.observoMap.cameras.sectorParts(id)", camera["id"]) == [
            {"part": "sector", "polygons": 1}
        ]
        assert page.evaluate("window.observoMap.cameras.buildings.count()") == 0
        page.screenshot(path=str(before))
    finally:
        buildings = json.dumps(demo_building_layers()[town]).encode()
        imported = page.request.post(
            f"{live_server}/api/v1/obstacles/imports",
            multipart={
                "file": {
                    "name": f"{BUILDINGS_SOURCE}.geojson",
                    "mimeType": "application/geo+json",
                    "buffer": buildings,
                },
                "organization": town,
                "source": BUILDINGS_SOURCE,
            },
            headers={**OURS, "X-CSRFToken": token},
        )
        assert imported.status == 201, imported.text()

    _open_corner(page, live_server, view)
    parts = page.evaluate("(id) => window.observoMap.cameras.sectorParts(id)", camera["id"])
    assert [part["part"] for part in parts] == ["sector-outline", "visible"]
    expect(page.locator("#panel .fov-clipped")).to_be_visible()
    page.wait_for_function("() => window.observoMap.cameras.buildings.count() > 0")
    page.wait_for_timeout(300)
    page.screenshot(path=str(after))
    assert _pixels_differing(before, after) > 500
    assert_no_js_errors(page)


def _open_corner(page, live_server, view: str) -> None:
    page.goto(f"{live_server}/map?{view}")
    page.wait_for_selector("body[data-map-state=ready][data-map-mode=points]")
    page.wait_for_selector("#panel[data-view=details]")
    page.wait_for_timeout(300)  # the canvas draws on the next frame
