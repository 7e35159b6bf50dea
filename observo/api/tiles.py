"""Vector tiles of the cameras (`application/vnd.mapbox-vector-tile`), in two audiences on two paths.

- `GET /tiles/cameras/{z}/{x}/{y}.mvt`: the public tiles. Public cameras at generalised positions,
  whoever asks (credentials are ignored, so the answer is the same for everyone): cacheable by any
  cache for `PUBLIC_MAX_AGE_S`, with an ETag, readable by other sites' scripts (CORS).
- `GET /tiles/cameras/restricted/{z}/{x}/{y}.mvt`: signed-in callers only (401 otherwise), their read
  scope at exact positions, with status and field of view: `private, no-store` and
  `Vary: Authorization, Cookie`, so no cache ever hands one user's tile to another.

Each set is described by TileJSON 3.0.0 at `metadata.json` next to its tiles (the name GDAL and QGIS
look for): the public one for anyone, the restricted one on the same terms as its tiles; its bounds
are those of the cameras the caller may read.

An empty tile is `204 No Content` with no body and no Content-Type (map libraries draw nothing and
cache it like any tile). A bad
address (z above 22, x or y outside 0..2^z-1, not an integer) or any query parameter is 400
problem+json. What a tile holds is described in `services/tiles.py`. Both databases serve tiles:
PostGIS encodes them with ST_AsMVT, SpatiaLite through Python (`spatial/`).
"""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, request

from observo.domain.permissions import ANONYMOUS, Actor
from observo.errors import FieldIssue, MalformedQuery, ObservoError
from observo.extensions import db
from observo.http.access import refusal_response
from observo.http.auth import require_actor
from observo.http.problems import problem_from_error
from observo.services import tiles
from observo.settings import current_settings

MVT = "application/vnd.mapbox-vector-tile"
PUBLIC_MAX_AGE_S = 300

bp = Blueprint("tiles", __name__, url_prefix="/tiles/cameras")


@bp.errorhandler(ObservoError)
def _problem(error: ObservoError) -> Response:
    """Tiles are read by programs: errors are problem+json, as on /api/, never an HTML page."""
    return refusal_response(error, problem_from_error)


@bp.get("/metadata.json")
def public_tilejson() -> Response:
    """TileJSON of the public tiles: what anonymous callers read, cached like the tiles."""
    _no_query()
    body = _tilejson(ANONYMOUS, "/tiles/cameras")
    headers = {"Cache-Control": f"public, max-age={PUBLIC_MAX_AGE_S}"}
    return Response(body, mimetype="application/json", headers=headers)


@bp.get("/restricted/metadata.json")
def restricted_tilejson() -> Response:
    """TileJSON of the restricted tiles: the caller's scope, never shared."""
    actor = require_actor()
    _no_query()
    body = _tilejson(actor, "/tiles/cameras/restricted")
    headers = {"Cache-Control": "private, no-store", "Vary": "Authorization, Cookie"}
    return Response(body, mimetype="application/json", headers=headers)


def _tilejson(actor: Actor, path: str) -> str:
    url = f"{request.url_root.rstrip('/')}{path}/{{z}}/{{x}}/{{y}}.mvt"
    return json.dumps(tiles.tilejson(db.session, actor, url, current_settings().extent))


@bp.get("/<z>/<x>/<y>.mvt")
def public_tile(z: str, x: str, y: str) -> Response:
    """Public cameras, generalised, without status or field of view.

    docs/architecture.md, "Who sees what".
    """
    data = _tile(ANONYMOUS, z, x, y)
    digest = hashlib.sha256(data).hexdigest()[:32]
    headers = {"Cache-Control": f"public, max-age={PUBLIC_MAX_AGE_S}", "ETag": f'"{digest}"'}
    if request.if_none_match.contains(digest):
        return Response(status=304, headers=headers)
    return _answer(data, headers)


@bp.get("/restricted/<z>/<x>/<y>.mvt")
def restricted_tile(z: str, x: str, y: str) -> Response:
    """The caller's read scope at exact positions, with status and field of view; never shared."""
    data = _tile(require_actor(), z, x, y)
    return _answer(data, {"Cache-Control": "private, no-store", "Vary": "Authorization, Cookie"})


def _tile(actor: Actor, z: str, x: str, y: str) -> bytes:
    tile = tiles.parse_tile(z, x, y)
    _no_query()
    return tiles.camera_tile(db.session, actor, tile, current_settings().extent)


def _no_query() -> None:
    if request.args:
        detail = "tiles take no query parameters"
        raise MalformedQuery(detail, [FieldIssue(f"/{name}", "unknown", detail) for name in request.args])


def _answer(data: bytes, headers: dict[str, str]) -> Response:
    if not data:
        empty = Response(status=204, headers=headers)
        del empty.headers["Content-Type"]  # Werkzeug's default (text/html): nothing here to type
        return empty
    return Response(data, mimetype=MVT, headers=headers)
