"""The one interface every spatial query goes through, and how to pick its implementation.

Each method returns a SQLAlchemy expression; services combine them without knowing the dialect.
Where PostGIS and SpatiaLite differ (index use, geodesic distance, JSON building) the difference
is a method of `postgis.PostgisBackend` or `spatialite.SpatialiteBackend`, never an `if` elsewhere.

Planar predicates (intersects, covers) run on EPSG:4326 coordinates, exactly as shapely would on the
same numbers; metric ones (radius, distance) are geodesic on the WGS84 ellipsoid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from observo.domain.crs import OutputCrs
from observo.domain.shapes import EARTH_RADIUS_M, BBox, Radius, lonlat_to_mercator, mercator_to_lonlat
from observo.models import Camera

SRID = 4326
Column = Any  # an InstrumentedAttribute or Column of geometry type
MVT_EXTENT = 4096  # tile coordinates per side, the Mapbox Vector Tile default
# Columns of a tile's rows that place the feature (EPSG:4326) and name it; the others are attributes.
TILE_POSITION = ("lon", "lat")
TILE_FEATURE_ID = "id"


@dataclass(frozen=True)
class PageExtras:
    """Per-feature values a query adds to the camera's properties, aligned with `ids`."""

    ids: Sequence[int]
    distance_m: Sequence[float | None]
    relation: Sequence[str | None]


@dataclass(frozen=True)
class Tile:
    """A slippy-map tile: zoom `z`, column `x` from the west, row `y` from the north (XYZ scheme)."""

    z: int
    x: int
    y: int

    def mercator_bounds(self) -> tuple[float, float, float, float]:
        """(min_x, min_y, max_x, max_y) in EPSG:3857 metres, as PostGIS's ST_TileEnvelope."""
        half = math.pi * EARTH_RADIUS_M
        size = 2 * half / 2**self.z
        return (
            -half + self.x * size,
            half - (self.y + 1) * size,
            -half + (self.x + 1) * size,
            half - self.y * size,
        )

    def bbox(self) -> BBox:
        """The tile's longitude/latitude box (a Mercator tile is a lon/lat rectangle too)."""
        min_x, min_y, max_x, max_y = self.mercator_bounds()
        return BBox(*mercator_to_lonlat(min_x, min_y), *mercator_to_lonlat(max_x, max_y))

    def units(self, lon: float, lat: float) -> tuple[int, int]:
        """Where (lon, lat) falls in the tile, in MVT units (0..MVT_EXTENT, y down, rounded)."""
        min_x, _min_y, max_x, max_y = self.mercator_bounds()
        x, y = lonlat_to_mercator(lon, lat)
        scale = MVT_EXTENT / (max_x - min_x)
        return round((x - min_x) * scale), round((max_y - y) * scale)


