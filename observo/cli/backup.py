"""`observo backup --output FILE`: a consistent copy of the database, taken while the app serves.

- SpatiaLite: SQLite's online backup API, in one step: a snapshot of the last committed state
  (in WAL mode writers go on meanwhile), checked with `PRAGMA quick_check`, as one self-contained
  file (no -wal beside it). Restore: stop the app, put the file in place of the database.
- PostgreSQL: `pg_dump --format=custom` of the configured database (the password passed in the
  environment, never on the command line). Restore with `pg_restore` (README).

The file is written whole or not at all, readable by its owner only, and the backup is audited.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app

from observo.cli import cli_actor, transactional
from observo.cli.files import atomic_path
from observo.errors import ObservoError
from observo.extensions import db
from observo.services import audit


class BackupError(ObservoError):
    code = "backup_failed"


def backup_sqlite(url: sa.URL, target: Path) -> None:
    """Copy the SQLite database at `url` into `target` with the online backup API."""
    import pysqlite3.dbapi2 as sqlite  # the driver the app uses (the stdlib one may be older)

    source_path = Path(url.database or "")
    if not source_path.is_file():
        raise BackupError(f"no database at {source_path}")
    try:
        with (
            closing(sqlite.connect(str(source_path), timeout=15)) as source,
            closing(sqlite.connect(str(target))) as copy,
        ):
            source.backup(copy)  # all pages in one step: one read transaction, one snapshot
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite.Error as error:
        raise BackupError(f"SQLite backup of {source_path} failed: {error}") from None
    if verdict != "ok":
        raise BackupError(f"the copy does not check out: {verdict}")


def libpq_url(url: sa.URL) -> str:
    """The SQLAlchemy URL as libpq takes it: no driver name, no password (that goes in PGPASSWORD)."""
    bare = sa.URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return bare.render_as_string(hide_password=False)


def backup_postgresql(url: sa.URL, target: Path) -> None:
    """`pg_dump --format=custom` of the database at `url` into `target`."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    command = ["pg_dump", "--format=custom", f"--file={target}", f"--dbname={libpq_url(url)}"]
    try:
        finished = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            "pg_dump not found: install postgresql-client (its major version at least the server's)"
        ) from None
    if finished.returncode != 0:
        reason = finished.stderr.strip() or f"exit status {finished.returncode}"
        raise BackupError(f"pg_dump failed: {reason}")


_BACKUPS: dict[str, Callable[[sa.URL, Path], None]] = {
    "sqlite": backup_sqlite,
    "postgresql": backup_postgresql,
}


def backup_database(database_url: str, output: Path) -> int:
    """Back the database up into `output` (whole or not at all); the number of bytes written."""
    url = sa.make_url(database_url)
    backup = _BACKUPS.get(url.get_backend_name())
    if backup is None:
        raise BackupError(f"no backup method for {url.get_backend_name()} databases")
    try:
        with atomic_path(output, ".observo-backup-") as temporary:
            backup(url, temporary)
    except OSError as error:
        raise BackupError(f"cannot write {output}: {error.strerror or error}") from None
    return output.stat().st_size


@click.command("backup")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@transactional
def backup_command(output: Path) -> None:
    """Back the database up while the app serves: SpatiaLite with SQLite's online backup, PostgreSQL
    with pg_dump (custom format, for pg_restore). Audited; the file is whole or absent."""
    size = backup_database(current_app.config["SQLALCHEMY_DATABASE_URI"], output)
    audit.record(
        db.session, cli_actor(), "database.backup", details={"output": str(output.resolve()), "bytes": size}
    )
    click.echo(f"backup written to {output} ({size} bytes)", err=True)
