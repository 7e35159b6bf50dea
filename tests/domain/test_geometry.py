"""Geometry input rules: each rule's code and pointer, and the output conventions."""

from __future__ import annotations

import json
import math

import pytest
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from observo.domain.geometry import GEOMETRY_TYPES, MAX_ISSUES, parse_geometry, to_geojson
from observo.errors import InvalidGeometry, InvalidInput

ALL = GEOMETRY_TYPES
ITALY = (6.0, 35.0, 19.0, 48.0)
TURIN = [7.6869, 45.0703]
# A small square around Turin, counter-clockwise.
SQUARE_CCW = [[7.68, 45.07], [7.69, 45.07], [7.69, 45.08], [7.68, 45.08], [7.68, 45.07]]
SQUARE_CW = list(reversed(SQUARE_CCW))
HOLE_CCW = [[7.684, 45.074], [7.686, 45.074], [7.686, 45.076], [7.684, 45.076], [7.684, 45.074]]


def issues_of(obj: object, allowed: tuple[str, ...] = ALL, **kwargs: object) -> set[tuple[str, str]]:
    with pytest.raises(InvalidGeometry) as caught:
        parse_geometry(obj, allowed, **kwargs)
    assert caught.value.issues, "an InvalidGeometry always lists its issues"
    return {(issue.pointer, issue.code) for issue in caught.value.issues}


def polygon(*rings: list[list[float]]) -> dict:
    return {"type": "Polygon", "coordinates": [list(r) for r in rings]}


# --- valid input ---------------------------------------------------------------------------------


def test_point_parses_to_shapely_point() -> None:
    geom = parse_geometry({"type": "Point", "coordinates": TURIN}, ("Point",))
    assert isinstance(geom, Point)
    assert (geom.x, geom.y) == tuple(TURIN)


def test_invalid_geometry_is_an_invalid_input() -> None:
    assert issubclass(InvalidGeometry, InvalidInput)


def test_z_is_dropped() -> None:
    geom = parse_geometry({"type": "Point", "coordinates": [*TURIN, 250.0]}, ALL)
    assert not geom.has_z
    line = parse_geometry({"type": "LineString", "coordinates": [[7.68, 45.07, 3], [7.69, 45.08, 4]]}, ALL)
    assert not line.has_z and list(line.coords) == [(7.68, 45.07), (7.69, 45.08)]


def test_clockwise_input_comes_out_counter_clockwise() -> None:
    geom = parse_geometry(polygon(SQUARE_CW), ALL)
    assert isinstance(geom, Polygon)
    assert geom.exterior.is_ccw
    assert geom.equals(Polygon(SQUARE_CCW))


def test_holes_come_out_clockwise_whatever_the_input() -> None:
    for shell, hole in ((SQUARE_CW, HOLE_CCW), (SQUARE_CCW, list(reversed(HOLE_CCW)))):
        geom = parse_geometry(polygon(shell, hole), ALL)
        assert geom.exterior.is_ccw
        assert not geom.interiors[0].is_ccw


def test_multipolygon_parts_are_oriented() -> None:
    other = [[x + 0.1, y] for x, y in SQUARE_CW]
    geom = parse_geometry({"type": "MultiPolygon", "coordinates": [[SQUARE_CW], [other]]}, ALL)
    assert isinstance(geom, MultiPolygon)
    assert all(part.exterior.is_ccw for part in geom.geoms)


def test_self_crossing_line_is_allowed() -> None:
    coords = [[7.68, 45.07], [7.69, 45.08], [7.69, 45.07], [7.68, 45.08]]
    assert isinstance(parse_geometry({"type": "LineString", "coordinates": coords}, ALL), LineString)


def test_integers_are_numbers() -> None:
    assert parse_geometry({"type": "Point", "coordinates": [7, 45]}, ALL).equals(Point(7, 45))


def test_bounds_of_the_world_are_inclusive() -> None:
    assert parse_geometry({"type": "Point", "coordinates": [180, -90]}, ALL).equals(Point(180, -90))


