"""OpenStreetMap files -> one uniform record per element (type, id, position, tags).

What each reader takes, as the tools people use write it:
- raw Overpass JSON (`[out:json]`): `elements` of nodes (`lat`, `lon`, `tags`), ways and relations;
  a `remark` (Overpass says so when a query timed out or ran out of memory) is passed on;
- `.osm` XML (the OSM API, JOSM, Overpass `[out:xml]`, osmium), read streaming; JOSM's deleted
  objects (`action="delete"`) and the API's `visible="false"` are marked deleted;
- `.osm.pbf` (pyosmium, from the bytes, no file written);
- GeoJSON of OSM data: overpass-turbo (tags flat in `properties`, id in `@id`), osmtogeojson (tags
  under `properties.tags`, id `node/123`), and GDAL/ogr2ogr's OSM driver (`osm_id`, a few tags as
  columns, the others packed in `other_tags` as `"k"=>"v","k2"=>"v2"`, see `parse_other_tags`).

A record keeps the tags as the source has them and the JSON pointer of its tags in the source
(`prefix`), so that a problem points at the tag it is about. Problems with the id or the position
are collected on the record (`issues`): the caller decides whether the element is a camera at all
before reporting them.
"""

from __future__ import annotations

import io
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from observo.domain.geometry import parse_geometry
from observo.errors import FieldIssue, InvalidGeometry, InvalidInput

KINDS = ("node", "way", "relation")
_OSM_ID = re.compile(r"(node|way|relation)/(-?[0-9]{1,18})", re.ASCII)
_INTEGER = re.compile(r"-?[0-9]{1,18}", re.ASCII)
# GDAL's OSM driver: columns of its `points` layer that are not tags (`z_order` is on lines).
GDAL_NOT_TAGS = ("osm_id", "osm_way_id", "other_tags", "all_tags", "z_order")
_PBF_ERROR = "the file is not a readable .osm.pbf"


@dataclass(frozen=True)
class OsmMember:
    """One member of a relation; `positions` when Overpass gives a member way's (`out geom`)."""

    kind: str
    ref: int
    role: str
    positions: tuple[tuple[float, float], ...] = ()


@dataclass
class OsmElement:
    """One OSM element as every reader gives it."""

    kind: str  # node, way or relation ("" when the source does not say and cannot be read)
    osm_id: int  # 0 when it could not be read (issues say why)
    lon: float | None = None
    lat: float | None = None
    tags: Mapping[str, Any] = field(default_factory=dict)
    prefix: str = ""  # JSON pointer of the tags in the source: "/properties", "/properties/tags"...
    id_pointer: str = "/id"  # where the id is, for problems with it
    issues: list[FieldIssue] = field(default_factory=list)  # id or position problems
    deleted: bool = False  # JOSM action="delete", the API's visible="false"
    # What building outlines need (domain/obstacle_files.py); cameras use none of it:
    refs: tuple[int, ...] = ()  # a way's node ids, in order
    members: tuple[OsmMember, ...] = ()  # a relation's members
    positions: tuple[tuple[float, float], ...] = ()  # a way's (lon, lat), Overpass `out geom`

    @property
    def label(self) -> str:
        return f"{self.kind or 'node'}/{self.osm_id}"

    def is_surveillance(self) -> bool:
        value = self.tags.get("man_made")
        return isinstance(value, str) and value.strip().lower() == "surveillance"


# --- raw Overpass JSON -------------------------------------------------------------------------------


def overpass_elements(document: Any) -> tuple[list[Any], str | None]:
    """The `elements` of a parsed Overpass answer and its `remark`, or InvalidInput naming the shape."""
    elements = document.get("elements") if isinstance(document, dict) else None
    if not isinstance(elements, list):
        detail = 'expected an Overpass JSON answer (an object with "elements"); query with [out:json]'
        raise InvalidInput(detail, [FieldIssue("/elements", "invalid_type", detail)])
    remark = document.get("remark")
    return elements, remark if isinstance(remark, str) and remark.strip() else None


