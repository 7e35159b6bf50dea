"""CSV files -> rows (streamed: one record at a time, whatever the size of the file).

Spreadsheets write CSV many ways: the delimiter is `;` (Excel in Italian), `,`, tab or `|`, told
apart by the header and the first lines (quoted cells respected); Excel's `sep=;` first line names
it; trailing empty columns (a spreadsheet's used range) are dropped; text cells Observo's own CSV
export protected from spreadsheets (`'=...`, docs/security.md "Spreadsheets") get their text back.
Lines with less than two cells above the header (a sheet's title) are skipped with a
`title_skipped` warning; a header without rows is a `no_rows` warning. Encodings: `import_text`;
columns and cells: `import_columns`. Row numbers are the line of the file where the record starts.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from observo.domain import import_text
from observo.domain.csv_cells import csv_cell
from observo.domain.import_columns import Columns
from observo.domain.import_rows import FileSummary, ImportOptions, ParsedRow
from observo.errors import FieldIssue, InvalidInput

DELIMITERS = (";", ",", "\t", "|")  # in order of preference when the lines cannot tell
SOURCE = "csv_import"
_SAMPLE_LINES = 20
_EXCEL_SEP = re.compile(r'"?sep=(.)"?[;,\t|]*\r?\n?', re.IGNORECASE)


def rows(data: bytes, file_format: str, options: ImportOptions, summary: FileSummary) -> Iterator[ParsedRow]:
    text = import_text.read(data, options, summary)
    reader, delimiter, skipped = _reader(text)
    header = _header(reader, skipped, summary)
    width = _width(header)
    columns = Columns(header[:width], options, summary, coordinates_from_columns=True, default_source=SOURCE)
    while True:
        start = reader.line_num + 1 + skipped
        cells = _next(reader, skipped)
        if cells is None:
            break
        if not any(cell.strip() for cell in cells):
            continue
        summary.records += 1
        if len(cells) < width or any(cell.strip() for cell in cells[width:]):
            detail = (
                f"{len(cells)} cells for {width} columns: is a delimiter ({_name(delimiter)}) missing or "
                "extra, or a quote not closed?"
            )
            yield ParsedRow(start, None, [FieldIssue("", "wrong_cell_count", detail)])
            continue
        yield from columns.rows(start, [_unprotected(cell) for cell in cells[:width]])
    if summary.records == 0:
        detail = "0 rows: the file has a header and no data rows"
        summary.warnings.append(FieldIssue("/file", "no_rows", detail))


def _reader(text: str) -> tuple[Any, str, int]:
    """A CSV reader past Excel's `sep=` line, its delimiter, and the lines it skipped."""
    stream = io.StringIO(text, newline="")
    excel = _EXCEL_SEP.fullmatch(stream.readline())
    if excel is None:
        stream.seek(0)
    delimiter = excel.group(1) if excel else sniff(text[:65536])
    return csv.reader(stream, delimiter=delimiter), delimiter, 1 if excel else 0


def _header(reader: Any, skipped: int, summary: FileSummary) -> list[str]:
    """The first line naming two columns at least (lon and lat): title lines above it are skipped."""
    header = _next(reader, skipped)
    titles = []
    while header is not None and sum(1 for cell in header if cell.strip()) < 2:
        titles.extend(cell.strip() for cell in header if cell.strip())  # "Elenco telecamere"
        header = _next(reader, skipped)
    if header is None:
        raise InvalidInput("the file is empty", [FieldIssue("/file", "empty", "no header line")])
    if titles:
        shown = ", ".join(repr(title[:60]) for title in titles[:3])
        detail = f"skipped {len(titles)} line(s) above the header: {shown}"
        summary.warnings.append(FieldIssue("/file", "title_skipped", detail))
    return header


def sniff(sample: str) -> str:
    """The delimiter that splits the header into most columns and the first lines into as many."""
    lines = [line for line in sample.splitlines() if line.strip()]
    while len(lines) > 1 and not any(delimiter in lines[0] for delimiter in DELIMITERS):
        del lines[0]  # a title above the table says nothing of the delimiter
    lines = lines[: _SAMPLE_LINES + 1]
    if len(sample) >= 65536 and len(lines) > 1:
        lines = lines[:-1]  # the sample may cut the last line short
    best, best_score = DELIMITERS[0], (-1.0, -1)
    for delimiter in DELIMITERS:
        try:
            counts = [len(cells) for cells in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts:
            continue
        header = counts[0]
        agreeing = sum(count == header for count in counts[1:]) / max(len(counts) - 1, 1)
        score = (agreeing if header > 1 else -1.0, header)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _next(reader: Any, skipped: int) -> list[str] | None:
    try:
        return next(reader, None)
    except csv.Error as exc:  # a cell over the size limit, a NUL...
        detail = f"line {reader.line_num + skipped}: {exc}"
        raise InvalidInput(
            f"unreadable CSV: {detail}", [FieldIssue("/file", "malformed_csv", detail)]
        ) from exc


def _width(header: list[str]) -> int:
    """Columns up to the last named one: a spreadsheet writes empty columns of its used range."""
    width = len(header)
    while width > 1 and not header[width - 1].strip():
        width -= 1
    return width


def _unprotected(cell: str) -> str:
    """A cell as it was before Observo's CSV writer protected it from spreadsheets (`'=A1` -> `=A1`)."""
    if cell.startswith("'") and csv_cell(cell[1:]) == cell:
        return cell[1:]
    return cell


def _name(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else repr(delimiter)
