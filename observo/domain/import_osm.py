"""OpenStreetMap sources -> rows: OSM-tagged GeoJSON (overpass-turbo, osmtogeojson, GDAL/ogr2ogr),
raw Overpass JSON, .osm XML and .osm.pbf. Files: `osm_files`; tags: `osm_tags`.

One row per camera head (a node with three directions is one record and three rows, numbered by the
node's position among the file's elements). Only `man_made=surveillance` nodes are cameras: ways and
relations so tagged, elements without the tag (the nodes of ways in a raw extract, other features)
and objects marked deleted are skipped and counted once in the file's warnings, not refused one by
one. The JSON formats are told apart by their shape, so an Overpass answer sent as "osm" (or a
GeoJSON as "overpass") is still read.

OSM cameras are imported with `records=false` unless stated: OSM does not say whether a camera
records, and a recording camera would need a retention we cannot know.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from observo.domain import import_text, osm_files
from observo.domain.import_geojson import json_document, with_owner
from observo.domain.import_rows import FileSummary, ImportOptions, ParsedRow
from observo.domain.osm_files import OsmElement
from observo.domain.osm_tags import OsmCameras, read_osm_element, to_camera_feature
from observo.errors import FieldIssue, InvalidInput

OSM_FORMATS = ("osm", "overpass", "osm_xml", "osm_pbf")
WGS84_NAMES = (
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
    "CRS84",
)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")

# A record of the file: an element, or the issue that keeps a GeoJSON Feature from being one.
_Record = tuple[int, OsmElement | FieldIssue]


def rows(data: bytes, file_format: str, options: ImportOptions, summary: FileSummary) -> Iterator[ParsedRow]:
    if file_format not in OSM_FORMATS:
        detail = f"{file_format} is not an OpenStreetMap format ({', '.join(OSM_FORMATS)})"
        raise InvalidInput(detail, [FieldIssue("/format", "unknown_format", detail)])
    summary.crs = "EPSG:4326"  # OpenStreetMap coordinates are WGS84
    skipped: Counter[str] = Counter()
    produced = 0
    for row, record in _records(data, file_format, options, summary):
        if isinstance(record, FieldIssue):
            summary.records += 1
            produced += 1
            yield ParsedRow(row, None, [record])
            continue
        reason = _skip_reason(record)
        if reason is not None:
            skipped[reason] += 1
            continue
        summary.records += 1
        for parsed in _element_rows(row, record, options.owner, summary):
            produced += 1
            yield parsed
    summary.warnings.extend(_skipped_warnings(skipped))
    if not produced:
        detail = "0 rows: the file has no node tagged man_made=surveillance"
        summary.warnings.append(FieldIssue("/file", "no_rows", detail))


def _records(
    data: bytes, file_format: str, options: ImportOptions, summary: FileSummary
) -> Iterator[_Record]:
    if file_format == "osm_pbf":
        return enumerate(osm_files.pbf_elements(data), start=1)
    if file_format == "osm_xml":
        match = _XML_ENCODING.match(data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200])
        summary.encoding = match.group(1).decode("ascii").upper() if match else "UTF-8"
        return enumerate(osm_files.xml_elements(data), start=1)
    return _json_records(data, options, summary)


def _json_records(data: bytes, options: ImportOptions, summary: FileSummary) -> Iterator[_Record]:
    """Overpass JSON or OSM-tagged GeoJSON, whichever the document is."""
    document = json_document(import_text.read(data, options, summary))
    if isinstance(document, dict) and "elements" in document:
        elements, remark = osm_files.overpass_elements(document)
        if remark is not None:
            detail = f"the Overpass answer says: {remark[:300]} (the extract may be incomplete: query again)"
            summary.warnings.append(FieldIssue("/remark", "overpass_remark", detail))
        return _element_records(elements)
    return _feature_records(_features(document))


def _element_records(elements: list[Any]) -> Iterator[_Record]:
    for index, raw in enumerate(elements):
        if isinstance(raw, dict):
            yield index + 1, osm_files.overpass_element(raw, index)
        else:
            detail = "an Overpass element is an object with type, id and tags"
            yield index + 1, FieldIssue(f"/elements/{index}", "invalid_type", detail)


def _features(document: Any) -> list[Any]:
    if isinstance(document, dict) and document.get("type") == "Feature":
        return [document]
    is_collection = isinstance(document, dict) and document.get("type") == "FeatureCollection"
    features = document.get("features") if is_collection else None
    if not isinstance(features, list):
        detail = "expected OSM data as a GeoJSON FeatureCollection or an Overpass JSON answer (elements)"
        raise InvalidInput(detail, [FieldIssue("/type", "invalid_type", detail)])
    crs = _legacy_crs_name(document.get("crs"))
    if crs is not None and crs not in WGS84_NAMES:
        detail = f"the file's coordinates are in {crs}: export OpenStreetMap data in WGS84 (EPSG:4326)"
        raise InvalidInput(detail, [FieldIssue("/crs", "unsupported_crs", detail)])
    return features


def _feature_records(features: Iterable[Any]) -> Iterator[_Record]:
    for row, feature in enumerate(features, start=1):
        if not isinstance(feature, Mapping) or not isinstance(feature.get("properties"), Mapping):
            detail = "an OSM feature is a GeoJSON Feature with properties"
            yield row, FieldIssue("/properties", "invalid_type", detail)
        else:
            yield row, osm_files.feature_element(feature)


def _legacy_crs_name(member: Any) -> str | None:
    """The name in a GeoJSON 2008 `crs` member (ogr2ogr writes CRS84's)."""
    properties = member.get("properties") if isinstance(member, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    return name if isinstance(name, str) else None


def _skip_reason(element: OsmElement) -> str | None:
    """Why an element is not a camera row at all (counted, not refused), or None."""
    if element.deleted:
        return "deleted"
    if not element.is_surveillance():
        return "not_surveillance"
    if element.kind in ("way", "relation"):
        return element.kind
    return None


def _skipped_warnings(skipped: Counter[str]) -> list[FieldIssue]:
    warnings = []
    shapes = [_count(skipped[kind], kind) for kind in ("way", "relation") if skipped[kind]]
    if shapes:
        detail = (
            f"{' and '.join(shapes)} tagged man_made=surveillance skipped: a camera is a node (map each "
            "camera as a node to import it)"
        )
        warnings.append(FieldIssue("/file", "not_a_node", detail))
    if skipped["not_surveillance"]:
        detail = (
            f"{_count(skipped['not_surveillance'], 'element')} without man_made=surveillance skipped (the "
            "nodes of ways, other features)"
        )
        warnings.append(FieldIssue("/file", "not_surveillance", detail))
    if skipped["deleted"]:
        detail = f"{_count(skipped['deleted'], 'element')} marked deleted skipped"
        warnings.append(FieldIssue("/file", "deleted", detail))
    return warnings


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'s' if number != 1 else ''}"


def _element_rows(
    row: int, element: OsmElement, owner: str | None, summary: FileSummary
) -> Iterator[ParsedRow]:
    try:
        result: OsmCameras = read_osm_element(element)
    except InvalidInput as exc:
        yield ParsedRow(row, None, exc.issues or [FieldIssue("", "invalid", exc.detail)])
        return
    summary.mapped.update(result.mapped)
    for head, camera in enumerate(result.cameras):
        converted, _extras = to_camera_feature(camera)
        converted["properties"].setdefault("records", False)  # OSM does not say; no retention to invent
        summary.kept.update(result.kept)
        # the node's warnings are said once, on its first head (its heads share the row number)
        yield ParsedRow(
            row,
            with_owner(converted, owner),
            warnings=list(result.warnings) if head == 0 else [],
            assumed=_assumed(camera.get("source_tags") or {}),
        )


def _assumed(tags: dict[str, str]) -> frozenset[str]:
    """What the node's tags do not say (OSM never says whether a camera records)."""
    assumed = {"records", "source", "direction_unknown"}
    if "camera:type" not in tags:
        assumed.add("camera_type")
    if "name" not in tags:
        assumed.add("name")
    return frozenset(assumed)
