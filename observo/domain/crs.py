"""The coordinate reference systems the OGC API serves (OGC API – Features Part 2), and bbox input in them.

Storage is EPSG:4326 with longitude first, which is what CRS84 names. Output in another CRS is
reprojected by the database (spatial backends, `transformed_geometries` and `features_json`); this
module only says what each URI means: its SRID, whether its first axis is the latitude (EPSG:4326 as
its URI defines it: OGC API – Features Part 2 requires the CRS's own axis order), and how many
decimals a coordinate keeps (7 for degrees, about 1 cm; 3 for metres, 1 mm).

A `bbox` given in another CRS (`bbox-crs`) is turned into a region in lon/lat here, with pyproj: its
edges are densified first, since a straight edge in UTM or Gauss-Boaga is a curve in degrees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from observo.errors import FieldIssue, MalformedQuery

CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_EPSG = "http://www.opengis.net/def/crs/EPSG/0/"


@dataclass(frozen=True)
class OutputCrs:
    uri: str
    srid: int
    lat_first: bool  # the CRS's first axis is the latitude: coordinates are written (lat, lon)
    precision: int  # decimals kept in output coordinates

    @property
    def is_storage(self) -> bool:
        """Stored coordinates as they are (EPSG:4326, longitude first): nothing to transform."""
        return self.srid == 4326 and not self.lat_first


CRS84 = OutputCrs(CRS84_URI, 4326, lat_first=False, precision=7)
SUPPORTED: tuple[OutputCrs, ...] = (
    CRS84,
    OutputCrs(f"{_EPSG}4326", 4326, lat_first=True, precision=7),
    OutputCrs(f"{_EPSG}3857", 3857, lat_first=False, precision=3),  # Web Mercator
    OutputCrs(f"{_EPSG}32632", 32632, lat_first=False, precision=3),  # UTM zone 32N
    OutputCrs(f"{_EPSG}3003", 3003, lat_first=False, precision=3),  # Monte Mario / Italy zone 1
)
SUPPORTED_URIS = tuple(crs.uri for crs in SUPPORTED)
_BY_URI = {crs.uri: crs for crs in SUPPORTED}
# Vertices added along each bbox edge before reprojecting it: the curve's error stays below a metre
# over an Italian region.
_EDGE_STEPS = 64


def parse_crs(text: str | None, parameter: str) -> OutputCrs:
    """The CRS a URI names (CRS84 when absent); 400 for any other, naming those served."""
    if text is None:
        return CRS84
    uri = text.strip()
    if uri.startswith("[EPSG:") and uri.endswith("]"):  # the safe CURIE form [EPSG:3003] too
        uri = _EPSG + uri[6:-1]
    if uri not in _BY_URI:
        detail = f"unsupported CRS {text!r}; supported: {', '.join(SUPPORTED_URIS)}"
        raise MalformedQuery(detail, [FieldIssue(f"/{parameter}", "unsupported_crs", detail)])
    return _BY_URI[uri]


@cache
def _to_lonlat(srid: int) -> Transformer:
    return Transformer.from_crs(srid, 4326, always_xy=True)


@cache
def _from_lonlat(srid: int) -> Transformer:
    return Transformer.from_crs(4326, srid, always_xy=True)


def to_lonlat(shape: BaseGeometry, crs: OutputCrs) -> BaseGeometry:
    """A geometry given in `crs` (in its own axis order), as lon/lat; 400 if it leaves the Earth."""
    if crs.lat_first:
        shape = shapely.transform(shape, lambda xy: xy[:, ::-1])
    if crs.srid != 4326:
        transformer = _to_lonlat(crs.srid)
        shape = shapely.transform(shape, lambda xy: np.column_stack(transformer.transform(*xy.T)))
    coordinates = shapely.get_coordinates(shape)
    lon, lat = coordinates[:, 0], coordinates[:, 1]
    if not (all(map(math.isfinite, lon)) and all(map(math.isfinite, lat))) or (
        len(lon) and (lon.min() < -180 or lon.max() > 180 or lat.min() < -90 or lat.max() > 90)
    ):
        detail = f"the coordinates lie outside the area where {crs.uri} is defined"
        raise MalformedQuery(detail, [FieldIssue("", "out_of_range", detail)])
    return shape


def from_lonlat(lon: float, lat: float, crs: OutputCrs) -> tuple[float, float]:
    """A lon/lat position in `crs`, in its axis order (for tests and extents)."""
    x, y = (lon, lat) if crs.srid == 4326 else _from_lonlat(crs.srid).transform(lon, lat)
    return (y, x) if crs.lat_first else (x, y)


def parse_bbox_in(text: str, crs: OutputCrs) -> Polygon:
    """OGC's `bbox` in `crs` (4 numbers, or 6 with heights dropped), as a polygon in lon/lat.

    The numbers come in the CRS's axis order: for EPSG:4326 minLat,minLon,maxLat,maxLon.
    """
    parts = text.split(",")
    if len(parts) == 6:
        parts = parts[0:2] + parts[3:5]
    try:
        values = [float(part) for part in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(value) for value in values):
        detail = "a bbox is 4 finite comma-separated numbers (6 with heights), in the order of bbox-crs"
        raise MalformedQuery(detail, [FieldIssue("/bbox", "invalid_format", detail)])
    low_a, low_b, high_a, high_b = values
    if low_a > high_a or low_b > high_b:
        detail = "the bbox's lower corner must not exceed its upper corner"
        raise MalformedQuery(detail, [FieldIssue("/bbox", "inverted", detail)])
    rectangle = box(low_a, low_b, high_a, high_b)
    if rectangle.area > 0:
        step = max(high_a - low_a, high_b - low_b) / _EDGE_STEPS
        rectangle = shapely.segmentize(rectangle, step)
    try:
        return to_lonlat(rectangle, crs)
    except MalformedQuery as exc:
        raise MalformedQuery(exc.detail, [issue.under("/bbox") for issue in exc.issues]) from None
