"""A camera's view that folds on itself is measured, not fatal (found at 1,000,000 cameras: a
panorama's visible area, its vertices at 1e-7 degrees, made seeding the demo's intervention fail
with a GEOS TopologyException). The figure is checked against shapely's other repair, buffer(0)."""

from __future__ import annotations

import pytest
import shapely
from shapely import wkt

from observo.domain.coverage import measure
from observo.domain.shapes import Area
from tests import geo

# The visible area as read back: a 3.7 cm spike at its fifth and sixth vertices crosses an edge.
FOLDED = wkt.loads(
    "POLYGON ((7.6407003 44.9930626, 7.6407068 44.993065, 7.6406768 44.9931107, 7.6405913 44.9932409, "
    "7.6405383 44.9933215, 7.6405385 44.9933212, 7.6402745 44.9932339, 7.6402773 44.9932189, "
    "7.640283 44.9932007, 7.6402909 44.993183, 7.6403009 44.9931658, 7.640313 44.9931493, "
    "7.6403271 44.9931336, 7.6403431 44.9931188, 7.6403608 44.9931051, 7.6403801 44.9930925, "
    "7.6404009 44.9930812, 7.640423 44.9930712, 7.6404463 44.9930626, 7.6404705 44.9930555, "
    "7.6404955 44.9930499, 7.6405211 44.9930459, 7.6405471 44.9930434, 7.6405733 44.9930426, "
    "7.6405995 44.9930434, 7.6406255 44.9930459, 7.6406511 44.9930499, 7.6406761 44.9930555, "
    "7.6407003 44.9930626))"
)
CENTRE = (7.6405733, 44.9932559)


def test_the_view_is_invalid_as_stored() -> None:
    assert not FOLDED.is_valid  # the premise: overlaying it as it is raises
    target = Area(geo.square(CENTRE, 15))
    with pytest.raises(shapely.errors.GEOSException):
        target.to_local(FOLDED).intersection(target.local_region)


@pytest.mark.parametrize("half_side_m", [15, 60])
def test_a_folded_view_is_measured_with_its_area(half_side_m: float) -> None:
    target = Area(geo.square(CENTRE, half_side_m))
    valid = shapely.Polygon([(0, 0), (1e-5, 0), (1e-5, 1e-5)])  # a sound camera beside it
    result = measure(target, {1: FOLDED, 2: shapely.affinity.translate(valid, *CENTRE)})
    expected = target.to_local(FOLDED).buffer(0).intersection(target.local_region).area
    by_camera = {item.camera_id: item.covered_m2 for item in result.cameras}
    assert by_camera[1] == pytest.approx(expected, abs=0.05)
    assert 2 in by_camera and result.covered_m2 > expected
