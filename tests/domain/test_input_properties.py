"""Properties of geometry input and fields of view, for any input hypothesis can think of.

- parsing never fails with anything but InvalidInput, whatever the numbers (NaN, infinities,
  1e400, subnormals, huge values) or the shape of the object;
- every accepted geometry is valid, non-empty, 2D and inside the extent asked for;
- parse -> serialise is stable: the output parses back to itself;
- a sector contains its apex, and a longer range gives a sector that covers the shorter one.
"""

from __future__ import annotations

import json
import math

import shapely
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import Point

from observo.domain.fov import sector
from observo.domain.geometry import GEOMETRY_TYPES, parse_geometry, to_geojson
from observo.errors import InvalidInput
from tests.fuzzing import fuzz_settings

ITALY = (6.0, 35.0, 19.0, 48.0)
# Numbers that break naive parsers: non-finite, beyond float range once parsed, subnormal, huge.
NASTY = st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, -0.0, 2**63, 1e16])
COORDINATE = st.floats(allow_nan=True, allow_infinity=True) | NASTY | st.integers(-(2**70), 2**70)
# Positions mostly near Turin, so that many generated shapes are accepted and their properties hold.
NEAR_TURIN = st.tuples(st.floats(7.6, 7.8), st.floats(45.0, 45.1)).map(list)
POSITION = st.one_of(
    NEAR_TURIN,
    st.lists(COORDINATE, min_size=0, max_size=4),
    st.just("7.6,45.0"),
    st.none(),
    st.booleans(),
)
RING = st.lists(POSITION, min_size=0, max_size=8).map(lambda ring: ring + ring[:1] if ring else ring)


def _geometries() -> st.SearchStrategy[object]:
    line = st.lists(POSITION, min_size=0, max_size=6)
    polygon = st.lists(RING, min_size=0, max_size=3)
    coordinates = st.one_of(POSITION, line, polygon, st.lists(polygon, max_size=3), st.text(max_size=5))
    geometry = st.fixed_dictionaries(
        {"type": st.sampled_from([*GEOMETRY_TYPES, "GeometryCollection", "point", ""])},
        optional={"coordinates": coordinates, "bbox": st.lists(COORDINATE, max_size=4)},
    )
    return st.one_of(geometry, st.none(), st.integers(), st.text(max_size=10), st.lists(st.integers()))


FAST = fuzz_settings(300)


@FAST
@given(obj=_geometries(), with_extent=st.booleans())
def test_any_input_is_accepted_valid_or_refused_with_issues(obj, with_extent):
    extent = ITALY if with_extent else None
    try:
        geom = parse_geometry(obj, GEOMETRY_TYPES, extent=extent)
    except InvalidInput as refused:
        assert refused.issues, "a refusal says what is wrong, and where"
        return
    assert geom.is_valid and not geom.is_empty and not geom.has_z
    west, south, east, north = extent or (-180.0, -90.0, 180.0, 90.0)
    minx, miny, maxx, maxy = geom.bounds
    assert west <= minx and maxx <= east and south <= miny and maxy <= north
    assert all(math.isfinite(value) for value in geom.bounds)


@FAST
@given(obj=_geometries())
def test_parse_then_serialise_is_stable(obj):
    try:
        geom = parse_geometry(obj, GEOMETRY_TYPES)
    except InvalidInput:
        return
    once = to_geojson(geom)
    # What Observo writes is valid input, survives a JSON round trip, and reads back to itself.
    again = to_geojson(parse_geometry(json.loads(json.dumps(once, allow_nan=False)), GEOMETRY_TYPES))
    assert again == once


@FAST
@given(text=st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400"]))
def test_non_finite_numbers_from_json_text_are_refused(text):
    # Python's json module reads NaN and Infinity, and 1e400 as inf: all must be refused.
    obj = json.loads(f'{{"type": "Point", "coordinates": [{text}, 45.0]}}')
    try:
        geom = parse_geometry(obj, GEOMETRY_TYPES, extent=ITALY)
    except InvalidInput:
        return
    assert text == "1e-400" and geom.is_empty is False  # 1e-400 reads as 0.0: a finite, if odd, number


BEARING = st.floats(0.0, 360.0, exclude_max=True)
HFOV = st.floats(1.0, 360.0)


@fuzz_settings(150)
@given(
    lon=st.floats(6.5, 18.5),
    lat=st.floats(36.0, 47.0),
    bearing=BEARING,
    hfov=HFOV,
    near_m=st.floats(1.0, 499.0),
    extra_m=st.floats(0.5, 250.0),
)
def test_a_sector_contains_its_apex_and_grows_with_range(lon, lat, bearing, hfov, near_m, extra_m):
    far_m = min(near_m + extra_m, 500.0)
    near = sector(lon, lat, bearing, hfov, near_m)
    far = sector(lon, lat, bearing, hfov, far_m)
    apex = Point(lon, lat)
    assert near.is_valid and far.is_valid
    assert near.buffer(1e-9).contains(apex) and far.buffer(1e-9).contains(apex)
    assert far.area > near.area
    # The same arc angles at a longer radius: the near sector lies inside the far one, measured in
    # metres in the camera's own azimuthal projection (pyproj, independently of fov.py's pipeline):
    # in degrees the sector's straight edges bow slightly away from the camera's rays.
    to_metres = Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m", always_xy=True
    )
    near_m2, far_m2 = (shapely.transform(s, to_metres.transform, interleaved=False) for s in (near, far))
    assert far_m2.buffer(0.001).contains(near_m2)
