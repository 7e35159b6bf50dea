"""Transactions that wrote nothing end by COMMIT on PostgreSQL, so psycopg keeps the connection's
prepared statements (spatial/engine.py, `_end_reads_by_commit`; docs/performance.md). What must not
change: a transaction that wrote anything is still rolled back, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from observo.extensions import db
from observo.models import Organisation


@pytest.fixture
def engine(app: Flask) -> sa.Engine:
    with app.app_context():
        return db.engine


@pytest.fixture
def probe(engine: sa.Engine) -> Iterator[str]:
    """A table of its own, dropped afterwards."""
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE probe_rollback (x INTEGER)")
        connection.commit()
    yield "probe_rollback"
    with engine.connect() as connection:
        connection.exec_driver_sql("DROP TABLE probe_rollback")
        connection.commit()


def _rows(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT count(*) FROM probe_rollback").scalar_one()


def test_a_transaction_that_wrote_is_rolled_back(engine: sa.Engine, probe: str) -> None:
    with engine.connect() as connection:
        connection.exec_driver_sql("INSERT INTO probe_rollback VALUES (1)")
        connection.rollback()
        assert _rows(engine) == 0
        connection.exec_driver_sql("INSERT INTO probe_rollback VALUES (2)")  # a write, then reads
        connection.execute(sa.select(Organisation.id).limit(1)).all()
        connection.rollback()
        assert _rows(engine) == 0
        with connection.begin_nested():  # a write in a savepoint that was released
            connection.exec_driver_sql("INSERT INTO probe_rollback VALUES (3)")
        connection.rollback()
        assert _rows(engine) == 0
        connection.exec_driver_sql("INSERT INTO probe_rollback VALUES (4)")
        connection.commit()
    assert _rows(engine) == 1  # the probe sees committed rows: its zeros above mean something


def test_a_failed_transaction_is_rolled_back_and_the_connection_serves_on(
    engine: sa.Engine, probe: str
) -> None:
    with engine.connect() as connection:
        connection.exec_driver_sql("INSERT INTO probe_rollback VALUES (1)")
        with pytest.raises(sa.exc.DBAPIError):
            connection.exec_driver_sql("SELECT x FROM no_such_table")
        connection.rollback()
        assert connection.exec_driver_sql("SELECT count(*) FROM probe_rollback").scalar_one() == 0
        connection.rollback()


def test_reads_keep_their_prepared_statements(engine: sa.Engine, dialect: str) -> None:
    statement = sa.select(Organisation.id).where(Organisation.slug == sa.bindparam("slug"))
    with engine.connect() as connection:
        for attempt in range(8):  # psycopg prepares a statement at its fifth execution
            connection.execute(statement, {"slug": f"nobody-{attempt}"}).all()
            connection.rollback()
        if dialect == "postgis":
            prepared = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%organisations.slug%%'"
            ).scalar_one()
            assert prepared == 1
        else:
            assert connection.dialect.name == "sqlite"  # the driver keeps no server-side statements


def test_a_connection_lost_in_a_read_is_discarded_as_before(engine: sa.Engine, dialect: str) -> None:
    """The server drops the connection during a read: the end of the transaction reports a lost
    connection (SQLAlchemy's error, the connection invalidated), and the pool serves a fresh one."""
    if dialect != "postgis":
        assert engine.dialect.name == "sqlite"  # an embedded database: no connection to lose
        return
    with engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        with engine.connect() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
            other.commit()
        try:
            connection.rollback()
        except sa.exc.DBAPIError as error:
            assert error.connection_invalidated
        assert connection.invalidated or connection.closed or not connection.in_transaction()
    with engine.connect() as fresh:
        assert fresh.exec_driver_sql("SELECT 1").scalar_one() == 1


def test_a_select_that_creates_a_table_is_rolled_back(engine: sa.Engine, dialect: str, probe: str) -> None:
    """Plain SELECTs end by COMMIT without asking whether they wrote; a SELECT ... INTO is DDL."""
    creates = (
        "SELECT 5 AS x INTO probe_copy"
        if dialect == "postgis"
        else "CREATE TABLE probe_copy AS SELECT 5 AS x"  # SQLite has no SELECT ... INTO
    )
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT count(*) FROM probe_rollback").scalar_one()
        connection.exec_driver_sql(creates)
        connection.rollback()
    assert "probe_copy" not in sa.inspect(engine).get_table_names()


def test_the_transaction_knows_whether_it_sent_only_plain_selects(engine: sa.Engine, dialect: str) -> None:
    reads_only = "observo_reads_only"  # spatial/engine.py keeps it on PostgreSQL only
    with engine.connect() as connection:
        connection.execute(sa.select(Organisation.id).limit(1)).all()
        connection.exec_driver_sql("  select 1")
        if dialect == "postgis":
            assert connection.info[reads_only] is True
            connection.exec_driver_sql("SELECT 1 AS x INTO TEMP probe_temp")
            assert connection.info[reads_only] is False
            connection.rollback()
            connection.exec_driver_sql("WITH one AS (SELECT 1) SELECT * FROM one")  # not plain: asked
            assert connection.info[reads_only] is False
            connection.rollback()
            connection.exec_driver_sql("SELECT 1")  # a new transaction starts afresh
            assert connection.info[reads_only] is True
        else:
            assert reads_only not in connection.info  # SQLite ends transactions as it always did
        connection.rollback()
