"""OpenStreetMap surveillance tags <-> Observo camera properties, both ways (issue 7).

Import: ``cameras_from_osm`` turns one OSM-tagged GeoJSON Feature (overpass-turbo / osmtogeojson:
tags flat in ``properties`` or under ``properties["tags"]``, id ``node/123`` or numeric) into camera
property dicts named as in the camera API. Every bad tag gives one ``FieldIssue`` pointing at it;
all are collected and raised once as ``InvalidInput``, whatever the input (never a crash).

Choices made where OSM is loose (DESIGN.md, "Field of view"):

- ``camera:direction``, else ``direction``, else ``surveillance:direction`` (the first key present
  wins, even if its value is bad). Degrees (0-360, 360 is north), 16 compass points, clockwise
  ranges ``a-b`` (centre = bearing, width = hfov; ``0-360`` is all round, ``90-90`` is refused as
  ambiguous, narrower than 1 degree is refused) and ``;``-separated lists, one camera each,
  sharing ``site_ref`` ``osm:node/<id>`` (and ``ref`` gets ``/1``, ``/2``... to stay unique).
- ``camera:angle`` is tilt (degrees below the horizontal), never width.
- No ``camera:type``: ``fixed`` when a direction is given, else ``dome``. A fixed or ALPR camera
  without direction is refused: its field of view cannot be drawn.
- Unknown ``camera:mount`` and ``surveillance:zone`` become ``other``; other unknown values are
  refused. ``surveillance=yes`` states no area class.
- ``start_date``/``check_date`` must be full dates (YYYY-MM-DD): a year alone is not a day.
- Only nodes: ``osm_id`` stores a node id (a way with the same number is another object).
- ``operator`` is a name, not an organisation slug: returned as ``operator_name`` to resolve.

The returned dicts also carry ``geometry``, ``attribution`` and maybe ``operator_name``
(``NON_SCHEMA_KEYS``); ``to_camera_feature`` splits them off into a camera API Feature.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import Any

from observo.domain import vocabulary as v
from observo.domain.geometry import parse_geometry
from observo.errors import FieldIssue, InvalidGeometry, InvalidInput, pointer_token

ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"
SOURCE = "osm_import"
DIRECTION_KEYS = ("camera:direction", "direction", "surveillance:direction")
MAX_DIRECTIONS = 16  # more heads on one node is a tagging error, not a device
NON_SCHEMA_KEYS = ("geometry", "attribution", "operator_name")
_POINTS = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")
COMPASS = {point: index * 22.5 for index, point in enumerate(_POINTS)}
_DEGREES = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,12})?", re.ASCII)
_SIGNED = re.compile(r"[+-]?[0-9]{1,12}(?:\.[0-9]{1,12})?", re.ASCII)
_METRES = re.compile(r"([0-9]{1,12}(?:\.[0-9]{1,12})?)\s*(?:m)?", re.ASCII)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_OSM_ID = re.compile(r"(node|way|relation)/([0-9]{1,18})", re.ASCII)
_DIRECTION_HINT = "expected degrees 0-360, a compass point (N, NNE ... NNW) or a clockwise range like 300-60"

# tag -> (property, {lower-case OSM value: Observo value or None = states nothing}, value when unknown)
CHOICE_TAGS: dict[str, tuple[str, dict[str, str | None], str | None]] = {
    "surveillance:type": ("surveillance_type", {"camera": "camera", "alpr": "alpr", "anpr": "alpr"}, None),
    "camera:type": ("camera_type", {**{t: t for t in v.CAMERA_TYPES}, "ptz": "panning"}, None),
    "camera:mount": ("mount", {**{m: m for m in v.MOUNTS}, "traffic_signals": "traffic_signal"}, "other"),
    "surveillance": ("area_class", {**{a: a for a in v.AREA_CLASSES}, "yes": None}, None),
    "surveillance:zone": ("zone", {z: z for z in v.ZONES}, "other"),
}
# tag -> (property, pattern, low, high, unit in messages)
NUMBER_TAGS = {
    "height": ("height_m", _METRES, 0.0, 300.0, "metres"),
    "camera:angle": ("tilt_deg", _SIGNED, -90.0, 90.0, "degrees below the horizontal"),
}
DATE_TAGS = {"start_date": "installed_on", "check_date": "last_verified_on"}
_TEXTS = {"name": ("name", 200), "ref": ("ref", 100), "operator": ("operator_name", 200)}
# Observo value -> OSM value where they differ; None: no OSM tag says it.
EXPORT_VALUES = {"alpr": "ALPR", "traffic_signal": "traffic_signals", "other": None}


@dataclass(frozen=True)
class DirectionReading:
    """One head's view: compass bearing of its centre (0 <= b < 360) and width when a range said it."""

    bearing_deg: float
    hfov_deg: float | None = None


