"""Known layouts in metres for spatial tests, and the independent metric frame they are checked in."""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

GEOD = Geod(ellps="WGS84")
# UTM zone 32N covers Piemonte and Lombardia: an independent metric frame (not the code's local one).
_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32632", always_xy=True).transform


def at(origin: tuple[float, float], azimuth: float, metres: float) -> tuple[float, float]:
    """The point `metres` from `origin` towards `azimuth` (degrees clockwise from north), geodesic."""
    lon, lat, _back = GEOD.fwd(*origin, azimuth, metres)
    return lon, lat


def square(centre: tuple[float, float], half_m: float) -> Polygon:
    """A lon/lat box whose sides lie `half_m` metres north, south, east and west of `centre`."""
    return box(
        at(centre, 270, half_m)[0],
        at(centre, 180, half_m)[1],
        at(centre, 90, half_m)[0],
        at(centre, 0, half_m)[1],
    )


def utm(geometry: BaseGeometry) -> BaseGeometry:
    """`geometry` in UTM 32N metres, for areas and lengths computed independently of the code under test."""
    return shapely.transform(geometry, lambda xy: np.column_stack(_TO_UTM(xy[:, 0], xy[:, 1])))
