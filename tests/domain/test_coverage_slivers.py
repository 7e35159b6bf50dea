"""Slivers are not gaps (issue 18): an uncovered strip of a few square metres along a target's edge
is rounding and arc chords, not a place to send a patrol; a strip a car could stand in still is."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from observo.domain.coverage import MIN_GAP_M2, measure
from observo.domain.shapes import Area
from tests import geo

CENTRE = (7.7462, 44.9818)  # Trofarello
SIDE_M = 20.0


def _strip_left_uncovered(width_m: float):
    """A 20 m square target, and a 'sector' covering all of it but a strip `width_m` wide on its west."""
    target = geo.square(CENTRE, SIDE_M / 2)
    west, south, east, north = target.bounds
    cut = geo.at((west, (south + north) / 2), 90, width_m)[0]
    return Area(target), {1: box(cut, south - 1e-4, east + 1e-4, north + 1e-4)}


def test_a_strip_of_three_square_metres_is_not_a_gap() -> None:
    target, sectors = _strip_left_uncovered(0.15)  # 0.15 m x 20 m = 3 m²
    result = measure(target, sectors)
    assert result.area_m2 - result.covered_m2 == pytest.approx(3.0, rel=0.05)
    assert result.gaps == []


def test_a_strip_a_car_fits_in_is_a_gap() -> None:
    target, sectors = _strip_left_uncovered(2.0)  # 40 m²
    result = measure(target, sectors)
    assert [round(gap.area_m2) for gap in result.gaps] == [40]


def test_the_threshold_is_a_few_square_metres() -> None:
    assert 3.0 < MIN_GAP_M2 <= 10.0
