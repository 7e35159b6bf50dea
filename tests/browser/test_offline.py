"""Issue 18, section 1: the pages work on a network that reaches nothing but Observo.

Unlike the other browser tests, nothing stands in for the CDN or the tile server here: every request
that leaves 127.0.0.1 is refused. With the default settings the pages fall back to the copies
shipped in the package; with OBSERVO_ASSETS=local and an MBTiles file they never even try to leave.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import math
import re
import sqlite3
import struct
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import flask_migrate
import pytest
from babel.support import Translations
from playwright.sync_api import Browser, Page, Request, Route, expect
from werkzeug.serving import make_server

from observo.cli import DEMO_PASSWORD
from observo.extensions import db
from observo.http.i18n import TRANSLATIONS_DIR
from observo.services.demo import seed_demo
from observo.settings import PROJECT_ROOT
from tests.browser.conftest import VIEWER, sign_in
from tests.conftest import make_app

SLUG = "moncalieri"
# Around Moncalieri (lon, lat): the local tile file covers it from zoom 0 to 14.
AREA = (7.55, 44.9, 7.8, 45.1)
TILE_ZOOMS = range(15)
MISSING_NOTICE = (
    "Some of this page's scripts could not be loaded, neither from the internet nor from this "
    "server, so the page cannot work. Reload it; if it happens again, tell the administrator "
    "(Observo's guide: docs/offline.md)."
)


def _ensure_vendored() -> None:
    """The vendor folder as `make setup` builds it (from node_modules, no network)."""
    spec = importlib.util.spec_from_file_location("vendor_assets", PROJECT_ROOT / "scripts/vendor_assets.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    if script.main(["--check"]) != 0:
        assert script.main([]) == 0


def _png(rgb: tuple[int, int, int]) -> bytes:
    """A one-pixel PNG (Leaflet stretches it over the tile)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" + bytes(rgb)))
        + chunk(b"IEND", b"")
    )


def _tile_xy(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    n = 2**zoom
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(x, n - 1), min(y, n - 1)


def write_mbtiles(path: Path) -> int:
    """An MBTiles 1.3 file of plain tiles over AREA; the number of tiles."""
    tile = _png((0xE8, 0xE4, 0xD8))
    count = 0
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        conn.execute(
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)"
        )
        conn.executemany(
            "INSERT INTO metadata VALUES (?, ?)",
            [("name", "Moncalieri (test)"), ("format", "png"), ("minzoom", "0"), ("maxzoom", "14")],
        )
        for zoom in TILE_ZOOMS:
            west, north = _tile_xy(AREA[0], AREA[3], zoom)
            east, south = _tile_xy(AREA[2], AREA[1], zoom)
            for x in range(west, east + 1):
                for y in range(north, south + 1):
                    conn.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (zoom, x, 2**zoom - 1 - y, tile))
                    count += 1
    conn.close()
    return count


@pytest.fixture(scope="module")
def vendored() -> None:
    _ensure_vendored()


