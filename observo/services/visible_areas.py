"""Each camera's visible area (`cameras.fov_visible`): its sector minus the shadows of the obstacles.

Derived data, kept in step by the writers: a camera created, moved or whose sector changes
(services/cameras.py, services/bulk_cameras.py), and the cameras whose sectors meet an obstacle layer
imported or deleted (services/obstacles.py), in the same transaction; `observo fov recompute` redoes
them all. NULL means no obstacle touches the sector (the sector is what the camera sees). Like the
public position, it is outside the camera's record: a recompute neither bumps the version (ETag) nor
writes an audit entry of its own (the obstacle import or camera write that caused it is audited).

Every obstacle layer clips every camera whatever their organisations: a building hides the street
from any camera (docs/visibility.md, "Stored and kept").

Batches: the cameras are taken in the order of the grid cell of their position, CHUNK at a time;
each cell's obstacles are fetched with one indexed query over its cameras' extent and handed to each
camera in Python (an STRtree). Large sets are computed in a process pool (`recompute(workers=)`):
the caller reads and writes in its own session and transaction, the workers only compute
(`_areas`, pure: WKB in, WKB out). Small sets (a camera written, an import's batch) stay in-process.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
import sqlalchemy as sa
from geoalchemy2 import WKBElement
from geoalchemy2.shape import to_shape
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
# Cameras read, computed and written a statement at a time (and `progress` heard after each chunk).
CHUNK = 500
# From this many cameras on, `recompute` computes in a process pool (starting one costs ~1 s).
POOL_MIN_CAMERAS = 2000
_CAMERAS = Camera.__table__
log = logging.getLogger(__name__)

Wkb = bytes
# (camera id, WKB of the visible area or None: the sector itself, whether it differs from the stored one)
Outcome = tuple[int, Wkb | None, bool]


@dataclass
class RecomputeResult:
    """What a recompute did, for the CLI."""

    cameras: int = 0  # cameras whose visible area was computed
    clipped: int = 0  # of them, those some obstacle's shadow reaches
    changed: int = 0  # stored values that changed

    def add(self, outcomes: Sequence[Outcome]) -> None:
        self.cameras += len(outcomes)
        self.clipped += sum(wkb is not None for _, wkb, _ in outcomes)
        self.changed += sum(changed for _, _, changed in outcomes)


@dataclass(frozen=True)
class _View:
    """A camera as the workers get it: position, sector (WKB), height, the stored visible area (WKB)."""

    camera_id: int
    lon: float
    lat: float
    sector: Wkb
    height_m: float | None
    stored: Wkb | None


@dataclass(frozen=True)
class _Task:
    """Cameras of one grid cell and the obstacles (WKB, heights) meeting the bounds of their sight."""

    views: list[_View]
    obstacles: list[Wkb]
    heights: list[float | None]


def visible_geometry(
    session: Session, camera: Camera, location: Point, sector: BaseGeometry
) -> WKBElement | None:
    """The value `camera.fov_visible` takes for this position and sector (None: the sector itself).

    For a camera being written (not flushed yet): the caller assigns it, so it goes out with the
    camera's own INSERT or UPDATE."""
    view = _View(camera.id or 0, location.x, location.y, shapely.to_wkb(sector), camera.height_m, None)
    with session.no_autoflush:
        tasks = _tasks(session, [view], [sector.bounds])
    ((_, wkb, _),) = _compute(tasks)
    return None if wkb is None else _element(wkb)


Progress = Callable[[int, int], None]  # (cameras done, cameras in all), after each chunk


def recompute(
    session: Session,
    camera_ids: Iterable[int],
    progress: Progress | None = None,
    workers: int | None = None,
) -> RecomputeResult:
    """Compute and store the visible area of these cameras (ids of cameras that no longer exist are
    ignored); only values that changed are written.

    `workers`: processes computing the areas of a large set (at least POOL_MIN_CAMERAS cameras);
    None: one per core available, 1: in this process."""
    ids = sorted(set(camera_ids))
    placed = []
    for start in range(0, len(ids), CHUNK):
        placed += session.execute(_positions().where(_CAMERAS.c.id.in_(ids[start : start + CHUNK]))).all()
    return _recompute_placed(session, placed, len(ids), progress, workers)


