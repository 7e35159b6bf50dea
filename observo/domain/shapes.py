"""The shapes a query asks about: BBox, Radius, Area (with its corridor form), and map grid cells.

These value objects sit beside `geometry.py` (docs/architecture.md, "Layers"); apart, because it parses
GeoJSON input while these turn validated input into what a query needs: an envelope for the
spatial index, a region in EPSG:4326 for the database's planar predicates, and distances in metres.

Metric work happens in an azimuthal equidistant projection centred on the shape (as `fov` does for
sectors): distances from its centre are exact and, over the few tens of kilometres a search may
span, the scale error elsewhere stays below a few parts per million.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from observo.errors import FieldIssue, InvalidInput

_GEOD = Geod(ellps="WGS84")
EARTH_RADIUS_M = 6_378_137.0  # the Web Mercator sphere, for map grid cells
# Metres per degree of latitude is at least 110,574 (at the equator); a longitude degree shrinks
# with cos(latitude). Envelopes are widened by this factor so they always contain the circle.
_ENVELOPE_MARGIN = 1.01
# Segments per quarter circle of a buffer: the chord error at 1 km is under 2 cm.
BUFFER_QUAD_SEGMENTS = 128


def _fail(code: str, detail: str) -> InvalidInput:
    return InvalidInput(detail, [FieldIssue("", code, detail)])


@dataclass(frozen=True)
class BBox:
    """A longitude/latitude box; edges are inclusive."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    @classmethod
    def parse(cls, text: str, extent: tuple[float, float, float, float], max_km2: float) -> BBox:
        """`minLon,minLat,maxLon,maxLat` on Earth, meeting `extent`, no larger than `max_km2`."""
        values = _numbers(text, 4, "minLon,minLat,maxLon,maxLat")
        bbox = cls(*values)
        # Off the Earth the area below is no number at all (1e308 degrees), which passed any limit.
        if bbox.min_lon < -180 or bbox.max_lon > 180 or bbox.min_lat < -90 or bbox.max_lat > 90:
            raise _fail("out_of_range", "longitudes lie within -180..180 and latitudes within -90..90")
        if bbox.min_lon > bbox.max_lon or bbox.min_lat > bbox.max_lat:
            raise _fail("inverted", "the minimum must not exceed the maximum (minLon,minLat,maxLon,maxLat)")
        if not bbox.overlaps(cls(*extent)):
            raise _fail("out_of_range", f"the box lies outside the registry's extent {list(extent)}")
        if bbox.area_km2() > max_km2:
            raise _fail("too_large", f"the box covers {bbox.area_km2():,.0f} km², more than {max_km2:,.0f}")
        return bbox

    @property
    def centre(self) -> tuple[float, float]:
        return (self.min_lon + self.max_lon) / 2, (self.min_lat + self.max_lat) / 2

    def overlaps(self, other: BBox) -> bool:
        return not (
            self.max_lon < other.min_lon
            or self.min_lon > other.max_lon
            or self.max_lat < other.min_lat
            or self.min_lat > other.max_lat
        )

    def area_km2(self) -> float:
        """Area of the box on the WGS 84 ellipsoid, its edges along parallels and meridians, as the
        query reads it. (With geodesic edges a box 180° wide had none: its edges met at a pole.)"""
        zone = _ellipsoid_zone_m2(math.radians(self.max_lat)) - _ellipsoid_zone_m2(math.radians(self.min_lat))
        return (self.max_lon - self.min_lon) / 360 * zone / 1e6

    def polygon(self) -> Polygon:
        return box(self.min_lon, self.min_lat, self.max_lon, self.max_lat)


