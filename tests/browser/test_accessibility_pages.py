"""WCAG 2.1 A/AA on the pages outside the map: axe-core finds no violation, in their usual states and
their error states, and the keyboard alone gets through them (the map's own checks are in its tests)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from observo.cli import DEMO_PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.conftest import ADMIN, EDITOR, assert_no_js_errors, sign_in

SLUG = "moncalieri"


def test_login_page_and_its_error(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/login")
    assert_accessible(page)
    page.fill("#email", EDITOR)
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_be_visible()
    assert_accessible(page)
    assert_no_js_errors(page)


def test_login_by_keyboard_alone_after_the_skip_link(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/login?next=/cameras")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["x"] >= 0  # shown on screen once focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # from the main landmark: the first field of the form
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.type(EDITOR)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/cameras*")
    assert_no_js_errors(page)


def test_camera_list_and_card(page: Page, live_server: str) -> None:
    sign_in(page, live_server, EDITOR, then="/cameras")
    assert_accessible(page)
    page.goto(f"{live_server}/cameras?municipality=12&limit=7")  # two invalid filters
    expect(page.locator(".problems[role=alert]")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server}/cameras")
    page.locator("table.cameras tbody th a").first.click()
    page.wait_for_url(f"{live_server}/cameras/*")
    assert_accessible(page)
    assert_no_js_errors(page)


def test_camera_filters_by_keyboard(page: Page, live_server: str) -> None:
    sign_in(page, live_server, EDITOR, then="/cameras")
    code = page.locator("table.cameras tbody th a").first.inner_text()
    page.focus("#f-q")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/cameras?*q={code}*")
    expect(page.locator("#f-q")).to_have_value(code)
    expect(page.locator("table.cameras tbody th a")).to_have_text([code])
    # The table's scrolling box takes the focus, so the keyboard can scroll it sideways.
    region = page.locator(".table-scroll[role=region]")
    region.focus()
    expect(region).to_be_focused()
    assert_no_js_errors(page)


def test_interventions_list_and_page(page: Page, live_server: str) -> None:
    sign_in(page, live_server, EDITOR, then="/interventions")
    assert_accessible(page)
    rows = page.locator("table.interventions tbody tr")
    confirmed = rows.filter(has=page.locator("td.links a", has_text="PDF"))  # computed: the full page
    assert confirmed.count() > 0, "the demo has a confirmed intervention"
    confirmed.first.locator("th a").click()
    page.wait_for_url(f"{live_server}/interventions/*")
    assert_accessible(page)
    # Each target's map has the brief's key: colour is never the only cue.
    key = page.locator("figure.map").first.locator("figcaption.map-key .key")
    expect(key).to_have_count(5)
    expect(key.nth(2)).to_have_text("zone scoperte (G1 = la più ampia)")
    # A request without an owner comes back with its message, still accessible.
    page.evaluate(
        "() => { const owner = document.querySelector('#p-owner');"
        " owner.removeAttribute('required'); owner.selectedIndex = -1; }"
    )
    page.locator("form.preservation-form button[type=submit]").click()
    expect(page.locator(".problems[role=alert]")).to_be_visible()
    assert_accessible(page)
    assert_no_js_errors(page)


def test_statistics_page(page: Page, live_server: str) -> None:
    sign_in(page, live_server, EDITOR, then="/stats")
    assert_accessible(page)
    assert_no_js_errors(page)


def test_embed_missing_organisation(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/embed/nowhere")
    assert_accessible(page)


def test_share_page_with_its_preview(page: Page, live_server: str) -> None:
    sign_in(page, live_server, EDITOR, then=f"/organizations/{SLUG}/embed")
    page.frame_locator("#embed-preview").locator("#embed-map[data-state=ready]").wait_for()
    assert_accessible(page)  # the preview's frame included
    # Every option and the copy button by keyboard.
    page.focus("#embed-height")
    page.keyboard.press("Control+A")
    page.keyboard.type("320")
    page.keyboard.press("Tab")
    expect(page.locator("#embed-zoom")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#embed-lang")).to_be_focused()
    assert "height=320" in page.locator("#embed-snippet").input_value()
    page.focus("#embed-copy")
    page.keyboard.press("Enter")
    expect(page.locator("#embed-copy-status")).not_to_be_empty()
    assert_no_js_errors(page)


def test_origins_page_and_its_errors_by_keyboard(page: Page, live_server: str) -> None:
    sign_in(page, live_server, ADMIN, then=f"/organizations/{SLUG}/embed")
    page.get_by_role("link", name="Cambia i siti autorizzati a mostrare la mappa").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/organizations/{SLUG}/embed/origins")
    assert_accessible(page)
    field = page.locator("#origins")
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("https://www.comune.example.it/mappa")
    page.keyboard.press("Tab")
    expect(page.locator("form.origins-form button[type=submit]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".problems[role=alert]")).to_contain_text("Riga 1")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    field.fill("https://www.comune.example.it")
    page.locator("form.origins-form button[type=submit]").click()
    expect(page.locator("p.saved[role=status]")).to_be_visible()
    expect(field).to_have_value("https://www.comune.example.it")
    assert_accessible(page)
    # Leave the demo as it was for the other browser tests.
    field.fill("")
    page.locator("form.origins-form button[type=submit]").click()
    expect(page.locator("p.saved[role=status]")).to_be_visible()
    assert_no_js_errors(page)


def test_pages_in_english_on_a_phone(page: Page, live_server: str) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server}/login?lang=en")
    assert page.get_attribute("html", "lang") == "en"
    assert_accessible(page)
    sign_in(page, live_server, EDITOR, then="/cameras")
    for path in ("/cameras", "/interventions", "/stats", f"/organizations/{SLUG}/embed"):
        page.goto(f"{live_server}{path}?lang=en")
        assert page.get_attribute("html", "lang") == "en"
        assert_accessible(page)
    assert_no_js_errors(page)