def overpass_element(raw: dict[str, Any], index: int) -> OsmElement:
    """One element of an Overpass answer (`out body`, `out center`, `out geom`...)."""
    base = f"/elements/{index}"
    kind = raw.get("type") if raw.get("type") in KINDS else ""
    element = OsmElement(kind, 0, prefix=f"{base}/tags", id_pointer=f"{base}/id")
    if not kind:
        detail = f"type {_show(raw.get('type'))} is not node, way or relation"
        element.issues.append(FieldIssue(f"{base}/type", "invalid_osm_type", detail))
    element.osm_id = _whole_id(raw.get("id"), f"{base}/id", element.issues)
    tags = raw.get("tags", {})
    if isinstance(tags, dict):
        element.tags = tags
    else:
        element.issues.append(FieldIssue(f"{base}/tags", "invalid_type", "tags are an object of text values"))
    if kind == "node":
        element.lon, element.lat = _position(raw.get("lon"), raw.get("lat"), base, element.issues)
    element.refs = tuple(ref for ref in raw.get("nodes") or () if isinstance(ref, int))
    element.positions = _overpass_positions(raw.get("geometry"))
    element.members = tuple(
        OsmMember(
            member.get("type", ""),
            member["ref"],
            str(member.get("role") or ""),
            _overpass_positions(member.get("geometry")),
        )
        for member in raw.get("members") or ()
        if isinstance(member, dict) and isinstance(member.get("ref"), int)
    )
    return element


def _overpass_positions(raw: Any) -> tuple[tuple[float, float], ...]:
    """`out geom`'s [{"lat": .., "lon": ..}, ...] as (lon, lat); () when absent or not numbers."""
    if not isinstance(raw, list):
        return ()
    found = []
    for point in raw:
        lon, lat = (point.get("lon"), point.get("lat")) if isinstance(point, dict) else (None, None)
        if not all(isinstance(c, int | float) and not isinstance(c, bool) for c in (lon, lat)):
            return ()
        found.append((float(lon), float(lat)))
    return tuple(found)


# --- .osm XML ------------------------------------------------------------------------------------------


def xml_elements(data: bytes) -> Iterator[OsmElement]:
    """The nodes, ways and relations of an .osm XML file, streaming; a malformed file says its line."""
    _refuse_doctype(data)
    parser = ET.iterparse(io.BytesIO(data), events=("start", "end"))
    root: ET.Element | None = None
    depth = 0
    try:
        for event, item in parser:
            if event == "start":
                depth += 1
                if root is None:
                    root = item
                    _check_root(item)
                continue
            depth -= 1
            if depth == 1 and item.tag in KINDS:
                yield _xml_element(item)
            if depth == 1 and root is not None:
                root.clear()  # streaming: what was read is dropped
    except ET.ParseError as exc:
        line, column = exc.position
        detail = f"malformed OSM XML at line {line}, column {column + 1}: {_reason(exc)}"
        raise InvalidInput(detail, [FieldIssue("/file", "malformed_xml", detail)]) from exc


def _refuse_doctype(data: bytes) -> None:
    """OSM files declare no DOCTYPE: one could define entities that expand to gigabytes."""
    head = data[:4096]
    root = head.find(b"<osm")
    if b"<!DOCTYPE" in (head if root < 0 else head[:root]) or b"<!ENTITY" in head:
        detail = "an .osm file has no DOCTYPE or entity declarations: remove them"
        raise InvalidInput(detail, [FieldIssue("/file", "malformed_xml", detail)])


def _check_root(root: ET.Element) -> None:
    if root.tag != "osm":
        detail = f"expected an OpenStreetMap XML file (root <osm>), not <{_show_tag(root.tag)}>"
        raise InvalidInput(detail, [FieldIssue("/file", "invalid_type", detail)])