@pytest.fixture(scope="module")
def local_server(vendored: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Observo as a closed network runs it: OBSERVO_ASSETS=local and its own MBTiles file."""
    tmp = tmp_path_factory.mktemp("offline")
    write_mbtiles(tmp / "base.mbtiles")
    app = make_app(
        f"sqlite:///{tmp}/observo.sqlite",
        tmp,
        session_cookie_secure=False,
        ratelimit_enabled=False,
        assets="local",
        tile_mbtiles=tmp / "base.mbtiles",
    )
    with app.app_context():
        flask_migrate.upgrade()
        seed_demo(db.session, DEMO_PASSWORD)
        db.session.commit()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@dataclass
class Traffic:
    refused: list[str] = field(default_factory=list)  # requests that tried to leave 127.0.0.1
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    answered: list[tuple[str, int]] = field(default_factory=list)  # Observo's answers

    def script_errors(self) -> list[str]:
        """Errors other than the refused requests themselves (Chromium logs each one)."""
        return [error for error in self.errors if "Failed to load resource: net::ERR_FAILED" not in error]


def _closed_network(browser: Browser, also_refuse: str = "") -> Iterator[tuple[Page, Traffic]]:
    """A tab whose network reaches 127.0.0.1 only (and, with `also_refuse`, not those paths), in an
    Italian browser (the API docs follow Accept-Language)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="it-IT")
    traffic = Traffic()

    def route(route: Route) -> None:
        url = route.request.url
        local = url.startswith(("http://127.0.0.1:", "data:", "blob:"))
        if local and not (also_refuse and also_refuse in url):
            route.continue_()
        else:
            traffic.refused.append(url)
            route.abort()

    context.route("**/*", route)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.on("pageerror", lambda error: traffic.errors.append(f"page error: {error}"))
    tab.on("console", lambda msg: traffic.errors.append(msg.text) if msg.type == "error" else None)

    def answered(request: Request) -> None:
        response = request.response() if request.url.startswith("http://127.0.0.1:") else None
        if response is not None:
            traffic.answered.append((request.url, response.status))

    tab.on("requestfinished", answered)
    yield tab, traffic
    context.close()


@pytest.fixture
def closed(browser: Browser, vendored: None) -> Iterator[tuple[Page, Traffic]]:
    yield from _closed_network(browser)


@pytest.fixture
def closed_no_vendor(browser: Browser, vendored: None) -> Iterator[tuple[Page, Traffic]]:
    yield from _closed_network(browser, also_refuse="/vendor/")


def _served_locally(traffic: Traffic, *paths: str) -> None:
    for path in paths:
        assert any(path in url and status == 200 for url, status in traffic.answered), path


# --- default settings: the CDN first, the shipped copies when it cannot be reached ---


def test_map_falls_back_to_the_shipped_scripts(closed, live_server):
    page, traffic = closed
    sign_in(page, live_server, VIEWER)
    page.wait_for_selector("body[data-map-state=ready]")
    assert page.evaluate("typeof L.MarkerClusterGroup === 'function' && typeof L.PM === 'object'")
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()
    assert any(url.startswith("https://cdn.jsdelivr.net/npm/leaflet@1.9.4/") for url in traffic.refused)
    _served_locally(
        traffic, "/vendor/leaflet@1.9.4/dist/leaflet.js", "/vendor/leaflet@1.9.4/dist/leaflet.css"
    )
    assert page.locator("#asset-failure").count() == 0
    assert traffic.script_errors() == []


def test_embed_falls_back_to_the_shipped_scripts(closed, live_server):
    page, traffic = closed
    page.goto(f"{live_server}/embed/{SLUG}")
    page.wait_for_selector("#embed-map[data-state=ready]")
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()
    _served_locally(traffic, "/vendor/leaflet.markercluster@1.5.3/dist/leaflet.markercluster.js")
    assert page.locator("#asset-failure").count() == 0
    assert traffic.script_errors() == []


