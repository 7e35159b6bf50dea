"""Coverage runs: select the fields of view that reach a target, measure them, suggest where to patrol.

The database selects candidates with one indexed query (sectors intersecting the target's region,
in the caller's read scope and filters); `domain.coverage` measures what each of them sees, in
metres: the visible area obstacles leave (`cameras.fov_visible`) where there is one, else the
sector (`spatial.base.effective_fov`, the same rule). So PostGIS and SpatiaLite give the same
figures, the rules of coverage live in one place, and an area behind a building a sector overlaps
is a gap. The answer's `view_model` says which model was used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry import Point, mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from observo.domain import coverage as measure
from observo.domain.gap_suggestions import Suggestion, View, suggest
from observo.domain.permissions import Actor, sees_full_detail
from observo.domain.shapes import Area, BBox
from observo.domain.visibility import Obstacle, visible_area
from observo.errors import NotAuthenticated
from observo.models import Camera, Organisation
from observo.services import obstacles as obstacle_layers
from observo.services import query_audit
from observo.services.queries import CameraFilters, filter_clauses, require_reason
from observo.services.scope import readable_cameras
from observo.spatial.base import session_backend, view_model

DEFAULT_STATUSES = ("active",)
NO_FILTERS = CameraFilters()
RATIO_DIGITS = 4
AREA_DIGITS = 1
# A suggested viewpoint is an officer on foot: obstacles lower than the eye hide only the ground
# just behind them (domain.visibility's height model).
PATROL_EYE_HEIGHT_M = 1.6
_OBSTACLE_PAGE = 5000


@dataclass(frozen=True)
class CoveredCamera:
    """A camera whose field of view reaches the target, with what it adds to the coverage."""

    id: int
    code: str
    name: str
    owner_id: int
    owner: str
    owner_name: str
    owner_kind: str
    camera_type: str
    surveillance_type: str
    status: str
    visibility: str
    records: bool
    retention_hours: int | None
    lon: float
    lat: float
    fov: BaseGeometry  # the whole sector, as drawn on maps
    visible: BaseGeometry | None = None  # what obstacles leave of it; None: the sector is what it sees
    covered_m2: float = 0.0
    exclusive_m2: float = 0.0

    @property
    def view(self) -> BaseGeometry:
        """What the camera sees: the visible area when obstacles clip the sector, else the sector."""
        return self.fov if self.visible is None else self.visible

    @property
    def clipped(self) -> bool:
        return self.visible is not None


@dataclass(frozen=True)
class CoverageResult:
    target: Area
    coverage: measure.Coverage
    cameras: list[CoveredCamera]  # largest contribution first
    statuses: tuple[str, ...]
    suggestions: list[Suggestion] = field(default_factory=list)
    # "visible_area" when a camera whose sector reaches the target had a clipped view, else "sector".
    view_model: str = "sector"


def measure_target(
    session: Session,
    actor: Actor,
    area: Area,
    filters: CameraFilters = NO_FILTERS,
    suggestions: int = 0,
    suggestion_range_m: float = 30.0,
) -> CoverageResult:
    """Coverage of `area` by the cameras `actor` may read (active unless `filters` say otherwise).

    No reason is asked and nothing is audited here: callers (the API, interventions, places) do both.
    """
    statuses = filters.statuses or DEFAULT_STATUSES
    found = candidates(session, actor, area, filters, statuses)
    near = nearby_obstacles(session, actor, area, suggestion_range_m) if suggestions else []
    return measure_cameras(area, found, statuses, suggestions, suggestion_range_m, near)


def measure_cameras(
    area: Area,
    cameras: list[CoveredCamera],
    statuses: tuple[str, ...] = DEFAULT_STATUSES,
    suggestions: int = 0,
    suggestion_range_m: float = 30.0,
    obstacles: Sequence[Obstacle] = (),
) -> CoverageResult:
    """Coverage of `area` by exactly what these cameras see (`CoveredCamera.view`), taken in id order.

    A pure function of its inputs: figures recomputed for a reader from the cameras it may read are
    the very figures a registry without the others would give (docs/security.md, "Every figure in
    the caller's scope"). `obstacles` (EPSG:4326, with heights) clip the suggestions' own views.
    """
    by_id = {camera.id: camera for camera in sorted(cameras, key=lambda camera: camera.id)}
    coverage = measure.measure(area, {camera_id: camera.view for camera_id, camera in by_id.items()})
    measured = [
        _with_figures(by_id[item.camera_id], item.covered_m2, item.exclusive_m2) for item in coverage.cameras
    ]
    placed = []
    if suggestions and coverage.uncovered_local is not None:
        view = patrol_view(area, obstacles)
        placed = suggest(coverage.uncovered_local, suggestions, suggestion_range_m, view)
    clipped = any(camera.clipped for camera in cameras)
    return CoverageResult(area, coverage, measured, statuses, placed, view_model(clipped))


def run_coverage(
    session: Session,
    actor: Actor,
    area: Area,
    filters: CameraFilters,
    reason: str | None,
    suggestions: int = 0,
    suggestion_range_m: float = 30.0,
) -> CoverageResult:
    """`POST /coverage`: signed-in callers, with a reason; one audit entry per run."""
    if not sees_full_detail(actor):
        raise NotAuthenticated("coverage needs a signed-in user")
    require_reason(actor, reason)
    result = measure_target(session, actor, area, filters, suggestions, suggestion_range_m)
    query_audit.record_query(
        session,
        actor,
        "query.coverage",
        reason,
        area.shape,
        len(result.cameras),
        buffer_m=area.buffer_m,
        ratio=round(result.coverage.ratio, RATIO_DIGITS),
        filters=query_audit.filters_used(filters),
    )
    return result


# In CoveredCamera's order (after id, the code is derived), then location, sector and visible area.
_CANDIDATE_COLUMNS = (
    Camera.id,
    Camera.name,
    Camera.owner_id,
    Organisation.slug,
    Organisation.name,
    Organisation.kind,
    Camera.camera_type,
    Camera.surveillance_type,
    Camera.status,
    Camera.visibility,
    Camera.records,
    Camera.retention_hours,
    Camera.location,
    Camera.fov,
    Camera.fov_visible,
)


def candidates(
    session: Session, actor: Actor, area: Area, filters: CameraFilters, statuses: tuple[str, ...]
) -> list[CoveredCamera]:
    """Cameras in scope whose sector reaches the target's region, by id (one indexed query).

    A camera whose visible area misses the region stays a candidate: it sees none of it, so measuring
    leaves it out, and it still tells the answer that obstacles were taken into account.
    """
    backend = session_backend(session)
    scoped = dataclasses.replace(filters, statuses=statuses)
    statement = (
        sa.select(*_CANDIDATE_COLUMNS)
        .join(Organisation, Organisation.id == Camera.owner_id)
        .where(
            readable_cameras(actor),
            *filter_clauses(actor, scoped),
            backend.intersects(Camera.fov, area.region),
        )
        .order_by(Camera.id)
    )
    rows = session.execute(statement).all()
    # One shapely call a column, not one a geometry: a 1 km² of ~500 cameras reads ~15 ms faster.
    points, sectors, views = (
        _shapes([getattr(row, name) for row in rows]) for name in ("location", "fov", "fov_visible")
    )
    return [
        CoveredCamera(
            row.id, f"OBS-{row.id:06d}", *row[1:12], lon=point.x, lat=point.y, fov=sector, visible=view
        )
        for row, point, sector, view in zip(rows, points, sectors, views, strict=True)
    ]


def _shapes(elements: list[Any]) -> list[BaseGeometry | None]:
    """Geometries as read (WKB elements, None for NULL) in one shapely call, as to_shape reads each."""
    return list(shapely.from_wkb([None if element is None else _wkb(element.data) for element in elements]))


def _wkb(data: bytes | memoryview | str) -> bytes:
    return bytes.fromhex(data) if isinstance(data, str) else bytes(data)


def nearby_obstacles(session: Session, actor: Actor, area: Area, range_m: float) -> list[Obstacle]:
    """The obstacles of the layers `actor` reads within `range_m` of the target (services/obstacles.py):
    what may hide part of a suggested viewpoint's disc."""
    reach = BBox(*area.to_lonlat(area.local_region.buffer(range_m)).bounds)
    found: list[Obstacle] = []
    more, offset = True, 0
    while more:
        page, more = obstacle_layers.obstacles_in_box(session, actor, reach, _OBSTACLE_PAGE, offset)
        found += [(to_shape(obstacle.geometry), obstacle.height_m) for obstacle in page]
        offset += len(page)
    return found


def patrol_view(area: Area, obstacles: Sequence[Obstacle]) -> View | None:
    """What a viewpoint at local (x, y) sees of its disc past `obstacles` (domain.visibility), in the
    target's local metres; None without obstacles (the whole disc)."""
    if not obstacles:
        return None
    shapes = [geometry for geometry, _height in obstacles]
    tree = shapely.STRtree(shapes)

    def view(x: float, y: float, disc: BaseGeometry) -> BaseGeometry:
        centre = area.to_lonlat(Point(x, y))
        disc_lonlat = area.to_lonlat(disc)
        near = [obstacles[index] for index in tree.query(disc_lonlat)]
        if any(shape.geom_type in _FOOTPRINTS and shape.covers(centre) for shape, _height in near):
            return shapely.Polygon()  # inside a building: no place to stand (nor to see from)
        seen = visible_area(centre.x, centre.y, disc_lonlat, near, PATROL_EYE_HEIGHT_M)
        return disc if seen is disc_lonlat else area.to_local(seen)

    return view


_FOOTPRINTS = ("Polygon", "MultiPolygon")


def _with_figures(camera: CoveredCamera, covered_m2: float, exclusive_m2: float) -> CoveredCamera:
    return dataclasses.replace(camera, covered_m2=covered_m2, exclusive_m2=exclusive_m2)


def coverage_json(result: CoverageResult) -> dict[str, Any]:
    """The coverage answer (API, intervention snapshots, brief): figures rounded, geometries GeoJSON."""
    coverage = result.coverage
    area_m2 = coverage.area_m2
    return {
        "kind": coverage.kind,
        "area_m2": round(area_m2, AREA_DIGITS),
        "covered_m2": round(coverage.covered_m2, AREA_DIGITS),
        "ratio": round(coverage.ratio, RATIO_DIGITS),
        "view_model": result.view_model,
        "statuses": list(result.statuses),
        "route": _route_json(coverage.route),
        "gaps": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": mapping(gap.geometry),
                    "properties": {"rank": rank, "area_m2": round(gap.area_m2, AREA_DIGITS)},
                }
                for rank, gap in enumerate(coverage.gaps, start=1)
            ],
        },
        "cameras": [_camera_json(camera, area_m2) for camera in result.cameras],
        "suggestions": [
            _suggestion_json(result.target, rank, s, area_m2) for rank, s in enumerate(result.suggestions, 1)
        ],
    }