class SpatialBackend(Protocol):
    name: str

    def in_bbox(self, column: Column, bbox: BBox) -> sa.ColumnElement[bool]:
        """Positions inside the box, edges included (index-assisted)."""

    def within_radius(self, column: Column, radius: Radius) -> sa.ColumnElement[bool]:
        """Points within `radius.metres` of its centre, geodesic (index-assisted)."""

    def geodesic_distance(self, column: Column, lon: float, lat: float) -> sa.ColumnElement[float]:
        """Metres on the ellipsoid from a point column to (lon, lat)."""

    def covers_point(self, column: Column, lon: float, lat: float) -> sa.ColumnElement[bool]:
        """Polygons containing (lon, lat), boundary included (index-assisted)."""

    def intersects(self, column: Column, shape: BaseGeometry) -> sa.ColumnElement[bool]:
        """Geometries sharing at least a point with `shape` (index-assisted)."""

    def view_covers_point(self, lon: float, lat: float) -> sa.ColumnElement[bool]:
        """Cameras whose effective field of view (`effective_fov`) holds (lon, lat), boundary included.

        The sector's index finds the candidates (the visible area lies inside the sector), then the
        point is tested against what the camera actually sees.
        """

    def view_intersects(self, shape: BaseGeometry) -> sa.ColumnElement[bool]:
        """Cameras whose effective field of view shares a point with `shape` (the sector's index first)."""

    def planar_distance(self, column: Column, lon: float, lat: float) -> sa.ColumnElement[float]:
        """Distance in degrees, for ordering outward from a point (the index's own order on PostGIS)."""

    def within_degrees(
        self, column: Column, lon: float, lat: float, degrees: float
    ) -> sa.ColumnElement[bool]:
        """Planar distance in degrees at most `degrees` (index-assisted; may include a hair more)."""

    def locate_along(self, line: BaseGeometry, column: Column) -> sa.ColumnElement[float]:
        """Fraction (0..1) of `line` at the point of it closest to each position."""

    def mercator_cell(self, column: Column, cell_m: float) -> tuple[sa.ColumnElement[int], ...]:
        """(ix, iy): the Web Mercator grid cell of side `cell_m` metres holding each point."""

    def features_json(
        self,
        session: Session,
        extras: PageExtras,
        property_names: Sequence[str],
        public: bool = False,
        crs: OutputCrs | None = None,
    ) -> list[str] | None:
        """The page's features as GeoJSON text built by the database, or None to let Python do it.

        `public`: the anonymous audience's Feature (schemas.camera.PublicCameraFeature): the
        generalised position, and the owner named only when it is a public body. `crs`: the
        position reprojected into it, in its axis order (the OGC API's `crs`; None: as stored).
        """

    def transformed_geometries(
        self, session: Session, column: Column, key: Column, ids: Sequence[int], srid: int
    ) -> dict[int, bytes]:
        """WKB of `column` reprojected by the database into `srid`, by `key`, for the rows `ids`."""

    def like(self, column: Column, pattern: str) -> sa.ColumnElement[bool]:
        """SQL LIKE as CQL2 means it: case-sensitive on both databases, backslash escapes."""

    def bounds(self, column: Column) -> tuple[sa.ColumnElement[float], ...]:
        """(min x, min y, max x, max y) of each geometry of `column`."""

    def tile_mvt(self, session: Session, rows: sa.Select, tile: Tile, layer: str) -> bytes:
        """`rows` as the one layer `layer` of a Mapbox Vector Tile; empty bytes when there are none.

        Columns `lon`, `lat` (EPSG:4326) place each point feature; `id`, if selected, is the feature
        id; every other column is an attribute (NULLs left out).
        """

    def explain(self, session: Session, statement: sa.Executable) -> str:
        """The database's query plan for `statement`, as text."""

    def plan_uses_index(self, plan: str, column: Column) -> bool:
        """Whether `plan` reads the spatial index of `column`."""

    def lock_for_transaction(self, session: Session, names: Sequence[str]) -> None:
        """Hold an exclusive lock on each of `names` until the transaction ends; others asking wait.

        For check-then-write steps that no row lock can guard (the row checked may not exist yet).
        """


def backend_for(dialect_name: str) -> SpatialBackend:
    if dialect_name == "postgresql":
        from observo.spatial.postgis import PostgisBackend

        return PostgisBackend()
    if dialect_name == "sqlite":
        from observo.spatial.spatialite import SpatialiteBackend

        return SpatialiteBackend()
    raise ValueError(f"no spatial backend for {dialect_name}")


_BACKENDS: dict[str, SpatialBackend] = {}


def session_backend(session: Session) -> SpatialBackend:
    """The backend for the database `session` talks to (one instance per dialect)."""
    name = session.get_bind().dialect.name
    if name not in _BACKENDS:
        _BACKENDS[name] = backend_for(name)
    return _BACKENDS[name]


def effective_fov() -> sa.ColumnElement:
    """What a camera sees: the visible area obstacles leave it (`cameras.fov_visible`), else its sector.

    NULL `fov_visible` means no obstacle touches the sector (docs/visibility.md). Every question about
    what a camera sees (who sees a point, search, coverage) asks this; editing and the sector drawn
    in outputs keep `cameras.fov`.
    """
    return sa.func.coalesce(Camera.fov_visible, Camera.fov)


def view_clipped() -> sa.ColumnElement[bool]:
    """Cameras whose view obstacles clip: the answers that count them say `view_model: visible_area`."""
    return Camera.fov_visible.is_not(None)


VIEW_MODELS = ("sector", "visible_area")


def view_model(clipped: bool) -> str:
    """The model an answer used: `visible_area` when a camera it weighed had a clipped view."""
    return "visible_area" if clipped else "sector"


def mercator_cell(column: Column, cell_m: float) -> tuple[sa.ColumnElement[int], sa.ColumnElement[int]]:
    """Web Mercator cell indices of a point column: the same SQL functions exist on both databases."""
    x = EARTH_RADIUS_M * sa.func.radians(sa.func.ST_X(column))
    y = EARTH_RADIUS_M * sa.func.ln(sa.func.tan(sa.func.pi() / 4 + sa.func.radians(sa.func.ST_Y(column)) / 2))
    return sa.cast(sa.func.floor(x / cell_m), sa.Integer), sa.cast(sa.func.floor(y / cell_m), sa.Integer)


def compiled_with_params(session: Session, statement: sa.Executable) -> tuple[str, Any]:
    """SQL text and driver parameters of `statement`, for EXPLAIN."""
    compiled = statement.compile(dialect=session.get_bind().dialect)
    if compiled.positiontup is not None:
        return str(compiled), tuple(compiled.params[name] for name in compiled.positiontup)
    return str(compiled), compiled.params
