"""Validated GeoJSON geometry input and output (docs/architecture.md, "Geometry input").

``parse_geometry`` checks a decoded GeoJSON geometry object, collects every problem it finds and
raises ``InvalidGeometry`` once. Each ``FieldIssue`` carries a JSON pointer relative to the
geometry object (``/type``, ``/coordinates/0/3/1``...) and one of these stable codes:

``invalid_type``
    not an object, a type that is missing or not allowed here, coordinates not nested lists as
    the type requires, or a position that is not a list of 2 or 3 numbers (booleans and
    strings are not numbers).
``not_finite``
    NaN or an infinity (stdlib ``json`` accepts ``NaN``/``Infinity`` and turns ``1e400`` into inf).
``out_of_range``
    longitude outside [-180, 180] or latitude outside [-90, 90], or outside the ``extent``
    (min_lon, min_lat, max_lon, max_lat) when one is given.
``axis_order``
    instead of ``out_of_range`` when the swapped pair would be inside: GeoJSON is longitude, latitude.
``empty``
    a geometry (or a part of a multi-geometry) without coordinates.
``ring_not_closed``
    a polygon ring whose last position differs from its first.
``ring_too_short``
    a ring with fewer than 4 positions or fewer than 3 distinct ones (shapely accepts 3 positions).
``line_too_short``
    a line with fewer than 2 distinct positions.
``self_intersection``
    a polygon that shapely finds invalid (self-intersection, hole outside shell, overlapping parts);
    the detail is shapely's reason. Nothing is ever repaired (no make_valid, no buffer(0)).
``antimeridian``
    consecutive longitudes more than 180 degrees apart: the line would cross the antimeridian.
``too_many_vertices``
    more than ``max_vertices`` positions in total; reported alone, before anything else is checked,
    so a huge input costs little.

A Z value is accepted and dropped on purpose: a camera's height is its own field. Polygons come out
with counter-clockwise exteriors and clockwise holes whatever the input winding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from observo.errors import FieldIssue, InvalidGeometry

Extent = tuple[float, float, float, float]

WORLD: Extent = (-180.0, -90.0, 180.0, 90.0)
GEOMETRY_TYPES = ("Point", "LineString", "Polygon", "MultiPolygon")
# How many list levels sit above a position for each type.
_DEPTH = {"Point": 0, "LineString": 1, "Polygon": 2, "MultiPolygon": 3}
# A response listing thousands of identical issues helps nobody; the detail still gives the total.
MAX_ISSUES = 100

XY = tuple[float, float]


class _Issues:
    """Collects issues up to MAX_ISSUES while counting them all."""

    def __init__(self) -> None:
        self.items: list[FieldIssue] = []
        self.total = 0

    def add(self, pointer: str, code: str, detail: str) -> None:
        self.total += 1
        if len(self.items) < MAX_ISSUES:
            self.items.append(FieldIssue(pointer, code, detail))

    def raise_if_any(self) -> None:
        if not self.total:
            return
        first = self.items[0].detail
        more = f" (and {self.total - 1} more problem(s))" if self.total > 1 else ""
        raise InvalidGeometry(f"Invalid geometry: {first}{more}", self.items)


def parse_geometry(
    obj: object,
    allowed: tuple[str, ...],
    *,
    max_vertices: int = 10_000,
    extent: Extent | None = None,
) -> BaseGeometry:
    """Validate a GeoJSON geometry dict and return it as a 2D shapely geometry (see module docstring)."""
    issues = _Issues()
    gtype, coords = _check_envelope(obj, allowed, issues)
    issues.raise_if_any()
    if coords == []:
        issues.add("/coordinates", "empty", "The geometry has no coordinates.")
        issues.raise_if_any()
    depth = _DEPTH[gtype]
    count = _count_positions(coords, depth)
    if count > max_vertices:
        issues.add(
            "/coordinates", "too_many_vertices", f"{count} positions, more than the {max_vertices} allowed."
        )
        issues.raise_if_any()
    tree = _Walker(extent, issues).walk(coords, depth, "/coordinates")
    issues.raise_if_any()  # shape rules need every position to be valid
    _check_shape(gtype, tree, issues)
    issues.raise_if_any()
    geom = _build(gtype, tree)
    _check_validity(geom, issues)
    issues.raise_if_any()
    return shapely.orient_polygons(geom) if isinstance(geom, (Polygon, MultiPolygon)) else geom


def _check_envelope(obj: object, allowed: tuple[str, ...], issues: _Issues) -> tuple[str, Any]:
    """The object, its type and the presence of coordinates; returns (type, coordinates)."""
    if not isinstance(obj, dict):
        issues.add("", "invalid_type", "A geometry must be a GeoJSON object.")
        return "", None
    gtype = obj.get("type")
    if not isinstance(gtype, str) or gtype not in allowed or gtype not in _DEPTH:
        issues.add("/type", "invalid_type", f"Geometry type must be one of: {', '.join(allowed)}.")
        gtype = ""
    if "coordinates" not in obj:
        issues.add("/coordinates", "invalid_type", "A geometry needs coordinates.")
    return gtype, obj.get("coordinates")


def _count_positions(coords: Any, depth: int) -> int:
    """Positions in a nested coordinate list; malformed parts count as nothing (checked later)."""
    if depth == 0:
        return 1
    if not isinstance(coords, list):
        return 0
    if depth == 1:
        return len(coords)
    return sum(_count_positions(child, depth - 1) for child in coords)


class _Walker:
    """Checks the nesting and every position; returns the tree with (x, y) tuples, None where bad."""

    def __init__(self, extent: Extent | None, issues: _Issues) -> None:
        self.extent = extent or WORLD
        self.where = "the allowed area" if extent else "the valid range"
        self.issues = issues

    def walk(self, coords: Any, depth: int, pointer: str) -> Any:
        if depth == 0:
            return self.position(coords, pointer)
        if not isinstance(coords, list):
            self.issues.add(pointer, "invalid_type", "Expected a list of coordinates.")
            return None
        return [self.walk(child, depth - 1, f"{pointer}/{i}") for i, child in enumerate(coords)]

    def position(self, value: Any, pointer: str) -> XY | None:
        if not isinstance(value, list) or len(value) not in (2, 3):
            self.issues.add(pointer, "invalid_type", "A position is a list of 2 or 3 numbers.")
            return None
        numbers = [self.number(v, f"{pointer}/{i}") for i, v in enumerate(value)]
        if any(n is None for n in numbers):
            return None
        x, y = numbers[0], numbers[1]
        assert x is not None and y is not None
        return (x, y) if self.in_range(x, y, pointer) else None

    def number(self, value: Any, pointer: str) -> float | None:
        # bool is a subclass of int in Python but never a coordinate.
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.issues.add(pointer, "invalid_type", "A coordinate must be a number.")
            return None
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            self.issues.add(pointer, "out_of_range", "Coordinate is far outside the valid range.")
            return None
        if not math.isfinite(number):
            self.issues.add(pointer, "not_finite", "Coordinates must be finite numbers (no NaN or Infinity).")
            return None
        return number

    def in_range(self, x: float, y: float, pointer: str) -> bool:
        if _inside(x, y, self.extent):
            return True
        if _inside(y, x, self.extent):
            self.issues.add(
                pointer,
                "axis_order",
                f"[{x}, {y}] is outside {self.where} but [{y}, {x}] is inside: "
                "GeoJSON positions are longitude, latitude.",
            )
            return False
        min_x, min_y, max_x, max_y = self.extent
        if not min_x <= x <= max_x:
            self.issues.add(
                f"{pointer}/0", "out_of_range", f"Longitude {x} is outside {self.where} [{min_x}, {max_x}]."
            )
        if not min_y <= y <= max_y:
            self.issues.add(
                f"{pointer}/1", "out_of_range", f"Latitude {y} is outside {self.where} [{min_y}, {max_y}]."
            )
        return False


def _inside(x: float, y: float, extent: Extent) -> bool:
    return extent[0] <= x <= extent[2] and extent[1] <= y <= extent[3]


def _check_shape(gtype: str, tree: Any, issues: _Issues) -> None:
    """Ring and line rules, empty parts, antimeridian; every position is valid here."""
    if gtype == "LineString":
        _check_line(tree, "/coordinates", issues)
    elif gtype == "Polygon":
        _check_polygon(tree, "/coordinates", issues)
    elif gtype == "MultiPolygon":
        for i, polygon in enumerate(tree):
            if not polygon:
                issues.add(f"/coordinates/{i}", "empty", "A polygon of the multipolygon has no rings.")
            else:
                _check_polygon(polygon, f"/coordinates/{i}", issues)


def _check_line(line: list[XY], pointer: str, issues: _Issues) -> None:
    if len(set(line)) < 2:
        issues.add(pointer, "line_too_short", "A line needs at least 2 distinct positions.")
    _check_antimeridian(line, pointer, issues)


def _check_polygon(rings: list[list[XY]], pointer: str, issues: _Issues) -> None:
    for i, ring in enumerate(rings):
        ring_pointer = f"{pointer}/{i}"
        if len(ring) < 4 or len(set(ring)) < 3:
            issues.add(
                ring_pointer,
                "ring_too_short",
                "A ring needs at least 4 positions (3 distinct), the last equal to the first.",
            )
        if ring and ring[0] != ring[-1]:
            issues.add(ring_pointer, "ring_not_closed", "A ring's last position must equal its first.")
        _check_antimeridian(ring, ring_pointer, issues)


def _check_antimeridian(positions: Sequence[XY], pointer: str, issues: _Issues) -> None:
    for i in range(1, len(positions)):
        if abs(positions[i][0] - positions[i - 1][0]) > 180:
            issues.add(
                f"{pointer}/{i}",
                "antimeridian",
                "Consecutive longitudes differ by more than 180 degrees (antimeridian crossing); "
                "split the geometry at the antimeridian.",
            )


def _build(gtype: str, tree: Any) -> BaseGeometry:
    if gtype == "Point":
        return Point(tree)
    if gtype == "LineString":
        return LineString(tree)
    if gtype == "Polygon":
        return Polygon(tree[0], tree[1:])
    return MultiPolygon([Polygon(rings[0], rings[1:]) for rings in tree])


def _check_validity(geom: BaseGeometry, issues: _Issues) -> None:
    """Polygon validity by shapely's rules; each part first, so the pointer names the bad one."""
    if isinstance(geom, MultiPolygon):
        for i, part in enumerate(geom.geoms):
            if not part.is_valid:
                issues.add(f"/coordinates/{i}", "self_intersection", shapely.is_valid_reason(part))
        if issues.total:
            return
    if isinstance(geom, (Polygon, MultiPolygon)) and not geom.is_valid:
        issues.add("/coordinates", "self_intersection", shapely.is_valid_reason(geom))


