"""PostgreSQL goes away and comes back: the app answers 503 quickly, loses nothing, and recovers alone.

Each test module runs its own PostgreSQL cluster (pg_cluster.py) and really stops, kills or starves
it; nothing about the database is mocked. The app is built once and never restarted, as a
production worker would not be.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from observo.extensions import db
from observo.http.session import session_values
from observo.models import User
from tests import factories
from tests.conftest import make_app
from tests.resilience.pg_cluster import Cluster

CONNECT_TIMEOUT_S = 2  # libpq's minimum
POOL_TIMEOUT_S = 1
MARGIN_S = 1.5  # the app's own work around the failed connection, on a loaded 2-core CI machine
# Nothing of the driver's words reaches the client: SQLAlchemy's "[SQL: ...]" and its sqlalche.me
# link, psycopg's message with the server's address, table names, a traceback.
LEAKS = ("traceback", "[sql:", "sqlalche", "psycopg", "sqlstate", "127.0.0.1", "refused", "api_tokens")


@dataclass(frozen=True)
class World:
    app: Flask
    cluster: Cluster
    headers: dict[str, str]
    owner: str
    camera_id: int
    user_id: int

    @property
    def camera_url(self) -> str:
        return f"/api/v1/cameras/{self.camera_id}"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    own = Cluster()
    try:
        own.start()
        own.create_postgis_database("observo")
        yield own
    finally:
        own.destroy()


@pytest.fixture(scope="module")
def built(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app = make_app(
        cluster.url("observo"),
        tmp_path_factory.mktemp("outage"),
        connect_timeout_s=CONNECT_TIMEOUT_S,
        pool_timeout_s=POOL_TIMEOUT_S,
    )
    app.config["PROPAGATE_EXCEPTIONS"] = False  # what a production client gets, not the test's traceback
    with app.app_context():
        flask_migrate.upgrade()
        town = factories.org(db.session, "outage-town")
        editor = factories.user(db.session, town, "editor")
        headers = factories.auth(factories.token(db.session, editor))
        camera = factories.camera(db.session, town, visibility="public")
        built = World(app, cluster, headers, town.slug, camera.id, editor.id)
    yield built
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def world(built: World) -> World:
    """Every test starts with the server up, whatever the previous one left."""
    if not built.cluster.running:
        built.cluster.start()
    return built


@contextmanager
def outage(cluster: Cluster, mode: str = "fast") -> Iterator[None]:
    cluster.stop(mode)
    try:
        yield
    finally:
        cluster.start()


def snapshot(cluster: Cluster) -> dict[str, Any]:
    """Every table's row count and every camera row, read outside the app."""
    engine = sa.create_engine(cluster.url("observo"), poolclass=sa.NullPool)
    with engine.connect() as conn:
        tables = sorted(set(sa.inspect(conn).get_table_names()) - {"spatial_ref_sys"})
        counts = {name: conn.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar() for name in tables}
        cameras = [tuple(row) for row in conn.exec_driver_sql("SELECT * FROM cameras ORDER BY id")]
    return {"counts": counts, "cameras": cameras}


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def assert_unavailable(response: Any, elapsed: float, media_type: str = "application/problem+json") -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 503, body
    assert response.mimetype == media_type
    assert int(response.headers["Retry-After"]) > 0
    assert not [leak for leak in LEAKS if leak in body.lower()], body
    assert elapsed < CONNECT_TIMEOUT_S + MARGIN_S


def _etag(client: FlaskClient, world: World) -> str:
    response = client.get(world.camera_url, headers=world.headers)
    assert response.status_code == 200
    return response.headers["ETag"]


def _rename(client: FlaskClient, world: World, etag: str, name: str) -> Any:
    headers = {**world.headers, "If-Match": etag}
    return client.patch(world.camera_url, json={"properties": {"name": name}}, headers=headers)