def _xml_element(item: ET.Element) -> OsmElement:
    element = OsmElement(item.tag, 0, id_pointer="/id")
    element.osm_id = _whole_id(item.get("id"), "/id", element.issues)
    element.deleted = item.get("action") == "delete" or item.get("visible") == "false"
    tags: dict[str, str] = {}
    refs: list[int] = []
    members: list[OsmMember] = []
    for child in item:
        if child.tag == "tag" and child.get("k") is not None:
            tags[child.get("k", "")] = child.get("v", "")
        elif child.tag in ("nd", "member") and _INTEGER.fullmatch(child.get("ref") or ""):
            ref = int(child.get("ref", ""))
            if child.tag == "nd":
                refs.append(ref)
            else:
                members.append(OsmMember(child.get("type", ""), ref, child.get("role", "")))
    element.tags = tags
    element.refs, element.members = tuple(refs), tuple(members)
    if item.tag == "node":
        element.lon, element.lat = _position(item.get("lon"), item.get("lat"), "", element.issues)
    return element


def _reason(exc: ET.ParseError) -> str:
    """expat's message without its own position (said once, as line and column)."""
    return re.sub(r":\s*line [0-9]+, column [0-9]+$", "", str(exc))


# --- .osm.pbf ----------------------------------------------------------------------------------------


def pbf_elements(data: bytes) -> Iterator[OsmElement]:
    """The nodes, ways and relations of an .osm.pbf file (pyosmium reads it from the bytes)."""
    import osmium

    if not data.startswith(b"\x00\x00\x00") or b"OSMHeader" not in data[:64]:
        detail = f"{_PBF_ERROR}: it does not start with an OSMHeader block"
        raise InvalidInput(detail, [FieldIssue("/file", "malformed_pbf", detail)])
    entities = osmium.osm.NODE | osmium.osm.WAY | osmium.osm.RELATION
    processor = osmium.FileProcessor(osmium.io.FileBuffer(data, "pbf"), entities)
    try:
        for item in processor:
            kind = KINDS["nwr".index(item.type_str())]
            element = OsmElement(kind, item.id, tags=dict(item.tags), id_pointer="/id")
            element.deleted = not item.visible
            if item.id < 1:
                element.issues.append(_unuploaded(kind, item.id, "/id"))
            if kind == "way":
                element.refs = tuple(node.ref for node in item.nodes)
            elif kind == "relation":
                element.members = tuple(
                    OsmMember(KINDS["nwr".index(m.type)], m.ref, m.role) for m in item.members
                )
            if kind == "node":
                location = item.location
                if location.valid():
                    element.lon, element.lat = location.lon, location.lat
                else:
                    element.issues.append(
                        FieldIssue("/lat", "invalid_position", "the node has no valid position")
                    )
            yield element
    except RuntimeError as exc:  # pyosmium's error for a damaged or truncated file
        detail = f"{_PBF_ERROR}: {exc}"
        raise InvalidInput(detail, [FieldIssue("/file", "malformed_pbf", detail)]) from exc


# --- GeoJSON of OSM data ------------------------------------------------------------------------------


def feature_element(feature: Mapping[str, Any]) -> OsmElement:
    """One GeoJSON Feature of OSM data (overpass-turbo, osmtogeojson or GDAL) as a record."""
    properties = feature["properties"]
    if _written_by_gdal(feature, properties):
        element = _gdal_element(feature, properties)
    else:
        element = _tool_element(feature, properties)
    _feature_position(feature.get("geometry"), element)
    return element


def _written_by_gdal(feature: Mapping[str, Any], properties: Mapping[str, Any]) -> bool:
    """GDAL's columns: other_tags (or all_tags), else an osm_id where no other tool's id is."""
    if "other_tags" in properties or "all_tags" in properties:
        return True
    other_ids = ("@id" in properties, "id" in properties, feature.get("id") is not None)
    return "osm_id" in properties and not any(other_ids)


