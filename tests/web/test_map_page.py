"""The map page: pinned CDN assets with SRI, the CSP that lets only them run, the config it hands
to the scripts (no more than the caller may know), and the scripts' catalogue."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest

from observo.http.assets import ASSETS, EMBED_ASSETS, MAP_ASSETS
from observo.settings import PROJECT_ROOT, Settings
from tests import factories

NODE_MODULES = PROJECT_ROOT / "node_modules"
PINNED = re.compile(r"/(@?[\w.-]+(?:/[\w.-]+)?)@(\d+\.\d+\.\d+)/")


class _ExternalTags(HTMLParser):
    """Every <script src> and <link href> that leaves the site."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        url = attributes.get("src") if tag == "script" else attributes.get("href") if tag == "link" else None
        if url and url.startswith(("http:", "https:", "//")):
            self.tags.append({"tag": tag, **attributes})


def _sign_in(client, session, role="editor", organisation=None):
    user = factories.user(session, organisation or factories.org(session, "torino"), role)
    factories.sign_in(client, user)
    return user


def _config(page: str) -> dict:
    raw = re.search(r'<script type="application/json" id="observo-config">(.*?)</script>', page, re.S).group(
        1
    )
    return json.loads(raw)


def test_every_cdn_tag_is_pinned_with_integrity(client, session):
    _sign_in(client, session)
    parser = _ExternalTags()
    parser.feed(client.get("/map").get_data(as_text=True))
    assert len(parser.tags) == len(MAP_ASSETS)
    for tag in parser.tags:
        url = tag.get("src") or tag.get("href")
        assert PINNED.search(url), f"unpinned: {url}"
        assert (tag.get("integrity") or "").startswith("sha384-"), url
        assert tag.get("crossorigin") == "anonymous", url


@pytest.mark.parametrize("name", sorted(ASSETS))
def test_integrity_matches_the_npm_file(name):
    # The setup installs the same pinned versions: a wrong hash would block the map in every browser.
    asset = ASSETS[name]
    root = NODE_MODULES / asset.package
    assert json.loads((root / "package.json").read_text())["version"] == asset.version
    digest = base64.b64encode(hashlib.sha384((root / asset.path).read_bytes()).digest()).decode()
    assert asset.integrity == f"sha384-{digest}"


def test_embed_assets_are_a_subset_of_the_map_assets():
    assert set(EMBED_ASSETS) <= set(MAP_ASSETS)


def test_page_policy_runs_only_own_and_cdn_scripts(client, session, configure):
    configure(
        cdn_base_url="https://assets.polizia.example/npm",
        tile_url="https://{s}.tiles.polizia.example/{z}/{x}/{y}.png",
    )
    _sign_in(client, session)
    response = client.get("/map")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' https://assets.polizia.example;" in policy  # no 'unsafe-inline' or eval
    assert "https://*.tiles.polizia.example" in policy.split("img-src")[1].split(";")[0]
    page = response.get_data(as_text=True)
    assert "https://assets.polizia.example/npm/leaflet@1.9.4/dist/leaflet.js" in page
    assert _config(page)["tiles"]["url"] == "https://{s}.tiles.polizia.example/{z}/{x}/{y}.png"
    # Inline scripts would not run under that policy: the page has none that executes.
    for script in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page):
        assert 'type="application/json"' in script


def test_viewer_config_offers_no_editing(client, session):
    _sign_in(client, session, role="viewer")
    page = client.get("/map").get_data(as_text=True)
    config = _config(page)
    assert config["editableOwners"] == [] and 'id="add-camera"' not in page


def test_editor_config_lists_own_and_sponsored_owners_only(client, session):
    town = factories.org(session, "torino")
    factories.org(session, "bar-roma", kind="private", sponsor_slug="torino")
    factories.org(session, "milano")
    _sign_in(client, session, role="editor", organisation=town)
    owners = {owner["slug"] for owner in _config(client.get("/map").get_data(as_text=True))["editableOwners"]}
    assert owners == {"torino", "bar-roma"}


def test_scripts_catalogue_is_the_italian_translation(client, session):
    italian = client.get("/i18n/it.json")
    assert (
        italian.status_code == 200
        and italian.json["This field is required."] == "Questo campo è obbligatorio."
    )
    assert client.get("/i18n/en.json").json == {}  # the msgids are English
    assert client.get("/i18n/de.json").status_code == 404


def test_cdn_and_tile_settings_come_from_the_environment():
    settings = Settings.from_env(
        {
            "OBSERVO_CDN_BASE_URL": "https://assets.example.lan/npm",
            "OBSERVO_TILE_URL": "https://tiles.example.lan/{z}/{x}/{y}.png",
            "OBSERVO_TILE_ATTRIBUTION": "Regione",
            "OBSERVO_TILE_MAX_ZOOM": "18",
        }
    )
    assert settings.cdn_base_url == "https://assets.example.lan/npm" and settings.tile_max_zoom == 18
    assert (
        settings.tile_url.startswith("https://tiles.example.lan/") and settings.tile_attribution == "Regione"
    )
