"""What OGC API – Features needs beyond `queries.find_cameras`: its bbox, an exact count, the extent;
Part 1's `datetime`, Part 2's CRSs and Part 3's `filter`; the `camera-views` collection.

OGC clients treat `numberMatched` as the truth (GDAL reports it as the layer's feature count, QGIS
sizes its progress by it), so the OGC items count exactly, whatever the count cap of
`/api/v1/cameras`: the cap spares map viewports a count; a GIS client that pages through a whole
layer reads every match anyway, and one indexed count per page costs less than the page itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely
import sqlalchemy as sa
from shapely.geometry import Polygon, box
from sqlalchemy.orm import Session

from observo.domain.crs import CRS84, OutputCrs
from observo.domain.geometry import to_geojson
from observo.domain.ogc_datetime import TimeRange
from observo.domain.permissions import Actor, sees_full_detail
from observo.domain.shapes import BBox
from observo.errors import NotFound
from observo.models import Camera, Organisation
from observo.services import ogc_filter, queries
from observo.services.queries import Hit, Page
from observo.services.scope import readable_cameras
from observo.settings import Settings
from observo.spatial.base import PageExtras, session_backend

VIEWS = "camera-views"

_WORLD = (-180.0, -90.0, 180.0, 90.0)


def parse_bbox(text: str) -> BBox:
    """OGC's bbox: 4 numbers, or 6 with heights (ignored), anywhere on Earth and of any size.

    A client's viewport is not a mistake: outside the registry's extent it simply matches nothing,
    and inside it is clipped to the extent (`camera_items`), so the query stays bounded.
    """
    parts = text.split(",")
    if len(parts) == 6:
        text = ",".join(parts[0:2] + parts[3:5])
    return BBox.parse(text, _WORLD, math.inf)


def clipped(bbox: BBox, extent: tuple[float, float, float, float]) -> BBox | None:
    """The part of `bbox` inside the registry's extent; None when they do not meet."""
    area = BBox(*extent)
    if not bbox.overlaps(area):
        return None
    return BBox(
        max(bbox.min_lon, area.min_lon),
        max(bbox.min_lat, area.min_lat),
        min(bbox.max_lon, area.max_lon),
        min(bbox.max_lat, area.max_lat),
    )


@dataclass(frozen=True)
class ItemsRequest:
    """What an items request asks beyond paging. `region`: the bbox as a lon/lat polygon when it was
    given in a projected CRS (`bbox` is then its envelope); `cql`: CQL2 text, literals in `filter_crs`."""

    bbox: BBox | None = None
    region: Polygon | None = None
    time: TimeRange | None = None
    cql: str | None = None
    filter_crs: OutputCrs = CRS84

    @property
    def narrows(self) -> bool:
        return self.region is not None or self.time is not None or self.cql is not None


def camera_items(
    session: Session, actor: Actor, request: ItemsRequest, limit: int, offset: int, settings: Settings
) -> queries.Page:
    """One page of the `cameras` collection, with an exact `matched`.

    The order is `find_cameras`' (by id; with a bbox outward from its centre, ties by id): total and
    deterministic, so offset paging returns every feature exactly once. `datetime`, `filter` and a
    projected bbox add their clauses to the same query (and the same read scope).
    """
    bbox = request.bbox
    if bbox is not None:
        bbox = clipped(bbox, settings.extent)
        if bbox is None:
            return queries.Page([], 0, has_more=False)
    query = queries.CameraQuery(bbox=bbox)
    if not request.narrows:
        page = queries.find_cameras(session, actor, query, limit, offset, settings.count_cap)
        if page.matched is not None:
            return page
        return queries.Page(page.hits, queries.count_matches(session, actor, query), page.has_more)
    extra = _narrowing(session, actor, request, queries.position_of(actor), views=False, settings=settings)
    statement, where = queries.camera_select(session, actor, query)
    return _exact_page(session, statement.where(*extra), [*where, *extra], limit, offset)


