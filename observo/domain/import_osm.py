"""OpenStreetMap sources -> rows: OSM-tagged GeoJSON (overpass-turbo, osmtogeojson, ogr2ogr), raw
Overpass JSON, .osm XML and .osm.pbf. One row per camera head; tags: `osm_tags`.

OSM cameras are imported with `records=false` unless stated: OSM does not say whether a camera
records, and a recording camera would need a retention we cannot know.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from observo.domain.import_geojson import load_collection, with_owner
from observo.domain.import_rows import FileSummary, ImportOptions, ParsedRow
from observo.domain.osm_tags import cameras_from_osm, to_camera_feature
from observo.errors import FieldIssue, InvalidInput


def rows(data: bytes, file_format: str, options: ImportOptions, summary: FileSummary) -> Iterator[ParsedRow]:
    if file_format != "osm":
        detail = f"{file_format} files are not read yet"
        raise InvalidInput(detail, [FieldIssue("/file", "unknown_format", detail)])
    for row, feature in enumerate(load_collection(data, options, summary), start=1):
        summary.records += 1
        yield from _feature_rows(row, feature, options.owner)


def _feature_rows(row: int, feature: Any, owner: str | None) -> Iterator[ParsedRow]:
    try:
        cameras = cameras_from_osm(feature)
    except InvalidInput as exc:
        yield ParsedRow(row, None, exc.issues or [FieldIssue("", "invalid", exc.detail)])
        return
    for camera in cameras:
        converted, _extras = to_camera_feature(camera)
        converted["properties"].setdefault("records", False)  # OSM does not say; no retention to invent
        yield ParsedRow(row, with_owner(converted, owner))
