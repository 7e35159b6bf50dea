"""Each camera's visible area (`cameras.fov_visible`): its sector minus the shadows of the obstacles.

Derived data, kept in step by the writers: a camera created, moved or whose sector changes
(services/cameras.py, services/bulk_cameras.py), and the cameras whose sectors meet an obstacle layer
imported or deleted (services/obstacles.py), in the same transaction; `observo fov recompute` redoes
them all. NULL means no obstacle touches the sector (the sector is what the camera sees). Like the
public position, it is outside the camera's record: a recompute neither bumps the version (ETag) nor
writes an audit entry of its own (the obstacle import or camera write that caused it is audited).

Every obstacle layer clips every camera whatever their organisations: a building hides the street
from any camera (docs/visibility.md, "Stored and kept").

Batches: cameras are grouped by a grid cell of their position, each cell's obstacles fetched with one
indexed query over the cell's cameras' extent, then handed to each camera in Python (an STRtree).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
import sqlalchemy as sa
from geoalchemy2 import WKBElement
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from observo.domain.visibility import visible_area
from observo.models import Camera, Obstacle
from observo.services import derived_columns
from observo.spatial.base import session_backend

SRID = 4326
# Cameras (and obstacles) are grouped in cells of this many degrees (~1 km): one obstacle query a cell.
CELL_DEG = 0.01
# Cameras loaded and written a statement at a time.
CHUNK = 500
_CAMERAS = Camera.__table__


@dataclass
class RecomputeResult:
    """What a recompute did, for the CLI."""

    cameras: int = 0  # cameras whose visible area was computed
    clipped: int = 0  # of them, those some obstacle's shadow reaches
    changed: int = 0  # stored values that changed

    def add(self, other: RecomputeResult) -> None:
        self.cameras += other.cameras
        self.clipped += other.clipped
        self.changed += other.changed


@dataclass(frozen=True)
class _View:
    camera_id: int
    lon: float
    lat: float
    sector: BaseGeometry
    height_m: float | None

    @property
    def reach(self) -> tuple[float, float, float, float]:
        """Bounds of every sight line: the sector's box widened to the camera (a box is convex)."""
        x0, y0, x1, y1 = self.sector.bounds
        return min(x0, self.lon), min(y0, self.lat), max(x1, self.lon), max(y1, self.lat)


def visible_geometry(
    session: Session, camera: Camera, location: Point, sector: BaseGeometry
) -> WKBElement | None:
    """The value `camera.fov_visible` takes for this position and sector (None: the sector itself).

    For a camera being written (not flushed yet): the caller assigns it, so it goes out with the
    camera's own INSERT or UPDATE."""
    view = _View(camera.id or 0, location.x, location.y, sector, camera.height_m)
    (area,) = _compute(session, [view]).values()
    return None if area is None else from_shape(area, srid=SRID)


Progress = Callable[[int, int], None]  # (cameras done, cameras in all), after each chunk


def recompute(
    session: Session, camera_ids: Iterable[int], progress: Progress | None = None
) -> RecomputeResult:
    """Compute and store the visible area of these cameras (ids of cameras that no longer exist are
    ignored); only values that changed are written."""
    result = RecomputeResult()
    ids = sorted(set(camera_ids))
    for start in range(0, len(ids), CHUNK):
        result.add(_recompute_chunk(session, ids[start : start + CHUNK]))
        if progress is not None:
            progress(min(start + CHUNK, len(ids)), len(ids))
    return result


def recompute_all(
    session: Session, owner_ids: Sequence[int] | None = None, progress: Progress | None = None
) -> RecomputeResult:
    """`recompute` of every camera (of these owners)."""
    stmt = sa.select(_CAMERAS.c.id).order_by(_CAMERAS.c.id)
    if owner_ids is not None:
        stmt = stmt.where(_CAMERAS.c.owner_id.in_(list(owner_ids)))
    return recompute(session, session.scalars(stmt), progress)


