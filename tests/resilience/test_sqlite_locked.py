"""SQLite: a write that meets another writer's lock waits the busy timeout, then answers 503.

The lock is real: a second connection to the same file holds BEGIN EXCLUSIVE, as an import, a
backup or another worker would. WAL keeps readers going meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flask_migrate
import pysqlite3.dbapi2 as pysqlite3
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from observo.extensions import db
from observo.settings import Settings
from observo.spatial.engine import engine_options
from tests import factories
from tests.conftest import make_app

BUSY_TIMEOUT_MS = 300
MARGIN_S = 1.5  # the app's own work around the wait, on a loaded 2-core CI machine


@dataclass(frozen=True)
class World:
    app: Flask
    path: Path
    headers: dict[str, str]
    owner: str
    camera_id: int

    @property
    def camera_url(self) -> str:
        return f"/api/v1/cameras/{self.camera_id}"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("sqlite-locked")
    path = tmp / "observo.sqlite"
    app = make_app(f"sqlite:///{path}", tmp, sqlite_busy_timeout_ms=BUSY_TIMEOUT_MS)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # what a production client gets, not the test's traceback
    with app.app_context():
        flask_migrate.upgrade()
        town = factories.org(db.session, "locked-town")
        headers = factories.auth(factories.token(db.session, factories.user(db.session, town, "editor")))
        camera = factories.camera(db.session, town)
        built = World(app, path, headers, town.slug, camera.id)
    yield built
    with app.app_context():
        db.engine.dispose()


@contextmanager
def write_lock(path: Path) -> Iterator[None]:
    """Another connection holds the database's write lock until the block ends."""
    other = pysqlite3.connect(str(path), isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def snapshot(path: Path) -> dict[str, Any]:
    """Every ordinary table's row count and every camera row, read outside the app."""
    reader = pysqlite3.connect(str(path))
    try:
        names = [
            name
            for (name,) in reader.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            )
        ]
        counts = {name: reader.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
        cameras = reader.execute("SELECT * FROM cameras ORDER BY id").fetchall()
    finally:
        reader.close()
    return {"counts": counts, "cameras": cameras}


def _rename(client: FlaskClient, world: World, etag: str, name: str) -> Any:
    headers = {**world.headers, "If-Match": etag}
    return client.patch(world.camera_url, json={"properties": {"name": name}}, headers=headers)


def test_busy_timeout_is_a_setting_read_from_the_environment() -> None:
    settings = Settings.from_env({"OBSERVO_SQLITE_BUSY_TIMEOUT_MS": "250"})
    assert settings.sqlite_busy_timeout_ms == 250
    assert Settings().sqlite_busy_timeout_ms == 15_000
    options = engine_options("sqlite:///x.sqlite", 1000, sqlite_busy_timeout_ms=250)
    assert options["connect_args"]["timeout"] == 0.25  # the driver's own wait, in seconds


def test_every_connection_uses_wal_and_the_configured_busy_timeout(world: World) -> None:
    with world.app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS


def test_a_write_against_a_held_lock_answers_503_database_busy_and_writes_nothing(world: World) -> None:
    client = world.app.test_client()
    etag = client.get(world.camera_url, headers=world.headers).headers["ETag"]
    before = snapshot(world.path)
    with write_lock(world.path):
        writes = {
            "change": lambda: _rename(client, world, etag, "written under the lock"),
            "create": lambda: client.post(
                "/api/v1/cameras", json=factories.feature(world.owner), headers=world.headers
            ),
        }
        for what, write in writes.items():
            started = time.monotonic()
            response = write()
            elapsed = time.monotonic() - started
            assert response.status_code == 503, (what, response.get_data(as_text=True))
            assert response.mimetype == "application/problem+json"
            assert response.json["code"] == "database_busy" and int(response.headers["Retry-After"]) > 0
            assert "locked" not in response.get_data(as_text=True)  # the driver's words stay in the log
            # It waited for the lock (the busy timeout), and not much longer.
            assert BUSY_TIMEOUT_MS / 1000 - 0.05 <= elapsed < BUSY_TIMEOUT_MS / 1000 + MARGIN_S, (
                what,
                elapsed,
            )
        # WAL: readers are not blocked by the writer.
        assert client.get(world.camera_url, headers=world.headers).status_code == 200
    assert snapshot(world.path) == before


def test_once_the_lock_is_released_the_same_write_succeeds(world: World) -> None:
    client = world.app.test_client()
    etag = client.get(world.camera_url, headers=world.headers).headers["ETag"]
    with write_lock(world.path):
        assert _rename(client, world, etag, "too early").status_code == 503
    retried = _rename(client, world, etag, "after the lock")
    assert retried.status_code == 200, retried.get_data(as_text=True)
    assert retried.json["properties"]["name"] == "after the lock"
    with world.app.app_context():
        assert db.session.scalar(
            sa.text("SELECT name FROM cameras WHERE id = :id"), {"id": world.camera_id}
        ) == ("after the lock")
