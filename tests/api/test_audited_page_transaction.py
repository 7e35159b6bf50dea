"""An accountable query's page is read and rendered in the transaction that lands its audit entry
(http/responses.py, `committed_collection_response`; docs/performance.md, "Round trips per request").

Committing first, then rendering, costs a second checkout and transaction per request. What the
tests pin: the entry still lands with the answer, the page holds the cameras the entry counts, and no
statement reads the registry after the chain's head has moved.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from observo.extensions import db
from observo.models import AuditEntry
from tests import factories

REASON = "proc. pen. 77/2026"
P = factories.TURIN
AROUND_P = {
    "type": "Polygon",
    "coordinates": [
        [
            [P[0] - 0.001, P[1] - 0.001],
            [P[0] + 0.001, P[1] - 0.001],
            [P[0] + 0.001, P[1] + 0.001],
            [P[0] - 0.001, P[1] + 0.001],
            [P[0] - 0.001, P[1] - 0.001],
        ]
    ],
}


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    """The data statements (not savepoints) the requests send, in order."""
    with app.app_context():
        engine = db.engine
    sent: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:
        if statement.lstrip().split(None, 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "WITH"}:
            sent.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", record)
    yield sent
    sa.event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def police(session):
    town = factories.org(session, "torino", istat_code="001272")
    for step in range(3):
        factories.camera(session, town, P[0] + step * 0.0002, P[1], bearing_deg=90, range_m=80)
    return factories.headers_for(session, town, "viewer")


ASKED = [
    ("GET", f"/api/v1/cameras?sees={P[0] + 0.0004},{P[1]}&reason={REASON}", None, "query.sees"),
    ("GET", f"/api/v1/cameras?near={P[0]},{P[1]}&radius=100&reason={REASON}", None, "query.near"),
    ("GET", f"/api/v1/cameras/nearest?point={P[0]},{P[1]}&k=5&reason={REASON}", None, "query.nearest"),
    ("POST", "/api/v1/search", {"geometry": AROUND_P, "reason": REASON}, "query.search"),
]


@pytest.mark.parametrize(("method", "path", "body", "action"), ASKED, ids=[a[3] for a in ASKED])
def test_the_page_is_read_before_the_chain_moves(
    client, session, police, statements, method, path, body, action
) -> None:
    response = client.open(path, method=method, json=body, headers=police)
    sent = list(statements)
    assert response.status_code == 200, response.get_data(as_text=True)
    returned = len(response.json["features"])
    assert returned > 0  # a page with cameras: rendering it reads them

    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).one()
    assert entry.result_count == returned
    claimed, moved = _last(sent, "SET last_id"), _last(sent, "SET last_hash")
    # The head is claimed, the entry inserted and the head moved: nothing in between, nothing after.
    assert [sql.split(" ", 2)[:2] for sql in sent[claimed : moved + 1]] == [
        ["UPDATE", "audit_chain_head"],
        ["INSERT", "INTO"],
        ["UPDATE", "audit_chain_head"],
    ]
    assert sent[moved + 1 :] == []
    assert any("cameras" in sql for sql in sent[:claimed])


def _last(sent: list[str], change: str) -> int:
    return max(i for i, sql in enumerate(sent) if sql.startswith(f"UPDATE audit_chain_head {change}"))