def to_geojson(geom: BaseGeometry, precision: int = 7) -> dict[str, Any]:
    """A GeoJSON geometry dict: 2D, coordinates rounded to ``precision`` decimals, exteriors CCW."""
    geom = shapely.orient_polygons(geom)
    if geom.geom_type == "GeometryCollection":
        return {"type": "GeometryCollection", "geometries": [to_geojson(g, precision) for g in geom.geoms]}
    return {"type": geom.geom_type, "coordinates": _coordinates(geom, precision)}


def _coordinates(geom: BaseGeometry, precision: int) -> list[Any]:
    if geom.geom_type == "Point":
        return [] if geom.is_empty else _position(geom.coords[0], precision)
    if geom.geom_type in ("LineString", "LinearRing"):
        return [_position(c, precision) for c in geom.coords]
    if geom.geom_type == "Polygon":
        if geom.is_empty:
            return []
        rings = [geom.exterior, *geom.interiors]
        return [_coordinates(ring, precision) for ring in rings]
    return [_coordinates(part, precision) for part in geom.geoms]


def _position(coord: Sequence[float], precision: int) -> list[float]:
    # "+ 0.0" turns a rounded -0.0 into 0.0, so equal points serialise equally.
    return [round(coord[0], precision) + 0.0, round(coord[1], precision) + 0.0]
