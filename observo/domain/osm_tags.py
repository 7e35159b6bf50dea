"""OpenStreetMap surveillance tags -> Observo camera properties (issue 7, issue 17; export: `osm_export`).

Import: ``read_osm_element`` turns one OSM element (``osm_files.OsmElement``: from Overpass JSON,
.osm XML, .osm.pbf or OSM-tagged GeoJSON) into camera property dicts named as in the camera API,
one per head, with the warnings of what it interpreted. ``read_osm_feature`` does the same for one
GeoJSON Feature and ``cameras_from_osm`` returns only its cameras. A tag that cannot be read gives
one ``FieldIssue`` pointing at it; all are collected and raised once as ``InvalidInput``, whatever
the input (never a crash).

Choices made where OSM is loose (README, "Importing your cameras"):

- Nothing a node says is lost: every tag goes verbatim into ``source_tags`` (the mapped ones too,
  so an export writes the node back tag for tag); tags no property holds (description, note,
  contact:*, source...) are listed as ``kept`` for the report. ``licence`` is ``ODbL-1.0``.
- ``camera:direction``, else ``direction``, else ``surveillance:direction`` (the first key with a
  value wins, even if its value is bad), read by ``directions.parse_directions``: degrees, compass
  points and words (English, Italian...), clockwise ranges ``a-b`` (centre = bearing, width = hfov;
  ``0-360`` is all round, zero width refused), lists by ``;`` or ``,``; negative and >360 values
  normalised. Each interpretation is a ``direction_normalised`` warning. Several directions make
  one camera each, sharing ``site_ref`` ``osm:node/<id>`` (``ref`` gets ``/1``, ``/2``...).
- ``camera:count=N`` makes N heads: one per direction when they agree; with fewer directions the
  missing heads have no direction, with more directions one head per direction; an unreadable
  count is ignored. Each case but agreement is a ``heads_from_count`` warning.
- No ``camera:type``: ``fixed`` when a direction is given, else ``dome``. A fixed camera or plate
  reader without direction is registered with ``direction_unknown`` (no bearing: it covers its own
  spot until surveyed) and a ``direction_unknown`` warning, not refused.
- Values outside Observo's vocabulary are mapped to the nearest value (``camera:type=360`` ->
  panorama, ``camera:mount=roof`` -> building, ``surveillance=traffic`` -> public...) or to
  ``other`` (``fixed`` for a camera type, no area class for ``surveillance``) with a
  ``value_mapped`` warning; the raw value stays in ``source_tags``. Only
  ``surveillance:type=guard|outpost`` (a person, not a camera) is refused.
- ``camera:angle`` is tilt (degrees below the horizontal), never width. ``height`` in metres
  (``5``, ``5 m``; ``5,5`` and feet ``16'`` converted with a warning).
- ``start_date``/``check_date``: a full date (YYYY-MM-DD) fills installed_on/last_verified_on; the
  partial dates OSM allows (``2019``, ``2019-05``, ``~2019``, ``before 2019``...) leave them empty
  with a warning; a value that is no date at all is refused.
- ``operator`` -> ``operator_name`` (the service links it to an organisation when one matches);
  ``level`` -> level; ``addr:*`` -> ``address`` as Italians write it (``Via Roma 12, 10121
  Torino``; ``addr:full`` when given); ``indoor=yes|no`` (and ``surveillance=indoor``) -> indoor.
- Only nodes map to cameras: ``osm_id`` stores a node id (a way with the same number is another
  object). Blank values and nulls (GDAL's empty columns) say nothing.

The returned dicts also carry ``geometry`` and ``attribution`` (``NON_SCHEMA_KEYS``);
``to_camera_feature`` splits them off into a camera API Feature.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from observo.domain import vocabulary as v
from observo.domain.directions import (
    COMPASS,
    MAX_DIRECTIONS,
    DirectionReading,
    TooManyDirectionsError,
    parse_directions,
)
from observo.domain.licences import OSM_ATTRIBUTION, OSM_LICENCE
from observo.domain.osm_files import OsmElement, feature_element
from observo.errors import FieldIssue, InvalidInput, pointer_token

__all__ = [
    "ATTRIBUTION",
    "CHOICE_TAGS",
    "COMPASS",
    "DATE_TAGS",
    "DIRECTION_KEYS",
    "EXPORT_VALUES",
    "LICENCE",
    "MAX_DIRECTIONS",
    "NUMBER_TAGS",
    "DirectionReading",
    "OsmCameras",
    "cameras_from_osm",
    "parse_direction",
    "read_osm_element",
    "read_osm_feature",
    "to_camera_feature",
]

ATTRIBUTION = OSM_ATTRIBUTION
LICENCE = OSM_LICENCE
# The name of a node without one. Not the node's id: a public camera shows its name, and the id
# would give away the exact position its public (generalised) position hides.
GENERATED_NAME = "Telecamera OpenStreetMap"
SOURCE = "osm_import"
DIRECTION_KEYS = ("camera:direction", "direction", "surveillance:direction")
NON_SCHEMA_KEYS = ("geometry", "attribution")
MAX_SOURCE_TAGS = 200  # the camera schema's limit
MAX_TAG_VALUE = 2000
_METRES = re.compile(r"([0-9]{1,12})(?:([.,])([0-9]{1,12}))?\s*(?:m|metres|meters|metri)?", re.ASCII | re.I)
_FEET = re.compile(
    r"([0-9]{1,6}(?:\.[0-9]{1,6})?)\s*(?:'|ft|feet)(?:\s*([0-9]{1,2}(?:\.[0-9]{1,6})?)\s*(?:\"|in))?",
    re.ASCII,
)
_SIGNED = re.compile(r"[+-]?[0-9]{1,12}(?:\.[0-9]{1,12})?\s*(?:°|deg)?", re.ASCII)
_DAY = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})(T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?",
    re.ASCII,
)
# The partial and approximate dates the OSM wiki documents for start_date (Key:start_date).
_PARTIAL_DATE = re.compile(
    r"(?:~|(?:before|after|early|mid|late) )?[0-9]{4}(?:-(?:0[1-9]|1[0-2]))?s?"
    r"|[0-9]{4}(?:-[0-9]{2}){0,2}\.\.[0-9]{4}(?:-[0-9]{2}){0,2}|C[0-9]{1,2}",
    re.ASCII,
)
_COUNT = re.compile(r"[0-9]{1,3}", re.ASCII)

# tag -> (property, {lower-case OSM value: Observo value or None = states nothing}, value for the rest)
CHOICE_TAGS: dict[str, tuple[str, dict[str, str | None], str | None]] = {
    "surveillance:type": (
        "surveillance_type",
        {"camera": "camera", "alpr": "alpr", "anpr": "alpr"},
        "camera",
    ),
    "camera:type": ("camera_type", {**{t: t for t in v.CAMERA_TYPES}, "ptz": "panning"}, "fixed"),
    "camera:mount": ("mount", {**{m: m for m in v.MOUNTS}, "traffic_signals": "traffic_signal"}, "other"),
    "surveillance": ("area_class", {**{a: a for a in v.AREA_CLASSES}, "yes": None}, None),
    "surveillance:zone": ("zone", {z: z for z in v.ZONES}, "other"),
}
# Values outside Observo's vocabulary that real data holds -> the nearest Observo value (a warning).
NEAREST: dict[str, dict[str, str | None]] = {
    "surveillance:type": {"webcam": "camera", "traffic": "camera", "speed_camera": "camera"},
    "camera:type": {
        "360": "panorama",
        "fisheye": "panorama",
        "panoramic": "panorama",
        "webcam": "fixed",
        "bullet": "fixed",
        "box": "fixed",
        "static": "fixed",
        "speed_dome": "dome",
        "pan_tilt_zoom": "panning",
    },
    "camera:mount": {
        "roof": "building",
        "facade": "wall",
        "mast": "pole",
        "post": "pole",
        "column": "pole",
        "street_light": "street_lamp",
        "streetlamp": "street_lamp",
        "lamp": "street_lamp",
        "traffic_light": "traffic_signal",
        "traffic_lights": "traffic_signal",
        "bridge": "gantry",
    },
    "surveillance": {"traffic": "public", "street": "public", "outdoors": "outdoor", "inside": "indoor"},
    "surveillance:zone": {"road": "traffic", "street": "traffic", "car_park": "parking", "entry": "entrance"},
}
# surveillance:type values that are not cameras at all: a row registering them would be false.
NOT_CAMERAS = {"guard": "a guard (a person)", "outpost": "a guard post"}
# tag -> (property, low, high, unit in messages)
NUMBER_TAGS = {
    "height": ("height_m", 0.0, 300.0, "metres"),
    "camera:angle": ("tilt_deg", -90.0, 90.0, "degrees below the horizontal"),
}
DATE_TAGS = {"start_date": "installed_on", "check_date": "last_verified_on"}
_TEXTS = {
    "name": ("name", 200),
    "ref": ("ref", 100),
    "operator": ("operator_name", 200),
    "level": ("level", 16),
}
INDOOR = {"yes": True, "no": False, "room": True, "area": True, "corridor": True, "level": True}
ADDRESS_KEYS = ("addr:full", "addr:street", "addr:place", "addr:housenumber", "addr:postcode", "addr:city")
ADDRESS_SIZE = 300
# Observo value -> OSM value where they differ; None: no OSM tag says it.
EXPORT_VALUES = {"alpr": "ALPR", "traffic_signal": "traffic_signals", "other": None}


@dataclass
class OsmCameras:
    """What one OSM node gives: a camera per head, the warnings, which tags filled which property."""

    cameras: list[dict[str, Any]]
    warnings: list[FieldIssue] = field(default_factory=list)
    mapped: dict[str, str] = field(default_factory=dict)  # tag -> property it filled
    kept: list[str] = field(default_factory=list)  # tags no property holds (kept in source_tags)


def parse_direction(tags: Mapping[str, Any]) -> list[DirectionReading]:
    """The readings of the first direction tag with a value; [] when none has. Raises InvalidInput."""
    node = _Node(tags, "/properties")
    readings = node.directions()
    if node.issues:
        raise InvalidInput(node.issues[0].detail, node.issues)
    return readings


def cameras_from_osm(feature: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One OSM-tagged GeoJSON Feature -> one camera property dict per head (see module doc)."""
    return read_osm_feature(feature).cameras