def _route_json(route: measure.RouteFigures | None) -> dict[str, Any] | None:
    if route is None:
        return None
    return {
        "length_m": round(route.length_m, AREA_DIGITS),
        "covered_length_m": round(route.covered_length_m, AREA_DIGITS),
        "ratio": round(route.ratio, RATIO_DIGITS),
        "uncovered": [
            {
                "from_m": round(stretch.from_m, AREA_DIGITS),
                "to_m": round(stretch.to_m, AREA_DIGITS),
                "length_m": round(stretch.length_m, AREA_DIGITS),
                "geometry": mapping(stretch.geometry),
            }
            for stretch in route.uncovered
        ],
    }


def _camera_json(camera: CoveredCamera, area_m2: float) -> dict[str, Any]:
    return {
        "id": camera.id,
        "code": camera.code,
        "name": camera.name,
        "owner": camera.owner,
        "camera_type": camera.camera_type,
        "status": camera.status,
        "covered_m2": round(camera.covered_m2, AREA_DIGITS),
        "exclusive_m2": round(camera.exclusive_m2, AREA_DIGITS),
        "share": round(camera.covered_m2 / area_m2, RATIO_DIGITS) if area_m2 else 0.0,
        "clipped": camera.clipped,
    }


def _suggestion_json(target: Area, rank: int, suggestion: Suggestion, area_m2: float) -> dict[str, Any]:
    point = target.to_lonlat(Point(suggestion.x, suggestion.y))
    return {
        "rank": rank,
        "geometry": {"type": "Point", "coordinates": [round(point.x, 7), round(point.y, 7)]},
        "range_m": suggestion.range_m,
        "added_m2": round(suggestion.added_m2, AREA_DIGITS),
        "added_ratio": round(suggestion.added_m2 / area_m2, RATIO_DIGITS) if area_m2 else 0.0,
        "clipped": suggestion.clipped,
        "label": "suggestion",
    }
