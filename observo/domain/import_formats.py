"""Which reader a file needs: from a format name, a file name or a media type, then the content."""

from __future__ import annotations

from observo.domain.import_rows import FORMATS
from observo.errors import FieldIssue, InvalidInput


def detect(data: bytes, name_or_format: str) -> str:
    hint = name_or_format.lower()
    if hint in FORMATS:
        return hint
    if hint.endswith((".csv", "text/csv")):
        return "csv"
    if hint.endswith((".geojson", ".json", "geo+json", "/json")):
        return "osm" if b"man_made" in data[:1_000_000] else "geojson"
    raise InvalidInput(
        f"unknown file format {name_or_format!r}: send .csv, .geojson or .json",
        [FieldIssue("/file", "unknown_format", "expected CSV or GeoJSON")],
    )