def read_osm_feature(feature: Mapping[str, Any]) -> OsmCameras:
    """One OSM-tagged GeoJSON Feature (overpass-turbo, osmtogeojson, GDAL) -> its heads and warnings."""
    if not isinstance(feature, Mapping) or not isinstance(feature.get("properties"), Mapping):
        raise _invalid("/properties", "invalid_type", "an OSM feature is a GeoJSON Feature with properties")
    return read_osm_element(feature_element(feature))


def read_osm_element(element: OsmElement) -> OsmCameras:
    """One OSM node -> its heads, warnings, mapped and kept tags; InvalidInput lists every problem."""
    node = _Node(element.tags, element.prefix)
    issues = list(element.issues)
    if element.kind not in ("", "node") and element.osm_id:
        detail = f"{element.label}: only nodes map to cameras (a camera is a point)"
        issues.append(FieldIssue(element.id_pointer, "unsupported_osm_type", detail))
    node.man_made()
    node.attributes()
    readings = node.directions()
    heads = node.heads(readings)
    issues.extend(node.issues)
    if issues:
        raise InvalidInput(f"OSM {element.label}: {issues[0].detail}", issues)
    label = f"node/{element.osm_id}"
    base = {"name": GENERATED_NAME, **node.attrs, "source": SOURCE, "osm_id": element.osm_id}
    base.update(licence=LICENCE, attribution=ATTRIBUTION)
    base["geometry"] = {"type": "Point", "coordinates": [element.lon, element.lat]}
    cameras = _cameras(base, heads, label, node.all_tags)
    kept = [key for key in node.all_tags if key not in node.mapped and key not in node.understood]
    return OsmCameras(cameras, node.warnings, dict(node.mapped), kept)


