"""GeoJSON (Observo's own exports and others', e.g. a city's ZTL gate cameras) -> rows.

Properties go through `import_columns` like CSV columns, so Italian property names import without
renaming and Observo's own exports go back in (the Feature `id` of an Observo row is the key of the
same camera). The legacy `crs` member (GeoJSON 2008, still written by QGIS and ogr2ogr: e.g.
`urn:ogc:def:crs:EPSG::3003`) is honoured; without it the coordinates are WGS84 (RFC 7946), or in
the CRS the person names. Only points are cameras: a MultiPoint of one point is taken as that point
(a warning says so), any other geometry refuses its row. An empty FeatureCollection is a `no_rows`
warning.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from observo.domain import import_text, json_limits
from observo.domain.import_columns import Columns
from observo.domain.import_crs import Positions
from observo.domain.import_rows import FileSummary, ImportOptions, ParsedRow
from observo.domain.text_input import NUL_DETAIL, nul_pointer
from observo.errors import FieldIssue, InvalidInput

SOURCE = "csv_import"  # the source value of rows imported from a file (vocabulary.SOURCES)


def load_collection(data: bytes, options: ImportOptions, summary: FileSummary) -> list[Any]:
    """The `features` of a FeatureCollection, or InvalidInput saying what the file is instead."""
    return load_document(data, options, summary)[0]


def json_document(text: str) -> Any:
    """A file's JSON, or InvalidInput: bounded depth and numbers (never a 500), no NUL character."""
    try:
        document = json_limits.loads(text)
    except json.JSONDecodeError as exc:
        issue = FieldIssue("/file", "malformed_json", str(exc))
        raise InvalidInput(f"malformed JSON: {exc}", [issue]) from exc
    if (pointer := nul_pointer(document)) is not None:  # a \u0000 escape decodes to NUL
        raise InvalidInput(NUL_DETAIL, [FieldIssue(pointer, "nul_character", NUL_DETAIL)])
    return document


def load_document(data: bytes, options: ImportOptions, summary: FileSummary) -> tuple[list[Any], str | None]:
    """The features and the legacy `crs` member's CRS (None when the file names none)."""
    document = json_document(import_text.read(data, options, summary))
    if isinstance(document, dict) and document.get("type") == "Feature":
        return [document], None  # one camera sent on its own
    is_collection = isinstance(document, dict) and document.get("type") == "FeatureCollection"
    features = document.get("features") if is_collection else None
    if not isinstance(features, list):
        detail = "expected a GeoJSON FeatureCollection"
        raise InvalidInput(detail, [FieldIssue("/type", "invalid_type", detail)])
    return features, legacy_crs(document.get("crs"))


def legacy_crs(member: Any) -> str | None:
    """The CRS a GeoJSON 2008 `crs` member names: {"type": "name", "properties": {"name": ...}}."""
    if not isinstance(member, dict) or not isinstance(member.get("properties"), dict):
        return None
    properties = member["properties"]
    if member.get("type") == "name" and isinstance(properties.get("name"), str):
        return properties["name"]
    if member.get("type") == "EPSG" and isinstance(properties.get("code"), int | str):
        return f"EPSG:{properties['code']}"
    return None


def rows(data: bytes, file_format: str, options: ImportOptions, summary: FileSummary) -> Iterator[ParsedRow]:
    features, file_crs = load_document(data, options, summary)
    positions = Positions(summary, file_crs, options.crs, warn_assumed=False)
    names = property_names(features)
    columns = Columns(names, options, summary, coordinates_from_columns=False, default_source=SOURCE)
    for row, feature in enumerate(features, start=1):
        summary.records += 1
        yield from feature_rows(row, feature, columns, positions, names, file_format)
    if not features:
        summary.warnings.append(FieldIssue("/features", "no_rows", "0 rows: the FeatureCollection is empty"))


def property_names(features: list[Any]) -> list[str]:
    """Every property name of the file, in order of first appearance (the file's columns)."""
    names: dict[str, None] = {}
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(properties, dict):
            names.update(dict.fromkeys(properties))
    return list(names)


def feature_rows(
    row: int, feature: Any, columns: Columns, positions: Positions, names: list[str], file_format: str
) -> list[ParsedRow]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return [ParsedRow(row, None, [FieldIssue("", "invalid_type", "expected a GeoJSON Feature")])]
    properties = feature.get("properties")
    if properties is not None and not isinstance(properties, dict):
        return [
            ParsedRow(row, None, [FieldIssue("/properties", "invalid_type", "properties must be an object")])
        ]
    warnings: list[FieldIssue] = []
    try:
        position = positions.to_wgs84(*point(feature.get("geometry"), warnings))
    except ValueError as exc:
        return [ParsedRow(row, None, [FieldIssue("/geometry", "invalid_geometry", str(exc))])]
    values = [(properties or {}).get(name) for name in names]
    parsed = columns.rows(
        row, values, position=position, feature_id=feature.get("id"), file_format=file_format
    )
    parsed[0].warnings[:0] = warnings
    return parsed


def point(geometry: Any, warnings: list[FieldIssue]) -> tuple[float, float]:
    """The (x, y) of a Point, or of a MultiPoint of one point; ValueError says what else it is."""
    if not isinstance(geometry, dict):
        raise ValueError("the feature has no geometry: a camera needs a Point")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "MultiPoint" and isinstance(coordinates, list) and len(coordinates) == 1:
        warnings.append(
            FieldIssue("/geometry", "point_taken", "a MultiPoint of one point: read as that Point")
        )
        kind, coordinates = "Point", coordinates[0]
    if kind != "Point":
        many = kind == "MultiPoint" and isinstance(coordinates, list)
        shown = f"a MultiPoint of {len(coordinates)} points" if many else f"a {str(kind)[:40]}"
        raise ValueError(f"{shown} is not a camera position: only Point features are cameras")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        raise ValueError("a Point needs [longitude, latitude] coordinates")
    x, y = coordinates[0], coordinates[1]
    if not all(isinstance(c, int | float) and not isinstance(c, bool) and math.isfinite(c) for c in (x, y)):
        raise ValueError(f"the coordinates {coordinates[:2]!r} are not numbers")
    return float(x), float(y)


def with_owner(feature: Any, owner: str | None) -> Any:
    """The feature with `owner` filled in when it names none (for readers of API-shaped Features)."""
    if owner and isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
        feature["properties"].setdefault("owner", owner)
    return feature
