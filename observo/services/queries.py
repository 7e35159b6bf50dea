"""Reading the registry: filtered lists, area and route search, nearest cameras, map clusters.

Every query is `readable_cameras(actor)` AND the caller's filters, with its spatial part from
`spatial/` (the only dialect-aware code). Results come back as `Hit`s (camera id and what the query
measured); the API renders them. Anonymous callers query the generalised public positions, so no
filter can reveal more than the public map shows.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from shapely.geometry import Point
from sqlalchemy.orm import Session

from observo.domain import vocabulary as v
from observo.domain.permissions import Actor, sees_full_detail
from observo.domain.reasons import check_reason
from observo.domain.shapes import Area, BBox, Radius
from observo.errors import NotAuthenticated
from observo.models import Camera, Organisation
from observo.services import query_audit
from observo.services.scope import readable_cameras
from observo.spatial.base import PageExtras, session_backend, view_clipped, view_model

_CODE = re.compile(r"^\s*OBS-?0*(\d{1,12})\s*$", re.IGNORECASE)
# Filters on properties the public output hides: only signed-in callers may use them.
_RESTRICTED_FILTERS = {"statuses": "status", "visibility": "visibility"}


@dataclass(frozen=True)
class CameraFilters:
    owner: str | None = None
    camera_type: str | None = None
    surveillance_type: str | None = None
    statuses: tuple[str, ...] = ()
    municipality: str | None = None
    visibility: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class CameraQuery:
    filters: CameraFilters = field(default_factory=CameraFilters)
    bbox: BBox | None = None
    near: Radius | None = None
    sees: tuple[float, float] | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Hit:
    camera_id: int
    distance_m: float | None = None
    relation: str | None = None


@dataclass(frozen=True)
class Page:
    hits: list[Hit]
    matched: int | None  # exact, or None when above the count cap
    has_more: bool
    # What a field-of-view query (sees, search) took a camera to see: "visible_area" when a camera it
    # weighed had a view clipped by obstacles, else "sector"; None for queries on positions only.
    view_model: str | None = None


def position_of(actor: Actor) -> sa.orm.InstrumentedAttribute:
    """The position a caller's spatial filters run on: exact for police, generalised for the public."""
    return Camera.location if sees_full_detail(actor) else Camera.public_location


def require_reason(actor: Actor, reason: str | None, pointer: str = "/reason") -> str | None:
    """Queries about a place that can return restricted cameras must say why: the cleaned reason,
    or 422 by the one rule for reasons (domain.reasons; docs/security.md, "Reasons"). Anonymous
    callers read public data only and need none."""
    if not sees_full_detail(actor):
        return None
    return check_reason(reason, pointer)


def filter_clauses(actor: Actor, filters: CameraFilters, default_statuses: tuple[str, ...] = ()) -> list:
    """WHERE clauses for the attribute filters (the read scope is added by the callers)."""
    full = sees_full_detail(actor)
    if not full:
        for name, parameter in _RESTRICTED_FILTERS.items():
            if getattr(filters, name):
                raise NotAuthenticated(f"filtering by {parameter} needs a signed-in user")
    clauses: list = []
    if filters.owner:
        owner = Organisation.slug == filters.owner
        if not full:  # the public output names public bodies only; so does the public filter
            owner = sa.and_(owner, Organisation.kind.in_(v.PUBLIC_BODY_KINDS))
        clauses.append(Camera.owner.has(owner))
    for name in ("camera_type", "surveillance_type", "municipality", "visibility"):
        if (value := getattr(filters, name)) is not None:
            clauses.append(getattr(Camera, name) == value)
    statuses = filters.statuses or default_statuses
    clauses.append(Camera.status.in_(statuses) if statuses else Camera.status != "decommissioned")
    if filters.text:
        clauses.append(_text_clause(filters.text, full))
    return clauses


def _text_clause(text: str, full: bool) -> sa.ColumnElement[bool]:
    """`q`: words in the name (or the address, for police) or the public code OBS-000042."""
    matches = [Camera.name.icontains(text, autoescape=True)]
    if full:
        matches.append(Camera.address.icontains(text, autoescape=True))
    if code := _CODE.match(text):
        matches.append(Camera.id == int(code.group(1)))
    return sa.or_(*matches)