API_CALLS: dict[str, Callable[[FlaskClient, World, str], Any]] = {
    "read one": lambda c, w, _etag: c.get(w.camera_url, headers=w.headers),
    "list": lambda c, w, _etag: c.get("/api/v1/cameras?limit=10", headers=w.headers),
    "change": lambda c, w, etag: _rename(c, w, etag, "changed during the outage"),
    "create": lambda c, w, _etag: c.post(
        "/api/v1/cameras", json=factories.feature(w.owner), headers=w.headers
    ),
    "OGC items": lambda c, w, _etag: c.get("/ogc/collections/cameras/items", headers=w.headers),
    # Refused before any query: the refusal's audit entry is what cannot be written.
    "refused credentials": lambda c, _w, _etag: c.get(
        "/api/v1/cameras", headers={"Authorization": "Basic b3V0YWdlOm91dGFnZQ=="}
    ),
    "refused on OGC": lambda c, _w, _etag: c.get(
        "/ogc/collections/cameras/items", headers={"Authorization": "Basic b3V0YWdlOm91dGFnZQ=="}
    ),
}


@pytest.mark.parametrize("call", sorted(API_CALLS))
def test_the_api_answers_503_problem_quickly_while_the_database_is_down(world: World, call: str) -> None:
    client = world.app.test_client()
    etag = _etag(client, world)
    before = snapshot(world.cluster)
    with outage(world.cluster):
        response, elapsed = timed(lambda: API_CALLS[call](client, world, etag))
    assert_unavailable(response, elapsed)
    assert response.json["code"] == "service_unavailable"
    assert snapshot(world.cluster) == before  # a write refused during the outage did not land later


def test_pages_answer_a_readable_503_while_the_database_is_down(world: World) -> None:
    browser = world.app.test_client()
    with world.app.app_context():
        signed_in = session_values(db.session.get(User, world.user_id))
    with browser.session_transaction() as cookie_session:  # what a successful sign-in stores
        cookie_session.update(signed_in)
    assert browser.get("/cameras").status_code == 200
    anonymous = world.app.test_client()
    with outage(world.cluster):
        # Signed in: the user loader is what fails first, and the error page must not call it again.
        for client, path in ((browser, "/cameras"), (browser, "/map"), (anonymous, "/embed/outage-town")):
            response, elapsed = timed(lambda c=client, p=path: c.get(p))
            assert_unavailable(response, elapsed, "text/html")
            assert "Servizio temporaneamente non disponibile" in response.get_data(as_text=True)
    assert browser.get("/cameras").status_code == 200


def test_readiness_fails_and_liveness_holds_during_the_outage(world: World) -> None:
    client = world.app.test_client()
    assert client.get("/readyz").status_code == 200
    with outage(world.cluster):
        ready, elapsed = timed(lambda: client.get("/readyz"))
        assert ready.status_code == 503 and ready.headers["Retry-After"]
        assert elapsed < CONNECT_TIMEOUT_S + MARGIN_S
        assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_a_restart_between_two_requests_goes_unnoticed(world: World) -> None:
    """Pool pre-ping: the connections the old server dropped are replaced, not handed out."""
    client = world.app.test_client()
    first = client.get(world.camera_url, headers=world.headers)
    world.cluster.stop("fast")
    world.cluster.start()
    again = client.get(world.camera_url, headers=world.headers)
    assert (again.status_code, again.json) == (200, first.json)


def test_after_the_outage_the_same_app_serves_the_same_data_and_takes_the_write(world: World) -> None:
    client = world.app.test_client()
    before_response = client.get(world.camera_url, headers=world.headers)
    etag = before_response.headers["ETag"]
    before = snapshot(world.cluster)
    with outage(world.cluster):
        assert _rename(client, world, etag, "lost in the outage").status_code == 503
    assert snapshot(world.cluster) == before
    after = client.get(world.camera_url, headers=world.headers)
    assert (after.status_code, after.headers["ETag"], after.json) == (200, etag, before_response.json)
    assert client.get("/readyz").status_code == 200
    retried = _rename(client, world, etag, "after the outage")
    assert retried.status_code == 200 and retried.json["properties"]["name"] == "after the outage"


