"""Vector tiles of the cameras (Mapbox Vector Tile, one layer `cameras`), for map clients at any scale.

- Below zoom `AGGREGATE_BELOW_ZOOM` a tile holds one point per cell of the map grid (`MapGrid`, 4 x 4
  cells per tile, the cells of `GET /api/v1/clusters`) at the mean position of its cameras, with
  `count` and `count_<camera type>` for every type (0 included, so styles need no fallback).
- From that zoom up a tile holds one point per camera, its MVT feature id the camera's id, with
  `camera_type` and `surveillance_type`; signed-in callers also get `status`, `bearing_deg`,
  `hfov_deg` and `range_m`. A tile that would hold more than `MAX_POINTS_PER_TILE` cameras is
  aggregated by cell instead, so no tile grows without bound.
- What a caller reads is `readable_cameras(actor)` as everywhere else; anonymous callers read the
  generalised public positions (`position_of`), so a tile never shows a finer position than the
  public map. A camera belongs to the tile holding its position (edges inclusive).
- Tiles that do not meet the registry's extent are empty without asking the database.

The encoding is the spatial backend's (`tile_mvt`): PostGIS builds the tile with ST_AsMVT, SpatiaLite
(no encoder) selects the rows and Python encodes them. Tile reads are browsing: not audited
(docs/architecture.md, "The audit log").
"""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain import vocabulary as v
from observo.domain.permissions import Actor, sees_full_detail
from observo.domain.shapes import BBox, MapGrid
from observo.errors import FieldIssue, MalformedQuery
from observo.models import Camera
from observo.services.ogc import camera_extent
from observo.services.queries import CameraFilters, filter_clauses, position_of
from observo.services.scope import readable_cameras
from observo.spatial.base import Column, SpatialBackend, Tile, session_backend

LAYER = "cameras"
MAX_ZOOM = 22
AGGREGATE_BELOW_ZOOM = 13
MAX_POINTS_PER_TILE = 5_000
PUBLIC_ATTRIBUTES = ("camera_type", "surveillance_type")
RESTRICTED_ATTRIBUTES = (*PUBLIC_ATTRIBUTES, "status", "bearing_deg", "hfov_deg", "range_m")
_INDEX = re.compile(r"[0-9]{1,8}")  # ASCII digits only, matched whole


def parse_tile(z: str, x: str, y: str) -> Tile:
    """The tile addressed by the path's z/x/y: integers, z <= MAX_ZOOM, x and y within 0..2^z-1."""
    values = {name: _index(text) for name, text in (("z", z), ("x", x), ("y", y))}
    issues = [
        FieldIssue(f"/{name}", "invalid_format", f"{name} must be a non-negative integer")
        for name, value in values.items()
        if value is None
    ]
    zoom = values["z"]
    if zoom is not None and zoom > MAX_ZOOM:
        issues.append(FieldIssue("/z", "out_of_range", f"z must be between 0 and {MAX_ZOOM}"))
    elif zoom is not None:
        issues += [
            FieldIssue(f"/{name}", "out_of_range", f"{name} must be below 2^z = {2**zoom}")
            for name in ("x", "y")
            if (value := values[name]) is not None and value >= 2**zoom
        ]
    if issues:
        raise MalformedQuery("not a tile address: /{z}/{x}/{y}.mvt", issues)
    return Tile(**values)  # no issue: every value is an integer


def _index(text: str) -> int | None:
    return int(text) if _INDEX.fullmatch(text) else None


def camera_tile(
    session: Session,
    actor: Actor,
    tile: Tile,
    extent: tuple[float, float, float, float],
    max_points: int = MAX_POINTS_PER_TILE,
) -> bytes:
    """The `cameras` layer of `tile` as `actor` may see it; empty bytes when the tile has no camera."""
    bbox = tile.bbox()
    if not bbox.overlaps(BBox(*extent)):
        return b""
    backend = session_backend(session)
    position = position_of(actor)
    where = [
        readable_cameras(actor),
        *filter_clauses(actor, CameraFilters()),
        backend.in_bbox(position, bbox),
    ]
    if tile.z >= AGGREGATE_BELOW_ZOOM and not _more_than(session, where, max_points):
        rows = _camera_rows(actor, position, where)
    else:
        rows = _cell_rows(backend, position, where, MapGrid(tile.z))
    return backend.tile_mvt(session, rows, tile, LAYER)


