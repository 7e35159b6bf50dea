"""`observo import FILE`: bulk import of cameras (CSV, GeoJSON, OpenStreetMap, Shapefile, GeoPackage, KML),
as an admin. The report goes to stderr (or, with --json, the import's document to stdout)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from observo.cli import cli_actor, transactional
from observo.domain import import_rows
from observo.errors import InvalidInput
from observo.extensions import db
from observo.schemas.imports import ImportChoices, load_import_choices
from observo.services import imports
from observo.services.import_report import ImportReport, job_document

PROGRESS_FROM = 1000  # rows: smaller files need no progress bar
# Option pointers of schemas.imports -> the command line's names for them
_OPTION_NAMES = {"owner": "--org", "map": "--map", "crs": "--crs", "encoding": "--encoding", "key": "--key"}


def _estimated_rows(data: bytes) -> int:
    return max(data.count(b"\n"), data.count(b'"Feature"'), 1)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "owner", default=None, help="owner of rows that name none, and of OSM cameras (slug)")
@click.option("--dry-run", is_flag=True, help="check every row (the database too) and write nothing")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(import_rows.FORMATS),
    default=None,
    help="the file's format (default: from its name, then its content)",
)
@click.option("--skip-invalid", is_flag=True, help="write the valid rows and report the refused ones")
@click.option(
    "--key",
    type=click.Choice(import_rows.KEYS),
    default="auto",
    show_default=True,
    help="how a row finds the camera it updates: ref, OSM node, Observo id/code, position (5 m, same name)",
)
@click.option("--crs", default=None, help="CRS of x/y columns or of a file that names none, e.g. EPSG:3003")
@click.option(
    "--encoding", default=None, help="the file's text encoding (default: detected), e.g. windows-1252"
)
@click.option(
    "--map",
    "column_map",
    multiple=True,
    metavar="COLUMN=PROPERTY",
    help="read a column as a camera property, e.g. --map angolo=hfov_deg (repeatable; =- ignores it)",
)
@click.option(
    "--json", "as_json", is_flag=True, help="print the import's document (counts, report) on stdout"
)
@transactional
def import_command(
    file: Path,
    owner: str | None,
    dry_run: bool,
    file_format: str | None,
    skip_invalid: bool,
    key: str,
    crs: str | None,
    encoding: str | None,
    column_map: tuple[str, ...],
    as_json: bool,
) -> None:
    """Import cameras: every row or none (or, with --skip-invalid, the valid ones).

    Exit status 1 when nothing was written because of the rows' problems (listed on stderr).
    """
    choices = _choices(owner, dry_run, file_format, skip_invalid, key, crs, encoding, column_map)
    data = file.read_bytes()
    options = choices.options
    request = imports.ImportRequest(
        data, file_format or file.name, options.owner, dry_run, None, options, file.name
    )
    try:
        report = _run_with_progress(request, _estimated_rows(data))
    except imports.ImportRefused as refused:
        _print_report(refused.report)
        if as_json:
            click.echo(json.dumps({"status": "refused", **refused.report.document()}, ensure_ascii=False))
        raise InvalidInput(refused.detail) from refused
    assert report.job is not None
    if as_json:
        document = job_document(report.job, already_imported=report.already_imported)
        click.echo(json.dumps(document, ensure_ascii=False))
    if report.already_imported:
        click.echo(f"already imported (import {report.job.id}): nothing to do", err=True)
        return
    _print_report(report)
    if dry_run and report.job.status == "invalid":
        db.session.commit()  # the dry run stays in the audit log and its job can be read
        raise InvalidInput("the file has problems: nothing would be written")


def _choices(
    owner: str | None,
    dry_run: bool,
    file_format: str | None,
    skip_invalid: bool,
    key: str,
    crs: str | None,
    encoding: str | None,
    column_map: tuple[str, ...],
) -> ImportChoices:
    """The options checked as the API checks them; a bad one is a usage error naming it."""
    values = {
        "owner": owner,
        "dry_run": "true" if dry_run else "false",
        "format": file_format,
        "skip_invalid": "true" if skip_invalid else "false",
        "key": key,
        "crs": crs,
        "encoding": encoding,
        "map": list(column_map),
    }
    try:
        return load_import_choices(values)
    except InvalidInput as error:
        lines = []
        for issue in error.issues:
            name = issue.pointer.strip("/").split("/")[0]
            lines.append(f"{_OPTION_NAMES.get(name, '--' + name)}: {issue.detail}")
        raise click.UsageError("\n".join(lines)) from error


def _run_with_progress(request: imports.ImportRequest, estimate: int) -> ImportReport:
    """A progress bar on stderr for long files only."""
    if estimate < PROGRESS_FROM:
        return imports.import_cameras(db.session, cli_actor(), request)
    with click.progressbar(length=estimate, label="importing", file=sys.stderr) as bar:
        shown = [0]

        def advance(done: int) -> None:
            bar.update(done - shown[0])
            shown[0] = done

        return imports.import_cameras(db.session, cli_actor(), request, advance)


# --- the report, for a person --------------------------------------------------------------------------


def _print_report(report: ImportReport) -> None:
    document = report.document()
    _print_file(document["file"])
    for problem in document["errors"]:
        _say(f"row {problem['row']}: {problem['field']}: {problem['message']} [{problem['code']}]")
    for warning in document["warnings"]:
        _say(f"row {warning['row']}: {warning['field']}: warning: {warning['message']} [{warning['code']}]")
    for change in document["rows"]:
        if change["action"] in ("update", "decommission"):
            _say(_change_line(change))
    for kind, left in document["not_listed"].items():
        if left:
            _say(f"... and {left} more {kind} not listed (by code: {document['by_code'].get(kind, {})})")
    counts = document["counts"]
    _say(
        f"{'dry run: ' if report.dry_run else ''}{counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['decommissioned']} decommissioned, "
        f"{counts['skipped']} skipped, {counts['errors']} errors, {counts['warnings']} warnings"
    )


def _print_file(file: dict[str, Any]) -> None:
    _say(
        f"file: {file.get('format')}, {file.get('records', 0)} records, "
        f"encoding {file.get('encoding') or '-'}, CRS {file.get('crs') or '-'}"
    )
    if file.get("columns"):
        _say("columns: " + ", ".join(f"{source} -> {target}" for source, target in file["columns"].items()))
    if file.get("kept_unmapped"):
        _say("kept unmapped (in source_tags): " + _tally(file["kept_unmapped"]))
    if file.get("ignored"):
        _say("ignored: " + _tally(file["ignored"]))
    for warning in file.get("warnings", []):
        _say(f"file: warning: {warning['message']} [{warning['code']}]")


def _change_line(change: dict[str, Any]) -> str:
    parts = [
        f"{name} {_shown(values['old'])} -> {_shown(values['new'])}"
        for name, values in change["changes"].items()
    ]
    if change["moved_m"] is not None:
        parts.append(f"moved {change['moved_m']:.1f} m")
    return f"row {change['row']}: {change['action']} camera {change['camera_id']}: {'; '.join(parts)}"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _tally(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} ({rows} rows)" for name, rows in counts.items())


def _say(line: str) -> None:
    click.echo(line, err=True)
