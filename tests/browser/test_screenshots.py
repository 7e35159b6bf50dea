"""The two pictures of the map and the embed, saved at every run (test-artifacts/map.png and
test-artifacts/embed.png): what an officer and a citizen see on the demo territory."""

from __future__ import annotations

from tests.browser.conftest import ARTIFACTS, EDITOR, assert_no_js_errors, sign_in

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
