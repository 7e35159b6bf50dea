"""Large imports in the background, on both databases, with the real runner thread (and, for a crash, a
real process): queued -> running (progress readable from elsewhere while the import's transaction is
open) -> succeeded, invalid or failed; the submitter re-checked when the job runs; a job whose process
died reads as failed, never as running forever. Every wait is on a condition, with a generous guard
against a hang, never a measure of time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from observo.domain import import_rows
from observo.extensions import db
from observo.jobs import background_imports
from observo.models import AuditEntry, Camera, ImportJob, User
from observo.services import audit, imports
from observo.services.actors import actor_for
from observo.settings import Settings
from observo.spatial import engine as engine_hooks
from tests import factories
from tests.conftest import app_on_own_database

GUARD_S = 120  # only against a hang
HEADER = "nome;tipo;titolare;direzione;portata;longitudine;latitudine;conservazione_ore;riferimento;note"


def municipal_csv(rows: int, prefix: str, owner: str = "bg-torino", bad_row: int | None = None) -> bytes:
    """A municipality's list as its spreadsheet saves it: `;`, decimal commas, Windows-1252, a column
    the registry does not map."""
    lines = [HEADER]
    for n in range(rows):
        lon, lat = f"{7.65 + (n % 40) * 0.0004:.6f}", f"{45.05 + (n // 40) * 0.0004:.6f}"
        retention = 9000 if n == bad_row else 168  # beyond a year: refused by the camera schema
        lines.append(
            f"Varco {n};fixed;{owner};{n * 7 % 360};40,5;{lon.replace('.', ',')};{lat.replace('.', ',')};"
            f"{retention};{prefix}-{n};palo è all'incrocio"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def wait_for(condition: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + GUARD_S
    while not (found := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting for {what} after {GUARD_S} s")
        time.sleep(0.05)
    return found


@pytest.fixture(scope="module")
def world(dialect: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    tmp = tmp_path_factory.mktemp(f"background_{dialect}")
    with app_on_own_database(dialect, tmp, "background_imports") as app:
        with app.app_context():
            owner = factories.org(db.session, "bg-torino")
            editor = factories.user(db.session, owner, "editor")
            demoted = factories.user(db.session, owner, "editor")
            ids = SimpleNamespace(owner=owner.id, editor=editor.id, demoted=demoted.id)
            db.session.remove()
        yield SimpleNamespace(app=app, tmp=tmp, dialect=dialect, **vars(ids))


def submit(
    app: Flask, user_id: int, data: bytes, start: bool = True, **request: Any
) -> background_imports.Ticket:
    """As the API will: submit in the request's transaction, commit, then hand the job to the runner
    (`start=False`: committed, its lease held, not started)."""
    intent = engine_hooks.write_intent.set(True)
    try:
        with app.app_context():
            actor = actor_for(db.session, db.session.get(User, user_id))
            options = import_rows.ImportOptions(owner="bg-torino")
            wanted = imports.ImportRequest(
                data, "telecamere.csv", "bg-torino", options=options, filename="telecamere.csv", **request
            )
            ticket = background_imports.submit(db.session, actor, wanted)
            if not start:
                db.session.commit()
            else:
                with ticket:
                    db.session.commit()
                    ticket.start()
            db.session.remove()
            return ticket
    finally:
        engine_hooks.write_intent.reset(intent)


def job_state(app: Flask, job_id: int) -> dict[str, Any]:
    """The job as GET /api/v1/imports/<id> will see it, from a request context of its own."""
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        state = {
            "status": job.status,
            "created": job.created,
            "errors": job.errors,
            "report": job.report,
            "failure": job.failure,
            "finished_at": job.finished_at,
            "has_payload": db.session.scalar(
                sa.select(ImportJob.payload.is_not(None)).where(ImportJob.id == job_id)
            ),
            "rows": (job.rows_done, job.rows_total),
            "live": background_imports.progress_document(job),
        }
        db.session.remove()
        return state


def finished(app: Flask, job_id: int) -> dict[str, Any] | None:
    state = job_state(app, job_id)
    return state if state["status"] not in background_imports.ACTIVE else None


def cameras_of(app: Flask, owner_id: int) -> int:
    with app.app_context(), db.engine.connect() as connection:  # committed rows only
        return connection.execute(sa.select(sa.func.count()).where(Camera.owner_id == owner_id)).scalar_one()


@pytest.fixture
def paused(monkeypatch) -> SimpleNamespace:
    """The import pauses in its progress callback once it has done `at` rows, until `go` is set."""
    pause = SimpleNamespace(at=40, reached=threading.Event(), go=threading.Event())
    real = imports.import_cameras

    def import_cameras(session, actor, request, progress=None):
        def report_then_wait(done: int) -> None:
            progress(done)
            if done >= pause.at and not pause.reached.is_set():
                pause.reached.set()
                assert pause.go.wait(GUARD_S), "the test never let the import go on"

        return real(session, actor, request, progress=report_then_wait)

    monkeypatch.setattr(imports, "import_cameras", import_cameras)
    monkeypatch.setattr(background_imports, "PROGRESS_EVERY_S", 0.0)
    return pause


def test_a_queued_import_runs_in_the_background_and_shows_its_progress(world, paused):
    before = cameras_of(world.app, world.owner)
    ticket = submit(world.app, world.editor, municipal_csv(120, "RUN"))
    assert paused.reached.wait(GUARD_S), "the import never reached its 40th row"

    running = job_state(world.app, ticket.job_id)
    assert running["status"] == "running" and running["live"]["status"] == "running"
    done, total = running["live"]["progress"]["rows_done"], running["live"]["progress"]["rows_total"]
    assert done >= 40 and total >= 120 and running["live"]["failure"] is None
    assert cameras_of(world.app, world.owner) == before  # the import's transaction is still open

    paused.go.set()
    result = wait_for(lambda: finished(world.app, ticket.job_id), "the job to finish")
    assert result["status"] == "succeeded" and result["created"] == 120 and result["errors"] == 0
    assert result["rows"] == (120, 120) and result["finished_at"] is not None and not result["has_payload"]
    assert result["live"] == {
        "status": "succeeded",
        "progress": {"rows_done": 120, "rows_total": 120},
        "failure": None,
    }
    assert cameras_of(world.app, world.owner) == before + 120
    with world.app.app_context():
        editor = db.session.get(User, world.editor)
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.request_id == f"import-job-{ticket.job_id}")
        ).all()
        assert {entry.action for entry in entries} == {"camera.create", "import.run"}
        assert {entry.actor_label for entry in entries} == {editor.email}
        assert audit.verify(db.session).intact
        db.session.remove()


def test_a_user_who_lost_the_right_to_import_meanwhile_makes_the_job_fail(world):
    before = cameras_of(world.app, world.owner)
    ticket = submit(world.app, world.demoted, municipal_csv(5, "LOST"), start=False)
    with world.app.app_context():
        db.session.get(User, world.demoted).role = "viewer"
        db.session.commit()
        db.session.remove()
    ticket.start()
    result = wait_for(lambda: finished(world.app, ticket.job_id), "the job to finish")
    assert result["status"] == "failed" and "editor" in result["failure"]
    assert cameras_of(world.app, world.owner) == before


def test_a_file_with_a_bad_row_ends_invalid_with_its_report_and_writes_nothing(world):
    before = cameras_of(world.app, world.owner)
    ticket = submit(world.app, world.editor, municipal_csv(30, "BAD", bad_row=7))
    result = wait_for(lambda: finished(world.app, ticket.job_id), "the job to finish")
    assert result["status"] == "invalid" and result["errors"] == 1
    assert '"row": 9' in result["report"]  # the eighth camera is on line 9: the header is line 1
    assert cameras_of(world.app, world.owner) == before


def test_the_same_idempotency_key_gives_the_same_job(world):
    data = municipal_csv(3, "KEY")
    first = submit(world.app, world.editor, data, idempotency_key="upload-77")
    again = submit(world.app, world.editor, data, idempotency_key="upload-77")
    assert again.replayed and again.job_id == first.job_id
    result = wait_for(lambda: finished(world.app, first.job_id), "the job to finish")
    assert result["status"] == "succeeded" and result["created"] == 3


def test_a_job_left_without_its_process_reads_as_failed_and_is_recorded_so(world):
    ticket = submit(world.app, world.editor, municipal_csv(3, "LEFT"), start=False)
    ticket.lease.release()  # what the end of its process does to the lease
    ticket.lease = None
    state = job_state(world.app, ticket.job_id)
    assert state["status"] == "queued"
    assert state["live"]["status"] == "failed" and state["live"]["failure"] == background_imports.INTERRUPTED
    with world.app.app_context():
        assert background_imports.recover_interrupted(db.session) >= 1
        db.session.commit()
        db.session.remove()
    state = job_state(world.app, ticket.job_id)
    assert state["status"] == "failed" and state["failure"] == background_imports.INTERRUPTED
    assert not state["has_payload"] and state["finished_at"] is not None


CRASHING_RUNNER = textwrap.dedent(
    """
    import os, sys, threading
    from observo.app import create_app
    from observo.domain import import_rows
    from observo.extensions import db
    from observo.models import User
    from observo.jobs import background_imports
    from observo.services import imports
    from observo.services.actors import actor_for
    from observo.settings import Settings
    from observo.spatial import engine

    marker, url, instance, user_id = sys.argv[1:5]
    settings = Settings(instance_path=instance, database_url=url, secret_key="test-secret", testing=True)
    app = create_app(settings)
    real = imports.import_cameras

    def import_cameras(session, actor, request, progress=None):
        def hang(done):
            progress(done)
            if done >= 20:
                open(marker, "w").write("paused")
                threading.Event().wait()  # until the process is killed

        return real(session, actor, request, progress=hang)

    imports.import_cameras = import_cameras
    background_imports.PROGRESS_EVERY_S = 0.0
    engine.write_intent.set(True)
    with app.app_context():
        actor = actor_for(db.session, db.session.get(User, int(user_id)))
        options = import_rows.ImportOptions(owner="bg-torino")
        data = sys.stdin.buffer.read()
        wanted = imports.ImportRequest(data, "csv", "bg-torino", options=options)
        ticket = background_imports.submit(db.session, actor, wanted)
        with ticket:
            db.session.commit()
            print(ticket.job.id, flush=True)
            ticket.start()
        db.session.remove()
    threading.Event().wait()
    """
)


def test_a_job_whose_process_is_killed_mid_import_reads_as_failed_and_wrote_nothing(world):
    before = cameras_of(world.app, world.owner)
    with world.app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    marker = world.tmp / f"paused-{os.getpid()}"
    marker.unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-c", CRASHING_RUNNER, str(marker), url, world.app.instance_path, str(world.editor)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        process.stdin.write(municipal_csv(80, "KILL"))
        process.stdin.close()
        job_id = int(process.stdout.readline())
        wait_for(marker.exists, "the other process to pause mid-import")
        running = job_state(world.app, job_id)
        assert running["live"]["status"] == "running" and running["live"]["progress"]["rows_done"] >= 20
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(GUARD_S)
    state = wait_for(
        lambda: (s := job_state(world.app, job_id))["live"]["status"] == "failed" and s,
        "the lease to end with the process",
    )
    assert state["status"] == "running"  # as the dead process left it; read as failed
    assert state["live"]["failure"] == background_imports.INTERRUPTED
    assert cameras_of(world.app, world.owner) == before
    with world.app.app_context():
        engine_hooks.write_intent.set(True)
        assert background_imports.recover_interrupted(db.session) >= 1
        db.session.commit()
        db.session.remove()
        engine_hooks.write_intent.set(False)
    assert job_state(world.app, job_id)["status"] == "failed"


def test_files_above_the_setting_go_to_the_background():
    limit = 2 * 1024 * 1024  # the default: the API's usual body limit
    assert not background_imports.runs_in_background(Settings(), b"x" * limit)
    assert background_imports.runs_in_background(Settings(), b"x" * (limit + 1))
    small = Settings.from_env({"OBSERVO_IMPORT_BACKGROUND_BYTES": "10"})
    assert not background_imports.runs_in_background(small, b"x" * 10)
    assert background_imports.runs_in_background(small, b"x" * 11)


def test_a_job_that_ends_between_two_reads_is_shown_ended_with_its_report(world):
    """A poll that read the job while it ran, then found it ended (the runner committed and let its lease
    go in between), shows the ended job with its counts: neither "interrupted" nor stale counts."""
    ticket = submit(world.app, world.editor, municipal_csv(3, "RACE"), start=False)
    with world.app.app_context():
        polled = db.session.get(ImportJob, ticket.job_id)  # the poll's transaction: it sees it queued
        assert polled.status == "queued"
        with world.app.app_context():  # meanwhile the runner ends the job and lets its lease go
            job = db.session.get(ImportJob, ticket.job_id)
            job.status, job.created, job.rows_done, job.rows_total = "succeeded", 3, 3, 3
            db.session.commit()
            db.session.remove()
        ticket.lease.release()
        ticket.lease = None
        job, live = background_imports.current(db.session, polled)
        assert live == {"status": "succeeded", "progress": {"rows_done": 3, "rows_total": 3}, "failure": None}
        assert job.status == "succeeded" and job.created == 3
        db.session.remove()
