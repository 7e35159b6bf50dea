"""No query outlives the statement timeout, on either database, and the API says so clearly."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa
from flask import Flask

from observo.app import create_app
from observo.http.route_policy import ANYONE, POLICY, Rule
from observo.spatial.engine import engine_options, install_hooks, is_statement_timeout

# A statement that runs for seconds on either database unless something stops it.
SLOW = {
    "postgresql": "SELECT pg_sleep(3)",
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) "
    "SELECT count(*) FROM n",
}


def _engine(app: Flask, timeout_ms: int) -> sa.Engine:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    engine = sa.create_engine(url, **engine_options(url, timeout_ms))
    install_hooks(engine, timeout_ms)
    return engine


def test_a_slow_statement_is_stopped_at_the_timeout(app: Flask) -> None:
    engine = _engine(app, 200)
    try:
        with engine.connect() as connection:
            with pytest.raises(sa.exc.OperationalError) as raised:
                connection.exec_driver_sql(SLOW[engine.dialect.name])
            assert is_statement_timeout(raised.value)
            connection.rollback()
            # The next statement on the same connection gets its own full allowance.
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        engine.dispose()


def test_a_query_stopped_by_the_timeout_answers_503_problem(app: Flask, monkeypatch) -> None:
    settings = dataclasses.replace(app.config["OBSERVO_SETTINGS"], statement_timeout_ms=100)
    impatient = create_app(settings)
    monkeypatch.setitem(POLICY, "slow", {"GET": Rule(ANYONE, "a route of this test only")})

    @impatient.get("/slow")
    def slow() -> str:
        from observo.extensions import db

        db.session.execute(sa.text(SLOW[db.engine.dialect.name]))
        return "finished"

    impatient.config["PROPAGATE_EXCEPTIONS"] = False
    with impatient.test_client() as client:
        response = client.get("/slow", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "query_timeout"
    assert response.headers["Retry-After"]
