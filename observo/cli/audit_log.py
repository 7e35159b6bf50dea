"""`observo audit ...`: the data-protection officer's and the operator's commands on the audit log.

- `verify`: the one command that checks the log (keys and checkpoints: services/audit_verify.py);
- `export`: entries as JSON lines, itself logged before the first line leaves;
- `flush`: summary entries for the refusals counted so far (services/audit_refusals.py; cron);
- `rotate-key`: append a new signing key to the key file (docs/security.md, "The audit key").
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from observo.cli import cli_actor, transactional
from observo.cli.files import write_atomically
from observo.domain.deadlines import utc_moment
from observo.extensions import db
from observo.models import AuditChainHead
from observo.services import audit, audit_checkpoints, audit_keys, audit_refusals
from observo.services.audit import ChainReport
from observo.spatial import engine


@click.group("audit")
def audit_group() -> None:
    """The audit log (append-only, keyed and hash-chained, checkpointed outside the database)."""


@audit_group.command("verify")
@click.option(
    "--checkpoints",
    "extra_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="another folder of checkpoint files (*.log), e.g. shipped from other app servers (repeat)",
)
@with_appcontext
def audit_verify(extra_dirs: tuple[Path, ...]) -> None:
    """Check every entry's key and link, and the checkpoints; exit 1 at the first thing that fails."""
    folders = [audit_checkpoints.directory(current_app.config["OBSERVO_SETTINGS"]), *extra_dirs]
    report = audit.verify(db.session, folders)
    if not report.intact:
        where = f" at entry {report.broken_at}" if report.broken_at is not None else ""
        click.echo(f"audit log BROKEN{where}: {report.problem}", err=True)
        click.echo(f"({report.entries} entries before it check out)", err=True)
        sys.exit(1)
    click.echo(f"audit log intact: {report.entries} entries ({_summary(report)})")
    if report.keyed and report.latest is None:
        click.echo(
            "warning: no checkpoint found, so entries cut off the end would go unnoticed; "
            f"looked in: {', '.join(map(str, folders))}",
            err=True,
        )
    counted, oldest = audit_refusals.pending(db.session)
    if counted:
        click.echo(
            f"note: {counted} refusals since {oldest:%Y-%m-%d %H:%M}Z await their summary (audit flush)"
        )


def _summary(report: ChainReport) -> str:
    legacy = report.entries - report.keyed
    parts = [f"{report.keyed} sealed by key", *([f"{legacy} from before keys"] if legacy else [])]
    if report.latest is not None:
        latest = report.latest
        parts.append(
            f"{report.checkpoints} checkpoints, the latest of {latest.moment} at entry {latest.entry_id}"
        )
    return "; ".join(parts)


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

    The export is itself logged, before the first line leaves; it holds the entries up to the log's
    end at that moment. A file is written whole or not at all.
    """
    head = db.session.scalar(sa.select(AuditChainHead.last_id).where(AuditChainHead.id == 1)) or 0
    count = audit.export_count(db.session, since, head)
    audit.record(
        db.session, cli_actor(), "audit.export", result_count=count, details={"since": since.isoformat()}
    )
    db.session.commit()  # a short write; the export below only reads
    engine.end_write_intent()
    lines = (line + "\n" for line in audit.export_lines(db.session, since, head))
    if output is None:
        _echo_all(lines)
    else:
        write_atomically(output, lines, ".audit-export-")
    click.echo(f"{count} audit entries exported", err=True)


def _echo_all(lines: Iterator[str]) -> None:
    for line in lines:
        click.echo(line, nl=False)


@audit_group.command("flush")
@transactional
def audit_flush() -> None:
    """Log the refusals counted so far as one summary entry per address and window (for cron)."""
    summarised = audit_refusals.summarise(db.session)
    click.echo(f"{summarised} counted refusals logged")


@audit_group.command("rotate-key")
@with_appcontext
def audit_rotate_key() -> None:
    """Append a new signing key to the audit key file; restart the app servers to sign with it.

    The old keys stay in the file: `observo audit verify` needs every key that ever signed.
    """
    try:
        key_id = audit_keys.rotate(current_app.config["OBSERVO_SETTINGS"])
    except audit_keys.AuditKeyError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    click.echo(f"new audit key {key_id} appended; restart the app servers to sign with it")
