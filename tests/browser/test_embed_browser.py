"""The public embed in a real browser: public cameras only, no sectors, no cookie, in the asked language."""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter

from babel.support import Translations
from playwright.sync_api import expect

from observo.http.i18n import TRANSLATIONS_DIR
from tests.browser.conftest import EDITOR, assert_no_js_errors, sign_in

SLUG = "moncalieri"
NAME = "Comune di Moncalieri"
AROUND = "7.0,44.5,8.5,45.5"  # Moncalieri and far beyond: every public camera it owns
RESTRICTED = (
    "fov",
    "bearing_deg",
    "hfov_deg",
    "range_m",
    "status",
    "visibility",
    "footage_contact",
    "footage_contact_name",
    "retention_hours",
    "last_verified_on",
    "address",
)
RESTRICTED_KEY = re.compile('"(' + "|".join(RESTRICTED) + r')"\s*:')


def public_cameras(live_server: str) -> list[dict]:
    url = f"{live_server}/api/v1/cameras?owner={SLUG}&bbox={AROUND}&limit=1000"
    with urllib.request.urlopen(url) as answer:
        return json.load(answer)["features"]


def record_responses(page) -> list:
    responses: list = []
    page.on("response", lambda response: responses.append(response))
    return responses


def shown_markers(page) -> int:
    """Single markers plus the cameras each cluster stands for."""
    clustered = page.eval_on_selector_all(
        ".marker-cluster span[aria-hidden]", "spans => spans.reduce((n, s) => n + Number(s.textContent), 0)"
    )
    return page.locator(".embed-camera").count() + clustered


def keys_of(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_of(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_of(item)}
    return set()


def assert_nothing_restricted_or_cookie(responses, live_server: str) -> None:
    ours = [response for response in responses if response.url.startswith(live_server)]
    assert any("/api/v1/cameras?" in response.url for response in ours)
    for response in ours:
        assert "set-cookie" not in response.all_headers(), response.url
        body = response.text()
        assert not RESTRICTED_KEY.search(body), (response.url, RESTRICTED_KEY.search(body).group(0))
        if "/api/v1/" in response.url:
            assert "credentials" not in body
            assert not keys_of(json.loads(body)) & set(RESTRICTED), response.url


def italian(msgid: str, **values: str) -> str:
    """The catalogue's Italian for `msgid` (the English while it has none yet)."""
    return Translations.load(str(TRANSLATIONS_DIR), ["it"]).gettext(msgid) % values


def test_embed_shows_only_public_cameras_and_no_sectors(page, live_server):
    responses = record_responses(page)
    page.goto(f"{live_server}/embed/{SLUG}")
    page.wait_for_selector("#embed-map[data-state=ready]")
    expected = public_cameras(live_server)
    assert expected, "the demo gives Moncalieri public cameras"
    assert page.get_attribute("#embed-map", "data-cameras") == str(len(expected))
    assert shown_markers(page) == len(expected)
    # no field-of-view sector drawn, in SVG or on a canvas
    assert page.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas").count() == 0
    page.wait_for_load_state("networkidle")
    assert_nothing_restricted_or_cookie(responses, live_server)
    assert page.context.cookies() == []
    assert page.locator("form, .bar, nav").count() == 0  # minimal chrome: the map alone
    assert_no_js_errors(page)


def test_embed_asks_the_api_without_credentials_even_when_signed_in(page, live_server):
    sign_in(page, live_server, EDITOR)
    cookies = page.context.cookies()
    requests: list = []
    page.on("request", lambda request: requests.append(request))
    page.goto(f"{live_server}/embed/{SLUG}?lang=en")
    page.wait_for_selector("#embed-map[data-state=ready]")
    api = [request for request in requests if f"/api/v1/cameras?owner={SLUG}&" in request.url]
    assert api and all("cookie" not in request.all_headers() for request in api)
    assert page.get_attribute("#embed-map", "data-cameras") == str(len(public_cameras(live_server)))
    assert page.context.cookies() == cookies  # the session was neither refreshed nor changed
    assert_no_js_errors(page)


def test_embed_speaks_italian_unless_asked_for_english(page, live_server):
    single = Counter(tuple(f["geometry"]["coordinates"]) for f in public_cameras(live_server))
    lon, lat = next(position for position, count in single.items() if count == 1)
    for lang, title, type_label in (
        ("it", italian("Public cameras %(of_name)s", of_name=f"del {NAME}"), "Tipo"),
        ("en", f"Public cameras of {NAME}", "Type"),
    ):
        query = f"center={lat},{lon}&zoom=19" + ("&lang=en" if lang == "en" else "")
        page.goto(f"{live_server}/embed/{SLUG}?{query}")
        page.wait_for_selector("#embed-map[data-state=ready]")
        assert page.get_attribute("html", "lang") == lang
        assert page.title() == title
        page.locator(".embed-camera").first.click()
        assert page.locator(".embed-popup dt").first.inner_text() == type_label
    assert_no_js_errors(page)


def test_share_page_updates_snippet_and_preview(page, live_server):
    sign_in(page, live_server, EDITOR, then=f"/organizations/{SLUG}/embed")
    snippet = page.locator("#embed-snippet")
    assert f"/embed/{SLUG}?height=500&amp;lang=it" in snippet.input_value()
    page.fill("#embed-height", "320")
    page.select_option("#embed-zoom", "14")
    page.select_option("#embed-lang", "en")
    assert f"/embed/{SLUG}?height=320&amp;zoom=14&amp;lang=en" in snippet.input_value()
    assert (
        'height="320"' in snippet.input_value()
        and f'title="Public cameras of {NAME}"' in snippet.input_value()
    )
    preview = page.frame_locator("#embed-preview")
    expect(page.locator("#embed-preview")).to_have_attribute("src", re.compile(r"zoom=14&lang=en$"))
    preview.locator("#embed-map[data-state=ready]").wait_for()
    assert preview.locator("html[lang=en]").count() == 1
    assert_no_js_errors(page)
