"""Issue 18, section 1: the pinned browser files ship with the package and the pages can use them.

The vendoring script, the /vendor/ route, the tags in each mode (CDN with a fallback, local only),
the API documentation page, and background tiles from an MBTiles file.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
import shutil
import sqlite3
from pathlib import Path
from types import ModuleType

import pytest

from observo.http.asset_files import ASSETS, COMPANIONS, DOCS_ASSETS, MAP_ASSETS
from observo.settings import PROJECT_ROOT, Settings
from observo.web.base_tiles import TILE_URL, MBTilesError
from tests import factories
from tests.conftest import make_app

NODE_MODULES = PROJECT_ROOT / "node_modules"
TAG = re.compile(r"<(script|link)\b([^>]*)>")
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
PNG = b"\x89PNG\r\n\x1a\n-a-tile-"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vendor_assets", PROJECT_ROOT / "scripts/vendor_assets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def vendored() -> None:
    """The package's vendor folder, as `make vendor` builds it (from node_modules, no network)."""
    script = _script()
    if script.main(["--check"]) != 0:
        assert script.main([]) == 0


def _sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def _tags(page: str) -> list[dict[str, str]]:
    return [{"tag": tag, **dict(ATTRIBUTE.findall(attributes))} for tag, attributes in TAG.findall(page)]


def _pinned(page: str) -> list[dict[str, str]]:
    return [tag for tag in _tags(page) if tag.get("integrity")]


def _sign_in(client, session) -> None:
    factories.sign_in(client, factories.user(session, factories.org(session, "torino"), "viewer"))