def _more_than(session: Session, where: list, cap: int) -> bool:
    """Whether more than `cap` cameras match, reading at most `cap` + 1 of them."""
    capped = sa.select(Camera.id).where(*where).limit(cap + 1).subquery()
    return (session.scalar(sa.select(sa.func.count()).select_from(capped)) or 0) > cap


def _camera_rows(actor: Actor, position: Column, where: list) -> sa.Select:
    names = RESTRICTED_ATTRIBUTES if sees_full_detail(actor) else PUBLIC_ATTRIBUTES
    return (
        sa.select(
            Camera.id.label("id"),
            sa.func.ST_X(position).label("lon"),
            sa.func.ST_Y(position).label("lat"),
            *(getattr(Camera, name).label(name) for name in names),
        )
        .where(*where)
        .order_by(Camera.id)
    )


def _cell_rows(backend: SpatialBackend, position: Column, where: list, grid: MapGrid) -> sa.Select:
    """One row per grid cell: the mean position of its cameras, their count, and counts by type."""
    ix, iy = backend.mercator_cell(position, grid.cell_m)
    by_type = [
        sa.cast(sa.func.sum(sa.case((Camera.camera_type == camera_type, 1), else_=0)), sa.Integer).label(
            f"count_{camera_type}"
        )
        for camera_type in v.CAMERA_TYPES
    ]
    return (
        sa.select(
            sa.func.avg(sa.func.ST_X(position)).label("lon"),
            sa.func.avg(sa.func.ST_Y(position)).label("lat"),
            sa.cast(sa.func.count(), sa.Integer).label("count"),
            *by_type,
        )
        .where(*where)
        .group_by(ix, iy)
        .order_by(ix, iy)
    )


def _fields(actor: Actor) -> dict[str, str]:
    """Every attribute a feature of the layer may carry (TileJSON's `fields`: name -> description)."""
    counted = {
        "count": "Number: cameras in the grid cell (below zoom "
        f"{AGGREGATE_BELOW_ZOOM}, or on a tile of more than {MAX_POINTS_PER_TILE} cameras)",
        **{f"count_{name}": f"Number: cameras of type {name} in the cell" for name in v.CAMERA_TYPES},
    }
    names = RESTRICTED_ATTRIBUTES if sees_full_detail(actor) else PUBLIC_ATTRIBUTES
    described = {
        "camera_type": "String",
        "surveillance_type": "String",
        "status": "String",
        "bearing_deg": "Number: degrees from north, absent when unknown",
        "hfov_deg": "Number: degrees",
        "range_m": "Number: metres",
    }
    return {**counted, **{name: described[name] for name in names}}


def tilejson(
    session: Session, actor: Actor, tiles_url: str, fallback: tuple[float, float, float, float]
) -> dict[str, object]:
    """TileJSON 3.0.0 of the `cameras` tiles `actor` reads at `tiles_url` (a {z}/{x}/{y} template).

    `bounds` is the box of the cameras `actor` may read, on the positions it reads them at (the
    public's generalised ones), so it tells no more than the tiles themselves; `fallback` (the
    configured extent) when there are none. `json` repeats the layers as tippecanoe's metadata.json
    does, which is what GDAL's MVT driver reads when it opens the tile set's folder URL.
    """
    west, south, east, north = camera_extent(session, actor, fallback)
    layer = {
        "id": LAYER,
        "description": "Cameras: one point per camera from zoom "
        f"{AGGREGATE_BELOW_ZOOM}, one per grid cell (with counts) below it",
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "fields": _fields(actor),
    }
    return {
        "tilejson": "3.0.0",
        "name": "Observo cameras" if actor.is_anonymous else "Observo cameras (restricted)",
        "scheme": "xyz",
        "tiles": [tiles_url],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": [west, south, east, north],
        "center": [(west + east) / 2, (south + north) / 2, AGGREGATE_BELOW_ZOOM],
        "vector_layers": [layer],
        "format": "pbf",
        "json": json.dumps({"vector_layers": [layer]}),
    }