@contextmanager
def silent_listener(port: int) -> Iterator[None]:
    """A server that accepts TCP connections and never says a word (a hung or half-dead host)."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(16)  # the kernel completes the handshakes; nobody ever accepts them
        yield


def test_a_server_that_never_answers_is_given_up_after_the_connect_timeout(world: World) -> None:
    client = world.app.test_client()
    with outage(world.cluster), silent_listener(world.cluster.port):
        for path in (world.camera_url, "/readyz"):
            response, elapsed = timed(lambda p=path: client.get(p, headers=world.headers))
            assert response.status_code == 503 and response.headers["Retry-After"]
            assert CONNECT_TIMEOUT_S - 0.5 < elapsed < CONNECT_TIMEOUT_S + MARGIN_S, elapsed
    assert client.get(world.camera_url, headers=world.headers).status_code == 200


def test_a_request_that_finds_no_free_connection_answers_503_after_the_pool_timeout(world: World) -> None:
    client = world.app.test_client()
    with world.app.app_context():
        engine = db.engine
    capacity = engine.pool.size() + engine.pool._max_overflow  # type: ignore[attr-defined]
    held = [engine.connect() for _ in range(capacity)]  # every connection busy with a long request
    try:
        response, elapsed = timed(lambda: client.get(world.camera_url, headers=world.headers))
    finally:
        for conn in held:
            conn.close()
    assert_unavailable(response, elapsed)
    assert elapsed >= POOL_TIMEOUT_S - 0.1  # it did wait for a connection to come back
    assert client.get(world.camera_url, headers=world.headers).status_code == 200


# ---------------------------------------------------------------- a write in flight


@contextmanager
def before_commit_of_a_camera_update(
    app: Flask, action: Callable[[sa.Connection], None]
) -> Iterator[list[int]]:
    """Run `action` when a transaction that has updated a camera is about to send COMMIT."""
    with app.app_context():
        engine = db.engine
    armed, fired = [False], []

    def after_execute(_conn: sa.Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        armed[0] = armed[0] or statement.lstrip().upper().startswith("UPDATE CAMERAS")

    def on_commit(conn: sa.Connection) -> None:
        if armed[0]:
            armed[0] = False
            fired.append(conn.connection.dbapi_connection.info.backend_pid)
            action(conn)

    sa.event.listen(engine, "after_cursor_execute", after_execute)
    sa.event.listen(engine, "commit", on_commit)
    try:
        yield fired
    finally:
        sa.event.remove(engine, "after_cursor_execute", after_execute)
        sa.event.remove(engine, "commit", on_commit)


def _terminate_backend(cluster: Cluster) -> Callable[[sa.Connection], None]:
    def terminate(conn: sa.Connection) -> None:
        pid = conn.connection.dbapi_connection.info.backend_pid
        admin = sa.create_engine(cluster.url(), poolclass=sa.NullPool)
        with admin.connect() as other:
            # The timeout makes it wait until the backend is gone: the COMMIT then meets a dead socket.
            assert other.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar()

    return terminate


@pytest.mark.parametrize("cut", ["connection killed", "server crashed"])
def test_a_write_cut_between_flush_and_commit_leaves_nothing(world: World, cut: str) -> None:
    client = world.app.test_client()
    etag = _etag(client, world)
    before = snapshot(world.cluster)
    if cut == "connection killed":
        action = _terminate_backend(world.cluster)
    else:
        action = lambda _conn: world.cluster.stop("immediate")  # noqa: E731
    with before_commit_of_a_camera_update(world.app, action) as fired:
        response, elapsed = timed(lambda: _rename(client, world, etag, "half written"))
    assert fired, "the hook never saw the camera's UPDATE: the test proved nothing"
    assert_unavailable(response, elapsed)
    if not world.cluster.running:
        world.cluster.start()
    assert snapshot(world.cluster) == before  # the UPDATE and its audit entry went with the transaction
    # The version did not move: the same If-Match is still current, and the write now succeeds.
    retried = _rename(client, world, etag, "written whole")
    assert retried.status_code == 200 and retried.json["properties"]["name"] == "written whole"
