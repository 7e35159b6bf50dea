"""Background tiles from an MBTiles file: a closed network's map needs no tile server of its own.

`OBSERVO_TILE_MBTILES=/srv/tiles/provincia.mbtiles` (raster tiles: png, jpg or webp) makes Observo
serve them at /tiles/base/{z}/{x}/{y} and point the maps there (docs/offline.md). MBTiles 1.3 stores
rows bottom-up (TMS); the URL is top-down (XYZ), as Leaflet asks.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

from flask import Blueprint, Response, abort, current_app
from markupsafe import escape

from observo.settings import Settings

bp = Blueprint("base_tiles", __name__, url_prefix="/tiles/base")
TILE_URL = "/tiles/base/{z}/{x}/{y}"
_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
_ONE_DAY_S = 24 * 3600


class MBTilesError(ValueError):
    """The configured MBTiles file cannot be served: the app refuses to start."""


def _connect(path: Path) -> sqlite3.Connection:
    # Read-only: the file belongs to whoever made it; a request never writes to it.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)


@dataclass(frozen=True)
class TileFile:
    format: str  # 'png', 'jpg'...
    attribution: str  # the file's own credit, as plain text ('' when it names none)


def tile_file(path: Path) -> TileFile:
    """What the file holds, checked once at start-up; MBTilesError when it cannot be served."""
    if not path.is_file():
        raise MBTilesError(f"OBSERVO_TILE_MBTILES: no such file: {path}")
    try:
        with closing(_connect(path)) as conn:
            metadata = dict(conn.execute("SELECT name, value FROM metadata").fetchall())
            conn.execute("SELECT 1 FROM tiles LIMIT 1").fetchall()
    except sqlite3.DatabaseError as exc:
        raise MBTilesError(f"OBSERVO_TILE_MBTILES: {path} is not an MBTiles file ({exc})") from None
    found = str(metadata.get("format") or "png").strip().lower()
    if found not in _TYPES:
        raise MBTilesError(
            f"OBSERVO_TILE_MBTILES: {path} holds {found!r} tiles; the maps draw raster tiles only "
            f"({', '.join(sorted(_TYPES))})"
        )
    return TileFile(found, str(metadata.get("attribution") or "").strip())


def with_tile_file(settings: Settings) -> Settings:
    """Settings whose maps draw the MBTiles file's tiles, credited as the file says unless
    OBSERVO_TILE_ATTRIBUTION says otherwise. The file's credit is a stranger's text: escaped, as
    the map shows the attribution as HTML."""
    if settings.tile_mbtiles is None:
        return settings
    source = tile_file(settings.tile_mbtiles)
    attribution = settings.tile_attribution
    if source.attribution and attribution == Settings.tile_attribution:
        attribution = str(escape(source.attribution))
    return replace(settings, tile_url=TILE_URL, tile_attribution=attribution)


_FORMATS: dict[Path, str] = {}  # per file, read once: the format does not change under a running app


@bp.route("/<int(min=0, max=24):z>/<int(min=0):x>/<int(min=0):y>")
def tile(z: int, x: int, y: int) -> Response:
    path = current_app.config["OBSERVO_SETTINGS"].tile_mbtiles
    if path is None or x >= 2**z or y >= 2**z:
        abort(404)
    if path not in _FORMATS:
        _FORMATS[path] = tile_file(path).format
    with closing(_connect(path)) as conn:
        row = conn.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, 2**z - 1 - y),
        ).fetchone()
    # No tile there (outside the area the file covers): empty, as tile servers answer, not an error.
    response = Response(bytes(row[0]), mimetype=_TYPES[_FORMATS[path]]) if row else Response(status=204)
    response.cache_control.public = True
    response.cache_control.max_age = _ONE_DAY_S
    return response