def cameras_affected_by(session: Session, geometries: Sequence[BaseGeometry]) -> set[int]:
    """Ids of the cameras whose sector meets one of `geometries` (EPSG:4326; obstacles that changed).

    For a sector seen from its apex (every computed one) only an obstacle inside it can cast a shadow
    on it, so these are the cameras whose visible area may change."""
    shapes = np.array(
        [shape for shape in geometries if shape is not None and not shape.is_empty], dtype=object
    )
    if not len(shapes):
        return set()
    tree = shapely.STRtree(shapes)
    backend = session_backend(session)
    found: set[int] = set()
    for members in _cells(shapes, lambda shape: shape.bounds).values():
        frame = box(*_union_bounds(shape.bounds for shape in members))
        rows = session.execute(
            sa.select(_CAMERAS.c.id, _CAMERAS.c.fov).where(backend.intersects(Camera.fov, frame))
        )
        for camera_id, sector in rows:
            if camera_id not in found and len(tree.query(to_shape(sector), predicate="intersects")):
                found.add(camera_id)
    return found


def layer_geometries(session: Session, where: sa.ColumnElement[bool]) -> list[BaseGeometry]:
    """The obstacles matching `where`, as shapes: read before a layer is replaced or deleted."""
    return [to_shape(geometry) for geometry in session.scalars(sa.select(Obstacle.geometry).where(where))]


def _recompute_chunk(session: Session, ids: list[int]) -> RecomputeResult:
    rows = session.execute(
        sa.select(
            _CAMERAS.c.id, _CAMERAS.c.location, _CAMERAS.c.fov, _CAMERAS.c.height_m, _CAMERAS.c.fov_visible
        ).where(_CAMERAS.c.id.in_(ids))
    ).all()
    views, stored = [], {}
    for camera_id, location, sector, height_m, current in rows:
        point = to_shape(location)
        views.append(_View(camera_id, point.x, point.y, to_shape(sector), height_m))
        stored[camera_id] = None if current is None else to_shape(current)
    areas = _compute(session, views)
    changes = {
        camera_id: None if area is None else from_shape(area, srid=SRID)
        for camera_id, area in areas.items()
        if not _same(stored[camera_id], area)
    }
    derived_columns.write_derived(session, "fov_visible", changes)
    clipped = sum(area is not None for area in areas.values())
    return RecomputeResult(len(views), clipped, len(changes))


def _compute(session: Session, views: Sequence[_View]) -> dict[int, BaseGeometry | None]:
    """camera id -> its visible area, or None when no shadow falls on its sector."""
    # Only obstacles are read: a camera being written is not flushed early (its writer compares
    # `session.is_modified` before and after to decide whether the write is audited).
    with session.no_autoflush:
        return _compute_unflushed(session, views)


def _compute_unflushed(session: Session, views: Sequence[_View]) -> dict[int, BaseGeometry | None]:
    areas: dict[int, BaseGeometry | None] = {view.camera_id: None for view in views}
    if not views or session.scalar(sa.select(Obstacle.id).limit(1)) is None:
        return areas  # no obstacle anywhere (an installation that imports none): nothing to clip
    backend = session_backend(session)
    for members in _cells(views, lambda view: (view.lon, view.lat)).values():
        frame = box(*_union_bounds(view.reach for view in members))
        found = session.execute(
            sa.select(Obstacle.geometry, Obstacle.height_m).where(
                backend.intersects(Obstacle.geometry, frame)
            )
        ).all()
        shapes = np.array([to_shape(geometry) for geometry, _ in found], dtype=object)
        heights = [height for _, height in found]
        tree = shapely.STRtree(shapes) if len(shapes) else None
        for view in members:
            near = [] if tree is None else sorted(tree.query(box(*view.reach), predicate="intersects"))
            obstacles = [(shapes[index], heights[index]) for index in near]
            area = visible_area(view.lon, view.lat, view.sector, obstacles, view.height_m)
            # Exteriors counter-clockwise as stored: the database's GeoJSON then reads as the schema's.
            areas[view.camera_id] = None if area is view.sector else shapely.orient_polygons(area)
    return areas


def _cells(items: Iterable[Any], anchor: Any) -> dict[tuple[int, int], list[Any]]:
    """Items grouped by the grid cell of their anchor point (its first two coordinates)."""
    cells: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for item in items:
        x, y = anchor(item)[:2]
        cells[(math.floor(x / CELL_DEG), math.floor(y / CELL_DEG))].append(item)
    return cells


def _union_bounds(bounds: Iterable[tuple[float, ...]]) -> tuple[float, float, float, float]:
    x0s, y0s, x1s, y1s = zip(*bounds, strict=True)
    return min(x0s), min(y0s), max(x1s), max(y1s)


def _same(stored: BaseGeometry | None, computed: BaseGeometry | None) -> bool:
    if stored is None or computed is None:
        return stored is computed
    return stored.geom_type == computed.geom_type and stored.equals_exact(computed, 0.0)
