"""Field-of-view sectors, checked against independent geodesic computations (pyproj.Geod, from_crs)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer
from shapely.geometry import Point, Polygon

from observo.domain.fov import (
    FULL_CIRCLE_DEG,
    Optics,
    ResolvedFov,
    default_hfov,
    default_range,
    derive_range,
    resolve_fov,
    sector,
    validate_drawn,
)
from observo.domain.vocabulary import CAMERA_TYPES
from observo.errors import InvalidGeometry, InvalidInput

GEOD = Geod(ellps="WGS84")
LON, LAT = 7.6869, 45.0703  # Turin


def at(bearing: float, distance: float, lon: float = LON, lat: float = LAT) -> Point:
    """The point ``distance`` metres from (lon, lat) along ``bearing`` (geodesic)."""
    x, y, _ = GEOD.fwd(lon, lat, bearing, distance)
    return Point(x, y)


def geodesic_distance(lon: float, lat: float, point: tuple[float, float]) -> float:
    return GEOD.inv(lon, lat, point[0], point[1])[2]


def local(lon: float, lat: float) -> Transformer:
    """EPSG:4326 -> AEQD centred on the camera, built independently of the module's pipeline."""
    return Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m", always_xy=True
    )


# --- direction and reach -------------------------------------------------------------------------


def test_looking_east_sees_east_only() -> None:
    fov = sector(LON, LAT, 90, 60, 100)
    assert fov.contains(at(90, 90))
    assert not fov.contains(at(270, 90))
    assert not fov.contains(at(90, 110))


def test_north_is_up() -> None:
    fov = sector(LON, LAT, 0, 60, 100)
    assert fov.contains(at(0, 50))
    assert not fov.contains(at(90, 50))
    assert fov.bounds[3] > LAT  # the sector extends northwards from the camera


def test_edges_of_the_view() -> None:
    fov = sector(LON, LAT, 90, 60, 100)
    assert fov.contains(at(62, 80)) and fov.contains(at(118, 80))
    assert not fov.contains(at(58, 80)) and not fov.contains(at(122, 80))


def test_bearing_350_wraps_across_north() -> None:
    fov = sector(LON, LAT, 350, 40, 100)
    for bearing in (335, 350, 0, 5):
        assert fov.contains(at(bearing, 80)), bearing
    for bearing in (320, 15, 90, 180):
        assert not fov.contains(at(bearing, 80)), bearing
    assert fov.is_valid


def test_bearing_360_is_north() -> None:
    assert sector(LON, LAT, 360, 60, 100).equals_exact(sector(LON, LAT, 0, 60, 100), 1e-12)


def test_apex_is_the_camera_and_exterior_is_ccw() -> None:
    fov = sector(LON, LAT, 123, 45, 80)
    assert fov.exterior.coords[0] == (LON, LAT)
    assert fov.exterior.is_ccw


def test_arc_vertices_are_at_range() -> None:
    fov = sector(LON, LAT, 200, 90, 150)
    arc = fov.exterior.coords[1:-1]
    for vertex in arc:
        assert geodesic_distance(LON, LAT, vertex) == pytest.approx(150, abs=0.01)


@pytest.mark.parametrize(
    ("hfov", "step", "segments"), [(60, 5, 12), (62, 5, 13), (4, 5, 2), (1, 5, 2), (90, 10, 9)]
)
def test_arc_vertex_spacing(hfov: float, step: float, segments: int) -> None:
    fov = sector(LON, LAT, 45, hfov, 100, step_deg=step)
    assert len(fov.exterior.coords) == segments + 1 + 2  # arc vertices + apex + closing apex


@pytest.mark.parametrize("angle", [10, 60, 90, 180, 270])
@pytest.mark.parametrize("range_m", [10, 100, 500])
def test_sector_area_matches_theory(angle: float, range_m: float) -> None:
    fov = sector(LON, LAT, 33, angle, range_m)
    area, _ = GEOD.geometry_area_perimeter(fov)
    expected = angle / 360 * math.pi * range_m**2
    assert abs(area) == pytest.approx(expected, rel=0.01)
    assert area > 0  # pyproj gives positive areas for counter-clockwise rings