def find_cameras(
    session: Session, actor: Actor, query: CameraQuery, limit: int, offset: int, count_cap: int
) -> Page:
    """One page of `GET /cameras` (see `camera_select` for the order)."""
    statement, where = camera_select(session, actor, query)
    sorts_every_match = query.near is not None or query.sees is not None
    if query.bbox is not None and not sorts_every_match:
        statement = _within_page_reach(session, actor, statement, where, query.bbox, offset + limit + 1)
    if sorts_every_match:  # every match is measured for the order anyway: count them in passing
        statement = statement.add_columns(_MATCHES)
    rows = session.execute(statement.limit(limit + 1).offset(offset)).all()
    hits = [_hit(row) for row in rows[:limit]]
    counted = rows[0][-1] if sorts_every_match and rows else None
    page = _page(session, hits, len(rows) > limit, offset, where, count_cap, counted)
    if query.sees is not None:  # the same query, its sectors instead of what the cameras see
        _statement, others = camera_select(session, actor, dataclasses.replace(query, sees=None))
        reached = [*others, session_backend(session).covers_point(Camera.fov, *query.sees)]
        page = dataclasses.replace(page, view_model=_view_model(session, reached))
    query_audit.record_list_query(session, actor, query, page, offset)
    return page


def _view_model(session: Session, reached: list) -> str:
    """`view_model` of a query whose sectors-only clauses are `reached`: did obstacles clip any of them?

    Asked of every camera whose sector reaches the target, not only of the matches: a camera dropped
    because a building hides the point is exactly what the answer must own up to.
    """
    clipped = sa.select(Camera.id).where(*reached, view_clipped()).limit(1)
    return view_model(session.scalar(clipped) is not None)


def _within_page_reach(
    session: Session, actor: Actor, statement: sa.Select, where: list, bbox: BBox, reach: int
) -> sa.Select:
    """Restrict a bbox page to the `reach` matches nearest the centre before sorting them.

    Ordering every match of a dense viewport by (distance, id) reads them all. The index returns
    rows nearest-first by itself (KNN on PostGIS), so one cheap query finds the distance of the
    `reach`-th match; the page query then sorts only the matches within it, ties included, so the
    order (distance, then id) stays exact and stable across pages.
    """
    backend = session_backend(session)
    position = position_of(actor)
    lon, lat = bbox.centre
    distance = backend.planar_distance(position, lon, lat)
    edge = session.scalar(sa.select(distance).where(*where).order_by(distance).offset(reach - 1).limit(1))
    if edge is None:  # fewer matches than the page reaches: sorting them all is cheap
        return statement
    return statement.where(backend.within_degrees(position, lon, lat, edge), distance <= edge)


def count_matches(session: Session, actor: Actor, query: CameraQuery) -> int:
    """How many cameras `query` matches (exports log it before streaming)."""
    _statement, where = camera_select(session, actor, query)
    return session.scalar(sa.select(sa.func.count()).select_from(Camera).where(*where)) or 0


def export_size(session: Session, actor: Actor, query: CameraQuery, limit: int | None, offset: int) -> int:
    """How many rows an export of `query` will hold (limit and offset applied); it needs a reason."""
    require_reason(actor, query.reason)
    matched = max(count_matches(session, actor, query) - offset, 0)
    return matched if limit is None else min(matched, limit)


def stream_hits(
    session: Session, actor: Actor, query: CameraQuery, limit: int | None, offset: int, batch: int
) -> Iterator[list[Hit]]:
    """Every match (or `limit` of them) in batches, read through a server-side cursor."""
    statement, _where = camera_select(session, actor, query)
    statement = statement.offset(offset) if limit is None else statement.limit(limit).offset(offset)
    result = session.execute(statement.execution_options(yield_per=batch))
    for rows in result.partitions():
        yield [_hit(row) for row in rows]


def _hit(row: sa.Row) -> Hit:
    return Hit(row[0], None if row[1] is None else round(row[1], 2))


def camera_select(session: Session, actor: Actor, query: CameraQuery) -> tuple[sa.Select, list]:
    """(id, distance) of matches: nearest first for near/sees, outward from a bbox centre, else by id."""
    backend = session_backend(session)
    position = position_of(actor)
    where = [readable_cameras(actor), *filter_clauses(actor, query.filters)]
    order: list = []
    distance = None
    if query.sees is not None or query.near is not None:
        require_reason(actor, query.reason)
    if query.bbox is not None:
        where.append(backend.in_bbox(position, query.bbox))
        order.append(backend.planar_distance(position, *query.bbox.centre))
    if query.near is not None:
        where.append(backend.within_radius(position, query.near))
        distance = backend.geodesic_distance(position, query.near.lon, query.near.lat)
    if query.sees is not None:
        if not sees_full_detail(actor):
            raise NotAuthenticated("fields of view are shown to signed-in users only")
        where.append(backend.view_covers_point(*query.sees))
        if distance is None:
            distance = backend.geodesic_distance(Camera.location, *query.sees)
    if distance is not None:
        order = [distance]
    measured = distance if distance is not None else sa.null()
    return sa.select(Camera.id, measured).where(*where).order_by(*order, Camera.id), where


# Every match counted by the page query itself, for queries that sort every match anyway (nearest
# first, inside first): one round trip instead of a second pass over the same rows.
_MATCHES = sa.func.count().over().label("matches")