class _Node:
    """The tags of one node read into properties; problems and interpretations collected as it goes."""

    def __init__(self, tags: Mapping[str, Any], prefix: str) -> None:
        self.tags, self.prefix = tags, prefix
        self.attrs: dict[str, Any] = {}
        self.issues: list[FieldIssue] = []
        self.warnings: list[FieldIssue] = []
        self.mapped: dict[str, str] = {}  # tag -> property
        self.understood: set[str] = set()  # tags read that fill no property (man_made, surveillance=yes)
        # every tag as it came (nulls are absent tags, GDAL's empty columns), as text
        self.all_tags = {str(key): _tag_text(raw) for key, raw in tags.items() if raw is not None}

    def pointer(self, key: str) -> str:
        return f"{self.prefix}/{pointer_token(key)}"

    def text(self, key: str) -> str | None:
        """The tag's value as text, None when absent or blank; an issue when it is no text at all."""
        raw = self.tags.get(key)
        if raw is None:
            return None
        text = _as_text(raw)
        if text is None:
            self.issue(key, "invalid_type", f"{key} must be text, not {type(raw).__name__}")
            return None
        if not text.strip():
            self.understood.add(key)  # read, and it says nothing
            return None
        return text.strip()

    def issue(self, key: str, code: str, detail: str) -> None:
        self.issues.append(FieldIssue(self.pointer(key), code, detail))

    def warn(self, key: str, code: str, detail: str) -> None:
        self.warnings.append(FieldIssue(self.pointer(key), code, detail))

    def put(self, key: str, name: str, value: Any) -> None:
        self.attrs[name] = value
        self.mapped[key] = name

    # --- the tags ---

    def man_made(self) -> None:
        text = self.text("man_made")
        if text is None or text.lower() != "surveillance":
            self.issue("man_made", "not_surveillance", "needs man_made=surveillance")
        self.understood.add("man_made")

    def attributes(self) -> None:
        for key in CHOICE_TAGS:
            self.choice(key)
        for key in NUMBER_TAGS:
            self.number(key)
        for key in DATE_TAGS:
            self.day(key)
        for key, (name, size) in _TEXTS.items():
            text = self.text(key)
            if text is not None and len(text) > size:
                self.issue(key, "too_long", f"{key} is longer than {size} characters")
            elif text is not None:
                self.put(key, name, text)
        self.indoor()
        self.address()
        self.check_source_tags()

    def choice(self, key: str) -> None:
        name, values, fallback = CHOICE_TAGS[key]
        text = self.text(key)
        if text is None:
            return
        lower = text.lower()
        if key == "surveillance:type" and lower in NOT_CAMERAS:
            detail = f"{key}={_show(text)} is {NOT_CAMERAS[lower]}, not a camera: Observo registers cameras"
            self.issue(key, "not_a_camera", detail)
            return
        if lower in values:
            if values[lower] is None:
                self.understood.add(key)
            else:
                self.put(key, name, values[lower])
            return
        value = NEAREST[key].get(lower, fallback)
        known = ", ".join(sorted({value for value in values.values() if value}))
        read_as = f"read as {value}" if value else f"no {name} set"
        detail = (
            f"{key}={_show(text)} is not one of Observo's values ({known}): {read_as}; tag kept as it came"
        )
        self.warn(key, "value_mapped", detail)
        if value is not None:
            self.put(key, name, value)

    def number(self, key: str) -> None:
        name, low, high, unit = NUMBER_TAGS[key]
        text = self.text(key)
        if text is None:
            return
        value = _height(text, key, self) if key == "height" else _angle(text)
        if value is None:
            self.issue(key, "invalid_number", f"{key}={_show(text)} is not a number of {unit}")
        elif not low <= value <= high:
            self.issue(key, "out_of_range", f"{key}={_show(text)} is outside {low:g} to {high:g} {unit}")
        else:
            self.put(key, name, value)

    def day(self, key: str) -> None:
        text = self.text(key)
        if text is None:
            return
        match = _DAY.fullmatch(text)
        with suppress(ValueError):  # 2019-02-30 matches the pattern but is no day
            if match is not None:
                self.put(key, DATE_TAGS[key], date.fromisoformat(match.group(1)).isoformat())
                if match.group(2):
                    self.warn(key, "value_mapped", f"{key}={_show(text)}: read as the day {match.group(1)}")
                return
        if match is None and _PARTIAL_DATE.fullmatch(text):
            detail = (
                f"{key}={_show(text)} is not a full date (YYYY-MM-DD): {DATE_TAGS[key]} left empty; "
                "the tag is kept as it came"
            )
            self.warn(key, "value_mapped", detail)
            return
        self.issue(
            key, "invalid_date", f"{key}={_show(text)} is not a date (YYYY-MM-DD, or 2019, 2019-05...)"
        )

    def indoor(self) -> None:
        if self.attrs.get("area_class") == "indoor":
            self.attrs["indoor"] = True
        text = self.text("indoor")
        if text is None:
            return
        value = INDOOR.get(text.lower())
        if value is None:
            self.warn("indoor", "value_mapped", f"indoor={_show(text)} is neither yes nor no: indoor not set")
            return
        if text.lower() not in ("yes", "no"):
            self.warn("indoor", "value_mapped", f"indoor={_show(text)}: read as indoor=yes")
        self.put("indoor", "indoor", value)

    def address(self) -> None:
        """addr:* -> one address as Italians write it: 'Via Roma 12, 10121 Torino' (addr:full wins)."""
        parts = {key: self.text(key) for key in ADDRESS_KEYS}
        street = parts["addr:street"] or parts["addr:place"]
        street_key = "addr:street" if parts["addr:street"] else "addr:place"
        used = {street_key: street, "addr:housenumber": parts["addr:housenumber"]}
        used.update({"addr:postcode": parts["addr:postcode"], "addr:city": parts["addr:city"]})
        if parts["addr:full"]:
            used = {"addr:full": parts["addr:full"]}
            address = parts["addr:full"]
        else:
            first = " ".join(part for part in (street, parts["addr:housenumber"]) if part)
            second = " ".join(part for part in (parts["addr:postcode"], parts["addr:city"]) if part)
            address = ", ".join(part for part in (first, second) if part)
        if not address:
            return
        keys = [key for key, value in used.items() if value]
        if len(address) > ADDRESS_SIZE:
            self.issue(
                keys[0],
                "too_long",
                f"the address from {', '.join(keys)} is longer than {ADDRESS_SIZE} characters",
            )
            return
        self.attrs["address"] = address
        self.mapped.update(dict.fromkeys(keys, "address"))

    def check_source_tags(self) -> None:
        if len(self.all_tags) > MAX_SOURCE_TAGS:
            detail = f"the node has {len(self.all_tags)} tags; at most {MAX_SOURCE_TAGS} are kept per camera"
            self.issues.append(FieldIssue(self.prefix, "too_many_tags", detail))
        for key, value in self.all_tags.items():
            if not key or len(key) > 255:
                self.issue(key, "invalid_tag", "a tag key has 1 to 255 characters")
            elif len(value) > MAX_TAG_VALUE:
                self.issue(key, "too_long", f"{key} is longer than {MAX_TAG_VALUE} characters")

    # --- directions and heads ---

    def directions(self) -> list[DirectionReading]:
        key = next((key for key in DIRECTION_KEYS if _has_value(self.tags.get(key))), None)
        self.understood.update(
            key for key in DIRECTION_KEYS if key in self.tags and not _has_value(self.tags[key])
        )
        if key is None:
            return []
        text = _as_text(self.tags[key])
        if text is None:
            self.issue(key, "invalid_direction", f"{key} must be text, not {type(self.tags[key]).__name__}")
            return []
        try:
            parse = parse_directions(text)
        except TooManyDirectionsError as exc:
            self.issue(key, "too_many_directions", f"{key}: {exc}")
            return []
        except ValueError as exc:
            self.issue(key, "invalid_direction", f"{key}={_show(text)}: {exc}")
            return []
        for note in parse.notes:
            self.warn(key, "direction_normalised", f"{key}={_show(text)}: {note}")
        self.mapped[key] = "bearing_deg"
        return parse.readings

    def heads(self, readings: list[DirectionReading]) -> list[DirectionReading | None]:
        """One entry per head (None: no direction), from the directions and camera:count."""
        if "camera:type" not in self.mapped and "camera_type" not in self.attrs:
            self.attrs["camera_type"] = "fixed" if readings else "dome"
        heads: list[DirectionReading | None] = list(readings) or [None]
        count = self.count()
        if count is not None and count != len(readings):
            heads = self.heads_from_count(count, readings)
        needs_direction = (
            self.attrs.get("camera_type") not in v.ALL_ROUND_TYPES
            or self.attrs.get("surveillance_type") == "alpr"
        )
        if needs_direction and None in heads:
            key = next((key for key in DIRECTION_KEYS if key in self.tags), "camera:direction")
            what = "a plate reader" if self.attrs.get("surveillance_type") == "alpr" else "a fixed camera"
            detail = (
                f"{what} without a direction: registered with its direction unknown (it covers only its "
                "own spot until the direction is surveyed)"
            )
            self.warn(key, "direction_unknown", detail)
            self.attrs["direction_unknown"] = True
        return heads

    def count(self) -> int | None:
        text = self.text("camera:count")
        if text is None:
            return None
        if _COUNT.fullmatch(text) and 1 <= int(text) <= MAX_DIRECTIONS:
            self.understood.add("camera:count")  # it fills no field: it makes heads
            return int(text)
        detail = (
            f"camera:count={_show(text)} is not a whole number 1-{MAX_DIRECTIONS}: one head per direction"
        )
        self.warn("camera:count", "heads_from_count", detail)
        return None

    def heads_from_count(self, count: int, readings: list[DirectionReading]) -> list[DirectionReading | None]:
        given = f"{len(readings)} direction{'s' if len(readings) != 1 else ''}"
        if not readings:
            detail = f"camera:count={count}: {count} heads, none with a direction (the node gives none)"
        elif count > len(readings):
            missing = count - len(readings)
            detail = f"camera:count={count} but {given}: {count} heads, {missing} without a direction"
        else:
            detail = f"camera:count={count} but {given}: one head per direction"
            self.warn("camera:count", "heads_from_count", detail)
            return list(readings)
        if count > 1 or readings:
            self.warn("camera:count", "heads_from_count", detail)
        return [*readings, *[None] * (count - len(readings))]


