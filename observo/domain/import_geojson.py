"""GeoJSON FeatureCollections (Observo's own and others') -> rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from observo.domain import import_text, json_limits
from observo.domain.import_rows import FileSummary, ImportOptions, ParsedRow
from observo.domain.text_input import NUL_DETAIL, nul_pointer
from observo.errors import FieldIssue, InvalidInput


def load_collection(data: bytes, options: ImportOptions, summary: FileSummary) -> list[Any]:
    """The `features` of a FeatureCollection, or InvalidInput saying what the file is instead."""
    text, summary.encoding = import_text.decode(data, options.encoding)
    try:
        document = json_limits.loads(text)  # bounded depth and numbers: never a 500
    except json.JSONDecodeError as exc:
        issue = FieldIssue("/file", "malformed_json", str(exc))
        raise InvalidInput(f"malformed JSON: {exc}", [issue]) from exc
    if (pointer := nul_pointer(document)) is not None:  # a \u0000 escape decodes to NUL
        raise InvalidInput(NUL_DETAIL, [FieldIssue(pointer, "nul_character", NUL_DETAIL)])
    is_collection = isinstance(document, dict) and document.get("type") == "FeatureCollection"
    features = document.get("features") if is_collection else None
    if not isinstance(features, list):
        detail = "expected a GeoJSON FeatureCollection"
        raise InvalidInput(detail, [FieldIssue("/type", "invalid_type", detail)])
    return features


def rows(data: bytes, file_format: str, options: ImportOptions, summary: FileSummary) -> Iterator[ParsedRow]:
    for row, feature in enumerate(load_collection(data, options, summary), start=1):
        summary.records += 1
        yield ParsedRow(row, with_owner(feature, options.owner))


def with_owner(feature: Any, owner: str | None) -> Any:
    if owner and isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
        feature["properties"].setdefault("owner", owner)
    return feature
