"""The public embed as a municipal web site shows it: WCAG 2.1 A/AA (axe-core), a visible title, a
legend and the credits, and its cameras reachable and readable with the keyboard alone."""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import assert_no_js_errors

SLUG = "moncalieri"
NAME = "Comune di Moncalieri"
AROUND = "7.0,44.5,8.5,45.5"


def lone_camera(live_server: str) -> tuple[float, float, str]:
    """(lat, lon, name) of a public camera alone at its generalised position."""
    url = f"{live_server}/api/v1/cameras?owner={SLUG}&bbox={AROUND}&limit=1000"
    with urllib.request.urlopen(url) as answer:
        features = json.load(answer)["features"]
    count = Counter(tuple(feature["geometry"]["coordinates"]) for feature in features)
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        if count[(lon, lat)] == 1:
            return lat, lon, feature["properties"]["name"]
    raise AssertionError("the demo has a public camera of its own at its position")


@pytest.mark.parametrize(
    ("lang", "title", "camera_key", "credits"),
    [
        (
            "it",
            f"Telecamere pubbliche del {NAME}",
            "una telecamera (posizione approssimata)",
            f"Dati: {NAME}",
        ),
        ("en", f"Public cameras of {NAME}", "a camera (approximate position)", f"Data: {NAME}"),
    ],
)
def test_embed_has_title_legend_credits_and_no_violation(
    page: Page, live_server: str, lang: str, title: str, camera_key: str, credits: str
) -> None:
    page.goto(f"{live_server}/embed/{SLUG}?lang={lang}")
    page.wait_for_selector("#embed-map[data-state=ready]")
    expect(page.locator("h1.embed-title")).to_have_text(title)
    expect(page.locator("h1.embed-title")).to_be_visible()
    legend = page.locator("#embed-legend li")
    expect(legend).to_have_count(2)
    expect(legend.first).to_have_text(camera_key)
    expect(legend.first).to_be_visible()
    expect(page.locator(".embed-credits")).to_contain_text(credits)
    expect(page.locator(".embed-credits a.embed-brand")).to_be_visible()
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
    # Title, map and legend fit the frame: nothing to scroll to.
    assert page.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight")
    assert_accessible(page)
    assert_no_js_errors(page)


def test_small_embed_keeps_its_map_and_credits_inside_the_frame(page: Page, live_server: str) -> None:
    page.set_viewport_size({"width": 320, "height": 200})
    page.goto(f"{live_server}/embed/{SLUG}?height=200")
    page.wait_for_selector("#embed-map[data-state=ready]")
    assert page.locator("#embed-map").bounding_box()["height"] >= 90
    credits = page.locator(".embed-credits").bounding_box()
    assert credits["y"] + credits["height"] <= 200
    assert_accessible(page)


def test_camera_popup_by_keyboard_alone(page: Page, live_server: str) -> None:
    lat, lon, name = lone_camera(live_server)
    page.goto(f"{live_server}/embed/{SLUG}?center={lat},{lon}&zoom=19")
    page.wait_for_selector("#embed-map[data-state=ready]")
    marker = page.get_by_role("button", name=name, exact=True)
    for _ in range(12):  # the map, then its markers, come first in the tab order
        page.keyboard.press("Tab")
        if marker.evaluate("element => element === document.activeElement"):
            break
    expect(marker).to_be_focused()
    page.keyboard.press("Enter")
    heading = page.locator(".embed-popup .embed-popup-name")
    expect(heading).to_have_text(name)
    expect(heading).to_be_focused()  # a screen reader reads the details next
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(page.locator(".embed-popup")).to_have_count(0)
    expect(marker).to_be_focused()  # back where the reader was
    assert_no_js_errors(page)


def test_a_mouse_click_leaves_the_focus_alone(page: Page, live_server: str) -> None:
    lat, lon, name = lone_camera(live_server)
    page.goto(f"{live_server}/embed/{SLUG}?center={lat},{lon}&zoom=19")
    page.wait_for_selector("#embed-map[data-state=ready]")
    page.get_by_role("button", name=name, exact=True).click()
    expect(page.locator(".embed-popup .embed-popup-name")).to_have_text(name)
    expect(page.locator(".embed-popup .embed-popup-name")).not_to_be_focused()
    assert_no_js_errors(page)


def test_a_cluster_opens_by_keyboard_and_the_focus_stays_on_the_map(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/embed/{SLUG}")
    page.wait_for_selector("#embed-map[data-state=ready]")
    singles = page.locator(".embed-camera").count()
    cluster = page.locator(".marker-cluster[role=button]").first
    expect(cluster).to_have_accessible_name(re.compile(r"^\d+ telecamere$"))  # what the number counts
    for _ in range(12):
        page.keyboard.press("Tab")
        if cluster.evaluate("element => element === document.activeElement"):
            break
    expect(cluster).to_be_focused()
    page.keyboard.press("Enter")
    # Zoomed in or spread out: its cameras are now buttons of their own.
    page.wait_for_function("n => document.querySelectorAll('.embed-camera').length > n", arg=singles)
    page.wait_for_selector("#embed-map[data-state=ready]")
    assert page.evaluate("() => document.getElementById('embed-map').contains(document.activeElement)")
    assert_no_js_errors(page)
