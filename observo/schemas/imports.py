"""What an import is asked to do (API query string or form fields, CLI options) and the job it reports.

Every option is read as text and checked here, so that a bad one is a 422 naming it (`/format`,
`/map/0`...) whether it came in the query string, in a multipart form field or on the command line.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, fields
from marshmallow.validate import Length

from observo.domain import import_columns, import_crs, import_rows
from observo.errors import FieldIssue, InvalidInput

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")
MAX_MAP_ENTRIES = 200
OPTION_TEXT_MAX = 200


@dataclass(frozen=True)
class ImportChoices:
    """The options of one import, checked: `format` is None when the file name or content decides."""

    options: import_rows.ImportOptions
    file_format: str | None = None
    dry_run: bool = False
    column_map_text: tuple[str, ...] = field(default=())

    def document(self) -> dict[str, Any]:
        """The options as the job keeps them (and as a replay must match)."""
        options = self.options
        return {
            "format": self.file_format,
            "owner": options.owner,
            "key": options.key,
            "skip_invalid": options.skip_invalid,
            "crs": options.crs,
            "encoding": options.encoding,
            "map": dict(options.column_map),
        }


def _boolean(name: str, raw: str | None, issues: list[FieldIssue]) -> bool:
    text = (raw or "").strip().lower()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        issues.append(FieldIssue(f"/{name}", "invalid_type", f"{name} is true or false, not {raw!r}"))
    return False


def _choice(name: str, raw: str | None, allowed: Sequence[str], issues: list[FieldIssue]) -> str | None:
    text = (raw or "").strip().lower()
    if not text:
        return None
    if text not in allowed:
        detail = f"{name} {raw!r} is not one of: {', '.join(allowed)}"
        issues.append(FieldIssue(f"/{name}", "invalid_choice", detail))
        return None
    return text


def _text(name: str, raw: str | None, issues: list[FieldIssue]) -> str | None:
    text = (raw or "").strip()
    if len(text) > OPTION_TEXT_MAX:
        issues.append(
            FieldIssue(f"/{name}", "invalid_length", f"{name} is at most {OPTION_TEXT_MAX} characters")
        )
        return None
    return text or None


def _crs(raw: str | None, issues: list[FieldIssue]) -> str | None:
    text = _text("crs", raw, issues)
    if text is None:
        return None
    try:
        import_crs.resolve(text, "/crs")  # as the readers will read it
    except InvalidInput as exc:
        issues.extend(exc.issues)
        return None
    return text


def _encoding(raw: str | None, issues: list[FieldIssue]) -> str | None:
    text = _text("encoding", raw, issues)
    if text is None:
        return None
    try:
        codecs.lookup(text)
    except LookupError:
        detail = f"encoding {text!r} is unknown: e.g. utf-8, windows-1252, latin-1, utf-16"
        issues.append(FieldIssue("/encoding", "unknown_encoding", detail))
        return None
    return text


def _column_map(entries: Sequence[str], issues: list[FieldIssue]) -> dict[str, str]:
    """`source=property` entries -> {source column: property}; each bad entry named by its index."""
    if len(entries) > MAX_MAP_ENTRIES:
        issues.append(FieldIssue("/map", "invalid_length", f"at most {MAX_MAP_ENTRIES} map entries"))
        return {}
    targets = set(import_columns.MAP_TARGETS)
    mapped: dict[str, str] = {}
    for index, entry in enumerate(entries):
        pointer = f"/map/{index}"
        source, equals, target = entry.partition("=")
        source, target = source.strip(), target.strip()
        if not equals or not source or not target or len(entry) > OPTION_TEXT_MAX:
            detail = f"map {entry[:OPTION_TEXT_MAX]!r} is not source=property, e.g. angolo=hfov_deg"
            issues.append(FieldIssue(pointer, "invalid_format", detail))
        elif target not in targets:
            detail = (
                f"map {entry!r}: {target!r} is not a camera property (e.g. hfov_deg, bearing_deg, ref), "
                "lon, lat, x, y, or - to ignore the column"
            )
            issues.append(FieldIssue(pointer, "unknown_property", detail))
        elif source.lower() in {name.lower() for name in mapped}:
            detail = f"map {entry!r}: column {source!r} is mapped twice"
            issues.append(FieldIssue(pointer, "duplicate", detail))
        else:
            mapped[source] = target
    return mapped


def load_import_choices(values: Mapping[str, Any]) -> ImportChoices:
    """Check the options of an import, all at once: InvalidInput lists every bad one.

    `values` holds text (as a query string or a form gives it), `map` a list of `source=property`.
    """
    issues: list[FieldIssue] = []
    raw_map = values.get("map") or []
    entries = [raw_map] if isinstance(raw_map, str) else list(raw_map)
    options = import_rows.ImportOptions(
        owner=_text("owner", values.get("owner"), issues),
        column_map=_column_map(entries, issues),
        crs=_crs(values.get("crs"), issues),
        key=_choice("key", values.get("key"), import_rows.KEYS, issues) or "auto",
        skip_invalid=_boolean("skip_invalid", values.get("skip_invalid"), issues),
        encoding=_encoding(values.get("encoding"), issues),
    )
    file_format = _choice("format", values.get("format"), import_rows.FORMATS, issues)
    dry_run = _boolean("dry_run", values.get("dry_run"), issues)
    if issues:
        raise InvalidInput(f"bad import options: {issues[0].detail}", issues)
    return ImportChoices(options, file_format, dry_run, tuple(entries))


# --- the API's query string (documentation and strict parsing: every value is checked above) ---------


class ImportQuery(Schema):
    owner = fields.String(validate=Length(1, 64), metadata={"description": "owner of rows naming none"})
    dry_run = fields.String(
        metadata={"type": "boolean", "description": "validate only (the database too), write nothing"}
    )
    format = fields.String(
        metadata={"enum": list(import_rows.FORMATS), "description": "else the file name, then its content"}
    )
    skip_invalid = fields.String(
        metadata={
            "type": "boolean",
            "description": "write the valid rows and report the refused ones (default: all rows or none)",
        }
    )
    key = fields.String(
        metadata={
            "enum": list(import_rows.KEYS),
            "description": "how a row finds the camera it updates: auto (ref, else the OSM node, else the "
            "Observo id), ref, osm_id, code (Observo id) or position (same owner, within 5 m, same name)",
        }
    )
    crs = fields.String(
        metadata={"description": "CRS of x/y columns or of a file that names none, e.g. EPSG:3003"}
    )
    encoding = fields.String(metadata={"description": "text encoding (default: detected), e.g. windows-1252"})
    map = fields.List(
        fields.String(),
        metadata={
            "description": "repeatable: source column=camera property (or lon, lat, x, y; - ignores the "
            "column), e.g. angolo=hfov_deg"
        },
    )


# --- the job document (documentation: the API sends `services.import_report.job_document`) ------------


class ImportProblem(Schema):
    row = fields.Integer(metadata={"description": "CSV line (header is 1), else the record's position"})
    field = fields.String(metadata={"description": "property, column or tag; `row` for the whole row"})
    code = fields.String()
    message = fields.String()


class ImportRowChange(Schema):
    row = fields.Integer()
    action = fields.String(metadata={"enum": ["create", "update", "unchanged", "decommission"]})
    camera_id = fields.Integer(allow_none=True, metadata={"description": "null for a dry run's creation"})
    changes = fields.Dict(metadata={"description": "property -> {old, new}"})
    moved_m = fields.Float(allow_none=True, metadata={"description": "metres the camera moves"})


class ImportCounts(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    decommissioned = fields.Integer(metadata={"description": "heads no longer on a re-imported OSM node"})
    skipped = fields.Integer(metadata={"description": "rows refused and left out (skip_invalid)"})
    errors = fields.Integer()
    warnings = fields.Integer()


class ImportFileSummary(Schema):
    format = fields.String()
    encoding = fields.String(allow_none=True)
    crs = fields.String(allow_none=True)
    records = fields.Integer()
    columns = fields.Dict(metadata={"description": "source column -> camera property"})
    kept_unmapped = fields.Dict(metadata={"description": "column or tag kept in source_tags -> rows"})
    ignored = fields.Dict(metadata={"description": "column dropped -> rows"})
    warnings = fields.List(fields.Nested(ImportProblem))


class ImportProgress(Schema):
    rows_done = fields.Integer()
    rows_total = fields.Integer(
        allow_none=True, metadata={"description": "an estimate while the file is read; exact when done"}
    )


class ImportJobOutput(Schema):
    id = fields.Integer()
    status = fields.String(
        metadata={"enum": ["queued", "running", "succeeded", "validated", "invalid", "failed"]}
    )
    progress = fields.Nested(ImportProgress, metadata={"description": "a background import's rows done"})
    failure = fields.String(
        allow_none=True, metadata={"description": "why a background import could not run"}
    )
    dry_run = fields.Boolean()
    skip_invalid = fields.Boolean()
    format = fields.String()
    filename = fields.String(allow_none=True)
    sha256 = fields.String()
    options = fields.Dict()
    counts = fields.Nested(ImportCounts)
    errors = fields.List(fields.Nested(ImportProblem))
    warnings = fields.List(fields.Nested(ImportProblem))
    rows = fields.List(fields.Nested(ImportRowChange))
    not_listed = fields.Dict(metadata={"description": "errors, warnings, rows left out of the lists"})
    by_code = fields.Dict(metadata={"description": "errors and warnings counted by code"})
    file = fields.Nested(ImportFileSummary)
    already_imported = fields.Boolean()
    created_at = fields.String()
    finished_at = fields.String(allow_none=True)