# --- envelope and types --------------------------------------------------------------------------


@pytest.mark.parametrize("obj", [None, [], "POINT (7 45)", 42])
def test_not_an_object(obj: object) -> None:
    assert issues_of(obj) == {("", "invalid_type")}


def test_type_not_allowed() -> None:
    square = {"type": "Polygon", "coordinates": [SQUARE_CCW]}
    assert issues_of(square, ("Point",)) == {("/type", "invalid_type")}
    assert issues_of({"type": "GeometryCollection", "geometries": []}) >= {("/type", "invalid_type")}
    assert issues_of({"coordinates": TURIN}) == {("/type", "invalid_type")}


def test_missing_coordinates() -> None:
    assert issues_of({"type": "Point"}) == {("/coordinates", "invalid_type")}


def test_coordinates_not_nested_lists() -> None:
    assert issues_of({"type": "Polygon", "coordinates": SQUARE_CCW}) >= {("/coordinates/0/0", "invalid_type")}
    assert issues_of({"type": "LineString", "coordinates": "7,45"}) == {("/coordinates", "invalid_type")}
    assert issues_of({"type": "Polygon", "coordinates": [7.68]}) == {("/coordinates/0", "invalid_type")}


@pytest.mark.parametrize("position", [[7.68], [7.68, 45.07, 1, 2], {"lon": 7.68, "lat": 45.07}, 7.68])
def test_position_not_two_or_three_numbers(position: object) -> None:
    assert issues_of({"type": "LineString", "coordinates": [TURIN, position]}) == {
        ("/coordinates/1", "invalid_type")
    }


@pytest.mark.parametrize("bad", [True, False, "7.68", None])
def test_booleans_strings_and_null_are_not_numbers(bad: object) -> None:
    assert issues_of({"type": "Point", "coordinates": [bad, 45.07]}) == {("/coordinates/0", "invalid_type")}


# --- numbers and ranges --------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, float("1e400")])
def test_non_finite_numbers(bad: float) -> None:
    ring = [list(p) for p in SQUARE_CCW]
    ring[3][1] = bad
    assert issues_of(polygon(ring)) == {("/coordinates/0/3/1", "not_finite")}


def test_non_finite_from_stdlib_json() -> None:
    # json.loads accepts these although they are not JSON.
    for number in ("NaN", "Infinity", "-Infinity", "1e400"):
        text = f'{{"type": "Point", "coordinates": [{number}, 45]}}'
        assert issues_of(json.loads(text)) == {("/coordinates/0", "not_finite")}


def test_non_finite_z_is_refused_too() -> None:
    point = {"type": "Point", "coordinates": [*TURIN, math.nan]}
    assert issues_of(point) == {("/coordinates/2", "not_finite")}


def test_out_of_range() -> None:
    assert issues_of({"type": "Point", "coordinates": [190.0, 45.0]}) == {("/coordinates/0", "out_of_range")}
    assert issues_of({"type": "Point", "coordinates": [200.0, 100.0]}) == {
        ("/coordinates/0", "out_of_range"),
        ("/coordinates/1", "out_of_range"),
    }
    assert issues_of({"type": "Point", "coordinates": [10**400, 45]}) == {("/coordinates/0", "out_of_range")}


def test_swapped_latitude_beyond_90_hints_axis_order() -> None:
    # [lat, lon] where the "latitude" is out of range but the swapped pair is fine.
    assert issues_of({"type": "Point", "coordinates": [45.0, 120.0]}) == {("/coordinates", "axis_order")}


def test_swapped_turin_within_extent_hints_axis_order() -> None:
    swapped = [45.0703, 7.6869]
    with pytest.raises(InvalidGeometry) as caught:
        parse_geometry({"type": "Point", "coordinates": swapped}, ALL, extent=ITALY)
    (issue,) = caught.value.issues
    assert (issue.pointer, issue.code) == ("/coordinates", "axis_order")
    assert "longitude, latitude" in issue.detail
    # Inside the world, a swapped Turin is a valid (if wrong) point in the Indian Ocean: no extent, no hint.
    assert parse_geometry({"type": "Point", "coordinates": swapped}, ALL).equals(Point(swapped))


