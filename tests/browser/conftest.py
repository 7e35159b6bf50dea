"""A real browser against a live Observo: Debian's Chromium driven by Playwright.

The server runs in a thread on the demo territory (SpatiaLite, seeded as `make run` does). The
browser has no internet: the pinned CDN files are served from the npm packages the setup installs,
tiles are one blank PNG, anything else off the live server is refused. A failing test leaves a
screenshot in test-artifacts/; JavaScript errors fail the test that caused them.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator

import flask_migrate
import pytest
from playwright.sync_api import Browser, Page, Playwright, Route, sync_playwright
from werkzeug.serving import make_server

from observo.cli import DEMO_PASSWORD
from observo.extensions import db
from observo.services.demo import seed_demo
from observo.settings import PROJECT_ROOT, Settings
from tests.conftest import make_app
from tests.mail_server import Inbox, smtp_server

CHROMIUM = os.environ.get("OBSERVO_TEST_CHROMIUM", "/usr/bin/chromium")
NODE_MODULES = PROJECT_ROOT / "node_modules"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CDN = Settings().cdn_base_url
TILE_HOST = "https://tile.openstreetmap.org"
# A 1x1 transparent PNG stands in for every map tile.
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
# As the environment's notes say: without these, Chromium phones home and its connections are refused.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EDITOR = "agente@moncalieri.example.it"  # editor, Moncalieri (pact "Tutta mia la Città")
VIEWER = "sala.operativa@nichelino.example.it"  # viewer, Nichelino
ADMIN = "admin@observo.example"
_CONTENT_TYPES = {".js": "application/javascript", ".css": "text/css", ".png": "image/png"}


@pytest.fixture(scope="session")
def mail_inbox() -> Iterator[Inbox]:
    """What the live server mails (owners' links and notices): a real SMTP server on 127.0.0.1."""
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, mail_inbox: Inbox) -> Iterator[str]:
    """Base URL of Observo serving the demo territory on SpatiaLite; its mail goes to `mail_inbox`."""
    tmp = tmp_path_factory.mktemp("browser")
    app = make_app(
        f"sqlite:///{tmp}/observo.sqlite",
        tmp,
        session_cookie_secure=False,
        ratelimit_enabled=False,
        smtp_url=mail_inbox.url,
    )
    with app.app_context():
        flask_migrate.upgrade()
        seed_demo(db.session, DEMO_PASSWORD)
        db.session.commit()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request drowns failures
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


_PLAYWRIGHT: list[Playwright] = []  # one per process: a second sync_playwright() cannot start


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    """Shared with the folders that import these fixtures (tests/security) when run in one process."""
    if _PLAYWRIGHT:
        yield _PLAYWRIGHT[0]
        return
    with sync_playwright() as playwright:
        _PLAYWRIGHT.append(playwright)
        yield playwright
        _PLAYWRIGHT.clear()


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    chromium = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


def _serve_from_npm(route: Route) -> None:
    """https://<cdn>/<package>@<version>/<path> -> node_modules/<package>/<path> (same version)."""
    match = re.match(rf"{re.escape(CDN)}/((?:@[^/]+/)?[^@/]+)@([^/]+)/(.+)$", route.request.url)
    if match is None:
        route.abort()
        return
    package, version, path = match.groups()
    root = NODE_MODULES / package
    installed = json.loads((root / "package.json").read_text())["version"]
    file = (root / path).resolve()
    if installed != version or not file.is_file() or root.resolve() not in file.parents:
        route.fulfill(status=404, body=f"not in node_modules: {package}@{version}/{path}")
        return
    content_type = _CONTENT_TYPES.get(file.suffix, "application/octet-stream")
    route.fulfill(
        status=200,
        body=file.read_bytes(),
        headers={"Content-Type": content_type, "Access-Control-Allow-Origin": "*"},
    )


def _refuse_outside(live_url: str) -> Callable[[Route], None]:
    def handle(route: Route) -> None:
        url = route.request.url
        if url.startswith(live_url) or url.startswith(("data:", "blob:")):
            route.continue_()
        elif url.startswith(CDN):
            _serve_from_npm(route)
        elif url.startswith(TILE_HOST):
            route.fulfill(status=200, body=BLANK_TILE, headers={"Content-Type": "image/png"})
        else:
            route.abort()  # no internet in tests, and nothing may leak to another host

    return handle


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the live server; JS errors are collected."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.route("**/*", _refuse_outside(live_server))
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    tab.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    tab.js_errors = errors  # type: ignore[attr-defined]
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


def sign_in(
    page: Page, live_server: str, email: str, password: str = DEMO_PASSWORD, then: str = "/map"
) -> None:
    """Sign in through the login form and land on `then`."""
    page.goto(f"{live_server}/login?next={then}")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}{then}*")


# What the map's own calls send: the session is believed only from Observo's pages (issue 15, class 4).
OURS = {"X-Requested-With": "observo"}


def api_json(page: Page, live_server: str, path: str) -> dict:
    """GET an API path with the page's session, as the map does; the answer must be a success."""
    response = page.request.get(f"{live_server}{path}", headers=OURS)
    assert response.ok, response.text()
    return response.json()


def map_config(page: Page) -> dict:
    """The map page's configuration (its `observo-config` JSON block)."""
    return json.loads(page.locator("#observo-config").text_content())


def assert_no_js_errors(page: Page) -> None:
    """No script failed. HTTP errors the scenario provoked (a 422, a 412) are not script errors."""
    errors = [error for error in page.js_errors if "Failed to load resource" not in error]  # type: ignore[attr-defined]
    assert not errors, errors