def _cameras(
    base: dict[str, Any], heads: list[DirectionReading | None], label: str, source_tags: dict[str, str]
) -> list[dict[str, Any]]:
    """One camera per head; several share site_ref and get numbered refs."""
    unknown = base.pop("direction_unknown", False)
    cameras = []
    for number, reading in enumerate(heads, start=1):
        head = {**base, "source_tags": dict(source_tags)}
        if reading is not None:
            head["bearing_deg"] = reading.bearing_deg
            if reading.hfov_deg is not None:
                head["hfov_deg"] = reading.hfov_deg
        elif unknown:
            head["direction_unknown"] = True
        if len(heads) > 1:
            head["site_ref"] = f"osm:{label}"
            if base.get("ref"):
                head["ref"] = f"{base['ref']}/{number}"
        cameras.append(head)
    return cameras


def _height(text: str, key: str, node: _Node) -> float | None:
    """Metres ('5', '5 m', '5.5'); a decimal comma or feet ('16'', '16 ft', '16'4"') with a warning."""
    match = _METRES.fullmatch(text)
    if match is not None:
        whole, mark, fraction = match.groups()
        value = float(f"{whole}.{fraction}" if fraction else whole)
        if mark == ",":
            node.warn(key, "value_mapped", f"{key}={_show(text)}: read as {value:g} metres")
        return value
    feet = _FEET.fullmatch(text)
    if feet is None:
        return None
    value = round(float(feet.group(1)) * 0.3048 + float(feet.group(2) or 0) * 0.0254, 2)
    node.warn(key, "value_mapped", f"{key}={_show(text)}: read as {value:g} metres")
    return value