def test_api_docs_fall_back_to_the_shipped_swagger_ui(closed, live_server):
    page, traffic = closed
    page.goto(f"{live_server}/api/v1/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert any("swagger-ui-dist@5.17.14" in url for url in traffic.refused)
    _served_locally(traffic, "/vendor/swagger-ui-dist@5.17.14/swagger-ui-bundle.js")
    assert traffic.script_errors() == []


def test_a_page_says_so_when_its_scripts_load_from_nowhere(closed_no_vendor, live_server):
    page, _traffic = closed_no_vendor
    italian = Translations.load(str(TRANSLATIONS_DIR), ["it"]).gettext(MISSING_NOTICE)
    assert italian != MISSING_NOTICE, "the notice has an Italian translation"
    sign_in(page, live_server, VIEWER)
    for path, text in (
        (f"/embed/{SLUG}?lang=it", italian),
        ("/map", italian),
        ("/api/v1/docs", italian),
        (f"/embed/{SLUG}?lang=en", MISSING_NOTICE),
    ):
        page.goto(f"{live_server}{path}")
        notice = page.locator("#asset-failure")
        expect(notice).to_be_visible()
        expect(notice).to_have_text(text)
        expect(notice).to_have_attribute("role", "alert")
        assert notice.bounding_box()["height"] > 20, path  # on screen, not squeezed under the map


# --- OBSERVO_ASSETS=local and an MBTiles file: nothing even tries to leave ---


def test_local_mode_map_never_leaves_the_server(closed, local_server):
    page, traffic = closed
    sign_in(page, local_server, VIEWER)
    page.wait_for_selector("body[data-map-state=ready]")
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()
    with page.expect_response(lambda answer: "/tiles/base/13/" in answer.url and answer.status == 200):
        page.evaluate("window.observoMap.map.setView([45.0, 7.68], 13)")
    page.wait_for_selector("body[data-map-state=ready]")
    assert traffic.refused == [] and traffic.errors == []


def test_local_mode_embed_and_docs_never_leave_the_server(closed, local_server):
    page, traffic = closed
    page.goto(f"{local_server}/embed/{SLUG}")
    page.wait_for_selector("#embed-map[data-state=ready]")
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()
    page.goto(f"{local_server}/api/v1/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert traffic.refused == [] and traffic.errors == []


# --- a mirror of the CDN on the closed network (README: what it must send) ---


@dataclass
class Mirror:
    url: str
    cors: bool = True  # send Access-Control-Allow-Origin, as a CDN does


@pytest.fixture(scope="module")
def mirror() -> Iterator[Mirror]:
    """A static server of the npm packages in the CDN's layout: <package>@<version>/<path>."""
    state = Mirror(url="")
    layout = re.compile(r"^/npm/((?:@[^/]+/)?[^@/]+)@([^/]+)/(.+)$")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            match = layout.match(self.path)
            root = PROJECT_ROOT / "node_modules" / (match.group(1) if match else "-")
            file = (root / match.group(3)).resolve() if match else root
            version = json.loads((root / "package.json").read_text())["version"] if match else ""
            if not match or version != match.group(2) or not file.is_file() or root not in file.parents:
                self.send_error(404)
                return
            body = file.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/css" if file.suffix == ".css" else "text/javascript")
            if state.cors:
                self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state
    server.shutdown()


@pytest.fixture(scope="module")
def mirrored_server(
    vendored: None, mirror: Mirror, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Observo with OBSERVO_CDN_BASE_URL at the mirror (no data: the API docs page needs none)."""
    tmp = tmp_path_factory.mktemp("mirrored")
    app = make_app(f"sqlite:///{tmp}/observo.sqlite", tmp, cdn_base_url=f"{mirror.url}/npm")
    with app.app_context():
        flask_migrate.upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_cdn_mirror_that_sends_cors_headers_serves_the_pages(closed, mirror, mirrored_server):
    page, traffic = closed
    mirror.cors = True
    page.goto(f"{mirrored_server}/api/v1/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    _served_locally(traffic, f"{mirror.url}/npm/swagger-ui-dist@5.17.14/swagger-ui-bundle.js")
    assert not any("/vendor/" in url for url, _status in traffic.answered)
    assert traffic.refused == [] and traffic.errors == []


def test_a_plain_static_mirror_is_refused_and_the_shipped_copies_step_in(closed, mirror, mirrored_server):
    page, traffic = closed
    mirror.cors = False
    try:
        page.goto(f"{mirrored_server}/api/v1/docs")
        expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    finally:
        mirror.cors = True
    _served_locally(traffic, "/vendor/swagger-ui-dist@5.17.14/swagger-ui-bundle.js")
    # The browser refuses the mirror's files (crossorigin="anonymous" without CORS): what the
    # README's old advice ran into.
    assert traffic.errors and all(
        "CORS policy" in error or "Failed to load" in error for error in traffic.errors
    )
