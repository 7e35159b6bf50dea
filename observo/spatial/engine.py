"""Engine configuration per database: what each driver needs to behave like the other."""

from __future__ import annotations

import os
import re
import time
from contextvars import ContextVar
from typing import Any

import psycopg
import sqlalchemy as sa
from geoalchemy2.admin.dialects.sqlite import load_spatialite_driver

SPATIALITE_MODULE = "mod_spatialite"
# Set for a unit of work that will write (or append to the audit log) after reading: SQLite then
# begins with the write lock (BEGIN IMMEDIATE) instead of failing to upgrade a stale read snapshot.
write_intent: ContextVar[bool] = ContextVar("observo_write_intent", default=False)


def end_write_intent() -> None:
    """The unit of work's writes (its audit entry) are committed; what follows only reads.

    Later transactions of this request or command then begin deferred on SQLite, so a long read after
    the audit (a PDF rendering, an export streaming) does not hold the write lock that every other
    writer and accountable query waits for (docs/security.md, "Holding the chain"). Whoever set the
    intent still resets it with its token.
    """
    write_intent.set(False)


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


# What "the database cannot serve this now, retry later" looks like: the server is down, restarting
# or unreachable, a connection dropped mid-request, the pool has no connection to give, a writer
# holds SQLite's lock, a statement ran out of time.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.DisconnectionError,
    sa.exc.TimeoutError,
)
_SQLITE_BUSY = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED (primary result codes)


def is_database_busy(error: sa.exc.OperationalError) -> bool:
    """SQLite's busy timeout ran out while another connection held the lock."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_BUSY
    return str(error.orig).startswith(("database is locked", "database table is locked"))


def unavailability(error: BaseException) -> str | None:
    """The stable problem code of an error that means the database cannot serve now, else None."""
    if not isinstance(error, UNAVAILABLE_ERRORS):
        return None
    if isinstance(error, sa.exc.OperationalError):
        if is_statement_timeout(error):
            return "query_timeout"
        if is_database_busy(error):
            return "database_busy"
    return "service_unavailable"


def is_sqlite_url(url: str) -> bool:
    return url.startswith("sqlite")


# Error messages (and the tracebacks logged with them) leave out the statement's parameters: they
# carry case numbers, e-mail addresses and owners' contacts.
HIDE_PARAMETERS = True


def engine_options(
    url: str,
    statement_timeout_ms: int,
    *,
    connect_timeout_s: int = 5,
    pool_timeout_s: int = 30,
    sqlite_busy_timeout_ms: int = 15_000,
) -> dict[str, Any]:
    """Keyword arguments for create_engine()."""
    if is_sqlite_url(url):
        import pysqlite3.dbapi2 as pysqlite3  # the pyenv sqlite3 cannot load extensions

        return {
            "module": pysqlite3,
            "hide_parameters": HIDE_PARAMETERS,
            "pool_timeout": pool_timeout_s,
            "connect_args": {"timeout": sqlite_busy_timeout_ms / 1000},
        }
    # Short spatial queries: parallel workers and JIT cost more than they save (docs/architecture.md,
    # "Spatial backends").
    # UTC sessions: timestamps the database renders as JSON carry +00:00, as Python's do.
    options = (
        f"-c statement_timeout={statement_timeout_ms} -c jit=off -c max_parallel_workers_per_gather=0 "
        "-c timezone=UTC"
    )
    # Pre-ping: a connection the server dropped (restart, failover) is replaced, not handed out.
    return {
        "hide_parameters": HIDE_PARAMETERS,
        "pool_pre_ping": True,
        "pool_timeout": pool_timeout_s,
        "connect_args": {"connect_timeout": connect_timeout_s, "options": options},
    }


def install_hooks(engine: sa.Engine, statement_timeout_ms: int, sqlite_busy_timeout_ms: int = 15_000) -> None:
    """Per-connection setup that create_engine() options cannot express."""
    if engine.dialect.name == "sqlite":
        sa.event.listen(
            engine, "connect", lambda dbapi, record: _on_sqlite_connect(dbapi, record, sqlite_busy_timeout_ms)
        )
        sa.event.listen(engine, "begin", _on_sqlite_begin)
        _limit_sqlite_statements(engine, statement_timeout_ms / 1000)
    else:
        keep_prepared_statements(engine)


def keep_prepared_statements(engine: sa.Engine) -> None:
    """End PostgreSQL transactions that wrote nothing with COMMIT (see `_end_reads_by_commit`)."""
    if engine.dialect.name == "postgresql":
        sa.event.listen(engine, "begin", _start_reads_only)
        sa.event.listen(engine, "before_cursor_execute", _note_statement)
        sa.event.listen(engine, "rollback", _end_reads_by_commit)


_READS_ONLY = "observo_reads_only"  # Connection.info: the transaction has sent plain SELECTs only
# A SELECT that creates a table (SELECT ... INTO) is DDL: it goes the exact way, as any other statement.
_PLAIN_SELECT = re.compile(r"\s*SELECT\b(?!.*\bINTO\b)", re.IGNORECASE | re.DOTALL)


def _start_reads_only(connection: sa.Connection) -> None:
    connection.info[_READS_ONLY] = True


def _note_statement(connection: sa.Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    if connection.info.get(_READS_ONLY) and not _PLAIN_SELECT.match(statement):
        connection.info[_READS_ONLY] = False


def _end_reads_by_commit(connection: sa.Connection) -> None:
    """End a PostgreSQL transaction that wrote nothing with COMMIT instead of the ROLLBACK to come.

    psycopg forgets every prepared statement of a connection at each ROLLBACK, and every request
    ends its transaction that way (the session is closed at teardown). Statements were then never
    prepared, so PostgreSQL parsed and planned each one afresh on every request. A transaction
    that has no transaction id has written nothing (no row, no lock that outlives it, no DDL), so
    committing it changes nothing but keeps the prepared statements; the ROLLBACK that follows finds
    no transaction and is not sent (docs/performance.md, "Prepared statements"). The app sets no
    session-level setting inside a transaction, the one thing a COMMIT would keep and a ROLLBACK undo.
    """
    driver = connection.connection.dbapi_connection
    if driver is None or driver.info.transaction_status != psycopg.pq.TransactionStatus.INTRANS:
        return
    try:
        if connection.info.pop(_READS_ONLY, False):
            # Plain SELECTs only (the app's functions called by a SELECT write nothing; row locks end
            # either way): no need to ask, one round trip saved on every read-only request.
            driver.commit()
            return
        with driver.cursor() as cursor:
            written = cursor.execute("SELECT txid_current_if_assigned() IS NOT NULL").fetchone()
        if written is not None and not written[0]:
            driver.commit()
    except psycopg.Error:
        return  # the connection failed: the ROLLBACK that follows meets the error and discards it


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


def _on_sqlite_connect(dbapi_connection: Any, _record: Any, busy_timeout_ms: int) -> None:
    # Load SpatiaLite here, not in the user's shell; the path is a module name the loader resolves.
    os.environ.setdefault("SPATIALITE_LIBRARY_PATH", SPATIALITE_MODULE)
    load_spatialite_driver(dbapi_connection)
    # pysqlite opens transactions lazily and breaks SAVEPOINT: take over BEGIN ourselves
    # (the workaround documented by SQLAlchemy for the pysqlite driver).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    if cursor.execute("SELECT CheckSpatialMetaData()").fetchone()[0] == 0:
        # A new file: create SpatiaLite's metadata tables with the WGS84 family of SRIDs only.
        cursor.execute("SELECT InitSpatialMetaData(1, 'WGS84')")
    cursor.close()


def _on_sqlite_begin(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")