def write_mbtiles(path: Path, tile_format: str = "png", attribution: str = "") -> None:
    """One tile, at z=1 x=0 y=0 (the north-west quarter): stored as TMS row 1."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        conn.execute("CREATE TABLE tiles (zoom_level INT, tile_column INT, tile_row INT, tile_data BLOB)")
        conn.execute("INSERT INTO metadata VALUES ('format', ?)", (tile_format,))
        if attribution:
            conn.execute("INSERT INTO metadata VALUES ('attribution', ?)", (attribution,))
        conn.execute("INSERT INTO tiles VALUES (1, 0, 1, ?)", (PNG,))
    conn.close()


# --- the vendoring script ---


def test_vendoring_copies_every_pinned_file_as_the_pages_announce_it(tmp_path):
    script = _script()
    target = tmp_path / "vendor"
    assert script.main(["--target", str(target)]) == 0
    for asset in ASSETS.values():
        copy = target / asset.key
        assert _sri(copy.read_bytes()) == asset.integrity, asset.key
    for package, version, path in COMPANIONS:  # Leaflet's stylesheet loads its images by relative URL
        assert (target / f"{package}@{version}" / path).is_file()
    assert script.main(["--target", str(target), "--check"]) == 0
    (target / ASSETS["leaflet.js"].key).write_text("tampered")
    assert script.main(["--target", str(target), "--check"]) == 1


def test_vendoring_refuses_a_version_other_than_the_pinned_one(tmp_path, capsys):
    node_modules = tmp_path / "node_modules"
    shutil.copytree(NODE_MODULES / "leaflet", node_modules / "leaflet")
    manifest = node_modules / "leaflet" / "package.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "version": "1.9.3"}))
    target = tmp_path / "vendor"
    assert _script().main(["--node-modules", str(node_modules), "--target", str(target)]) == 1
    error = capsys.readouterr().err
    assert "leaflet: 1.9.3 installed, 1.9.4 pinned" in error and "not installed" in error
    assert not target.exists()  # nothing half-built


# --- /vendor/ ---


def test_vendored_file_is_served_with_a_long_cache(client, session, vendored):
    asset = ASSETS["leaflet.js"]
    response = client.get(f"/vendor/{asset.key}")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.data == (NODE_MODULES / asset.package / asset.path).read_bytes()
    assert {"public", "immutable", "max-age=31536000"} <= set(response.headers["Cache-Control"].split(", "))
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    image = client.get(f"/vendor/leaflet@1.9.4/{COMPANIONS[0][2]}")
    assert image.status_code == 200 and image.mimetype == "image/png"


@pytest.mark.parametrize("path", ["leaflet@9.9.9/dist/leaflet.js", "../settings.py", "%2e%2e/app.py"])
def test_vendor_serves_nothing_else(client, session, vendored, path):
    assert client.get(f"/vendor/{path}").status_code == 404


# --- the tags, in each mode ---


def test_cdn_tags_name_their_shipped_copy_and_the_fallback_comes_last(client, session):
    _sign_in(client, session)
    page = client.get("/map").get_data(as_text=True)
    pinned = _pinned(page)
    assert len(pinned) == len(MAP_ASSETS)
    for tag, name in zip(pinned, MAP_ASSETS, strict=True):
        asset = ASSETS[name]
        assert (tag.get("src") or tag.get("href")) == asset.url(Settings().cdn_base_url)
        assert tag["data-local"] == f"/vendor/{asset.key}" and tag["integrity"] == asset.integrity
        assert tag.get("data-probe", "") == asset.probe
    tags = _tags(page)
    last = tags.index(pinned[-1])
    fallback = tags[last + 1]
    assert fallback["src"] == "/static/js/asset_fallback.js"
    assert fallback["data-missing"].startswith("Alcuni script di questa pagina non si sono caricati")


def test_local_mode_loads_nothing_from_elsewhere(client, session, configure, vendored):
    configure(assets="local")
    _sign_in(client, session)
    page = client.get("/map").get_data(as_text=True)
    pinned = _pinned(page)
    assert [tag.get("src") or tag.get("href") for tag in pinned] == [
        f"/vendor/{ASSETS[name].key}" for name in MAP_ASSETS
    ]
    assert all("data-local" not in tag and tag["crossorigin"] == "anonymous" for tag in pinned)
    assert not re.search(r'(src|href)="(https?:)?//', page)
    for tag in pinned:  # what the page announces is what /vendor/ serves
        assert _sri(client.get(tag.get("src") or tag["href"]).data) == tag["integrity"]


def test_embed_follows_the_setting_too(client, session, configure):
    factories.org(session, "moncalieri")
    configure(assets="local")
    page = client.get("/embed/moncalieri").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert any(tag.get("src") == "/vendor/leaflet@1.9.4/dist/leaflet.js" for tag in _tags(page))


def test_api_docs_follow_the_cdn_setting_with_a_fallback(client, session, configure):
    configure(cdn_base_url="https://assets.polizia.example/npm")
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    pinned = _pinned(page)
    assert [tag.get("src") or tag.get("href") for tag in pinned] == [
        ASSETS[name].url("https://assets.polizia.example/npm") for name in DOCS_ASSETS
    ]
    assert [tag["data-local"] for tag in pinned] == [f"/vendor/{ASSETS[name].key}" for name in DOCS_ASSETS]
    assert "jsdelivr" not in page
    # No inline script: the start-up snippet is a file of Observo's own.
    for script in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page):
        assert 'type="application/json"' in script
    assert '<script src="/static/js/swagger_start.js">' in page


def test_api_docs_in_local_mode(client, session, configure):
    configure(assets="local")
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert '<script src="/vendor/swagger-ui-dist@5.17.14/swagger-ui-bundle.js"' in page


# --- settings and start-up ---


def test_settings_read_the_asset_mode_and_the_tile_file():
    settings = Settings.from_env({"OBSERVO_ASSETS": "Local", "OBSERVO_TILE_MBTILES": "/srv/tiles/to.mbtiles"})
    assert settings.assets == "local" and settings.tile_mbtiles == Path("/srv/tiles/to.mbtiles")
    assert Settings().assets == "cdn" and Settings().tile_mbtiles is None
    with pytest.raises(ValueError, match="OBSERVO_ASSETS must be one of cdn, local"):
        Settings.from_env({"OBSERVO_ASSETS": "offline"})


def test_local_mode_refuses_to_start_without_the_shipped_copies(tmp_path, monkeypatch):
    monkeypatch.setattr("observo.app.VENDOR_DIR", tmp_path / "nowhere")
    with pytest.raises(RuntimeError, match=r"OBSERVO_ASSETS=local but \d+ file\(s\) are missing"):
        make_app(f"sqlite:///{tmp_path}/o.sqlite", tmp_path, assets="local")


def test_an_mbtiles_file_becomes_the_maps_tile_source(tmp_path):
    write_mbtiles(tmp_path / "base.mbtiles", attribution="Regione <b>Piemonte</b>")
    app = make_app(f"sqlite:///{tmp_path}/o.sqlite", tmp_path, tile_mbtiles=tmp_path / "base.mbtiles")
    settings = app.config["OBSERVO_SETTINGS"]
    assert settings.tile_url == TILE_URL == "/tiles/base/{z}/{x}/{y}"
    # The file's own credit, as text: the map shows attributions as HTML.
    assert settings.tile_attribution == "Regione &lt;b&gt;Piemonte&lt;/b&gt;"


def test_the_attribution_setting_wins_over_the_files(tmp_path):
    write_mbtiles(tmp_path / "base.mbtiles", attribution="Regione Piemonte")
    app = make_app(
        f"sqlite:///{tmp_path}/o.sqlite",
        tmp_path,
        tile_mbtiles=tmp_path / "base.mbtiles",
        tile_attribution="Comune di Moncalieri",
    )
    assert app.config["OBSERVO_SETTINGS"].tile_attribution == "Comune di Moncalieri"


@pytest.mark.parametrize("problem", ["missing", "not sqlite", "vector tiles"])
def test_an_unusable_mbtiles_file_stops_the_start(tmp_path, problem):
    path = tmp_path / "base.mbtiles"
    if problem == "not sqlite":
        path.write_text("not a database")
    elif problem == "vector tiles":
        write_mbtiles(path, tile_format="pbf")
    with pytest.raises(MBTilesError, match="OBSERVO_TILE_MBTILES"):
        make_app(f"sqlite:///{tmp_path}/o.sqlite", tmp_path, tile_mbtiles=path)


# --- /tiles/base/ ---


def test_base_tiles_come_from_the_mbtiles_file(client, session, configure, tmp_path):
    write_mbtiles(tmp_path / "base.mbtiles")
    configure(tile_mbtiles=tmp_path / "base.mbtiles")
    tile = client.get("/tiles/base/1/0/0")  # XYZ row 0 is TMS row 1
    assert tile.status_code == 200 and tile.mimetype == "image/png" and tile.data == PNG
    assert "public" in tile.headers["Cache-Control"] and tile.headers["Access-Control-Allow-Origin"] == "*"
    empty = client.get("/tiles/base/1/0/1")  # inside the world, not in the file: empty, as tile servers do
    assert empty.status_code == 204 and empty.data == b""
    assert client.get("/tiles/base/1/2/0").status_code == 404  # outside the world at that zoom
    assert client.get("/tiles/base/25/0/0").status_code == 404


def test_base_tiles_without_a_file_are_not_found(client, session):
    assert client.get("/tiles/base/0/0/0").status_code == 404