def parse_direction(tags: Mapping[str, Any]) -> list[DirectionReading]:
    """The readings of the first direction tag present; [] when none is. Raises InvalidInput."""
    return _parse_direction(tags, "/properties")


def _parse_direction(tags: Mapping[str, Any], prefix: str) -> list[DirectionReading]:
    key = next((key for key in DIRECTION_KEYS if key in tags), None)
    if key is None:
        return []
    pointer = f"{prefix}/{pointer_token(key)}"
    text = _as_text(tags[key])
    if text is None:
        raise _invalid(pointer, "invalid_direction", f"{key} must be text, not {type(tags[key]).__name__}")
    parts = text.split(";")
    if len(parts) > MAX_DIRECTIONS:
        detail = f"{key} lists {len(parts)} directions; at most {MAX_DIRECTIONS} heads per node"
        raise _invalid(pointer, "too_many_directions", detail)
    readings, problems = [], []
    for part in parts:
        try:
            readings.append(_reading(part.strip()))
        except ValueError as exc:
            problems.append(FieldIssue(pointer, "invalid_direction", f"{key}={_show(text)}: {exc}"))
    if problems:
        raise InvalidInput(problems[0].detail, problems)
    return readings


def _reading(part: str) -> DirectionReading:
    """One value: degrees, a compass point or a clockwise range (a leading '-' is a sign, refused)."""
    if not part:
        raise ValueError(f"empty value; {_DIRECTION_HINT}")
    dash = part.find("-", 1)
    if dash < 0:
        return DirectionReading(_angle(part) % 360)
    start, end = part[:dash].strip(), part[dash + 1 :].strip()
    if not end:
        raise ValueError(f"the range {_show(part)} has no end; {_DIRECTION_HINT}")
    first, last = _angle(start), _angle(end)
    width = (last - first) % 360 or (360.0 if abs(last - first) == 360 else 0.0)
    if width == 0:
        raise ValueError(f"the range {_show(part)} has zero width (ambiguous); give one direction instead")
    if width < 1:
        raise ValueError(f"the range {_show(part)} is narrower than 1 degree; give one direction instead")
    return DirectionReading((first + width / 2) % 360, width)


def _angle(text: str) -> float:
    if text.isascii() and text.upper() in COMPASS:  # "ſ".upper() is "S"
        return COMPASS[text.upper()]
    if text.startswith("-") and _DEGREES.fullmatch(text[1:].strip()):
        raise ValueError(f"{_show(text)} is negative; directions run clockwise from 0 (north) to 360")
    if not _DEGREES.fullmatch(text):
        raise ValueError(f"{_show(text)} is not a direction; {_DIRECTION_HINT}")
    value = float(text)
    if value > 360:
        raise ValueError(f"{_show(text)} is more than 360 degrees")
    return value