def _angle(text: str) -> float | None:
    if not _SIGNED.fullmatch(text):
        return None
    return float(text.rstrip("°").removesuffix("deg").strip())


def to_camera_feature(camera: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a camera dict of ``read_osm_element`` into a camera API Feature and the non-schema extras."""
    extras = {key: camera[key] for key in NON_SCHEMA_KEYS if key in camera}
    properties = {key: value for key, value in camera.items() if key not in NON_SCHEMA_KEYS}
    return {"type": "Feature", "geometry": camera.get("geometry"), "properties": properties}, extras


def _has_value(raw: Any) -> bool:
    return raw is not None and not (isinstance(raw, str) and not raw.strip())


def _as_text(raw: Any) -> str | None:
    """Tag values are text; numbers (hand-made GeoJSON) are accepted as their text, nothing else."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return str(raw)
    return None


def _tag_text(raw: Any) -> str:
    """A tag value as source_tags keeps it: text as it is, anything else as JSON (true, 5, [..])."""
    text = _as_text(raw)
    return text if text is not None else json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)


def _invalid(pointer: str, code: str, detail: str) -> InvalidInput:
    return InvalidInput(detail, [FieldIssue(pointer, code, detail)])


def _show(text: str) -> str:
    """A value quoted for a message, cut short: the input may be anything."""
    return repr(text if len(text) <= 40 else text[:40] + "...")