def _page(
    session: Session,
    hits: list[Hit],
    has_more: bool,
    offset: int,
    where: list,
    cap: int,
    counted: int | None = None,
) -> Page:
    """An exact numberMatched when it costs nothing (last page, or `counted` by the page query) or
    little (at most `cap` matches)."""
    if not has_more and (hits or offset == 0):
        return Page(hits, offset + len(hits), has_more)
    if counted is None:
        capped = sa.select(Camera.id).where(*where).limit(cap + 1).subquery()
        counted = session.scalar(sa.select(sa.func.count()).select_from(capped)) or 0
    return Page(hits, counted if counted <= cap else None, has_more)


def search_cameras(
    session: Session,
    actor: Actor,
    area: Area,
    filters: CameraFilters,
    limit: int,
    offset: int,
    count_cap: int,
    reason: str | None = None,
) -> Page:
    """Active cameras (unless `filters` say otherwise) located in the area or seeing into it.

    A point is answered nearest first; a route (line) in order along it; an area inside first.
    """
    if not sees_full_detail(actor):
        raise NotAuthenticated("searching by area needs a signed-in user")
    require_reason(actor, reason)
    backend = session_backend(session)
    inside = backend.intersects(Camera.location, area.region)
    sees_into = backend.view_intersects(area.region)
    scoped = [readable_cameras(actor), *filter_clauses(actor, filters, default_statuses=("active",))]
    where = [*scoped, sa.or_(inside, sees_into)]
    relation = sa.case((inside, "inside"), else_="sees_into")
    if area.shape.geom_type == "Point":
        order = [backend.geodesic_distance(Camera.location, area.shape.x, area.shape.y)]
    elif area.is_route:
        order = [backend.locate_along(area.shape, Camera.location)]
    else:
        order = [sa.case((inside, 0), else_=1)]
    lon, lat = sa.func.ST_X(Camera.location), sa.func.ST_Y(Camera.location)
    statement = sa.select(Camera.id, relation, lon, lat, _MATCHES).where(*where).order_by(*order, Camera.id)
    rows = session.execute(statement.limit(limit + 1).offset(offset)).all()
    hits = [Hit(row[0], round(area.distance_m(row[2], row[3]), 2), row[1]) for row in rows[:limit]]
    counted = rows[0][-1] if rows else None
    page = _page(session, hits, len(rows) > limit, offset, where, count_cap, counted)
    reached = [*scoped, backend.intersects(Camera.fov, area.region)]
    page = dataclasses.replace(page, view_model=_view_model(session, reached))
    query_audit.record_search(session, actor, reason, area, filters, page, offset)
    return page


def nearest_cameras(
    session: Session,
    actor: Actor,
    lon: float,
    lat: float,
    k: int,
    filters: CameraFilters,
    max_radius_m: float,
    reason: str | None = None,
) -> list[Hit]:
    """The `k` cameras nearest to (lon, lat) within `max_radius_m`, by geodesic distance.

    The radius grows fourfold from 100 m until `k` are found: once `k` lie within a radius, no
    camera outside it can be nearer, and every step is one indexed query on either database.
    """
    require_reason(actor, reason)
    backend = session_backend(session)
    position = position_of(actor)
    base = [readable_cameras(actor), *filter_clauses(actor, filters)]
    distance = backend.geodesic_distance(position, lon, lat)
    metres = min(100.0, max_radius_m)
    while True:
        within = backend.within_radius(position, Radius(lon, lat, metres))
        statement = sa.select(Camera.id, distance).where(*base, within).order_by(distance, Camera.id).limit(k)
        rows = session.execute(statement).all()
        if len(rows) >= k or metres >= max_radius_m:
            break
        metres = min(metres * 4, max_radius_m)
    hits = [Hit(row[0], round(row[1], 2)) for row in rows]
    filters_used = query_audit.filters_used(filters)
    query_audit.record_query(
        session, actor, "query.nearest", reason, Point(lon, lat), len(hits), k=k, filters=filters_used
    )
    return hits


def features_built_by_database(
    session: Session, actor: Actor, hits: list[Hit], property_names: tuple[str, ...]
) -> list[str] | None:
    """The Features of `hits` as GeoJSON text built by the database (PostGIS), in order; None where
    the backend leaves it to the schema (SpatiaLite)."""
    extras = PageExtras(
        ids=[hit.camera_id for hit in hits],
        distance_m=[hit.distance_m for hit in hits],
        relation=[hit.relation for hit in hits],
    )
    public = not sees_full_detail(actor)
    return session_backend(session).features_json(session, extras, property_names, public)


def cameras_by_id(session: Session, camera_ids: list[int]) -> dict[int, Camera]:
    """The cameras of a page already scoped by its query, by id."""
    cameras = session.scalars(sa.select(Camera).where(Camera.id.in_(camera_ids)))
    return {camera.id: camera for camera in cameras}
