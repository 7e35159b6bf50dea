"""Reads on a PostgreSQL streaming replica; writes and the author's next reads on the primary.

A primary and a real streaming replica (pg_basebackup -R) of the test's own, on loopback. Which
server answered is told by pausing the replica's replay: a change made on the primary after the pause
is visible only there. Nothing about the databases is mocked.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask

from observo.extensions import db
from observo.http.read_routing import replicas
from tests import factories
from tests.conftest import make_app
from tests.resilience.pg_cluster import Cluster

CONNECT_TIMEOUT_S = 2
MARGIN_S = 1.5
WAIT_S = 20


@dataclass(frozen=True)
class World:
    primary: Cluster
    replica: Cluster
    editor: dict[str, str]
    colleague: dict[str, str]
    camera_id: int

    @property
    def camera_url(self) -> str:
        return f"/api/v1/cameras/{self.camera_id}"


@pytest.fixture(scope="module")
def clusters(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cluster, Cluster, Flask]]:
    primary = Cluster()
    replica = None
    try:
        primary.start()
        primary.create_postgis_database("observo")
        replica = Cluster(primary)
        replica.start()
        app = _app(primary, replica, tmp_path_factory, replica_max_lag_s=60)
        yield primary, replica, app
        _close(app)
    finally:
        if replica is not None:
            replica.destroy()
        primary.destroy()


def _close(app: Flask) -> None:
    """Every pooled connection of the app, to the primary and the replicas, closed."""
    with app.app_context():
        db.engine.dispose()
    replicas(app).dispose()


def _app(primary: Cluster, replica: Cluster, tmp: pytest.TempPathFactory, **overrides: object) -> Flask:
    app = make_app(
        primary.url("observo"),
        tmp.mktemp("replicas"),
        connect_timeout_s=CONNECT_TIMEOUT_S,
        database_replica_urls=(replica.url("observo"),),
        **overrides,
    )
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


@pytest.fixture(scope="module")
def world(clusters: tuple[Cluster, Cluster, Flask]) -> World:
    primary, replica, app = clusters
    with app.app_context():
        flask_migrate.upgrade()
        town = factories.org(db.session, "replica-town")
        editor = factories.auth(factories.token(db.session, factories.user(db.session, town, "editor")))
        colleague = factories.auth(factories.token(db.session, factories.user(db.session, town, "viewer")))
        camera = factories.camera(db.session, town, visibility="public", name="first name")
        built = World(primary, replica, editor, colleague, camera.id)
    _wait_for(replica, built.camera_id, "first name")
    return built


@pytest.fixture
def app(clusters: tuple[Cluster, Cluster, Flask], world: World) -> Iterator[Flask]:
    """Every test starts with the replica up and replaying, caught up with the primary."""
    _primary, replica, application = clusters
    if not replica.running:
        replica.start()
    _run(replica, "SELECT pg_wal_replay_resume()")
    _wait_for(replica, world.camera_id, _name_on(world.primary, world.camera_id))
    yield application


def _run(cluster: Cluster, sql: str) -> object:
    engine = sa.create_engine(cluster.url("observo"), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with engine.connect() as conn:
        result = conn.exec_driver_sql(sql)
        return result.scalar() if result.returns_rows else None


def _name_on(cluster: Cluster, camera_id: int) -> object:
    return _run(cluster, f"SELECT name FROM cameras WHERE id = {int(camera_id)}")


def _wait_for(replica: Cluster, camera_id: int, name: object) -> None:
    deadline = time.monotonic() + WAIT_S
    while _name_on(replica, camera_id) != name:
        assert time.monotonic() < deadline, f"the replica never replayed {name!r}"
        time.sleep(0.05)


def _rename_on_primary(world: World, name: str) -> None:
    _run(world.primary, f"UPDATE cameras SET name = '{name}' WHERE id = {world.camera_id}")


def _name_read(app: Flask, world: World, headers: dict[str, str] | None = None) -> str:
    response = app.test_client().get(world.camera_url, headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["properties"]["name"]


def test_reads_are_served_by_the_replica(app: Flask, world: World) -> None:
    _run(world.replica, "SELECT pg_wal_replay_pause()")
    _rename_on_primary(world, "only on the primary")
    # Anonymous and signed-in readers who changed nothing read the replica, which has not replayed it.
    assert _name_read(app, world) != "only on the primary"
    assert _name_read(app, world, world.colleague) != "only on the primary"
    listed = app.test_client().get("/api/v1/cameras?limit=5", headers=world.colleague).json
    assert "only on the primary" not in {feature["properties"]["name"] for feature in listed["features"]}
    _run(world.replica, "SELECT pg_wal_replay_resume()")
    _wait_for(world.replica, world.camera_id, "only on the primary")
    assert _name_read(app, world) == "only on the primary"


def test_an_edit_is_visible_to_its_author_at_once(app: Flask, world: World) -> None:
    client = app.test_client()
    etag = client.get(world.camera_url, headers=world.editor).headers["ETag"]
    _run(world.replica, "SELECT pg_wal_replay_pause()")
    headers = {**world.editor, "If-Match": etag}
    changed = client.patch(world.camera_url, json={"properties": {"name": "edited"}}, headers=headers)
    assert changed.status_code == 200, changed.get_data(as_text=True)
    # The author reads the primary for a while after the write; the others still read the replica.
    assert _name_read(app, world, world.editor) == "edited"
    assert (
        client.get("/api/v1/cameras?limit=5", headers=world.editor).json["features"][0]["properties"]["name"]
        == "edited"
    )
    assert _name_read(app, world, world.colleague) != "edited"
    # An accountable query appends to the audit log: the primary answers it.
    near = client.get("/api/v1/cameras?near=7.6869,45.0703&radius=500&reason=PG-1", headers=world.colleague)
    assert near.status_code == 200 and near.json["features"][0]["properties"]["name"] == "edited"


def test_a_lagging_replica_is_skipped(
    clusters: tuple[Cluster, Cluster, Flask], app: Flask, world: World, tmp_path_factory
) -> None:
    strict = _app(world.primary, world.replica, tmp_path_factory, replica_max_lag_s=0.5)
    try:
        assert _name_read(strict, world) == _name_on(world.primary, world.camera_id)
        _run(world.replica, "SELECT pg_wal_replay_pause()")
        _rename_on_primary(world, "while the replica lags")
        time.sleep(1.6)  # past the lag allowed, and past the last health check
        assert _name_read(strict, world) == "while the replica lags"
        assert _name_read(app, world) != "while the replica lags"  # 60 s allowed: still the replica
    finally:
        _close(strict)


def test_a_stopped_replica_costs_no_request(app: Flask, world: World) -> None:
    client = app.test_client()
    assert client.get(world.camera_url).status_code == 200  # the replica is checked and used
    world.replica.stop("fast")
    expected = _name_on(world.primary, world.camera_id)
    for _ in range(5):  # the first finds it gone mid-request and is answered by the primary
        started = time.monotonic()
        response = client.get(world.camera_url)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.json["properties"]["name"] == expected
        assert time.monotonic() - started < CONNECT_TIMEOUT_S + MARGIN_S
    assert client.get("/api/v1/cameras?limit=5", headers=world.colleague).status_code == 200