def view_items(
    session: Session, actor: Actor, request: ItemsRequest, limit: int, offset: int, settings: Settings
) -> queries.Page:
    """One page of `camera-views`: the fields of view meeting the bbox, by camera id, exact count.

    Police only: anonymous callers get the 404 of a collection that does not exist.
    """
    require_views(actor)
    where = [readable_cameras(actor), *queries.filter_clauses(actor, queries.CameraFilters())]
    if request.bbox is not None:
        bbox = clipped(request.bbox, settings.extent)
        if bbox is None:
            return queries.Page([], 0, has_more=False)
        region = request.region if request.region is not None else box(*_corners(bbox))
        where.append(session_backend(session).intersects(Camera.fov, region))
    where += _narrowing(session, actor, request, Camera.fov, views=True, settings=settings, with_region=False)
    statement = sa.select(Camera.id, sa.null()).where(*where).order_by(Camera.id)
    return _exact_page(session, statement, where, limit, offset)


def require_views(actor: Actor) -> None:
    """`camera-views` exists for signed-in callers only; for others exactly as a missing collection."""
    if not sees_full_detail(actor):
        raise NotFound(f"no collection {VIEWS!r}")


def readable_view(session: Session, actor: Actor, camera_id: int) -> Camera:
    """One camera for its field of view: 404 when missing, decommissioned or outside the scope."""
    require_views(actor)
    where = [readable_cameras(actor), *queries.filter_clauses(actor, queries.CameraFilters())]
    camera = session.scalar(sa.select(Camera).where(Camera.id == camera_id, *where))
    if camera is None:
        raise NotFound(f"no camera {camera_id}")
    return camera


def _corners(bbox: BBox) -> tuple[float, float, float, float]:
    return (bbox.min_lon, bbox.min_lat, bbox.max_lon, bbox.max_lat)


def _narrowing(
    session: Session,
    actor: Actor,
    request: ItemsRequest,
    geometry: Any,
    views: bool,
    settings: Settings,
    with_region: bool = True,
) -> list[sa.ColumnElement[bool]]:
    """The clauses of a projected bbox, `datetime` and `filter` (none of them widens the scope)."""
    clauses: list[sa.ColumnElement[bool]] = []
    if with_region and request.region is not None:
        clauses.append(session_backend(session).intersects(geometry, request.region))
    if request.time is not None and sees_full_detail(actor):
        clauses += time_clauses(request.time)
    if request.cql is not None:
        catalogue = ogc_filter.VIEW_QUERYABLES if views else ogc_filter.CAMERA_QUERYABLES
        clauses.append(
            ogc_filter.filter_clause(
                session, actor, request.cql, catalogue, geometry, request.filter_crs, settings.max_vertices
            )
        )
    return clauses


def time_clauses(time: TimeRange) -> list[sa.ColumnElement[bool]]:
    """`datetime` on the record's last change (`updated_at`), bounds included.

    Anonymous callers are not given these clauses: the public Feature has no time, so for them the
    collection has no temporal property and the parameter, checked, selects nothing out (Part 1:
    only a collection with temporal geometry is filtered).
    """
    clauses = []
    if time.start is not None:
        clauses.append(Camera.updated_at >= time.start)
    if time.end is not None:
        clauses.append(Camera.updated_at <= time.end)
    return clauses


def _exact_page(session: Session, statement: sa.Select, where: list, limit: int, offset: int) -> Page:
    rows = session.execute(statement.limit(limit + 1).offset(offset)).all()
    hits = [Hit(row[0]) for row in rows[:limit]]
    has_more = len(rows) > limit
    if not has_more and (hits or offset == 0):
        return Page(hits, offset + len(hits), has_more)
    matched = session.scalar(sa.select(sa.func.count()).select_from(Camera).where(*where)) or 0
    return Page(hits, matched, has_more)