def cameras_from_osm(feature: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One OSM-tagged GeoJSON Feature -> one camera property dict per direction (see module doc)."""
    if not isinstance(feature, Mapping) or not isinstance(feature.get("properties"), Mapping):
        raise _invalid("/properties", "invalid_type", "an OSM feature is a GeoJSON Feature with properties")
    properties = feature["properties"]
    nested = isinstance(properties.get("tags"), Mapping)
    tags, prefix = (properties["tags"], "/properties/tags") if nested else (properties, "/properties")
    issues: list[FieldIssue] = []
    osm_id = _osm_id(feature, properties, issues)
    geometry = _geometry(feature.get("geometry"), issues)
    if _as_text(tags.get("man_made")) != "surveillance":
        issues.append(FieldIssue(f"{prefix}/man_made", "not_surveillance", "needs man_made=surveillance"))
    attrs = _attributes(tags, prefix, issues)
    readings = _collect(lambda: _parse_direction(tags, prefix), issues) or []
    _check_optics(attrs, readings, tags, prefix, issues)
    if issues:
        raise InvalidInput(f"OSM feature: {issues[0].detail}", issues)
    label = f"node/{osm_id}"
    base = {"name": f"Telecamera OSM {label}", **attrs, "source": SOURCE, "osm_id": osm_id}
    base.update(geometry=geometry, attribution=ATTRIBUTION)
    return _heads(base, readings, label)


def _attributes(tags: Mapping[str, Any], prefix: str, issues: list[FieldIssue]) -> dict[str, Any]:
    """Every tag but the direction, each checked on its own so that all problems are reported."""
    attrs: dict[str, Any] = {}
    for key, value in tags.items():
        tables = ((CHOICE_TAGS, _choice), (NUMBER_TAGS, _number), (DATE_TAGS, _day), (_TEXTS, _text))
        for table, convert in tables:
            if key in table:
                pointer = f"{prefix}/{pointer_token(key)}"
                result = _collect(lambda c=convert, k=key, x=value, p=pointer: c(k, x, p), issues)
                if result is not None and result[1] is not None:
                    attrs[result[0]] = result[1]
    if attrs.get("area_class") == "indoor":
        attrs["indoor"] = True
    return attrs


def _choice(key: str, raw: Any, pointer: str) -> tuple[str, str | None]:
    name, values, fallback = CHOICE_TAGS[key]
    text = _required_text(key, raw, pointer)
    if text.lower() in values:
        return name, values[text.lower()]
    if fallback is not None:
        return name, fallback
    known = ", ".join(sorted(value for value in values if value != "yes"))
    raise _invalid(pointer, "invalid_value", f"{key}={_show(text)} is not one of: {known}")


def _number(key: str, raw: Any, pointer: str) -> tuple[str, float]:
    name, pattern, low, high, unit = NUMBER_TAGS[key]
    text = _required_text(key, raw, pointer)
    match = pattern.fullmatch(text)
    if match is None:
        raise _invalid(pointer, "invalid_number", f"{key}={_show(text)} is not a number of {unit}")
    value = float(match.group(1) if match.groups() else match.group(0))
    if not low <= value <= high:
        raise _invalid(pointer, "out_of_range", f"{key}={_show(text)} is outside {low:g} to {high:g} {unit}")
    return name, value


def _day(key: str, raw: Any, pointer: str) -> tuple[str, str]:
    text = _required_text(key, raw, pointer)
    with suppress(ValueError):  # 2019-02-30 matches the pattern but is no day
        if _DAY.fullmatch(text):
            return DATE_TAGS[key], date.fromisoformat(text).isoformat()
    raise _invalid(pointer, "invalid_date", f"{key}={_show(text)} is not a full date (YYYY-MM-DD)")


def _text(key: str, raw: Any, pointer: str) -> tuple[str, str | None]:
    name, size = _TEXTS[key]
    text = _as_text(raw)
    if text is None:
        raise _invalid(pointer, "invalid_type", f"{key} must be text")
    if len(text.strip()) > size:
        raise _invalid(pointer, "too_long", f"{key} is longer than {size} characters")
    return name, text.strip() or None


def _check_optics(
    attrs: dict[str, Any],
    readings: list[DirectionReading],
    tags: Mapping[str, Any],
    prefix: str,
    issues: list[FieldIssue],
) -> None:
    """Default camera_type; refuse a camera that must have a direction but has none."""
    if "camera:type" not in tags:
        attrs["camera_type"] = "fixed" if readings else "dome"
    elif "camera_type" not in attrs:
        return  # its bad camera:type is reported already
    all_round = attrs.get("camera_type") in v.ALL_ROUND_TYPES and attrs.get("surveillance_type") != "alpr"
    if readings or all_round or any(key in tags for key in DIRECTION_KEYS):
        return
    detail = "a fixed camera or a plate reader needs camera:direction (or direction) to draw its view"
    issues.append(FieldIssue(f"{prefix}/camera:direction", "required", detail))


def _heads(base: dict[str, Any], readings: list[DirectionReading], label: str) -> list[dict[str, Any]]:
    """One camera per reading; several share site_ref and get numbered refs."""
    heads = []
    for number, reading in enumerate(readings, start=1):
        head = {**base, "bearing_deg": reading.bearing_deg}
        if reading.hfov_deg is not None:
            head["hfov_deg"] = reading.hfov_deg
        if len(readings) > 1:
            head["site_ref"] = f"osm:{label}"
            if base.get("ref"):
                head["ref"] = f"{base['ref']}/{number}"
        heads.append(head)
    return heads or [base]


def _osm_id(feature: Mapping[str, Any], properties: Mapping[str, Any], issues: list[FieldIssue]) -> int:
    """The node id from @id, the Feature's id or properties id (+ type), as exported by OSM tools."""
    for pointer, raw in (("/properties/@id", properties.get("@id")), ("/id", feature.get("id"))):
        if raw is not None:
            return _node_id(raw, None, pointer, issues)
    if properties.get("id") is not None:
        return _node_id(properties["id"], properties.get("type"), "/properties/id", issues)
    issues.append(FieldIssue("/id", "required", "an OSM feature needs its id (node/123) for osm_id"))
    return 0


def _node_id(raw: Any, kind: Any, pointer: str, issues: list[FieldIssue]) -> int:
    text = (_as_text(raw) or "").strip()
    match = _OSM_ID.fullmatch(text)
    if match is None and text.isascii() and text.isdigit():  # a bare number: a node unless "type" says
        match = _OSM_ID.fullmatch(f"{kind if kind in ('node', 'way', 'relation') else 'node'}/{text}")
    if match is None or int(match.group(2)) < 1:
        issues.append(FieldIssue(pointer, "invalid_osm_id", f"{_show(text)} is not an OSM id like node/123"))
        return 0
    if match.group(1) != "node":
        detail = f"{match.group(0)}: only nodes map to cameras (a camera is a point)"
        issues.append(FieldIssue(pointer, "unsupported_osm_type", detail))
        return 0
    return int(match.group(2))


def _geometry(raw: Any, issues: list[FieldIssue]) -> dict[str, Any] | None:
    try:
        point = parse_geometry(raw, ("Point",))
    except InvalidGeometry as exc:
        issues.extend(issue.under("/geometry") for issue in exc.issues)
        return None
    return {"type": "Point", "coordinates": [point.x, point.y]}


def to_camera_feature(camera: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a dict of ``cameras_from_osm`` into a camera API Feature and the non-schema extras."""
    extras = {key: camera[key] for key in NON_SCHEMA_KEYS if key in camera}
    properties = {key: value for key, value in camera.items() if key not in NON_SCHEMA_KEYS}
    return {"type": "Feature", "geometry": camera.get("geometry"), "properties": properties}, extras


def _collect(call: Callable[[], Any], issues: list[FieldIssue]) -> Any:
    """The call's result, or None after moving its InvalidInput issues into ``issues``."""
    try:
        return call()
    except InvalidInput as exc:
        issues.extend(exc.issues)
        return None


def _as_text(raw: Any) -> str | None:
    """Tag values are text; numbers (hand-made GeoJSON) are accepted as their text, nothing else."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return str(raw)
    return None


def _required_text(key: str, raw: Any, pointer: str) -> str:
    text = _as_text(raw)
    if text is None or not text.strip():
        raise _invalid(pointer, "invalid_value", f"{key} must be a non-empty text value")
    return text.strip()


def _invalid(pointer: str, code: str, detail: str) -> InvalidInput:
    return InvalidInput(detail, [FieldIssue(pointer, code, detail)])


def _show(text: str) -> str:
    """A value quoted for a message, cut short: the input may be anything."""
    return repr(text if len(text) <= 40 else text[:40] + "...")
