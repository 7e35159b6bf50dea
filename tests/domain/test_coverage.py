"""Coverage measured in metres on layouts with known answers (analytic, or shapely in UTM 32N)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from observo.domain.coverage import measure
from observo.domain.fov import sector as sector_polygon
from observo.domain.gap_suggestions import _best, suggest
from observo.domain.shapes import Area
from tests import geo
from tests.geo import utm

CENTRE = (7.7462, 44.9818)  # the gardens of via Armando Diaz, Trofarello


def at(azimuth: float, metres: float) -> tuple[float, float]:
    return geo.at(CENTRE, azimuth, metres)


def sector(lon: float, lat: float, bearing: float, hfov: float, range_m: float):
    return sector_polygon(lon, lat, bearing, hfov, range_m)


def test_two_opposite_right_angle_sectors_cover_half_of_their_disc() -> None:
    target = Area(Point(CENTRE), 50)
    sectors = {1: sector(*CENTRE, 45, 90, 50), 2: sector(*CENTRE, 225, 90, 50)}
    result = measure(target, sectors)
    assert result.area_m2 == pytest.approx(math.pi * 50**2, rel=1e-3)
    assert result.ratio == pytest.approx(0.5, rel=5e-3)
    assert sorted(camera.camera_id for camera in result.cameras) == [1, 2]
    for camera in result.cameras:  # the two quarters do not overlap: everything each sees is its own
        assert camera.exclusive_m2 == pytest.approx(camera.covered_m2, rel=1e-6)
        assert camera.covered_m2 == pytest.approx(math.pi * 50**2 / 4, rel=5e-3)
    assert len(result.gaps) == 2  # the two empty quarters (slivers between arc chords are dropped)
    uncovered = result.area_m2 - result.covered_m2
    assert sum(gap.area_m2 for gap in result.gaps) == pytest.approx(uncovered, rel=5e-3)


def test_an_area_agrees_with_shapely_in_utm() -> None:
    """Three overlapping sectors over a 200 m square: the figures match an independent UTM computation."""
    square = box(at(270, 100)[0], at(180, 100)[1], at(90, 100)[0], at(0, 100)[1])
    sectors = {
        7: sector(*at(200, 60), 30, 70, 80),
        8: sector(*at(20, 40), 180, 90, 60),
        9: sector(*at(90, 140), 270, 40, 120),  # outside the square, looking in
    }
    result = measure(Area(square), sectors)
    expected_union = shapely.union_all([utm(s) for s in sectors.values()]).intersection(utm(square))
    assert result.area_m2 == pytest.approx(utm(square).area, rel=5e-3)
    assert result.covered_m2 == pytest.approx(expected_union.area, rel=5e-3)
    overlap = utm(sectors[7]).intersection(utm(sectors[8])).intersection(utm(square)).area
    assert overlap > 100  # the layout really overlaps, so exclusive < covered is tested
    by_id = {camera.camera_id: camera for camera in result.cameras}
    seen_7 = utm(sectors[7]).intersection(utm(square))
    others = utm(sectors[8]).union(utm(sectors[9]))
    assert by_id[7].covered_m2 == pytest.approx(seen_7.area, rel=5e-3)
    assert by_id[7].exclusive_m2 == pytest.approx(seen_7.difference(others).area, rel=5e-3)
    gap_total = sum(gap.area_m2 for gap in result.gaps)
    assert gap_total == pytest.approx(utm(square).area - expected_union.area, rel=5e-3)


def test_a_sector_outside_the_target_contributes_nothing() -> None:
    result = measure(Area(Point(CENTRE), 20), {1: sector(*at(0, 200), 0, 60, 50)})
    assert result.covered_m2 == 0
    assert result.cameras == []
    assert result.ratio == 0
    assert len(result.gaps) == 1


def test_a_route_reports_its_covered_length_and_uncovered_stretches_in_order() -> None:
    """A 400 m street due east; one camera covers metres 150-250 of it (a 100 m wide view across it)."""
    start, end = at(270, 200), at(90, 200)
    line = LineString([start, end])
    camera = at(180, 30)  # 30 m south of the middle, looking north
    half_angle = math.degrees(math.atan2(50, 30))
    view = sector(*camera, 0, 2 * half_angle, 80)
    result = measure(Area(line, 5), {1: view})
    expected = utm(line).intersection(utm(view).buffer(5)).length
    first_uncovered = shapely.get_parts(utm(line).difference(utm(view).buffer(5)))[0].length
    assert result.route is not None
    assert result.route.length_m == pytest.approx(400, rel=1e-3)
    assert result.route.covered_length_m == pytest.approx(expected, rel=5e-3)
    stretches = result.route.uncovered
    assert len(stretches) == 2
    assert stretches[0].from_m == pytest.approx(0, abs=0.01)
    assert stretches[0].to_m == pytest.approx(first_uncovered, rel=5e-3)
    assert stretches[1].to_m == pytest.approx(400, rel=1e-3)
    assert stretches[0].to_m < stretches[1].from_m
    assert result.route.ratio == pytest.approx(expected / 400, rel=5e-3)


def test_a_route_with_no_camera_is_one_uncovered_stretch() -> None:
    line = LineString([at(270, 100), at(90, 100)])
    result = measure(Area(line, 10), {})
    assert result.route.covered_length_m == 0
    assert [(round(s.from_m), round(s.to_m)) for s in result.route.uncovered] == [(0, 200)]
    assert result.kind == "route"


def test_suggestions_go_where_they_add_most_and_never_count_an_area_twice() -> None:
    """A 100 x 20 m strip gap next to a 60 x 60 m square gap: the first suggestion goes to the square."""
    strip = box(0, 0, 100, 20)
    block = box(200, 0, 260, 60)
    placed = suggest(strip.union(block), 3, 30)
    assert len(placed) == 3
    first = Point(placed[0].x, placed[0].y)
    assert block.buffer(1).contains(first)
    assert placed[0].added_m2 == pytest.approx(
        first.buffer(30, quad_segs=16).intersection(block).area, rel=1e-6
    )
    assert placed[0].added_m2 >= placed[1].added_m2 >= placed[2].added_m2
    assert sum(p.added_m2 for p in placed) <= strip.area + block.area + 1e-6


def test_no_suggestion_when_nothing_is_uncovered() -> None:
    assert suggest(shapely.Polygon(), 3, 30) == []


def test_in_a_wide_gap_the_first_suggestion_is_its_darkest_spot_not_a_corner() -> None:
    """Any disc inside a 200 m empty square adds the same area: the tie goes to the point deepest in it."""
    placed = suggest(box(0, 0, 200, 200), 2, 30)
    assert Point(placed[0].x, placed[0].y).distance(Point(100, 100)) < 15
    assert placed[0].added_m2 == pytest.approx(Point(0, 0).buffer(30, quad_segs=16).area, rel=1e-6)
    # The second keeps clear of the first disc: the added areas never overlap.
    assert Point(placed[1].x, placed[1].y).distance(Point(placed[0].x, placed[0].y)) >= 60 - 1e-6


def test_equal_gains_go_to_the_candidate_deepest_in_the_gap() -> None:
    gap = box(0, 0, 200, 200)
    near_edge, centre = Point(31, 100), Point(100, 100)  # both discs lie wholly inside: equal gains
    points = np.array([near_edge, centre], dtype=object)
    discs = shapely.buffer(points, 30)
    assert _best(points, discs, gap) == 1
