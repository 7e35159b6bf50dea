"""SpatiaLite: every predicate goes through the SpatialIndex virtual table (it is never automatic).

SpatiaLite has no vector tile encoder: the database selects a tile's rows and Python encodes them
with the `mapbox-vector-tile` package, so the embedded default serves the same tiles as PostGIS.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from shapely import to_wkb
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from observo import optional
from observo.domain.crs import OutputCrs
from observo.domain.shapes import BBox, Radius
from observo.models import Camera
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

# SpatiaLite's R*Tree lookup: ROWIDs whose bounding box meets `search_frame`.
_SPATIAL_INDEX = sa.table(
    "SpatialIndex",
    sa.column("rowid"),
    sa.column("f_table_name"),
    sa.column("f_geometry_column"),
    sa.column("search_frame"),
)


def _point(lon: float, lat: float) -> sa.ColumnElement:
    return func.MakePoint(lon, lat, SRID)


def _frame(bbox: BBox) -> sa.ColumnElement:
    return func.BuildMbr(bbox.min_lon, bbox.min_lat, bbox.max_lon, bbox.max_lat, SRID)


def _shape(shape: BaseGeometry) -> sa.ColumnElement:
    return func.GeomFromWKB(sa.literal(to_wkb(shape), sa.LargeBinary), SRID)


def _indexed(column: Column, bbox: BBox) -> sa.ColumnElement[bool]:
    """Rows whose `column` box meets `bbox`, found through the R*Tree (the table's ROWID is its id)."""
    candidates = sa.select(_SPATIAL_INDEX.c.rowid).where(
        _SPATIAL_INDEX.c.f_table_name == column.table.name,
        _SPATIAL_INDEX.c.f_geometry_column == column.name,
        _SPATIAL_INDEX.c.search_frame == _frame(bbox),
    )
    return column.table.c.id.in_(candidates)


def _bounds(shape: BaseGeometry) -> BBox:
    return BBox(*shape.bounds)


class SpatialiteBackend:
    name = "spatialite"

    def in_bbox(self, column: Column, bbox: BBox) -> sa.ColumnElement[bool]:
        return sa.and_(
            _indexed(column, bbox),
            func.ST_X(column).between(bbox.min_lon, bbox.max_lon),
            func.ST_Y(column).between(bbox.min_lat, bbox.max_lat),
        )

    def within_radius(self, column: Column, radius: Radius) -> sa.ColumnElement[bool]:
        # PtDistWithin(..., 1) measures on the ellipsoid, like PostGIS geography.
        return sa.and_(
            _indexed(column, radius.envelope()),
            func.PtDistWithin(column, _point(radius.lon, radius.lat), radius.metres, 1) == 1,
        )

    def geodesic_distance(self, column: Column, lon: float, lat: float) -> sa.ColumnElement[float]:
        return func.ST_Distance(column, _point(lon, lat), 1)

    def covers_point(self, column: Column, lon: float, lat: float) -> sa.ColumnElement[bool]:
        frame = BBox(lon, lat, lon, lat)
        return sa.and_(_indexed(column, frame), func.ST_Intersects(column, _point(lon, lat)) == 1)

    def intersects(self, column: Column, shape: BaseGeometry) -> sa.ColumnElement[bool]:
        return sa.and_(_indexed(column, _bounds(shape)), func.ST_Intersects(column, _shape(shape)) == 1)

    def view_covers_point(self, lon: float, lat: float) -> sa.ColumnElement[bool]:
        # The R*Tree of the sector finds the candidates (the visible area lies inside the sector).
        frame = BBox(lon, lat, lon, lat)
        return sa.and_(
            _indexed(Camera.fov, frame), func.ST_Intersects(effective_fov(), _point(lon, lat)) == 1
        )

    def view_intersects(self, shape: BaseGeometry) -> sa.ColumnElement[bool]:
        return sa.and_(
            _indexed(Camera.fov, _bounds(shape)), func.ST_Intersects(effective_fov(), _shape(shape)) == 1
        )

    def planar_distance(self, column: Column, lon: float, lat: float) -> sa.ColumnElement[float]:
        return func.ST_Distance(column, _point(lon, lat))

    def within_degrees(
        self, column: Column, lon: float, lat: float, degrees: float
    ) -> sa.ColumnElement[bool]:
        reach = degrees * (1 + 1e-9)
        square = BBox(lon - reach, lat - reach, lon + reach, lat + reach)
        return sa.and_(_indexed(column, square), func.ST_Distance(column, _point(lon, lat)) <= reach)

    def locate_along(self, line: BaseGeometry, column: Column) -> sa.ColumnElement[float]:
        return func.ST_Line_Locate_Point(_shape(line), column)

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
        return None  # the embedded database serves small pages: the schema renders them

    def transformed_geometries(
        self, session: Session, column: Column, key: Column, ids: Sequence[int], srid: int
    ) -> dict[int, bytes]:
        # mod_spatialite is built with PROJ: Transform gives the same numbers as PostGIS and pyproj.
        # The file's spatial_ref_sys holds only the WGS84 family (engine.py), so PROJ is named the
        # CRSs itself rather than asked to find them there.
        shape = func.AsBinary(func.Transform(column, srid, None, f"EPSG:{SRID}", f"EPSG:{int(srid)}"))
        rows = session.execute(sa.select(key, shape).where(key.in_(list(ids))))
        return {row[0]: bytes(row[1]) for row in rows}

    def like(self, column: Column, pattern: str) -> sa.ColumnElement[bool]:
        # SQLite's LIKE ignores the case of ASCII letters; GLOB, with the same pattern translated,
        # adds the case-sensitive check (LIKE still narrows first).
        return sa.and_(column.like(pattern, escape="\\"), column.op("GLOB")(_glob(pattern)))

    def bounds(self, column: Column) -> tuple[sa.ColumnElement[float], ...]:
        return func.MbrMinX(column), func.MbrMinY(column), func.MbrMaxX(column), func.MbrMaxY(column)

    def tile_mvt(self, session: Session, rows: sa.Select, tile: Tile, layer: str) -> bytes:
        features = [_tile_feature(row, tile) for row in session.execute(rows).mappings()]
        if not features:
            return b""
        options = {"extents": MVT_EXTENT, "y_coord_down": True}  # points are already in tile units
        encoder = optional.load("mapbox_vector_tile")  # an extra: observo[vector-tiles]
        return encoder.encode({"name": layer, "features": features}, default_options=options)

    def explain(self, session: Session, statement: sa.Executable) -> str:
        sql, params = compiled_with_params(session, statement)
        rows = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in rows)

    def plan_uses_index(self, plan: str, column: Column) -> bool:
        # The R*Tree is read through the virtual table, then rows are fetched by ROWID.
        return "SpatialIndex VIRTUAL TABLE" in plan and f"SCAN {column.table.name}" not in plan.replace(
            f"SCAN {column.table.name} USING", ""
        )

    def lock_for_transaction(self, session: Session, names: Sequence[str]) -> None:
        # Nothing to take: a writing unit of work begins with BEGIN IMMEDIATE (engine.write_intent),
        # which holds the database's single write lock until it ends, so writers already queue.
        return None


def _glob(pattern: str) -> str:
    """A LIKE pattern (`%`, `_`, backslash escapes) as a GLOB pattern (`*`, `?`, brackets quote)."""
    out = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append(f"[{char}]" if char in "*?[" else char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        else:
            out.append(f"[{char}]" if char in "*?[" else char)
    return "".join(out)


def _tile_feature(row: sa.RowMapping, tile: Tile) -> dict:
    """One row as the encoder's feature: a point in tile units, its id, its non-NULL attributes."""
    skipped = (*TILE_POSITION, TILE_FEATURE_ID)
    return {
        "geometry": Point(tile.units(*(row[name] for name in TILE_POSITION))),
        "id": row.get(TILE_FEATURE_ID),
        "properties": {
            name: value for name, value in row.items() if name not in skipped and value is not None
        },
    }