def test_swapped_ring_reports_each_position() -> None:
    ring = [[lat, lon] for lon, lat in SQUARE_CCW]
    found = issues_of(polygon(ring), extent=ITALY)
    assert found == {(f"/coordinates/0/{i}", "axis_order") for i in range(5)}


def test_outside_extent_not_swappable() -> None:
    assert issues_of({"type": "Point", "coordinates": [2.35, 48.85]}, extent=ITALY) == {
        ("/coordinates/0", "out_of_range"),
        ("/coordinates/1", "out_of_range"),
    }


# --- shapes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("gtype", ALL)
def test_empty(gtype: str) -> None:
    assert issues_of({"type": gtype, "coordinates": []}) == {("/coordinates", "empty")}


def test_empty_part_of_multipolygon() -> None:
    assert issues_of({"type": "MultiPolygon", "coordinates": [[SQUARE_CCW], []]}) == {
        ("/coordinates/1", "empty")
    }


def test_ring_not_closed() -> None:
    assert issues_of(polygon(SQUARE_CCW[:-1])) == {("/coordinates/0", "ring_not_closed")}


def test_three_position_ring_is_too_short() -> None:
    # Shapely would accept this closed triangle-less ring; we do not.
    ring = [[7.68, 45.07], [7.69, 45.07], [7.68, 45.07]]
    assert issues_of(polygon(ring)) == {("/coordinates/0", "ring_too_short")}


def test_unclosed_three_position_ring_reports_both() -> None:
    ring = [[7.68, 45.07], [7.69, 45.07], [7.69, 45.08]]
    assert issues_of(polygon(ring)) == {
        ("/coordinates/0", "ring_too_short"),
        ("/coordinates/0", "ring_not_closed"),
    }


def test_ring_of_one_repeated_position_is_too_short() -> None:
    assert issues_of(polygon([TURIN] * 4)) == {("/coordinates/0", "ring_too_short")}


def test_hole_problems_point_at_the_hole() -> None:
    assert issues_of(polygon(SQUARE_CCW, HOLE_CCW[:-1])) == {("/coordinates/1", "ring_not_closed")}


@pytest.mark.parametrize("coords", [[TURIN], [TURIN, TURIN], [TURIN, [*TURIN, 12.0]]])
def test_line_too_short(coords: list) -> None:
    assert issues_of({"type": "LineString", "coordinates": coords}) == {("/coordinates", "line_too_short")}


def test_bow_tie_is_a_self_intersection() -> None:
    bow_tie = [[7.68, 45.07], [7.69, 45.08], [7.69, 45.07], [7.68, 45.08], [7.68, 45.07]]
    with pytest.raises(InvalidGeometry) as caught:
        parse_geometry(polygon(bow_tie), ALL)
    (issue,) = caught.value.issues
    assert (issue.pointer, issue.code) == ("/coordinates", "self_intersection")
    assert "Self-intersection" in issue.detail  # shapely's own explanation


def test_bad_part_of_multipolygon_is_named() -> None:
    bow_tie = [[7.68, 45.07], [7.69, 45.08], [7.69, 45.07], [7.68, 45.08], [7.68, 45.07]]
    far = [[x + 1, y] for x, y in SQUARE_CCW]
    assert issues_of({"type": "MultiPolygon", "coordinates": [[far], [bow_tie]]}) == {
        ("/coordinates/1", "self_intersection")
    }


def test_overlapping_multipolygon_parts_are_invalid() -> None:
    shifted = [[x + 0.005, y] for x, y in SQUARE_CCW]
    assert issues_of({"type": "MultiPolygon", "coordinates": [[SQUARE_CCW], [shifted]]}) == {
        ("/coordinates", "self_intersection")
    }


