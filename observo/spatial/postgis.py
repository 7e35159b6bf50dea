"""PostGIS: GiST-indexed predicates, geography for metres, GeoJSON and vector tiles built by the database."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache

import sqlalchemy as sa
from shapely import to_wkb
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from observo.domain.confirmations import OWNER_SOURCE, local_day
from observo.domain.crs import OutputCrs
from observo.domain.shapes import BBox, Radius
from observo.domain.vocabulary import PUBLIC_BODY_KINDS
from observo.models import Camera
from observo.models.base import utcnow
from observo.settings import current_settings
from observo.spatial.base import (
    MVT_EXTENT,
    SRID,
    TILE_FEATURE_ID,
    TILE_POSITION,
    Column,
    PageExtras,
    Tile,
    compiled_with_params,
    effective_fov,
    mercator_cell,
)

func = sa.func
WEB_MERCATOR = 3857
# Tile units kept around the tile by ST_AsMVTGeom: rows are chosen inside the tile, this only spares a
# point on an edge from being clipped by rounding.
_MVT_BUFFER = 64


def _point(lon: float, lat: float) -> sa.ColumnElement:
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), SRID)


def _envelope(bbox: BBox) -> sa.ColumnElement:
    return func.ST_MakeEnvelope(bbox.min_lon, bbox.min_lat, bbox.max_lon, bbox.max_lat, SRID)


def _shape(shape: BaseGeometry) -> sa.ColumnElement:
    return func.ST_GeomFromWKB(sa.literal(to_wkb(shape), sa.LargeBinary), SRID)


def _geography(expression: sa.ColumnElement) -> sa.ColumnElement:
    return func.geography(expression)


def _coordinates_inside(column: Column, bbox: BBox) -> sa.ColumnElement[bool]:
    return sa.and_(
        func.ST_X(column).between(bbox.min_lon, bbox.max_lon),
        func.ST_Y(column).between(bbox.min_lat, bbox.max_lat),
    )


class PostgisBackend:
    name = "postgis"

    def in_bbox(self, column: Column, bbox: BBox) -> sa.ColumnElement[bool]:
        # ST_Intersects brings its own && (GiST) and one selectivity estimate, so the planner sees how
        # many points a dense box holds and walks the index nearest first (docs/performance.md,
        # "Indexes"). A box shrunk to a line or a point is tested on coordinates instead: GEOS misses
        # a point equal to such a box (found by the oracle test).
        if bbox.min_lon < bbox.max_lon and bbox.min_lat < bbox.max_lat:
            return func.ST_Intersects(column, _envelope(bbox))
        return sa.and_(column.op("&&")(_envelope(bbox)), _coordinates_inside(column, bbox))

    def within_radius(self, column: Column, radius: Radius) -> sa.ColumnElement[bool]:
        # The geography test cannot use the geometry index: the && on an enclosing box does.
        centre = _point(radius.lon, radius.lat)
        return sa.and_(
            column.op("&&")(_envelope(radius.envelope())),
            func.ST_DWithin(_geography(column), _geography(centre), radius.metres, True),
        )

    def geodesic_distance(self, column: Column, lon: float, lat: float) -> sa.ColumnElement[float]:
        return func.ST_Distance(_geography(column), _geography(_point(lon, lat)), True)

    def covers_point(self, column: Column, lon: float, lat: float) -> sa.ColumnElement[bool]:
        return func.ST_Intersects(column, _point(lon, lat))

    def intersects(self, column: Column, shape: BaseGeometry) -> sa.ColumnElement[bool]:
        return func.ST_Intersects(column, _shape(shape))

    def view_covers_point(self, lon: float, lat: float) -> sa.ColumnElement[bool]:
        # && on the sector feeds its GiST index; the COALESCE alone would be tested on every row.
        point = _point(lon, lat)
        return sa.and_(Camera.fov.op("&&")(point), func.ST_Intersects(effective_fov(), point))

    def view_intersects(self, shape: BaseGeometry) -> sa.ColumnElement[bool]:
        region = _shape(shape)
        return sa.and_(Camera.fov.op("&&")(region), func.ST_Intersects(effective_fov(), region))

    def planar_distance(self, column: Column, lon: float, lat: float) -> sa.ColumnElement[float]:
        # <-> is the operator a GiST index scan returns rows in order of (KNN): no sort of all matches.
        return column.op("<->", return_type=sa.Float)(_point(lon, lat))

    def within_degrees(
        self, column: Column, lon: float, lat: float, degrees: float
    ) -> sa.ColumnElement[bool]:
        # A hair wider than asked: callers also test the exact distance, this only feeds the index.
        return func.ST_DWithin(column, _point(lon, lat), degrees * (1 + 1e-9))

    def locate_along(self, line: BaseGeometry, column: Column) -> sa.ColumnElement[float]:
        return func.ST_LineLocatePoint(_shape(line), column)

    def mercator_cell(self, column: Column, cell_m: float) -> tuple[sa.ColumnElement[int], ...]:
        return mercator_cell(column, cell_m)

    def features_json(
        self,
        session: Session,
        extras: PageExtras,
        property_names: Sequence[str],
        public: bool = False,
        crs: OutputCrs | None = None,
    ) -> list[str] | None:
        has_distance = any(value is not None for value in extras.distance_m)
        has_relation = any(value is not None for value in extras.relation)
        sql = _features_sql(tuple(property_names), has_distance, has_relation, public, crs)
        params = {
            "ids": list(extras.ids),
            "distances": list(extras.distance_m),
            "relations": list(extras.relation),
        }
        if "owner_confirmation" in property_names:  # today's bounds (domain/confirmations.py)
            bounds = current_settings().confirmation_policy.thresholds(local_day(utcnow()))
            params.update(oc_due_soon=bounds.due_soon, oc_overdue=bounds.overdue, oc_lapsed=bounds.lapsed)
        rows = session.execute(sa.text(sql), params)
        return [row[0] for row in rows]

    def transformed_geometries(
        self, session: Session, column: Column, key: Column, ids: Sequence[int], srid: int
    ) -> dict[int, bytes]:
        shape = func.ST_AsBinary(func.ST_Transform(column, srid))
        rows = session.execute(sa.select(key, shape).where(key.in_(list(ids))))
        return {row[0]: bytes(row[1]) for row in rows}

    def like(self, column: Column, pattern: str) -> sa.ColumnElement[bool]:
        return column.like(pattern, escape="\\")

    def bounds(self, column: Column) -> tuple[sa.ColumnElement[float], ...]:
        return func.ST_XMin(column), func.ST_YMin(column), func.ST_XMax(column), func.ST_YMax(column)

    def tile_mvt(self, session: Session, rows: sa.Select, tile: Tile, layer: str) -> bytes:
        # ST_AsMVTGeom moves each point into tile coordinates (y down), ST_AsMVT encodes the layer.
        source = rows.subquery("source")
        lon, lat = (source.c[name] for name in TILE_POSITION)
        point = func.ST_Transform(func.ST_SetSRID(func.ST_MakePoint(lon, lat), SRID), WEB_MERCATOR)
        envelope = func.ST_TileEnvelope(tile.z, tile.x, tile.y)
        geom = func.ST_AsMVTGeom(point, envelope, MVT_EXTENT, _MVT_BUFFER, True).label("geom")
        attributes = [column for column in source.c if column.key not in TILE_POSITION]
        features = sa.select(geom, *attributes).subquery("features")
        naming = [TILE_FEATURE_ID] if TILE_FEATURE_ID in source.c else []
        encoded = func.ST_AsMVT(features.table_valued(), layer, MVT_EXTENT, "geom", *naming)
        data = session.scalar(sa.select(encoded).where(features.c.geom.is_not(None)))
        return bytes(data or b"")

    def explain(self, session: Session, statement: sa.Executable) -> str:
        sql, params = compiled_with_params(session, statement)
        rows = session.connection().exec_driver_sql(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in rows)

    def plan_uses_index(self, plan: str, column: Column) -> bool:
        index = f"idx_{column.table.name}_{column.name}"
        return f"Index Scan using {index}" in plan or f"Bitmap Index Scan on {index}" in plan

    def lock_for_transaction(self, session: Session, names: Sequence[str]) -> None:
        # READ COMMITTED lets two transactions both find "nothing yet" and both write: an advisory
        # lock, released at commit or rollback, queues them. Taken in key order: no deadlock.
        for key in sorted({_advisory_key(name) for name in names}):
            session.execute(sa.select(func.pg_advisory_xact_lock(sa.cast(key, sa.BigInteger))))


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (the same in every process)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _isoformat(column: str) -> str:
    """Stored UTC without zone -> text exactly as Python's isoformat() (6-digit fraction only if any)."""
    fraction = (
        f"CASE WHEN date_part('microseconds', {column})::int % 1000000 <> 0 "
        f"THEN to_char({column}, '.US') ELSE '' END"
    )
    return f"""to_char({column}, 'YYYY-MM-DD"T"HH24:MI:SS') || {fraction} || '+00:00'"""