@pytest.mark.parametrize("range_m", [20, 250, 500])
def test_360_is_a_circle(range_m: float) -> None:
    fov = sector(LON, LAT, None, 360, range_m)
    assert fov.is_valid and fov.exterior.is_ccw
    assert (LON, LAT) not in fov.exterior.coords  # no apex
    for vertex in fov.exterior.coords:
        assert geodesic_distance(LON, LAT, vertex) == pytest.approx(range_m, rel=0.005)
    for bearing in range(0, 360, 15):
        assert fov.contains(at(bearing, range_m * 0.95))
        assert not fov.contains(at(bearing, range_m * 1.05))
    area, _ = GEOD.geometry_area_perimeter(fov)
    assert area == pytest.approx(math.pi * range_m**2, rel=0.01)


def test_far_north_and_south() -> None:
    for lon, lat in ((12.0, 47.09), (15.6, 35.5), (-70.0, -60.0)):
        fov = sector(lon, lat, 90, 60, 100)
        assert fov.contains(at(90, 90, lon, lat)) and not fov.contains(at(270, 90, lon, lat))


def test_narrow_sector_without_bearing_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        sector(LON, LAT, None, 60, 100)


@settings(max_examples=150, deadline=None)
@given(
    bearing=st.floats(0, 360, exclude_max=True),
    hfov=st.floats(1, 360),
    range_m=st.floats(1, 499),
    extra=st.floats(0.5, 100),
    lon=st.floats(6, 19),
    lat=st.floats(35, 48),
)
def test_sector_properties(
    bearing: float, hfov: float, range_m: float, extra: float, lon: float, lat: float
) -> None:
    small = sector(lon, lat, bearing, hfov, range_m)
    large = sector(lon, lat, bearing, hfov, min(500.0, range_m + extra))
    assert small.is_valid and large.is_valid
    assert small.exterior.is_ccw
    if hfov >= FULL_CIRCLE_DEG:
        assert small.contains(Point(lon, lat))
    else:
        assert small.covers(Point(lon, lat))
        assert small.exterior.coords[0] == (lon, lat)
    # Containment in metres around the camera, with 1 cm for floating-point noise.
    to_local = local(lon, lat)

    def project(geom: Polygon) -> Polygon:
        return shapely.transform(geom, lambda c: np.column_stack(to_local.transform(c[:, 0], c[:, 1])))

    assert project(large).buffer(0.01).contains(project(small))


# --- defaults ------------------------------------------------------------------------------------


def test_default_hfov() -> None:
    assert {t: default_hfov(t) for t in CAMERA_TYPES} == {
        "fixed": 60,
        "dome": 360,
        "panning": 360,
        "panorama": 360,
        "thermal": 60,
    }


def test_default_range() -> None:
    assert default_range("fixed", "alpr") == 25
    assert default_range("fixed", "camera") == 40
    assert default_range("dome", "camera") == 30
    assert default_range("panning", "camera") == 80
    assert default_range("panorama", "camera") == 20
    assert default_range("thermal", "camera") == 60
    assert all(1 <= default_range(t, s) <= 500 for t in CAMERA_TYPES for s in ("camera", "alpr"))


@pytest.mark.parametrize(
    ("height", "tilt", "expected"),
    [
        (5.0, 45.0, 5.0),
        (6.0, 10.0, 6.0 / math.tan(math.radians(10))),
        (10.0, 90.0, 1.0),  # straight down: clamped up to 1 m
        (30.0, 1.0, 500.0),  # nearly horizontal: clamped down to 500 m
        (0.3, 60.0, 1.0),
        (None, 30.0, None),
        (5.0, None, None),
        (5.0, 0.0, None),  # horizontal never meets the ground
        (5.0, -10.0, None),  # looking up
        (0.0, 30.0, None),
    ],
)
def test_derive_range(height: float | None, tilt: float | None, expected: float | None) -> None:
    assert derive_range(height, tilt) == (None if expected is None else pytest.approx(expected))


# --- resolution ----------------------------------------------------------------------------------


def test_resolve_uses_stated_range() -> None:
    result = resolve_fov(Optics(LON, LAT, "fixed", "camera", 90, 50, 20, 120, 6))
    assert isinstance(result, ResolvedFov)
    assert (result.method, result.hfov_deg) == ("computed", 50)
    assert (result.range_m, result.range_derived) == (120, False)
    assert result.polygon.equals(sector(LON, LAT, 90, 50, 120))


