"""Issue 15, class 10: no request holds the audit chain (or SQLite's write lock) longer than its INSERT.

A brief whose PDF renders slowly, an API export consumed slowly and an `observo export` whose reader
stops reading are each held mid-way (events, a full pipe); meanwhile a `sees` query of another
officer must be answered 200 with its audit entry committed. Before, the brief and the CLI export held
the chain's head row (PostgreSQL) or the write lock (SQLite) until they finished, and the `sees` query
waited for them until its own time ran out (503). The waits below are guards against a hang, never
measures of speed: the outcome is decided by what happened while the slow work was still in progress.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
import weasyprint
from flask import Flask

from observo.extensions import db
from observo.models import AuditEntry
from observo.web import brief
from tests import factories
from tests.conftest import app_on_own_database, own_database_name
from tests.web.test_brief import brief_url, build_plan

GUARD_S = 120  # only against a hang: every wait below ends by an event long before
CAMERAS = 60  # enough GeoJSON to fill a pipe, so a stopped reader stops the export mid-way
F_SETPIPE_SZ = 1031  # Linux fcntl: a pipe's capacity
OBSERVO = Path(sys.executable).parent / "observo"


@pytest.fixture
def served(dialect: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SimpleNamespace]:
    """An app on its own database (waits for locks end after 5 s: a 503, not a hang), with a
    confirmed plan, more cameras, and a viewer's token for `sees` queries."""
    name = own_database_name("holding_", request)
    timeouts = {"statement_timeout_ms": 5_000, "sqlite_busy_timeout_ms": 5_000}
    with app_on_own_database(dialect, tmp_path, name, **timeouts) as app:
        with app.app_context():  # not pushed during the test: each request pushes its own
            plan = build_plan(db.session)
            lead = plan["orgs"]["trofarello"]
            for n in range(CAMERAS):
                factories.camera(db.session, lead, *factories.TURIN, name=f"Varco {n}", visibility="shared")
            reader = factories.auth(factories.token(db.session, plan["editor"]))
            viewer = factories.auth(factories.token(db.session, factories.user(db.session, lead, "viewer")))
            pdf_url = brief_url(plan, f="pdf")
        yield SimpleNamespace(app=app, pdf_url=pdf_url, reader=reader, viewer=viewer, tmp=tmp_path)


def sees(app: Flask, headers: dict[str, str]) -> Any:
    lon, lat = factories.TURIN
    url = f"/api/v1/cameras?sees={lon},{lat}&reason=Fascicolo+7%2F2026+furto"
    return app.test_client().get(url, headers=headers)


def committed_entry(app: Flask, request_id: str, action: str) -> int | None:
    """The id of a request's entry, read on a connection of its own: it is there only once committed."""
    where = (AuditEntry.request_id == request_id, AuditEntry.action == action)
    with app.app_context(), db.engine.connect() as connection:
        return connection.execute(sa.select(AuditEntry.id).where(*where)).scalar_one_or_none()


def assert_answered_and_logged(app: Flask, response: Any) -> int:
    """The `sees` query was answered and its entry committed: its id."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    entry_id = committed_entry(app, response.headers["X-Request-ID"], "query.sees")
    assert entry_id is not None
    return entry_id


def test_a_slow_pdf_brief_does_not_hold_up_a_sees_query(served, monkeypatch):
    rendering, release = threading.Event(), threading.Event()

    class SlowHTML(weasyprint.HTML):
        def write_pdf(self, *args: Any, **kwargs: Any) -> bytes:
            rendering.set()
            assert release.wait(GUARD_S)
            return super().write_pdf(*args, **kwargs)

    monkeypatch.setattr(brief, "load_weasyprint", lambda: SimpleNamespace(HTML=SlowHTML))
    answers: dict[str, Any] = {}

    def read_brief() -> None:
        try:
            answers["brief"] = served.app.test_client().get(served.pdf_url, headers=served.reader)
        finally:
            rendering.set()  # wakes the test at once if the brief failed before rendering

    reader = threading.Thread(target=read_brief)
    reader.start()
    try:
        assert rendering.wait(GUARD_S) and reader.is_alive(), answers
        answered = sees(served.app, served.viewer)  # while the PDF is still rendering
        assert reader.is_alive() and not release.is_set()
        logged = assert_answered_and_logged(served.app, answered)
    finally:
        release.set()
        reader.join(GUARD_S)
    pdf = answers["brief"]
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert committed_entry(served.app, pdf.headers["X-Request-ID"], "intervention.brief") < logged


def test_an_api_export_consumed_slowly_does_not_hold_up_a_sees_query(served):
    client = served.app.test_client()
    response = client.get(
        "/api/v1/exports?f=geojson&reason=Fascicolo+7%2F2026", headers=served.reader, buffered=False
    )
    assert response.status_code == 200
    chunks = iter(response.response)
    received = next(chunks)
    while '"Feature"' not in (received if isinstance(received, str) else received.decode()):
        received = next(chunks)  # the cameras are being read: the export's transaction is open
    try:
        logged = assert_answered_and_logged(served.app, sees(served.app, served.viewer))
    finally:
        rest = list(chunks)
        response.close()
    assert rest and committed_entry(served.app, response.headers["X-Request-ID"], "export.geojson") < logged


def test_a_cli_export_whose_reader_stops_does_not_hold_up_a_sees_query(served):
    settings = served.app.config["OBSERVO_SETTINGS"]
    environment = {
        **os.environ,
        "OBSERVO_DATABASE_URL": settings.database_url,
        "OBSERVO_INSTANCE_PATH": str(served.tmp),  # the same audit key and checkpoint folder
        "OBSERVO_LOG_LEVEL": "WARNING",
    }
    export = subprocess.Popen(
        [str(OBSERVO), "export", "--format", "geojson", "--reason", "Fascicolo 7/2026 esportazione"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    )
    try:
        fcntl.fcntl(export.stdout.fileno(), F_SETPIPE_SZ, 4096)  # a small pipe fills at once
        first = export.stdout.read(64)  # the export has begun writing: its audit entry is committed
        assert first.startswith(b'{"type":"FeatureCollection"')
        logged = assert_answered_and_logged(served.app, sees(served.app, served.viewer))
        assert export.poll() is None  # still in progress: blocked on the full pipe
        rest = export.stdout.read()
    finally:
        export.stdout.close()
        stderr = export.stderr.read().decode()
        export.wait(GUARD_S)
    assert export.returncode == 0, stderr
    assert f"{CAMERAS + 3} cameras exported" in stderr and rest.endswith(b"]}")
    with served.app.app_context():
        exported = db.session.scalar(sa.select(AuditEntry.id).where(AuditEntry.action == "export.geojson"))
    assert exported < logged  # logged before the first byte left
