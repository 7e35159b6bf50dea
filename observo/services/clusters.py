"""Map clusters: cameras counted per Web Mercator grid cell, by type, in the caller's read scope.

A cluster is a whole cell: every cell the box touches is counted in full, so a count does not change
as the map pans by a few pixels, and the same cell has the same count in every request.

Up to zoom 15 the counts come from `camera_cell_counts`, which triggers keep in step with every write
(models/cell_count.py): the rows of the nearest finer stored level are summed in the caller's scope
(the scope and the filters are made of the very columns the rows are keyed by). Above zoom 15, or
with a filter the rows do not keep (text, municipality), the cameras are grouped live. Both give the
same answer to the bit: positions are summed as integers of 1e-7 degrees, and the cell of a camera is
computed with one expression (spatial.base.mercator_cell). See docs/performance.md, "Clusters".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors

from observo.domain.permissions import Actor
from observo.domain.shapes import MERCATOR_MAX_LAT, BBox, MapGrid
from observo.models import Camera, CameraCellCount
from observo.services.queries import CameraFilters, filter_clauses
from observo.services.scope import readable_cameras
from observo.spatial.base import session_backend

# Zooms at which the database keeps counts (migration d7b3e9f1a2c4 creates the same levels).
STORED_LEVELS = (6, 9, 12, 15)
_E7 = 10_000_000.0
# A cell's edge computed back from its index may differ from the index's own floor() in the last bit:
# the box of whole cells is widened by this much, and the index range decides.
_EDGE_DEG = 1e-9


@dataclass(frozen=True)
class Cluster:
    ix: int
    iy: int
    count: int
    lon: float  # mean generalised position of the cell's cameras
    lat: float
    by_type: dict[str, int]


def stored_level(zoom: int) -> int | None:
    """The coarsest stored level at least as fine as `zoom`, or None above the finest."""
    return next((level for level in STORED_LEVELS if level >= zoom), None)


def cluster_cameras(
    session: Session, actor: Actor, bbox: BBox, grid: MapGrid, filters: CameraFilters
) -> list[Cluster]:
    """Cells ordered by (ix, iy): equal data gives byte-identical answers."""
    level = stored_level(grid.zoom)
    rows = None if level is None else _stored_rows(session, actor, bbox, grid, filters, level)
    if rows is None:
        rows = live_rows(session, actor, bbox, grid, filters)
    return _clusters(rows)


def live_rows(
    session: Session, actor: Actor, bbox: BBox, grid: MapGrid, filters: CameraFilters
) -> list[sa.Row]:
    """(ix, iy, camera_type, count, sum of lon e7, sum of lat e7) grouped from the cameras themselves."""
    backend = session_backend(session)
    position = Camera.public_location
    cell_x, cell_y = backend.mercator_cell(position, grid.cell_m)
    ix, iy = cell_x.label("x"), cell_y.label("y")
    ix0, iy0, ix1, iy1 = grid.cell_range(bbox)
    statement = (
        sa.select(
            ix,
            iy,
            Camera.camera_type,
            sa.func.count(),
            sa.func.sum(_e7(sa.func.ST_X(position))),
            sa.func.sum(_e7(sa.func.ST_Y(position))),
        )
        .where(
            readable_cameras(actor),
            *filter_clauses(actor, filters),
            backend.in_bbox(position, _cells_box(grid, ix0, iy0, ix1, iy1)),
            ix.between(ix0, ix1),
            iy.between(iy0, iy1),
        )
        .group_by(ix, iy, Camera.camera_type)
    )
    return list(session.execute(statement))


def _stored_rows(
    session: Session, actor: Actor, bbox: BBox, grid: MapGrid, filters: CameraFilters, level: int
) -> list[sa.Row] | None:
    """The same rows summed from the stored level; None when a clause needs a column it does not keep."""
    counts = CameraCellCount
    factor = 2 ** (level - grid.zoom)
    ix0, iy0, ix1, iy1 = grid.cell_range(bbox)
    try:
        scope = [_on_counts(clause) for clause in (readable_cameras(actor), *filter_clauses(actor, filters))]
    except KeyError:
        return None
    ix, iy = (
        (counts.ix, counts.iy)
        if factor == 1
        else (sa.cast(sa.func.floor(column / float(factor)), sa.Integer) for column in (counts.ix, counts.iy))
    )
    statement = (
        sa.select(
            ix.label("x"),
            iy.label("y"),
            counts.camera_type,
            sa.func.sum(counts.n),
            sa.func.sum(counts.sum_lon_e7),
            sa.func.sum(counts.sum_lat_e7),
        )
        .where(
            counts.zoom == level,
            counts.ix.between(ix0 * factor, (ix1 + 1) * factor - 1),
            counts.iy.between(iy0 * factor, (iy1 + 1) * factor - 1),
            *scope,
        )
        .group_by(ix, iy, counts.camera_type)
    )
    return list(session.execute(statement))


def _on_counts(clause: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """`clause` on the counts' columns instead of the cameras' (KeyError: a column they do not keep)."""
    columns = CameraCellCount.__table__.c

    def swap(element: object, **_kw: object) -> object:
        if isinstance(element, sa.Column) and element.table is Camera.__table__:
            return columns[element.name]
        return None

    return visitors.replacement_traverse(clause, {}, swap)


def _e7(coordinate: sa.ColumnElement[float]) -> sa.ColumnElement[int]:
    """A coordinate in integer 1e-7 degrees (the triggers store the same)."""
    return sa.cast(sa.func.round(coordinate * _E7), sa.BigInteger)


def _cells_box(grid: MapGrid, ix0: int, iy0: int, ix1: int, iy1: int) -> BBox:
    min_lon, min_lat, _, _ = grid.cell_bounds(ix0, iy0)
    _, _, max_lon, max_lat = grid.cell_bounds(ix1, iy1)
    return BBox(
        max(min_lon - _EDGE_DEG, -180.0),
        max(min_lat - _EDGE_DEG, -MERCATOR_MAX_LAT),
        min(max_lon + _EDGE_DEG, 180.0),
        min(max_lat + _EDGE_DEG, MERCATOR_MAX_LAT),
    )


def _clusters(rows: Iterable[sa.Row]) -> list[Cluster]:
    cells: dict[tuple[int, int], list] = {}
    for cx, cy, camera_type, count, sum_lon, sum_lat in rows:
        cell = cells.setdefault((cx, cy), [0, 0, 0, {}])
        cell[0] += int(count)
        cell[1] += int(sum_lon)
        cell[2] += int(sum_lat)
        cell[3][camera_type] = cell[3].get(camera_type, 0) + int(count)
    return [
        Cluster(cx, cy, n, round(sx / n / _E7, 6), round(sy / n / _E7, 6), dict(sorted(types.items())))
        for (cx, cy), (n, sx, sy, types) in sorted(cells.items())
        if n > 0
    ]
