"""`observo import FILE`: bulk import of cameras from CSV, GeoJSON or OSM-tagged GeoJSON, as an admin."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from observo.cli import cli_actor, transactional
from observo.errors import InvalidInput
from observo.extensions import db
from observo.services import imports

PROGRESS_FROM = 1000  # rows: smaller files need no progress bar


def _estimated_rows(data: bytes) -> int:
    return max(data.count(b"\n"), data.count(b'"Feature"'), 1)


def _print_problems(problems: list[dict]) -> None:
    for problem in problems:
        click.echo(f"row {problem['row']}: {problem['field']}: {problem['message']}", err=True)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "owner", default=None, help="owner of rows that name none, and of OSM cameras (slug)")
@click.option("--dry-run", is_flag=True, help="validate every row and write nothing")
@click.option("--format", "file_format", type=click.Choice(("csv", "geojson", "osm")), default=None)
@transactional
def import_command(file: Path, owner: str | None, dry_run: bool, file_format: str | None) -> None:
    """Import cameras: every row or none. Exit status 1 when any row has a problem (listed on stderr)."""
    data = file.read_bytes()
    request = imports.ImportRequest(data, file_format or file.name, owner, dry_run)
    try:
        report = _run_with_progress(request, _estimated_rows(data))
    except InvalidInput as error:
        _print_problems(_problems_of(error))
        raise InvalidInput(error.detail) from error
    if report.already_imported:
        click.echo("already imported: nothing to do", err=True)
        return
    _print_problems(report.problems)
    counts = report.counts
    click.echo(
        f"{'dry run: ' if dry_run else ''}{counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['errors']} errors",
        err=True,
    )
    if report.problems:
        raise InvalidInput("the file has problems: nothing was written")


def _run_with_progress(request: imports.ImportRequest, estimate: int) -> imports.ImportReport:
    """A progress bar on stderr for long files only."""
    if estimate < PROGRESS_FROM:
        return imports.import_cameras(db.session, cli_actor(), request)
    with click.progressbar(length=estimate, label="importing", file=sys.stderr) as bar:
        shown = [0]

        def advance(done: int) -> None:
            bar.update(done - shown[0])
            shown[0] = done

        return imports.import_cameras(db.session, cli_actor(), request, advance)


def _problems_of(error: InvalidInput) -> list[dict]:
    """Row issues come as /rows/<row>/<field>; file-level ones (/file...) as row 0."""
    found = []
    for issue in error.issues:
        parts = issue.pointer.split("/", 3)
        if len(parts) == 4 and parts[1] == "rows":
            found.append({"row": parts[2], "field": parts[3], "message": issue.detail})
        else:
            found.append({"row": 0, "field": issue.pointer.strip("/") or "file", "message": issue.detail})
    return found
