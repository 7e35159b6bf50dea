"""Fixtures: every database test runs on SpatiaLite and on PostGIS, inside a rolled-back transaction.

PostGIS: OBSERVO_TEST_POSTGRES_URL names a server where we may create databases (default: the local
server as `postgres`). With OBSERVO_TEST_REQUIRE_POSTGIS=1 (CI, `make test`) an unreachable PostGIS
is an error, never a skip.
"""

from __future__ import annotations

import atexit
import dataclasses
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import Flask
from flask.globals import _cv_app
from sqlalchemy.orm import scoped_session, sessionmaker

from observo.app import create_app
from observo.domain import credentials
from observo.extensions import db
from observo.http.rate_limits import limiter
from observo.settings import Settings
from tests.mail_server import Inbox, smtp_server

DIALECTS = ("spatialite", "postgis")
POSTGRES_URL = os.environ.get(
    "OBSERVO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGIS = os.environ.get("OBSERVO_TEST_REQUIRE_POSTGIS") == "1"


def _worker() -> str:
    # Unique per process: two test runs (or xdist workers) never drop each other's database.
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def drop_postgis_database(name: str) -> None:
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def fresh_postgis_database(name: str) -> str:
    """(Re)create database `name` with PostGIS on the test server and return its URL."""
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        if REQUIRE_POSTGIS:
            pytest.exit(f"PostGIS is required but the server is unreachable: {exc.orig}", returncode=3)
        pytest.skip("PostgreSQL unreachable (set OBSERVO_TEST_REQUIRE_POSTGIS=1 to make this an error)")
    finally:
        admin.dispose()
    url = sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
    except sa.exc.SQLAlchemyError as exc:
        pytest.exit(f"cannot enable PostGIS (apt-get install postgresql-15-postgis-3): {exc}", returncode=3)
    finally:
        engine.dispose()
    return url


def fresh_database_url(dialect: str, tmp_dir: os.PathLike[str], name: str) -> str:
    if dialect == "spatialite":
        return f"sqlite:///{os.fspath(tmp_dir)}/{name}.sqlite"
    return fresh_postgis_database(f"{name}_{_worker()}")


def make_app(database_url: str, instance: os.PathLike[str], **overrides: object) -> Flask:
    settings = Settings(
        instance_path=os.fspath(instance),
        database_url=database_url,
        secret_key="test-secret",
        testing=True,
        **overrides,  # type: ignore[arg-type]
    )
    return create_app(settings)


# dialect -> a database upgraded to the head revision once per process (a SQLite file or a PostGIS
# database name), which each test's own database copies. Running every migration for each took 3-6 s
# a database, and grew with each migration; a copy takes a fraction of a second. The migrations
# themselves are run from scratch by tests/test_migrations.py.
_TEMPLATES: dict[str, str] = {}


def _migrated_template(dialect: str) -> str:
    if dialect not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="observo-template-"))
        atexit.register(shutil.rmtree, folder, True)
        url = fresh_database_url(dialect, folder, "observo_template")
        application = make_app(url, folder)
        with application.app_context():
            flask_migrate.upgrade()
            db.session.remove()
            db.engine.dispose()  # a PostgreSQL template must have no connection while it is copied
        if dialect == "postgis":
            name = sa.make_url(url).database
            atexit.register(drop_postgis_database, name)
            _TEMPLATES[dialect] = name
        else:
            _TEMPLATES[dialect] = url.removeprefix("sqlite:///")
    return _TEMPLATES[dialect]


def migrated_database_url(dialect: str, tmp_dir: os.PathLike[str], name: str) -> str:
    """A database `name` at the head revision: a copy of this process's migrated template."""
    template = _migrated_template(dialect)
    if dialect == "spatialite":
        path = Path(tmp_dir) / f"{name}.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    own = f"{name}_{_worker()}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{own}" TEMPLATE "{template}"')
    finally:
        admin.dispose()
    return sa.make_url(POSTGRES_URL).set(database=own).render_as_string(hide_password=False)


@contextmanager
def app_on_own_database(
    dialect: str, instance: os.PathLike[str], name: str, **overrides: object
) -> Iterator[Flask]:
    """An app on a fresh database `name` at the head revision; when the block ends its connections
    are closed and a PostGIS database is dropped."""
    application = make_app(migrated_database_url(dialect, instance, name), instance, **overrides)
    with application.app_context():
        url = db.engine.url
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
        if dialect == "postgis":
            drop_postgis_database(url.database)


def own_database_name(prefix: str, request: pytest.FixtureRequest) -> str:
    """A database name for one test (PostgreSQL names stop at 63 characters)."""
    return prefix + request.node.originalname.removeprefix("test_")[:40]


@pytest.fixture(scope="session", params=DIALECTS)
def dialect(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def app(dialect: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with app_on_own_database(dialect, tmp_path_factory.mktemp(dialect), "observo_test") as application:
        yield application


def _scope_key() -> int:
    # As in production, each request (and CLI command) pushes its own app context and gets its own
    # session, removed by Flask-SQLAlchemy when that context ends; the test body, outside any app
    # context, has a session of its own.
    app_ctx = _cv_app.get(None)
    return id(app_ctx) if app_ctx is not None else 0


@pytest.fixture
def session(app: Flask) -> Iterator[sa.orm.Session]:
    """A session for the test's own setup and checks; requests get sibling sessions on the same
    connection. Everything happens inside one outer transaction, rolled back at the end.

    No app context stays pushed during the test: otherwise requests would reuse it and share `g`.
    """
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    original = db.session
    db.session = scoped_session(factory, scopefunc=_scope_key)
    try:
        yield db.session
    finally:
        db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()


@pytest.fixture
def client(app: Flask, session: sa.orm.Session):
    limiter.reset(app)  # every test starts with full rate-limit quotas
    return app.test_client()


@pytest.fixture
def configure(app: Flask) -> Iterator[Callable[..., None]]:
    """Run the test with some settings changed (Settings is frozen: replace, then restore)."""
    original = app.config["OBSERVO_SETTINGS"]

    def apply(**changes: object) -> None:
        app.config["OBSERVO_SETTINGS"] = dataclasses.replace(original, **changes)

    yield apply
    app.config["OBSERVO_SETTINGS"] = original


@pytest.fixture
def inbox(configure: Callable[..., None]) -> Iterator[Inbox]:
    """A real local SMTP server the app mails to for the test (tests/mail_server.py)."""
    with smtp_server() as server:
        configure(smtp_url=server.url, mail_from="Observo <noreply@observo.example>")
        yield server


@pytest.fixture(autouse=True)
def cheap_password_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its lowest cost: the suite creates thousands of accounts and signs in as many times,
    at ~130 ms a hash at the production cost. Hashes and checks work alike; tests marked
    `real_password_cost` keep the production cost (tests/domain/test_credentials.py checks it)."""
    if request.node.get_closest_marker("real_password_cost") is None:
        cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        monkeypatch.setattr(credentials, "_hasher", cheap)
