"""Engine configuration per database: what each driver needs to behave like the other."""

from __future__ import annotations

import os
import time
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa
from geoalchemy2.admin.dialects.sqlite import load_spatialite_driver

SPATIALITE_MODULE = "mod_spatialite"
# Set for a unit of work that will write (or append to the audit log) after reading: SQLite then
# begins with the write lock (BEGIN IMMEDIATE) instead of failing to upgrade a stale read snapshot.
write_intent: ContextVar[bool] = ContextVar("observo_write_intent", default=False)

QUERY_CANCELED = "57014"  # PostgreSQL's query_canceled


def is_statement_timeout(error: sa.exc.OperationalError) -> bool:
    """A statement stopped by the time limit (PostgreSQL's statement_timeout, SQLite's handler).

    PostgreSQL reports SQLSTATE 57014 for every cancelled statement; with a very short limit the
    timer can fire between statements and the cancel is then reported "due to user request", so
    the code, not the message, decides.
    """
    if getattr(error.orig, "sqlstate", None) == QUERY_CANCELED:
        return True
    text = str(error.orig)
    return "statement timeout" in text or text == "interrupted"


def is_sqlite_url(url: str) -> bool:
    return url.startswith("sqlite")


def engine_options(url: str, statement_timeout_ms: int) -> dict[str, Any]:
    """Keyword arguments for create_engine()."""
    if is_sqlite_url(url):
        import pysqlite3.dbapi2 as pysqlite3  # the pyenv sqlite3 cannot load extensions

        return {"module": pysqlite3, "connect_args": {"timeout": 15}}
    # Short spatial queries: parallel workers and JIT cost more than they save (DESIGN pitfalls).
    # UTC sessions: timestamps the database renders as JSON carry +00:00, as Python's do.
    options = (
        f"-c statement_timeout={statement_timeout_ms} -c jit=off -c max_parallel_workers_per_gather=0 "
        "-c timezone=UTC"
    )
    return {
        "pool_pre_ping": True,
        "connect_args": {"connect_timeout": 5, "options": options},
    }


def install_hooks(engine: sa.Engine, statement_timeout_ms: int) -> None:
    """Per-connection setup that create_engine() options cannot express."""
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        sa.event.listen(engine, "begin", _on_sqlite_begin)
        _limit_sqlite_statements(engine, statement_timeout_ms / 1000)


def _limit_sqlite_statements(engine: sa.Engine, limit_s: float) -> None:
    """SQLite has no statement_timeout: a progress handler interrupts a statement that runs too long.

    The handler runs every few thousand virtual-machine steps and aborts the statement (SQLite
    raises "interrupted", an OperationalError) once it has run `limit_s` seconds.
    """

    def on_connect(dbapi_connection: Any, record: Any) -> None:
        started = record.info["statement_started"] = [time.monotonic()]
        dbapi_connection.set_progress_handler(lambda: int(time.monotonic() - started[0] > limit_s), 10_000)

    def before_execute(conn: sa.Connection, *_args: Any) -> None:
        started = conn.info.get("statement_started")
        if started is not None:
            started[0] = time.monotonic()

    sa.event.listen(engine, "connect", on_connect)
    sa.event.listen(engine, "before_cursor_execute", before_execute)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Load SpatiaLite here, not in the user's shell; the path is a module name the loader resolves.
    os.environ.setdefault("SPATIALITE_LIBRARY_PATH", SPATIALITE_MODULE)
    load_spatialite_driver(dbapi_connection)
    # pysqlite opens transactions lazily and breaks SAVEPOINT: take over BEGIN ourselves
    # (the workaround documented by SQLAlchemy for the pysqlite driver).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 15000")
    if cursor.execute("SELECT CheckSpatialMetaData()").fetchone()[0] == 0:
        # A new file: create SpatiaLite's metadata tables with the WGS84 family of SRIDs only.
        cursor.execute("SELECT InitSpatialMetaData(1, 'WGS84')")
    cursor.close()


def _on_sqlite_begin(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")