@dataclass(frozen=True)
class Radius:
    """Every position within `metres` (geodesic, on the WGS84 ellipsoid) of (lon, lat)."""

    lon: float
    lat: float
    metres: float

    def envelope(self) -> BBox:
        """A box that surely contains the circle, for the spatial index."""
        dlat = self.metres / 110_574.0 * _ENVELOPE_MARGIN
        widest = min(89.0, abs(self.lat) + dlat)
        dlon = self.metres / (111_320.0 * math.cos(math.radians(widest))) * _ENVELOPE_MARGIN
        return BBox(self.lon - dlon, self.lat - dlat, self.lon + dlon, self.lat + dlat)


def _ellipsoid_zone_m2(lat_rad: float) -> float:
    """Area of the WGS 84 ellipsoid between the equator and a latitude (negative to the south)."""
    e = math.sqrt(_GEOD.es)  # eccentricity
    sin_lat = math.sin(lat_rad)
    e_sin = e * sin_lat
    shape = sin_lat / (2 * (1 - e_sin**2)) + math.atanh(e_sin) / (2 * e)
    return 2 * math.pi * _GEOD.b**2 * shape  # b: the polar radius


def square_around(centre: tuple[float, float], half_m: float) -> Polygon:
    """A lon/lat box whose sides lie `half_m` metres (geodesic) north, south, east and west of `centre`."""
    west = _GEOD.fwd(*centre, 270, half_m)[0]
    east = _GEOD.fwd(*centre, 90, half_m)[0]
    south = _GEOD.fwd(*centre, 180, half_m)[1]
    north = _GEOD.fwd(*centre, 0, half_m)[1]
    return box(west, south, east, north)


def parse_position(text: str, extent: tuple[float, float, float, float]) -> tuple[float, float]:
    """`lon,lat` inside `extent` (a hint when the pair looks swapped)."""
    lon, lat = _numbers(text, 2, "lon,lat")
    min_lon, min_lat, max_lon, max_lat = extent
    if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
        if min_lon <= lat <= max_lon and min_lat <= lon <= max_lat:
            raise _fail("axis_order", "the position looks like lat,lon: send longitude first (lon,lat)")
        raise _fail("out_of_range", f"the position lies outside the registry's extent {list(extent)}")
    return lon, lat


def _numbers(text: str, count: int, shape: str) -> list[float]:
    parts = text.split(",")
    if len(parts) != count:
        raise _fail("invalid_format", f"expected {count} comma-separated numbers: {shape}")
    try:
        values = [float(part) for part in parts]
    except ValueError:
        raise _fail("invalid_format", f"expected {count} comma-separated numbers: {shape}") from None
    if not all(math.isfinite(value) for value in values):
        raise _fail("not_finite", "NaN and infinities are not positions")
    return values


MIN_BUFFER_M = 0.001