def test_resolve_derives_range_from_height_and_tilt() -> None:
    result = resolve_fov(Optics(LON, LAT, "fixed", "camera", 90, None, 45.0, None, 8.0))
    assert result.range_m == pytest.approx(8.0)
    assert result.range_derived and result.hfov_deg == 60


def test_resolve_falls_back_to_default_range() -> None:
    result = resolve_fov(Optics(LON, LAT, "fixed", "alpr", 180, None, None, None, 6.0))
    assert (result.range_m, result.range_derived) == (25, True)


def test_resolve_all_round_head_needs_no_bearing() -> None:
    result = resolve_fov(Optics(LON, LAT, "dome", "camera"))
    assert (result.hfov_deg, result.range_m) == (360, 30)
    assert result.polygon.contains(Point(LON, LAT))


def test_resolve_narrow_head_needs_bearing() -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve_fov(Optics(LON, LAT, "fixed", "camera"))
    assert [(i.pointer, i.code) for i in caught.value.issues] == [("/properties/bearing_deg", "required")]
    with pytest.raises(InvalidInput):
        resolve_fov(Optics(LON, LAT, "dome", "camera", hfov_deg=90))


def test_resolve_drawn() -> None:
    drawn = Polygon([(LON, LAT), at(80, 70).coords[0], at(100, 90).coords[0], (LON, LAT)])
    result = resolve_fov(Optics(LON, LAT, "fixed", "camera"), drawn)
    assert result.method == "drawn"
    assert result.range_m == pytest.approx(90.0, abs=0.05)
    assert result.range_m == round(result.range_m, 1)
    assert result.polygon.equals(drawn) and result.polygon.exterior.is_ccw


# --- drawn validation ----------------------------------------------------------------------------


def drawn_triangle(bearing: float, near: float, far: float, lon: float = LON, lat: float = LAT) -> Polygon:
    """A triangle along ``bearing`` from ``near`` to ``far`` metres from the camera."""
    corners = [at(bearing - 20, far, lon, lat), at(bearing + 20, far, lon, lat)]
    start = [(lon, lat)] if near == 0 else [at(bearing, near, lon, lat).coords[0]]
    return Polygon(start + [c.coords[0] for c in corners])


def codes_of(polygon: Polygon) -> list[tuple[str, str]]:
    with pytest.raises(InvalidGeometry) as caught:
        validate_drawn(polygon, LON, LAT)
    return [(i.pointer, i.code) for i in caught.value.issues]


def test_drawn_with_camera_as_vertex_is_accepted() -> None:
    validate_drawn(drawn_triangle(45, 0, 120), LON, LAT)


def test_drawn_around_the_camera_is_accepted() -> None:
    validate_drawn(Polygon([at(b, 60).coords[0] for b in (0, 120, 240)]), LON, LAT)


def test_drawn_within_half_a_metre_is_accepted() -> None:
    validate_drawn(drawn_triangle(45, 0.4, 120), LON, LAT)


def test_drawn_not_touching_is_refused() -> None:
    assert codes_of(drawn_triangle(45, 2, 120)) == [("/properties/fov", "fov_not_at_camera")]


def test_drawn_600_m_away_is_refused() -> None:
    assert codes_of(drawn_triangle(45, 0, 600)) == [("/properties/fov", "fov_too_far")]
    far_away = drawn_triangle(45, 0, 100, *at(0, 600).coords[0])
    assert set(codes_of(far_away)) == {
        ("/properties/fov", "fov_not_at_camera"),
        ("/properties/fov", "fov_too_far"),
    }


def test_drawn_limit_is_configurable() -> None:
    validate_drawn(drawn_triangle(45, 0, 600), LON, LAT, max_distance_m=700)
    with pytest.raises(InvalidGeometry):
        validate_drawn(drawn_triangle(45, 0, 150), LON, LAT, max_distance_m=100)


def test_numpy_coordinates_give_the_same_sector_as_floats() -> None:
    import numpy as np

    from observo.domain.fov import sector

    plain = sector(7.6869, 45.0703, 90.0, 60.0, 100.0)
    numpy_built = sector(np.float64(7.6869), np.float64(45.0703), 90.0, 60.0, 100.0)
    assert numpy_built.equals_exact(plain, 1e-12)
