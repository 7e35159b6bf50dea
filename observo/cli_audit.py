"""`observo audit verify` and `observo audit export`: the data-protection officer's commands."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from observo.cli import cli_actor, transactional
from observo.cli_files import write_atomically
from observo.domain.deadlines import utc_moment
from observo.extensions import db
from observo.services import audit


@click.group("audit")
def audit_group() -> None:
    """The audit log (append-only, hash-chained)."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check the hash chain from the first entry; exit 1 at the first entry that does not check out."""
    report = audit.verify(db.session)
    if not report.intact:
        click.echo(f"audit log BROKEN at entry {report.broken_at}: {report.problem}", err=True)
        click.echo(f"({report.entries} entries before it check out)", err=True)
        sys.exit(1)
    click.echo(f"audit log intact: {report.entries} entries")


def _utc_moment(_ctx: click.Context, _param: click.Parameter, value: str) -> datetime:
    try:
        return utc_moment(value)
    except ValueError as exc:
        raise click.BadParameter("a date or time in ISO 8601, e.g. 2026-01-31 or 2026-01-31T08:00Z") from exc


@audit_group.command("export")
@click.option("--since", required=True, callback=_utc_moment, help="ISO date or time (UTC unless given)")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="default: stdout"
)
@transactional
def audit_export(since: datetime, output: Path | None) -> None:
    """Write the entries since a moment as JSON lines (hashes included, so the chain can be rechecked).

    The export is itself logged. A file is written whole or not at all.
    """
    count = 0
    if output is None:
        for line in audit.export_lines(db.session, since):
            click.echo(line)
            count += 1
    else:
        count = _write_atomically(output, since)
    audit.record(
        db.session, cli_actor(), "audit.export", result_count=count, details={"since": since.isoformat()}
    )
    click.echo(f"{count} audit entries exported", err=True)


def _write_atomically(output: Path, since: datetime) -> int:
    count = 0

    def lines() -> Iterator[str]:
        nonlocal count
        for line in audit.export_lines(db.session, since):
            count += 1
            yield line + "\n"

    write_atomically(output, lines(), ".audit-export-")
    return count