@dataclass(frozen=True)
class Area:
    """A search shape with an optional buffer in metres: the region it covers and metric distances.

    `shape` is a validated EPSG:4326 Point, LineString, Polygon or MultiPolygon. A LineString with a
    buffer is a corridor (a route). `region` is the buffered shape in EPSG:4326, the polygon the
    database tests positions and fields of view against.
    """

    shape: BaseGeometry
    buffer_m: float = 0.0
    _centre: tuple[float, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        centroid = self.shape.centroid
        object.__setattr__(self, "_centre", (centroid.x, centroid.y))

    @property
    def is_route(self) -> bool:
        return isinstance(self.shape, LineString)

    @cached_property
    def _to_local(self) -> Transformer:
        lon, lat = self._centre
        return Transformer.from_pipeline(
            "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
            f"+step +proj=aeqd +lat_0={lat!r} +lon_0={lon!r} +ellps=WGS84 +units=m"
        )

    def _project(self, geometry: BaseGeometry, direction: str) -> BaseGeometry:
        def move(xy: np.ndarray) -> np.ndarray:
            x, y = self._to_local.transform(xy[:, 0], xy[:, 1], direction=direction)
            return np.column_stack((x, y))

        return shapely.transform(geometry, move)

    def to_local(self, geometry: BaseGeometry) -> BaseGeometry:
        """`geometry` (EPSG:4326) in the shape's local metres."""
        return self._project(geometry, "FORWARD")

    def to_lonlat(self, geometry: BaseGeometry) -> BaseGeometry:
        """`geometry` in local metres back to EPSG:4326."""
        return self._project(geometry, "INVERSE")

    @cached_property
    def local_shape(self) -> BaseGeometry:
        return self.to_local(self.shape)

    @property
    def has_buffer(self) -> bool:
        # Below a millimetre a buffer is no buffer (and GEOS builds NaN rings from subnormal ones).
        return self.buffer_m >= MIN_BUFFER_M

    @cached_property
    def local_region(self) -> BaseGeometry:
        """The buffered shape in metres: built once for both the area limit and the region."""
        if not self.has_buffer:
            return self.local_shape
        return self.local_shape.buffer(self.buffer_m, quad_segs=BUFFER_QUAD_SEGMENTS)

    @cached_property
    def region(self) -> BaseGeometry:
        if not self.has_buffer:
            return self.shape
        return shapely.orient_polygons(self.to_lonlat(self.local_region))

    def area_km2(self) -> float:
        return self.local_region.area / 1e6

    def vertex_count(self) -> int:
        return int(shapely.get_num_coordinates(self.region))

    def distance_m(self, lon: float, lat: float) -> float:
        """Metres from (lon, lat) to the shape itself (0 inside a polygon), not to its buffer."""
        x, y = self._to_local.transform(lon, lat)
        return float(self.local_shape.distance(Point(x, y)))


@dataclass(frozen=True)
class MapGrid:
    """Square cells on the Web Mercator map: 4 x 4 per 256-pixel tile at `zoom`, as the map draws.

    Cells are aligned on the Mercator origin, so the same camera falls in the same cell for every
    request at that zoom (deterministic and cacheable).
    """

    zoom: int
    cells_per_tile: int = 4

    @property
    def cell_m(self) -> float:
        return 2 * math.pi * EARTH_RADIUS_M / (2**self.zoom * self.cells_per_tile)

    def cell_bounds(self, ix: int, iy: int) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat) of cell (ix, iy)."""
        min_lon, min_lat = mercator_to_lonlat(ix * self.cell_m, iy * self.cell_m)
        max_lon, max_lat = mercator_to_lonlat((ix + 1) * self.cell_m, (iy + 1) * self.cell_m)
        return min_lon, min_lat, max_lon, max_lat

    def cell_range(self, bbox: BBox) -> tuple[int, int, int, int]:
        """(ix0, iy0, ix1, iy1): the first and last cells the box touches, inclusive."""
        x0, y0 = lonlat_to_mercator(bbox.min_lon, bbox.min_lat)
        x1, y1 = lonlat_to_mercator(bbox.max_lon, bbox.max_lat)
        size = self.cell_m
        return math.floor(x0 / size), math.floor(y0 / size), math.floor(x1 / size), math.floor(y1 / size)

    def cell_count(self, bbox: BBox) -> int:
        ix0, iy0, ix1, iy1 = self.cell_range(bbox)
        return (ix1 - ix0 + 1) * (iy1 - iy0 + 1)


# Web Mercator's square world ends here; at the poles the projection is infinite (log of 0 at -90°,
# a math domain error, which a box reaching the South Pole made a 500).
MERCATOR_MAX_LAT = 85.0511287798066


def lonlat_to_mercator(lon: float, lat: float) -> tuple[float, float]:
    lat = max(-MERCATOR_MAX_LAT, min(MERCATOR_MAX_LAT, lat))
    return (
        EARTH_RADIUS_M * math.radians(lon),
        EARTH_RADIUS_M * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)),
    )


def mercator_to_lonlat(x: float, y: float) -> tuple[float, float]:
    return (
        math.degrees(x / EARTH_RADIUS_M),
        math.degrees(2 * math.atan(math.exp(y / EARTH_RADIUS_M)) - math.pi / 2),
    )