def recompute_all(
    session: Session,
    owner_ids: Sequence[int] | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> RecomputeResult:
    """`recompute` of every camera (of these owners)."""
    stmt = _positions()
    if owner_ids is not None:
        stmt = stmt.where(_CAMERAS.c.owner_id.in_(list(owner_ids)))
    placed = session.execute(stmt).all()
    return _recompute_placed(session, placed, len(placed), progress, workers)


def default_workers() -> int:
    """The processes a large recompute uses unless told: one per core this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


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


# --- reading and writing, in the caller's session -----------------------------------------------


def _positions() -> sa.Select:
    return sa.select(_CAMERAS.c.id, sa.func.ST_X(_CAMERAS.c.location), sa.func.ST_Y(_CAMERAS.c.location))


def _recompute_placed(
    session: Session,
    placed: Sequence[sa.Row],
    total: int,
    progress: Progress | None,
    workers: int | None,
) -> RecomputeResult:
    """Recompute the cameras `placed` ((id, lon, lat) rows), CHUNK at a time in grid-cell order."""
    order = [camera_id for camera_id, _, _ in sorted(placed, key=lambda row: (_cell(row[1], row[2]), row[0]))]
    chunks = [order[start : start + CHUNK] for start in range(0, len(order), CHUNK)]
    result = RecomputeResult()
    done = 0

    def finish(chunk: list[int], outcomes: list[Outcome]) -> None:
        nonlocal done
        changes = {
            camera_id: None if wkb is None else _element(wkb)
            for camera_id, wkb, changed in outcomes
            if changed
        }
        derived_columns.write_derived(session, "fov_visible", changes)
        result.add(outcomes)
        done += len(chunk)
        if progress is not None:
            progress(total if done == len(order) else done, total)

    with session.no_autoflush:  # only obstacles and the cameras' own columns are read
        clipping = session.scalar(sa.select(Obstacle.id).limit(1)) is not None
        processes = (workers or default_workers()) if clipping and len(order) >= POOL_MIN_CAMERAS else 1
        if processes > 1:
            _in_pool(session, chunks, clipping, processes, finish)
        else:
            for chunk in chunks:
                finish(chunk, _compute(_read_chunk(session, chunk, clipping)))
    if progress is not None and not chunks and total:
        progress(total, total)
    return result


def _in_pool(
    session: Session,
    chunks: list[list[int]],
    clipping: bool,
    processes: int,
    finish: Callable[[list[int], list[Outcome]], None],
) -> None:
    """Chunks read here, computed by `processes` workers (two each in flight), written here in order."""
    workers = _Workers(processes)
    pending: deque[tuple[list[int], list[_Task], Future[list[Outcome]] | None]] = deque()
    try:
        for chunk in chunks:
            tasks = _read_chunk(session, chunk, clipping)
            pending.append((chunk, tasks, workers.submit(tasks)))
            while len(pending) > 2 * processes:
                chunk_done, tasks_done, future = pending.popleft()
                finish(chunk_done, workers.outcomes(tasks_done, future))
        while pending:
            chunk_done, tasks_done, future = pending.popleft()
            finish(chunk_done, workers.outcomes(tasks_done, future))
    finally:
        workers.close()


class _Workers:
    """A spawned process pool. One that cannot start or dies (no process may be created here, one was
    killed) does not fail the caller's transaction: what it did not compute is computed here."""

    def __init__(self, processes: int) -> None:
        self.pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            processes, mp_context=multiprocessing.get_context("spawn")
        )

    def submit(self, tasks: list[_Task]) -> Future[list[Outcome]] | None:
        if self.pool is not None:
            try:
                return self.pool.submit(_compute, tasks)
            except (BrokenProcessPool, OSError) as error:
                self._abandon(error)
        return None

    def outcomes(self, tasks: list[_Task], future: Future[list[Outcome]] | None) -> list[Outcome]:
        if future is not None:
            try:
                return future.result()
            except (BrokenProcessPool, OSError) as error:
                self._abandon(error)
        return _compute(tasks)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _abandon(self, error: BaseException) -> None:
        if self.pool is not None:
            log.warning("visible areas: the process pool failed (%s); computing in this process", error)
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None


def _read_chunk(session: Session, ids: list[int], clipping: bool) -> list[_Task]:
    """The chunk's cameras (and, when there are obstacles at all, their obstacles) as tasks."""
    rows = session.execute(
        sa.select(
            _CAMERAS.c.id,
            sa.func.ST_X(_CAMERAS.c.location),
            sa.func.ST_Y(_CAMERAS.c.location),
            _CAMERAS.c.fov,
            _CAMERAS.c.height_m,
            _CAMERAS.c.fov_visible,
        ).where(_CAMERAS.c.id.in_(ids))
    ).all()
    views = [
        _View(camera_id, lon, lat, _raw(sector), height_m, None if current is None else _raw(current))
        for camera_id, lon, lat, sector, height_m, current in rows
    ]
    if not clipping:
        return [_Task(views, [], [])]
    bounds = shapely.bounds(shapely.from_wkb([view.sector for view in views]))
    return _tasks(session, views, [tuple(b) for b in bounds.tolist()])