def test_hole_outside_shell_is_invalid() -> None:
    hole = [[x + 1, y] for x, y in HOLE_CCW]
    assert issues_of(polygon(SQUARE_CCW, hole)) == {("/coordinates", "self_intersection")}


def test_antimeridian_crossing() -> None:
    line = {"type": "LineString", "coordinates": [[179.5, -16.0], [-179.5, -16.2]]}
    assert issues_of(line) == {("/coordinates/1", "antimeridian")}
    ring = [[179.0, -16.0], [-179.0, -16.0], [-179.0, -17.0], [179.0, -17.0], [179.0, -16.0]]
    assert issues_of(polygon(ring)) == {
        ("/coordinates/0/1", "antimeridian"),
        ("/coordinates/0/3", "antimeridian"),
    }


def test_too_many_vertices() -> None:
    ring = SQUARE_CCW
    assert issues_of(polygon(ring), max_vertices=4) == {("/coordinates", "too_many_vertices")}
    assert parse_geometry(polygon(ring), ALL, max_vertices=5).is_valid
    many = {"type": "MultiPolygon", "coordinates": [[SQUARE_CCW]] * 3}
    assert issues_of(many, max_vertices=14) == {("/coordinates", "too_many_vertices")}


def test_all_problems_are_collected_at_once() -> None:
    coords = [[7.68, math.nan], [True, 45.0], [7.69, 195.0], "x"]
    assert issues_of({"type": "LineString", "coordinates": coords}) == {
        ("/coordinates/0/1", "not_finite"),
        ("/coordinates/1/0", "invalid_type"),
        ("/coordinates/2/1", "out_of_range"),
        ("/coordinates/3", "invalid_type"),
    }


def test_issue_list_is_capped_but_detail_gives_total() -> None:
    coords = [[math.nan, 45.0]] * (MAX_ISSUES + 50)
    with pytest.raises(InvalidGeometry) as caught:
        parse_geometry({"type": "LineString", "coordinates": coords}, ALL)
    assert len(caught.value.issues) == MAX_ISSUES
    assert str(MAX_ISSUES + 49) in caught.value.detail


# --- output --------------------------------------------------------------------------------------


def test_to_geojson_rounds_and_uses_lists() -> None:
    out = to_geojson(Point(7.123456789, 45.987654321))
    assert out == {"type": "Point", "coordinates": [7.1234568, 45.9876543]}
    assert to_geojson(Point(7.123456789, 45.0), precision=2)["coordinates"] == [7.12, 45.0]


def test_to_geojson_is_2d_and_ccw() -> None:
    cw_3d = Polygon([(x, y, 5.0) for x, y in SQUARE_CW], [[(x, y, 1.0) for x, y in HOLE_CCW]])
    out = to_geojson(cw_3d)
    assert out["type"] == "Polygon"
    exterior, hole = out["coordinates"]
    assert all(isinstance(p, list) and len(p) == 2 for p in exterior + hole)
    assert exterior == [list(p) for p in SQUARE_CCW]
    assert Polygon(exterior).exterior.is_ccw and not Polygon(hole).exterior.is_ccw


def test_to_geojson_round_trips_through_parse() -> None:
    source = {"type": "MultiPolygon", "coordinates": [[SQUARE_CCW, list(reversed(HOLE_CCW))]]}
    geom = parse_geometry(source, ALL)
    assert to_geojson(geom) == source
    assert json.loads(json.dumps(to_geojson(geom))) == source


def test_to_geojson_line_and_empty() -> None:
    line = {"type": "LineString", "coordinates": [[1.0, 2.0], [3.0, 4.0]]}
    assert to_geojson(LineString([(1, 2), (3, 4)])) == line
    assert to_geojson(Point()) == {"type": "Point", "coordinates": []}
    assert to_geojson(Polygon()) == {"type": "Polygon", "coordinates": []}