def municipality_names(session: Session, codes: Sequence[str | None]) -> dict[str, str]:
    """ISTAT code -> name of the municipality organisation holding it (the one table of names there is).

    A municipality is a public body: its name is as public as the code the public Feature carries.
    """
    wanted = sorted({code for code in codes if code})
    if not wanted:
        return {}
    statement = sa.select(Organisation.istat_code, Organisation.name).where(
        Organisation.kind == "municipality", Organisation.istat_code.in_(wanted)
    )
    return {code: name for code, name in session.execute(statement)}


def features_built_by_database(
    session: Session, actor: Actor, hits: Sequence[Hit], property_names: tuple[str, ...], crs: OutputCrs
) -> list[str] | None:
    """The OGC Features of `hits` as GeoJSON text built by the database (PostGIS) in `crs`; None where
    the backend leaves it to the schema (SpatiaLite)."""
    none = [None] * len(hits)
    extras = PageExtras(ids=[hit.camera_id for hit in hits], distance_m=none, relation=none)
    public = not sees_full_detail(actor)
    return session_backend(session).features_json(session, extras, property_names, public, crs)


def geometries_in(
    session: Session, actor: Actor, camera_ids: Sequence[int], crs: OutputCrs, views: bool
) -> dict[int, dict[str, Any]]:
    """GeoJSON geometries of the cameras' positions (or fields of view) reprojected by the database
    into `crs`, written in its axis order and precision."""
    # A view is drawn as what the camera sees: its visible area when obstacles clip it.
    column = sa.func.coalesce(Camera.fov_visible, Camera.fov) if views else queries.position_of(actor)
    found = session_backend(session).transformed_geometries(session, column, Camera.id, camera_ids, crs.srid)
    return {key: crs_geojson(shapely.from_wkb(wkb), crs) for key, wkb in found.items()}


def crs_geojson(shape: Any, crs: OutputCrs) -> dict[str, Any]:
    """A geometry already in `crs`'s units as GeoJSON; rings oriented on lon/lat, then axes swapped."""
    geometry = to_geojson(shape, crs.precision)
    return lat_first(geometry) if crs.lat_first else geometry


def lat_first(geometry: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON geometry with each position's two axes swapped (EPSG:4326 as its URI orders them)."""

    def swap(coordinates: Any) -> Any:
        if coordinates and isinstance(coordinates[0], (int, float)):
            return [coordinates[1], coordinates[0], *coordinates[2:]]
        return [swap(part) for part in coordinates]

    return {**geometry, "coordinates": swap(geometry["coordinates"])}


def camera_extent(
    session: Session, actor: Actor, fallback: tuple[float, float, float, float], views: bool = False
) -> tuple[float, float, float, float]:
    """The box of the cameras `actor` may list, on the positions they see (generalised for the public);
    with `views`, of their fields of view.

    `fallback` (the configured extent) when there are none: an empty box would be no extent at all.
    """
    if views:
        low_lon, low_lat, high_lon, high_lat = session_backend(session).bounds(Camera.fov)
    else:
        position = queries.position_of(actor)
        low_lon = high_lon = sa.func.ST_X(position)
        low_lat = high_lat = sa.func.ST_Y(position)
    where = [readable_cameras(actor), *queries.filter_clauses(actor, queries.CameraFilters())]
    statement = sa.select(
        sa.func.min(low_lon), sa.func.min(low_lat), sa.func.max(high_lon), sa.func.max(high_lat)
    )
    row = session.execute(statement.select_from(Camera).where(*where)).one()
    if row[0] is None:
        return fallback
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))


def time_extent(session: Session, actor: Actor) -> list[str | None]:
    """[first, last] change of the cameras a signed-in `actor` may list (the `datetime` property)."""
    where = [readable_cameras(actor), *queries.filter_clauses(actor, queries.CameraFilters())]
    statement = sa.select(sa.func.min(Camera.updated_at), sa.func.max(Camera.updated_at)).where(*where)
    first, last = session.execute(statement).one()
    return [None if moment is None else _utc(moment) for moment in (first, last)]


def _utc(moment: Any) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
