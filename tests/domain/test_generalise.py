"""Public positions snap to the EPSG:3035 grid; checked against an independent pyproj computation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer

from observo.domain.generalise import snap_to_grid

GEOD = Geod(ellps="WGS84")
TO_3035 = Transformer.from_crs(4326, 3035, always_xy=True)
FROM_3035 = Transformer.from_crs(3035, 4326, always_xy=True)
TURIN = (7.6869, 45.0703)


def cell_of(lon: float, lat: float, cell_m: int) -> tuple[int, int]:
    easting, northing = TO_3035.transform(lon, lat)
    return math.floor(easting / cell_m), math.floor(northing / cell_m)


def test_deterministic() -> None:
    assert snap_to_grid(*TURIN, 100) == snap_to_grid(*TURIN, 100)


def test_known_cell_centre() -> None:
    column, row = cell_of(*TURIN, 100)
    expected = FROM_3035.transform((column + 0.5) * 100, (row + 0.5) * 100)
    assert snap_to_grid(*TURIN, 100) == (round(expected[0], 7), round(expected[1], 7))


def test_zero_is_exact() -> None:
    assert snap_to_grid(*TURIN, 0) == TURIN
    assert snap_to_grid(7.123456789, 45.987654321, 0) == (7.1234568, 45.9876543)


def test_output_rounded_to_seven_decimals() -> None:
    lon, lat = snap_to_grid(*TURIN, 250)
    assert lon == round(lon, 7) and lat == round(lat, 7)


def test_negative_cell_refused() -> None:
    with pytest.raises(ValueError):
        snap_to_grid(*TURIN, -100)


def test_cells_are_aligned_on_multiples_of_the_cell_size() -> None:
    easting, northing = TO_3035.transform(*snap_to_grid(*TURIN, 1000))
    assert easting % 1000 == pytest.approx(500, abs=0.02)
    assert northing % 1000 == pytest.approx(500, abs=0.02)


def test_neighbouring_cells_differ() -> None:
    easting, northing = TO_3035.transform(*TURIN)
    west = FROM_3035.transform(easting - 100, northing)
    assert snap_to_grid(*west, 100) != snap_to_grid(*TURIN, 100)


@settings(max_examples=200, deadline=None)
@given(
    lon=st.floats(6.0, 19.0),
    lat=st.floats(35.5, 47.5),
    cell_m=st.sampled_from([10, 50, 100, 250, 500, 1000]),
    du=st.floats(0.001, 0.999),
    dv=st.floats(0.001, 0.999),
)
def test_snap_properties(lon: float, lat: float, cell_m: int, du: float, dv: float) -> None:
    snapped = snap_to_grid(lon, lat, cell_m)
    column, row = cell_of(lon, lat, cell_m)
    # Same cell, recomputed independently.
    assert cell_of(*snapped, cell_m) == (column, row)
    # Anywhere else in the cell gives the same answer.
    elsewhere = FROM_3035.transform((column + du) * cell_m, (row + dv) * cell_m)
    assert cell_of(*elsewhere, cell_m) == (column, row)
    assert snap_to_grid(*elsewhere, cell_m) == snapped
    # Never farther than half the cell diagonal; 1 % for the LAEA scale error so far from its centre
    # (10 E, 52 N), and 2 cm for the 7-decimal rounding.
    distance = GEOD.inv(lon, lat, *snapped)[2]
    assert distance <= cell_m * math.sqrt(2) / 2 * 1.01 + 0.02
