"""The owners' pages as pictures in test-artifacts/ (docs/owners.md, "Screenshots"), taken on the demo's
registered owners (demo/territory_owners.py), in Italian: the owner's home (owner-home.png), the camera
form changing an approved camera (owner-camera-form.png), a footage request with its answer
(owner-request.png), and Moncalieri's verification queue (verifications.png)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from observo.cli import DEMO_PASSWORD
from observo.demo.territory_owners import DEMO_OWNER_EMAIL, OWNERS, REQUESTS
from tests.browser.conftest import ARTIFACTS, EDITOR, assert_no_js_errors, sign_in

PASTRY_SHOP = next(spec for spec in OWNERS if spec["email"] == DEMO_OWNER_EMAIL)
WAITING = next(spec for spec in OWNERS if spec["pending"])
ANSWERED_PROTOCOL = next(protocol for _, _, protocol, answer, _ in REQUESTS if answer)


def _picture(page: Page, name: str, minimum: int = 10_000) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > minimum


def test_owner_screenshots(page, live_server):
    page.set_viewport_size({"width": 1100, "height": 800})
    page.goto(f"{live_server}/proprietari/accedi")
    page.fill("#email", DEMO_OWNER_EMAIL)
    page.fill("#password", DEMO_PASSWORD)
    page.click("form.owner-form button[type=submit]")
    page.wait_for_url(f"{live_server}/proprietari/")
    expect(page.locator("#owner-cameras li")).to_have_count(len(PASTRY_SHOP["approved"]))
    _picture(page, "owner-home.png")

    first = PASTRY_SHOP["approved"][0]["name"]
    page.locator("#owner-cameras li", has_text=first).locator("a.camera-change").click()
    expect(page.locator("#camera-map")).to_have_attribute("data-placed", "yes")
    expect(page.locator("path.owner-sector")).to_have_count(1)
    expect(page.locator("#camera-map img.leaflet-tile-loaded").first).to_be_visible()
    _picture(page, "owner-camera-form.png")

    page.goto(f"{live_server}/proprietari/richieste")
    page.locator("table.owner-requests tr", has_text=ANSWERED_PROTOCOL).locator("a").click()
    expect(page.locator("ol.answers li")).to_have_count(1)
    _picture(page, "owner-request.png")
    assert_no_js_errors(page)


def test_verification_queue_screenshot(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, EDITOR, then="/verifiche")
    card = page.locator("section.verification", has_text=WAITING["organisation_name"])
    expect(card.locator(".verification-map path.leaflet-interactive").first).to_be_visible()  # drawn
    expect(card.locator(".verification-map img.leaflet-tile-loaded").first).to_be_visible()
    _picture(page, "verifications.png")
    assert_no_js_errors(page)
