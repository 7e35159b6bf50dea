"""What an obstacle is and how tall: the rules shared by every obstacle file reader (pure values).

- **Kind**: an OpenStreetMap-tagged feature is a building when it has `building=*` (anything but
  `no`) and an area; a wall when it has `barrier=wall` (`building` wins when both are there); any
  other tagged feature is not an obstacle (skipped, counted). An untagged feature of a GIS layer is
  a building when it is an area, a wall when it is a line.
- **Height** in metres: `height` (also `altezza`), read tolerantly ("12", "12 m", "12,5", "12.5m");
  else `building:levels` (also `levels`, `piani`) × 3 m per level (LEVEL_HEIGHT_M: a storey of an
  Italian residential building, floor to floor). Neither, or a value that is not a positive number
  of metres: unknown (a warning names the value; the obstacle is kept, of unknown height).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from observo.errors import FieldIssue

LEVEL_HEIGHT_M = 3.0
MAX_HEIGHT_M = 1000.0  # taller is a unit mistake (centimetres, feet...), not a building
# A footprint wider than this is a boundary or a land-use area tagged as a building, not a building (the
# largest Italian factory halls are about a kilometre long): refused, as it would blank every view in it.
MAX_BUILDING_SPAN_M = 2000.0
_METRES_PER_DEGREE = 111_320.0  # along the equator and (near enough, for a sanity limit) any meridian
AREAS = ("Polygon", "MultiPolygon")
LINES = ("LineString", "MultiLineString")
HEIGHT_KEYS = ("height", "altezza")
LEVEL_KEYS = ("building:levels", "levels", "piani")
_METRES = re.compile(r"\s*([0-9]+(?:[.,][0-9]+)?)\s*(?:m|mt|metri|metres|meters)?\.?\s*", re.IGNORECASE)
_LEVELS = re.compile(r"\s*([0-9]+(?:[.,][0-9]+)?)\s*")


def kind_of(properties: Mapping[str, Any], geometry_type: str) -> str | None:
    """building, wall, or None when the feature is not an obstacle (see the module docstring)."""
    tags = _lower_keys(properties)
    building = _text(tags.get("building"))
    barrier = _text(tags.get("barrier"))
    if building is None and barrier is None:  # an untagged GIS layer: the shape decides
        return "building" if geometry_type in AREAS else "wall" if geometry_type in LINES else None
    if building is not None and building.lower() != "no" and geometry_type in AREAS:
        return "building"
    if barrier is not None and barrier.lower() == "wall" and geometry_type in (*LINES, *AREAS):
        return "wall"
    return None


def osm_kind(tags: Mapping[str, Any]) -> str | None:
    """What an OSM way or relation's tags make it, whatever its shape: building, wall or None."""
    building = _text(tags.get("building"))
    if building is not None and building.lower() != "no":
        return "building"
    barrier = _text(tags.get("barrier"))
    return "wall" if barrier is not None and barrier.lower() == "wall" else None


def height_of(properties: Mapping[str, Any], pointer: str) -> tuple[float | None, list[FieldIssue]]:
    """The height in metres (None when unknown) and warnings about values that could not be read."""
    tags = _lower_keys(properties)
    warnings: list[FieldIssue] = []
    for key in HEIGHT_KEYS:
        if tags.get(key) not in (None, ""):
            metres = _number(tags[key], _METRES)
            if metres is not None:
                return metres, warnings
            warnings.append(_unread(pointer, key, tags[key], "a height in metres, e.g. 12 or 12,5 m"))
    for key in LEVEL_KEYS:
        if tags.get(key) not in (None, ""):
            levels = _number(tags[key], _LEVELS)
            if levels is not None and levels * LEVEL_HEIGHT_M <= MAX_HEIGHT_M:
                return round(levels * LEVEL_HEIGHT_M, 2), warnings
            warnings.append(_unread(pointer, key, tags[key], "a number of storeys"))
    return None, warnings


def _number(raw: Any, pattern: re.Pattern[str]) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        match = pattern.fullmatch(str(raw))
        if match is None:
            return None
        value = float(match.group(1).replace(",", "."))
    return value if math.isfinite(value) and 0 < value <= MAX_HEIGHT_M else None


def _unread(pointer: str, key: str, raw: Any, expected: str) -> FieldIssue:
    shown = repr(raw)[:60]
    detail = f"{key}={shown} is not {expected}: the height is read from the next key, else unknown"
    return FieldIssue(f"{pointer}/{key}", "height_unread", detail)


def _lower_keys(properties: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key).strip().lower(): value for key, value in properties.items()}


def _text(raw: Any) -> str | None:
    if raw is None:
        return None
    text = str(raw).strip()
    return text or None


def span_m(bounds: tuple[float, float, float, float]) -> float:
    """The diagonal in metres of a box (minLon, minLat, maxLon, maxLat in degrees), near enough for a
    sanity limit (equirectangular at the box's middle latitude)."""
    min_lon, min_lat, max_lon, max_lat = bounds
    east = (max_lon - min_lon) * _METRES_PER_DEGREE * math.cos(math.radians((min_lat + max_lat) / 2))
    north = (max_lat - min_lat) * _METRES_PER_DEGREE
    return math.hypot(east, north)