def _tool_element(feature: Mapping[str, Any], properties: Mapping[str, Any]) -> OsmElement:
    """overpass-turbo (flat tags, `@id`) or osmtogeojson (`tags`, `type` and `id`)."""
    nested = isinstance(properties.get("tags"), Mapping)
    element = OsmElement("", 0, prefix="/properties/tags" if nested else "/properties")
    for pointer, raw in (("/properties/@id", properties.get("@id")), ("/id", feature.get("id"))):
        if raw is not None:
            element.id_pointer = pointer
            element.kind, element.osm_id = _typed_id(raw, None, pointer, element.issues)
            break
    else:
        if properties.get("id") is not None:
            element.id_pointer = "/properties/id"
            raw_kind = properties.get("type")
            element.kind, element.osm_id = _typed_id(
                properties["id"], raw_kind, "/properties/id", element.issues
            )
        else:
            element.issues.append(
                FieldIssue("/id", "required", "an OSM feature needs its id (node/123) for osm_id")
            )
    if nested:
        element.tags = properties["tags"]
    else:  # flat: every property but Overpass's metadata (@id, @timestamp...) and the id it came from
        skip = ("id", "type") if element.id_pointer == "/properties/id" else ()
        element.tags = {k: v for k, v in properties.items() if not str(k).startswith("@") and k not in skip}
    return element


def _gdal_element(feature: Mapping[str, Any], properties: Mapping[str, Any]) -> OsmElement:
    """GDAL's OSM driver: `osm_id`, some tags as columns (null when absent), the rest in other_tags."""
    element = OsmElement("node", 0, prefix="/properties", id_pointer="/properties/osm_id")
    geometry = feature.get("geometry")
    if isinstance(geometry, Mapping) and geometry.get("type") not in (None, "Point"):
        # lines and multipolygons layers: ways (or relations, when osm_way_id is empty)
        element.kind = (
            "way" if properties.get("osm_way_id") or geometry.get("type") == "LineString" else "relation"
        )
    raw_id = properties.get("osm_way_id") or properties.get("osm_id")
    element.osm_id = _whole_id(raw_id, element.id_pointer, element.issues)
    tags = {k: v for k, v in properties.items() if k not in GDAL_NOT_TAGS and v is not None}
    for column in ("other_tags", "all_tags"):
        packed = properties.get(column)
        if packed is None:
            continue
        try:
            tags.update(parse_other_tags(packed))
        except ValueError as exc:
            element.issues.append(
                FieldIssue(f"/properties/{column}", "invalid_other_tags", f"{column}: {exc}")
            )
    element.tags = tags
    return element


def parse_other_tags(text: Any) -> dict[str, str]:
    """GDAL's packed tags, `"k"=>"v","k2"=>"v2"` (PostgreSQL hstore text): `\\"` is a quote, `\\\\` a
    backslash. ValueError says where the text stops making sense."""
    if not isinstance(text, str):
        raise ValueError(f'expected text like "k"=>"v", not {type(text).__name__}')
    tags: dict[str, str] = {}
    position = _skip_spaces(text, 0)
    while position < len(text):
        key, position = _quoted(text, position)
        position = _skip_spaces(text, position)
        if not text.startswith("=>", position):
            raise ValueError(f"expected => after {_show(key)} at character {position + 1}")
        value, position = _quoted(text, _skip_spaces(text, position + 2))
        tags[key] = value
        position = _skip_spaces(text, position)
        if position < len(text):
            if text[position] != ",":
                raise ValueError(f"expected a comma at character {position + 1}")
            position = _skip_spaces(text, position + 1)
    return tags