def _tasks(
    session: Session, views: Sequence[_View], bounds: Sequence[tuple[float, float, float, float]]
) -> list[_Task]:
    """One task per grid cell of the views, with the obstacles meeting the bounds of their sight."""
    backend = session_backend(session)
    cells: dict[tuple[int, int], list[tuple[_View, tuple[float, ...]]]] = defaultdict(list)
    for view, sector_bounds in zip(views, bounds, strict=True):
        cells[_cell(view.lon, view.lat)].append((view, _reach(view, sector_bounds)))
    tasks = []
    for members in cells.values():
        frame = box(*_union_bounds(reach for _, reach in members))
        found = session.execute(
            sa.select(Obstacle.geometry, Obstacle.height_m).where(
                backend.intersects(Obstacle.geometry, frame)
            )
        ).all()
        tasks.append(
            _Task(
                [view for view, _ in members],
                [_raw(geometry) for geometry, _ in found],
                [h for _, h in found],
            )
        )
    return tasks


def _reach(view: _View, bounds: tuple[float, ...]) -> tuple[float, float, float, float]:
    """Bounds of every sight line: the sector's box widened to the camera (a box is convex)."""
    x0, y0, x1, y1 = bounds
    return min(x0, view.lon), min(y0, view.lat), max(x1, view.lon), max(y1, view.lat)


def _raw(element: WKBElement) -> Wkb:
    """The WKB bytes of a geometry as read (the drivers give bytes, a memoryview or hex text)."""
    data = element.data
    return bytes.fromhex(data) if isinstance(data, str) else bytes(data)


def _element(wkb: Wkb) -> WKBElement:
    """As geoalchemy2's from_shape(area, srid=SRID) builds it, from WKB shapely.to_wkb wrote."""
    return WKBElement(memoryview(wkb), srid=SRID, extended=False)


# --- computing: pure, in this process or a worker ------------------------------------------------


def _compute(tasks: Sequence[_Task]) -> list[Outcome]:
    """The visible area of every camera of `tasks`, and whether it differs from the stored one."""
    return [outcome for task in tasks for outcome in _areas(task)]


def _areas(task: _Task) -> list[Outcome]:
    shapes = shapely.from_wkb(np.array(task.obstacles, dtype=object)) if task.obstacles else None
    tree = None if shapes is None else shapely.STRtree(shapes)
    out = []
    for view in task.views:
        sector = shapely.from_wkb(view.sector)
        obstacles = []
        if tree is not None:
            near = sorted(tree.query(box(*_reach(view, sector.bounds)), predicate="intersects"))
            obstacles = [(shapes[index], task.heights[index]) for index in near]
        area = visible_area(view.lon, view.lat, sector, obstacles, view.height_m)
        # Exteriors counter-clockwise as stored: the database's GeoJSON then reads as the schema's.
        computed = None if area is sector else shapely.orient_polygons(area)
        stored = None if view.stored is None else shapely.from_wkb(view.stored)
        wkb = None if computed is None else shapely.to_wkb(computed)
        out.append((view.camera_id, wkb, not _same(stored, computed)))
    return out


def _cell(lon: float, lat: float) -> tuple[int, int]:
    return math.floor(lon / CELL_DEG), math.floor(lat / CELL_DEG)


def _cells(items: Iterable[Any], anchor: Any) -> dict[tuple[int, int], list[Any]]:
    """Items grouped by the grid cell of their anchor point (its first two coordinates)."""
    cells: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for item in items:
        x, y = anchor(item)[:2]
        cells[_cell(x, y)].append(item)
    return cells


def _union_bounds(bounds: Iterable[tuple[float, ...]]) -> tuple[float, float, float, float]:
    x0s, y0s, x1s, y1s = zip(*bounds, strict=True)
    return min(x0s), min(y0s), max(x1s), max(y1s)


def _same(stored: BaseGeometry | None, computed: BaseGeometry | None) -> bool:
    if stored is None or computed is None:
        return stored is computed
    return stored.geom_type == computed.geom_type and stored.equals_exact(computed, 0.0)
