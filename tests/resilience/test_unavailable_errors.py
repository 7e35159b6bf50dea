"""The error map: every SQLAlchemy error that means "the database cannot serve now" is a 503 with
Retry-After (problem+json on machine paths, a page on pages), and nothing else is.

The outage tests produce these errors for real; here each class is raised on purpose, so that the
classes a real outage happens not to raise (InterfaceError, DisconnectionError) are covered too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pysqlite3.dbapi2 as pysqlite3
import pytest
import sqlalchemy as sa
from flask import Flask

from observo.http.route_policy import ANYONE, POLICY, Rule
from tests.conftest import make_app

STATEMENT = "SELECT secret_column FROM cameras WHERE id = 1"
RAISED = {
    "operational": sa.exc.OperationalError(
        STATEMENT, {}, Exception("server closed the connection unexpectedly")
    ),
    "interface": sa.exc.InterfaceError(STATEMENT, {}, Exception("the connection is closed")),
    "disconnection": sa.exc.DisconnectionError("could not reconnect to 10.0.0.5"),
    "pool_timeout": sa.exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"),
    "locked": sa.exc.OperationalError(STATEMENT, {}, pysqlite3.OperationalError("database is locked")),
    "integrity": sa.exc.IntegrityError(STATEMENT, {}, Exception("duplicate key value")),
}
CODES = {"locked": "database_busy", "integrity": "internal_error"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("errors")
    raising = make_app(f"sqlite:///{tmp}/errors.sqlite", tmp)
    raising.config["PROPAGATE_EXCEPTIONS"] = False  # what a production client gets

    def fail(kind: str) -> str:
        raise RAISED[kind]

    raising.add_url_rule("/api/v1/failing/<kind>", "failing_api", fail)
    raising.add_url_rule("/failing/<kind>", "failing_page", fail)
    with pytest.MonkeyPatch.context() as patch:
        for endpoint in ("failing_api", "failing_page"):
            patch.setitem(POLICY, endpoint, {"GET": Rule(ANYONE, "a route of this test only")})
        yield raising


@pytest.mark.parametrize("kind", sorted(RAISED))
def test_api_paths_answer_problem_json(app: Flask, kind: str) -> None:
    response = app.test_client().get(f"/api/v1/failing/{kind}")
    body = response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert "secret_column" not in body and "Traceback" not in body
    assert response.json["code"] == CODES.get(kind, "service_unavailable")
    if kind == "integrity":  # a bug, not an outage: no invitation to retry
        assert response.status_code == 500 and "Retry-After" not in response.headers
    else:
        assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize("kind", sorted(set(RAISED) - {"integrity"}))
def test_pages_answer_a_readable_503_page(app: Flask, kind: str) -> None:
    response = app.test_client().get(f"/failing/{kind}")
    body = response.get_data(as_text=True)
    assert (response.status_code, response.mimetype) == (503, "text/html")
    assert int(response.headers["Retry-After"]) > 0
    assert "Servizio temporaneamente non disponibile" in body
    assert "secret_column" not in body and "Traceback" not in body


def test_a_page_asked_for_json_answers_problem_json(app: Flask) -> None:
    response = app.test_client().get("/failing/operational", headers={"Accept": "application/json"})
    assert (response.status_code, response.mimetype) == (503, "application/problem+json")
    assert response.json["code"] == "service_unavailable"