def _quoted(text: str, position: int) -> tuple[str, int]:
    if position >= len(text) or text[position] != '"':
        raise ValueError(f'expected a quoted "key" or "value" at character {position + 1}')
    chars = []
    index = position + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            chars.append(text[index + 1])
            index += 2
            continue
        if char == '"':
            return "".join(chars), index + 1
        chars.append(char)
        index += 1
    raise ValueError(f"a quote opened at character {position + 1} is never closed")


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _feature_position(raw: Any, element: OsmElement) -> None:
    if element.kind not in ("", "node"):
        return  # a way or relation: not a camera whatever its shape
    try:
        point = parse_geometry(raw, ("Point",))
    except InvalidGeometry as exc:
        element.issues.extend(issue.under("/geometry") for issue in exc.issues)
        return
    element.lon, element.lat = point.x, point.y


# --- ids and positions ----------------------------------------------------------------------------------


def _typed_id(raw: Any, kind: Any, pointer: str, issues: list[FieldIssue]) -> tuple[str, int]:
    """`node/123`, or a bare number that is a node unless `kind` says otherwise."""
    text = _as_text(raw).strip()
    match = _OSM_ID.fullmatch(text)
    if match is None and _INTEGER.fullmatch(text):
        match = _OSM_ID.fullmatch(f"{kind if kind in KINDS else 'node'}/{text}")
    if match is None:
        issues.append(FieldIssue(pointer, "invalid_osm_id", f"{_show(text)} is not an OSM id like node/123"))
        return "", 0
    kind, number = match.group(1), int(match.group(2))
    if number < 1:
        issues.append(_unuploaded(kind, number, pointer))
        return kind, 0
    return kind, number


def _whole_id(raw: Any, pointer: str, issues: list[FieldIssue]) -> int:
    text = _as_text(raw).strip()
    if not _INTEGER.fullmatch(text):
        issues.append(
            FieldIssue(pointer, "invalid_osm_id", f"{_show(text)} is not an OSM id (a whole number)")
        )
        return 0
    if int(text) < 1:
        issues.append(_unuploaded("element", int(text), pointer))
        return 0
    return int(text)


def _unuploaded(kind: str, number: int, pointer: str) -> FieldIssue:
    detail = (
        f"{kind} id {number} is not in OpenStreetMap (JOSM numbers new objects from -1): upload it first, "
        "or import the cameras as GeoJSON or CSV"
    )
    return FieldIssue(pointer, "invalid_osm_id", detail)


def _position(
    raw_lon: Any, raw_lat: Any, base: str, issues: list[FieldIssue]
) -> tuple[float | None, float | None]:
    lon = _coordinate(raw_lon, 180.0, f"{base}/lon", issues)
    lat = _coordinate(raw_lat, 90.0, f"{base}/lat", issues)
    return (lon, lat) if lon is not None and lat is not None else (None, None)


def _coordinate(raw: Any, limit: float, pointer: str, issues: list[FieldIssue]) -> float | None:
    base, _slash, name = pointer.rpartition("/")
    try:
        value = float(raw) if isinstance(raw, str | int | float) and not isinstance(raw, bool) else math.nan
    except ValueError:
        value = math.nan
    if raw is None:
        hint = " (Overpass gives positions with `out body` or `out center`, not `out tags`)" if base else ""
        issues.append(FieldIssue(pointer, "required", f"the node has no {name}{hint}"))
        return None
    if not math.isfinite(value) or abs(value) > limit:
        what = "longitude" if limit == 180 else "latitude"
        detail = f"{name}={_show(raw)} is not a {what} (-{limit:g} to {limit:g})"
        issues.append(FieldIssue(pointer, "invalid_position", detail))
        return None
    return value


def _as_text(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    return json.dumps(raw) if raw is not None else ""


def _show(raw: Any) -> str:
    """A value for a message, cut short: text quoted, anything else as Python writes it."""
    text = repr(raw if not isinstance(raw, str) or len(raw) <= 40 else raw[:40] + "...")
    return text if len(text) <= 60 else text[:60] + "..."


def _show_tag(tag: str) -> str:
    return tag if len(tag) <= 40 else tag[:40] + "..."
