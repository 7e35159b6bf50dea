"""`observo backup --output FILE`: a copy that opens (or restores) with every camera, taken while
the app writes; a failed backup leaves no file and says why on stderr."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pysqlite3.dbapi2 as sqlite
import pytest
import sqlalchemy as sa
from flask import Flask

from observo.cli import main
from observo.cli.backup import BackupError, backup_database, libpq_url
from observo.extensions import db
from observo.models import AuditEntry, Camera
from tests import factories
from tests.conftest import (
    POSTGRES_URL,
    app_on_own_database,
    drop_postgis_database,
    make_app,
    own_database_name,
)

CAMERAS = 3


@pytest.fixture
def populated(dialect: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """An app on a database of its own (backups read what is committed) with three cameras."""
    with app_on_own_database(dialect, tmp_path, own_database_name("backup_", request)) as application:
        with application.app_context():
            town = factories.org(db.session, "torino")
            for _ in range(CAMERAS):
                factories.camera(db.session, town)
            db.session.remove()
        yield application


def backup(application: Flask, output: Path):
    return application.test_cli_runner().invoke(main, ["backup", "--output", str(output)])


def count_cameras(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).select_from(Camera.__table__))
    finally:
        engine.dispose()


def restore_postgresql(dump: Path, database: str) -> str:
    """pg_restore the dump into a new, empty database (the dump creates the PostGIS extension)."""
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
    admin.dispose()
    url = sa.make_url(POSTGRES_URL).set(database=database)
    command = ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={libpq_url(url)}", str(dump)]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stderr
    return url.render_as_string(hide_password=False)


def test_backup_holds_every_camera(populated, dialect, tmp_path):
    output = tmp_path / "observo.backup"
    result = backup(populated, output)
    assert result.exit_code == 0, result.output
    assert f"backup written to {output}" in result.stderr and result.stdout == ""
    assert output.stat().st_mode & 0o077 == 0  # police data: readable by its owner only
    assert [path.name for path in tmp_path.glob(".observo-backup-*")] == []
    if dialect == "spatialite":
        assert count_cameras(f"sqlite:///{output}") == CAMERAS
        assert not Path(f"{output}-wal").exists()  # one self-contained file
    else:
        source = sa.make_url(populated.config["SQLALCHEMY_DATABASE_URI"]).database
        restored = restore_postgresql(output, f"{source}_restored")
        try:
            assert count_cameras(restored) == CAMERAS
        finally:
            drop_postgis_database(sa.make_url(restored).database)
    with populated.app_context():
        entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "database.backup")).one()
        assert json.loads(entry.details)["bytes"] == output.stat().st_size
        db.session.remove()


def _hold_a_write(url: str, locked: threading.Event, release: threading.Event) -> None:
    """Change every camera in a transaction left open, as a saving request holds it."""
    if url.startswith("sqlite"):
        with closing(sqlite.connect(sa.make_url(url).database, isolation_level=None)) as conn:
            conn.execute("BEGIN IMMEDIATE")  # SQLite's write lock
            conn.execute("UPDATE cameras SET name = 'changed meanwhile'")
            locked.set()
            release.wait(timeout=30)
            conn.execute("ROLLBACK")
        return
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:  # PostgreSQL: row locks on every camera, not yet committed
            conn.execute(sa.text("UPDATE cameras SET name = 'changed meanwhile'"))
            locked.set()
            release.wait(timeout=30)
            conn.rollback()
    finally:
        engine.dispose()


def _camera_names(backup_file: Path, dialect: str, source: str) -> set[str]:
    url = f"sqlite:///{backup_file}" if dialect == "spatialite" else restore_postgresql(backup_file, source)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.scalars(sa.text("SELECT name FROM cameras")))
    finally:
        engine.dispose()
        if dialect == "postgis":
            drop_postgis_database(sa.make_url(url).database)


def test_a_backup_runs_while_a_writer_holds_its_locks(populated, dialect, tmp_path):
    url = populated.config["SQLALCHEMY_DATABASE_URI"]
    locked, release = threading.Event(), threading.Event()
    thread = threading.Thread(target=_hold_a_write, args=(url, locked, release))
    thread.start()
    try:
        assert locked.wait(timeout=10)
        output = tmp_path / "online.backup"
        assert backup_database(url, output) > 0  # returns while the writer still holds its locks
        assert not release.is_set()
    finally:
        release.set()
        thread.join()
    names = _camera_names(output, dialect, f"{sa.make_url(url).database}_online")
    assert len(names) == CAMERAS and "changed meanwhile" not in names  # the last committed state


def test_a_failed_pg_dump_says_why_and_leaves_the_old_file(tmp_path):
    application = make_app("postgresql+psycopg://postgres@127.0.0.1:5432/observo_no_such_db", tmp_path)
    output = tmp_path / "observo.dump"
    output.write_text("yesterday's backup")
    result = backup(application, output)
    assert result.exit_code == 1
    assert "pg_dump failed" in result.stderr and "observo_no_such_db" in result.stderr
    assert output.read_text() == "yesterday's backup"
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".observo")) == []
    with application.app_context():
        db.engine.dispose()


def test_failures_without_a_backup_tool_or_a_place(tmp_path, monkeypatch):
    with pytest.raises(BackupError, match="no database at"):
        backup_database(f"sqlite:///{tmp_path}/missing.sqlite", tmp_path / "copy.sqlite")
    with pytest.raises(BackupError, match="cannot write"):
        backup_database(f"sqlite:///{tmp_path}/missing.sqlite", tmp_path / "no" / "such" / "folder")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump on it
    with pytest.raises(BackupError, match="pg_dump not found"):
        backup_database("postgresql+psycopg://postgres@127.0.0.1/observo", tmp_path / "observo.dump")
    assert list(tmp_path.iterdir()) == []


def test_libpq_url_keeps_the_password_off_the_command_line():
    url = sa.make_url("postgresql+psycopg://observo:p%40ss@db.example:5433/observo?sslmode=require")
    assert libpq_url(url) == "postgresql://observo@db.example:5433/observo?sslmode=require"
