"""GIS files (Shapefile in a .zip, GeoPackage, KML) -> rows, read through GDAL."""

from __future__ import annotations

from collections.abc import Iterator

from observo.domain.import_rows import FileSummary, ImportOptions, ParsedRow
from observo.errors import FieldIssue, InvalidInput


def rows(data: bytes, file_format: str, options: ImportOptions, summary: FileSummary) -> Iterator[ParsedRow]:
    detail = f"{file_format} files are not read yet"
    raise InvalidInput(detail, [FieldIssue("/file", "unknown_format", detail)])
    yield  # pragma: no cover - a generator
