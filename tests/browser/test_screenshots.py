"""The pictures saved at every run in test-artifacts/: the map (map.png), the embed (embed.png), the
demo intervention on the map (intervention-map.png) and its brief (brief.png), on the demo territory."""

from __future__ import annotations

from observo.demo.territory_plans import INTERVENTION
from tests.browser.conftest import ARTIFACTS, EDITOR, VIEWER, assert_no_js_errors, sign_in

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