# Properties whose value is not the column of the same name.
_SPECIAL = {
    "code": "'OBS-' || CASE WHEN c.id < 1000000 THEN lpad(c.id::text, 6, '0') ELSE c.id::text END",
    "owner": "o.slug",
    "operator": "op.slug",
    "fov": "ST_AsGeoJSON(c.fov, 7)::json",
    "fov_visible": "ST_AsGeoJSON(c.fov_visible, 7)::json",
    "created_by": "(SELECT u.email FROM users u WHERE u.id = c.created_by_id)",
    "updated_by": "(SELECT u.email FROM users u WHERE u.id = c.updated_by_id)",
    "created_at": _isoformat("c.created_at"),
    "updated_at": _isoformat("c.updated_at"),
    # The OGC API's additions (schemas.camera.OgcCameraProperties): QGIS replaces a Feature's id with
    # its own numbering, and a municipality's name is that of the organisation with its ISTAT code.
    # The owner's yearly re-confirmation (schemas.camera.owner_confirmation), with today's bounds.
    "owner_confirmation": f"""CASE WHEN c.source = '{OWNER_SOURCE}' THEN CASE
        WHEN c.owner_confirmed_on <= CAST(:oc_lapsed AS date) THEN 'lapsed'
        WHEN c.owner_confirmed_on <= CAST(:oc_overdue AS date) THEN 'overdue'
        WHEN c.owner_confirmed_on <= CAST(:oc_due_soon AS date) THEN 'due_soon' END END""",
    "camera_id": "c.id",
    "municipality_name": "(SELECT m.name FROM organisations m "
    "WHERE m.kind = 'municipality' AND m.istat_code = c.municipality)",
}


