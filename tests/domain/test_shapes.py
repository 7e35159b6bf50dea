"""Boxes: what is on the Earth, and how large a box is, against an independent computation."""

from __future__ import annotations

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import box

from observo.domain.shapes import BBox
from observo.errors import InvalidInput

WORLD = (-180.0, -90.0, 180.0, 90.0)
EARTH_KM2 = 510_065_621.7  # the WGS 84 ellipsoid's surface
_GEOD = Geod(ellps="WGS84")


def _area_along_parallels_km2(bounds: tuple[float, float, float, float]) -> float:
    """pyproj's geodesic area of the box with edges cut every 0.01°, so they follow the parallels."""
    area, _perimeter = _GEOD.geometry_area_perimeter(shapely.segmentize(box(*bounds), 0.01))
    return abs(area) / 1e6


@pytest.mark.parametrize(
    "bounds",
    [
        (7.6, 45.0, 7.62, 45.02),  # a Turin block
        (7.0, 44.0, 11.0, 46.5),  # most of Piemonte and Lombardia
        (6.0, 36.0, 19.0, 47.0),  # Italy's box
        (-170.0, 40.0, 170.0, 50.0),  # wider than a hemisphere
        (0.0, -60.0, 180.0, 60.0),  # half the world across the equator
    ],
)
def test_a_box_measures_its_area_along_parallels(bounds):
    assert BBox(*bounds).area_km2() == pytest.approx(_area_along_parallels_km2(bounds), rel=1e-4)


def test_the_whole_world_is_the_ellipsoid_surface():
    assert BBox(*WORLD).area_km2() == pytest.approx(EARTH_KM2, rel=1e-9)


@pytest.mark.parametrize("text", ["0,0,1.7976931348623157e308,1e16", "-181,0,0,1", "0,-91,1,0", "0,0,1,90.5"])
def test_a_box_off_the_earth_is_refused(text):
    with pytest.raises(InvalidInput) as refused:
        BBox.parse(text, WORLD, float("inf"))
    assert [issue.code for issue in refused.value.issues] == ["out_of_range"]


def test_a_box_as_wide_as_the_world_is_accepted_where_no_limit_applies():
    assert BBox.parse("-180,-90,180,90", WORLD, float("inf")) == BBox(*WORLD)
