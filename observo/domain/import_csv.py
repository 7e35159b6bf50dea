"""CSV files -> rows (streamed: one row at a time, whatever the size of the file).

The delimiter (`;` or `,`) is read from the header line; empty cells are left out; `source`
defaults to `csv_import`. Column names and cell values: `import_columns`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from observo.domain import import_columns, import_text
from observo.domain.import_rows import FileSummary, ImportOptions, ParsedRow
from observo.errors import FieldIssue, InvalidInput


def rows(data: bytes, file_format: str, options: ImportOptions, summary: FileSummary) -> Iterator[ParsedRow]:
    text, summary.encoding = import_text.decode(data, options.encoding)
    stream = io.StringIO(text, newline="")
    header_line = stream.readline()
    stream.seek(0)
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(stream, delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise InvalidInput("the file is empty", [FieldIssue("/file", "empty", "no header line")])
    names = [import_columns.property_name(cell) for cell in header]
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        summary.records += 1
        yield _row(reader.line_num, names, cells, options.owner)


def _row(row: int, names: list[str], cells: list[str], owner: str | None) -> ParsedRow:
    if len(cells) != len(names):
        detail = f"{len(cells)} cells for {len(names)} columns"
        return ParsedRow(row, None, [FieldIssue("", "wrong_cell_count", detail)])
    values: dict[str, Any] = {}
    issues: list[FieldIssue] = []
    for name, cell in zip(names, cells, strict=True):
        text = cell.strip()
        if text:
            try:
                values[name] = import_columns.cell(name, text)
            except ValueError as exc:
                issues.append(FieldIssue(f"/{name}", "invalid_type", str(exc)))
    lon, lat = values.pop("lon", None), values.pop("lat", None)
    if lon is None or lat is None:
        issues.append(FieldIssue("/lon" if lon is None else "/lat", "required", "lon and lat are required"))
    if owner and "owner" not in values:
        values["owner"] = owner
    values.setdefault("source", "csv_import")
    geometry = {"type": "Point", "coordinates": [lon, lat]}
    return ParsedRow(row, {"type": "Feature", "geometry": geometry, "properties": values}, issues)