# The anonymous audience's differences (schemas.camera.PublicCameraFeature): only public bodies named.
_PUBLIC_BODIES = ", ".join(f"'{kind}'" for kind in PUBLIC_BODY_KINDS)
_PUBLIC_SPECIAL = {**_SPECIAL, "owner": f"CASE WHEN o.kind IN ({_PUBLIC_BODIES}) THEN o.slug END"}


@lru_cache(maxsize=16)
def _features_sql(
    property_names: tuple[str, ...],
    has_distance: bool,
    has_relation: bool,
    public: bool = False,
    crs: OutputCrs | None = None,
) -> str:
    """One query rendering a page of Features in the schema's property order (checked by a test).

    `public`: the generalised position (`public_location`) and the public audience's owner rule.
    `crs`: the position reprojected (ST_Transform) and written in that CRS's axis order.
    """
    columns = set(Camera.__table__.columns.keys())
    special = _PUBLIC_SPECIAL if public else _SPECIAL
    position = "c.public_location" if public else "c.location"
    precision, options = 7, ""
    if crs is not None and not crs.is_storage:
        precision = crs.precision
        position = f"ST_Transform({position}, {int(crs.srid)})"
        if crs.lat_first:
            position = f"ST_FlipCoordinates({position})"
        options = ", 0"  # no "crs" member in the geometry: the Content-Crs header names it
    selected = []
    for name in property_names:
        if name not in special and name not in columns:
            raise ValueError(f"no SQL for property {name!r}")
        selected.append(f'{special.get(name, f"c.{name}")} AS "{name}"')
    if has_distance:
        selected.append("q.distance_m AS distance_m")
    if has_relation:
        selected.append("q.relation AS relation")
    return f"""
        SELECT json_build_object(
            'type', 'Feature', 'id', c.id,
            'geometry', ST_AsGeoJSON({position}, {precision}{options})::json,
            'properties', row_to_json(p))::text
        FROM unnest(CAST(:ids AS bigint[]), CAST(:distances AS float8[]), CAST(:relations AS text[]))
             WITH ORDINALITY AS q(id, distance_m, relation, ord)
        JOIN cameras c ON c.id = q.id
        JOIN organisations o ON o.id = c.owner_id
        LEFT JOIN organisations op ON op.id = c.operator_id
        CROSS JOIN LATERAL (SELECT {", ".join(selected)}) p
        ORDER BY q.ord"""
