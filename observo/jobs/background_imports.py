"""Large imports run in the background: the job goes queued -> running -> succeeded | invalid | failed.

Camera files (`submit`, services/imports.py) and obstacle layers (`submit_obstacles`,
services/obstacles.py: the file's obstacles, then the visible areas of the cameras they meet; its
progress counts those cameras) share the queue, the leases and the progress described below.

A file above `background_bytes(settings)` (OBSERVO_IMPORT_BACKGROUND_BYTES, default 2 MiB, the API's
usual body limit: some 20,000 municipal CSV rows or 4,000 OSM GeoJSON features, 10 to 20 s of work;
more would risk the proxy's 60 s timeout on a busy server) is not imported within the request.
`submit` checks the caller at once (the same 403/422 as a direct import), stores the job as `queued`
with the file, and takes the job's lease; once the request has committed, `Ticket.start` hands it to
this process's runner and the API answers 202 with the job's URL. The runner is one thread per
process taking jobs in turn (an import holds SQLite's only write lock anyway): its own app context
and session, the submitter re-resolved from the stored user (a user who lost the right meanwhile
makes the job fail), the audit context `start` is given (the submitting request's id and address;
by default `import-job-<id>`), and `imports.import_cameras` with a progress callback.

Progress, readable from any worker process by `progress_document` (GET /api/v1/imports/<id>):
- PostgreSQL: the job row's `rows_done`/`rows_total`, written by the lease's own connection in
  autocommit, outside the import's long transaction (which does not touch the row until it ends);
- SQLite: the import's transaction holds the database's only write lock, so nothing else can write
  the row meanwhile: progress goes to `<instance>/import-jobs/<id>.json` (replaced atomically), next
  to the database file, where every worker of the machine reads it.

A job whose process stopped (a restart, a crash, a killed worker) must not stay "running" forever:
its lease is a PostgreSQL advisory lock held by that connection, or an exclusive `flock` on
`<instance>/import-jobs/<id>.lock`; both end with the process. A queued or running job whose lease is
free was interrupted: the import's transaction died with it, so nothing was written, and the job reads
as `failed` ("interrupted ... upload the file again"); `recover_interrupted` records that in the row.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import queue
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from observo.domain import import_rows
from observo.domain.permissions import Actor
from observo.errors import Forbidden, InvalidInput, ObservoError
from observo.extensions import db
from observo.models import ImportJob, User
from observo.models.base import utcnow
from observo.models.import_job import CAMERAS, OBSTACLES
from observo.services import audit, imports, obstacles
from observo.services.actors import actor_for
from observo.services.import_report import ImportReport, dumps
from observo.settings import Settings
from observo.spatial import engine as engine_hooks

PROGRESS_EVERY_S = 0.5  # a progress write at most this often: the import's own pace is untouched
ACTIVE = ("queued", "running")
INTERRUPTED = (
    "interrupted: the server stopped while this import waited or ran, and nothing was written "
    "(its transaction was rolled back); upload the file again"
)
_LOCK_SPACE = 0x0B5E  # the first key of this module's PostgreSQL advisory locks; the job id the second
_DIRECTORY = "import-jobs"
logger = logging.getLogger(__name__)


def background_bytes(settings: Settings) -> int:
    """Files larger than this are imported in the background (OBSERVO_IMPORT_BACKGROUND_BYTES)."""
    return settings.import_background_bytes


def runs_in_background(settings: Settings, data: bytes) -> bool:
    return len(data) > background_bytes(settings)


# --- leases and progress ----------------------------------------------------------------------------


class _Lease:
    """Held by the process that will run the job, from before its submission commits to its end."""

    def write(self, rows_done: int, rows_total: int | None) -> None:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError


class _PostgresLease(_Lease):
    def __init__(self, engine: sa.Engine, job_id: int) -> None:
        self.job_id = job_id
        self.connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self.connection.execute(sa.select(sa.func.pg_advisory_lock(_LOCK_SPACE, job_id)))

    def write(self, rows_done: int, rows_total: int | None) -> None:
        values: dict[str, Any] = {"rows_done": rows_done}
        if rows_total is not None:
            values["rows_total"] = rows_total
        self.connection.execute(sa.update(ImportJob).where(ImportJob.id == self.job_id).values(**values))

    def release(self) -> None:
        with contextlib.suppress(sa.exc.DBAPIError):
            self.connection.execute(sa.select(sa.func.pg_advisory_unlock(_LOCK_SPACE, self.job_id)))
        self.connection.close()


class _FileLease(_Lease):
    def __init__(self, folder: Path, job_id: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.progress = folder / f"{job_id}.json"
        self.lock = os.open(folder / f"{job_id}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new job's lease: nobody holds it

    def write(self, rows_done: int, rows_total: int | None) -> None:
        scratch = self.progress.with_suffix(".tmp")
        scratch.write_text(json.dumps({"rows_done": rows_done, "rows_total": rows_total}))
        os.replace(scratch, self.progress)  # readers see the old figures or the new, never half

    def release(self) -> None:
        self.progress.unlink(missing_ok=True)
        os.close(self.lock)  # the lock file stays: removing it could let a reader lock a stale inode


def _take_lease(job_id: int) -> _Lease:
    engine = db.engine
    if engine.dialect.name == "postgresql":
        return _PostgresLease(engine, job_id)
    return _FileLease(_folder(), job_id)


def _folder() -> Path:
    from flask import current_app

    return Path(current_app.instance_path) / _DIRECTORY


def _lease_is_held(job_id: int) -> bool:
    """Whether a live process holds the job's lease (checked on the primary, or on this machine)."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            free = connection.execute(sa.select(sa.func.pg_try_advisory_lock(_LOCK_SPACE, job_id))).scalar()
            if free:
                connection.execute(sa.select(sa.func.pg_advisory_unlock(_LOCK_SPACE, job_id)))
            return not free
    path = _folder() / f"{job_id}.lock"
    try:
        handle = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(handle)  # closing drops the lock if we took it
    return False


@dataclass(frozen=True)
class Progress:
    status: str
    rows_done: int
    rows_total: int | None
    failure: str | None


def progress_of(job: ImportJob) -> Progress:
    """The job's status and progress as they are now, whichever process runs it (see the module doc)."""
    if job.status not in ACTIVE:
        return Progress(job.status, job.rows_done, job.rows_total, job.failure)
    found = _committed(job.id)
    if found.status not in ACTIVE:  # it ended since `job` was read
        return Progress(found.status, found.rows_done, found.rows_total, found.failure)
    rows_done, rows_total = found.rows_done, found.rows_total
    if db.engine.dialect.name != "postgresql":
        with contextlib.suppress(FileNotFoundError, ValueError):
            written = json.loads((_folder() / f"{job.id}.json").read_text())
            rows_done, rows_total = written["rows_done"], written["rows_total"] or rows_total
    if not _lease_is_held(job.id):
        # The runner lets the lease go right after its COMMIT: a job that ended between the two reads
        # is not an interrupted one.
        again = _committed(job.id)
        if again.status not in ACTIVE:
            return Progress(again.status, again.rows_done, again.rows_total, again.failure)
        return Progress("failed", rows_done, rows_total, INTERRUPTED)
    return Progress(found.status, rows_done, rows_total, None)


def _committed(job_id: int) -> Any:
    """The job's row as committed now, on a connection of its own: the caller's transaction may hold
    an older snapshot (SQLite keeps one per transaction), and a request's reads may go to a replica."""
    reading = engine_hooks.write_intent.set(False)  # SQLite: a deferred BEGIN, never waiting for a lock
    try:
        with db.engine.connect() as connection:
            return connection.execute(
                sa.select(
                    ImportJob.status, ImportJob.rows_done, ImportJob.rows_total, ImportJob.failure
                ).where(ImportJob.id == job_id)
            ).one()
    finally:
        engine_hooks.write_intent.reset(reading)


def current(session: Session, job: ImportJob) -> tuple[ImportJob, dict[str, Any]]:
    """The job and its progress document, consistent: a job that ended since it was read is read again
    (its counts and report were committed with its status)."""
    live = progress_document(job)
    if job.status in ACTIVE and live["status"] not in ACTIVE and live["failure"] != INTERRUPTED:
        session.commit()  # ends the snapshot that still saw it running; nothing else is pending here
        session.refresh(job)
        live = progress_document(job)
    return job, live


def progress_document(job: ImportJob) -> dict[str, Any]:
    """What GET /api/v1/imports/<id> adds to `job_document` (and overrides, for an interrupted job)."""
    now = progress_of(job)
    return {
        "status": now.status,
        "progress": {"rows_done": now.rows_done, "rows_total": now.rows_total},
        "failure": now.failure,
    }


def recover_interrupted(session: Session) -> int:
    """Record as failed every queued or running job whose process is gone; how many. Run it where a
    write is welcome (the runner does before each job; `observo` commands may at start)."""
    stuck = session.scalars(sa.select(ImportJob).where(ImportJob.status.in_(ACTIVE)))
    count = 0
    for job in list(stuck):
        if not _lease_is_held(job.id):
            _finish(job, "failed", failure=INTERRUPTED)
            count += 1
    return count


# --- submission -------------------------------------------------------------------------------------


@dataclass
class Ticket:
    """A submitted job and its lease. Commit the submission, then `start()`; leaving the `with` block
    without starting (the commit failed) releases the lease."""

    job: ImportJob
    job_id: int
    lease: _Lease | None
    app: Flask
    started: bool = False

    @property
    def replayed(self) -> bool:
        """An earlier job with the same Idempotency-Key: nothing new runs."""
        return self.lease is None

    def start(self, context: audit.RequestContext | None = None) -> None:
        """Hand the committed job to the runner. `context`: the request id and address its audit
        entries carry (the submitting request's; default `import-job-<id>`)."""
        if self.lease is None:
            return
        context = context or audit.RequestContext(f"import-job-{self.job_id}")
        runner_for(self.app).enqueue(self.job_id, self.lease, context)
        self.started = True

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, *_exc: object) -> None:
        if not self.started and self.lease is not None:
            self.lease.release()
            self.lease = None


def submit(session: Session, actor: Actor, request: imports.ImportRequest) -> Ticket:
    """Queue `request` for the background; the same refusals a direct import gives at once.

    The file is kept in the job (`payload`) until it has run. A request with an Idempotency-Key already
    seen gives a ticket for that job, and nothing new runs.
    """
    from flask import current_app

    owner_id = imports.import_owner(session, actor, request.owner_slug)
    if actor.user_id is None:
        raise Forbidden("a background import runs for a user account: sign in or use a user's token")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if request.idempotency_key:
        earlier = session.scalars(
            sa.select(ImportJob)
            .where(
                ImportJob.kind == CAMERAS,
                ImportJob.created_by_label == actor.label,
                ImportJob.idempotency_key == request.idempotency_key,
            )
            .order_by(ImportJob.id.desc())
        ).first()
        if earlier is not None:
            return Ticket(earlier, earlier.id, None, app)
    file_format = import_rows.detect_format(request.data, request.filename_or_format)
    job = ImportJob(
        kind=CAMERAS,
        sha256=hashlib.sha256(request.data).hexdigest(),
        owner_id=owner_id,
        format=file_format,
        dry_run=request.dry_run,
        status="queued",
        skip_invalid=request.options.skip_invalid,
        report="[]",
        options=json.dumps(_options_document(request, file_format), sort_keys=True, ensure_ascii=False),
        rows_total=_estimated_rows(request.data, file_format),
        rows_done=0,
        payload=request.data,
        filename=(request.filename or "")[:255] or None,
        idempotency_key=request.idempotency_key,
        created_by_id=actor.user_id,
        created_by_label=actor.label,
    )
    return _queue(session, job, app)


def submit_obstacles(
    session: Session,
    actor: Actor,
    data: bytes,
    file_name: str,
    organisation: str,
    source: str | None,
    crs: str | None,
) -> Ticket:
    """Queue an obstacle layer for the background (services/obstacles.import_obstacles): the caller's
    right to change the organisation's layers is checked at once (403/422), the file when it runs."""
    from flask import current_app

    owner = obstacles.writable_organisation(session, actor, organisation)
    if actor.user_id is None:
        raise Forbidden("a background import runs for a user account: sign in or use a user's token")
    options = {"organization": owner.slug, "source": source, "crs": crs}
    job = ImportJob(
        kind=OBSTACLES,
        sha256=hashlib.sha256(data).hexdigest(),
        owner_id=owner.id,
        format="obstacles",
        dry_run=False,
        status="queued",
        report="[]",
        options=json.dumps(options, sort_keys=True, ensure_ascii=False),
        rows_total=None,  # the cameras whose views the layer changes: known once it is written
        rows_done=0,
        payload=data,
        filename=(file_name or "")[:255] or None,
        created_by_id=actor.user_id,
        created_by_label=actor.label,
    )
    return _queue(session, job, current_app._get_current_object())  # type: ignore[attr-defined]


def _queue(session: Session, job: ImportJob, app: Flask) -> Ticket:
    session.add(job)
    session.flush()
    return Ticket(job, job.id, _take_lease(job.id), app)


def _options_document(request: imports.ImportRequest, file_format: str) -> dict[str, Any]:
    """What the runner needs to rebuild the request (the file aside)."""
    options = request.options
    return {
        "format": file_format,
        "owner": request.owner_slug,
        "key": options.key,
        "skip_invalid": options.skip_invalid,
        "crs": options.crs,
        "encoding": options.encoding,
        "map": dict(sorted(options.column_map.items())),
    }


def _estimated_rows(data: bytes, file_format: str) -> int:
    """A first guess for the progress bar (lines of text, Features, nodes); the run gives the truth."""
    if file_format == "csv":
        return max(data.count(b"\n") - 1, 1)
    return max(data.count(b'"Feature"'), data.count(b"<node"), data.count(b'"node"'), 1)


def _request_of(job: ImportJob) -> imports.ImportRequest:
    document = json.loads(job.options or "{}")
    options = import_rows.ImportOptions(
        owner=document.get("owner"),
        column_map=document.get("map", {}),
        crs=document.get("crs"),
        key=document.get("key", "auto"),
        skip_invalid=document.get("skip_invalid", False),
        encoding=document.get("encoding"),
    )
    # The Idempotency-Key stays with the queued job (a repeated POST finds it); the run needs none.
    assert job.payload is not None
    return imports.ImportRequest(
        job.payload,
        document.get("format", job.format),
        document.get("owner"),
        job.dry_run,
        None,
        options,
        job.filename,
        job_id=job.id,
    )


# --- the runner -------------------------------------------------------------------------------------


@dataclass
class _Queued:
    job_id: int
    lease: _Lease
    context: audit.RequestContext


@dataclass
class ImportRunner:
    """One thread per process and app, running the queued jobs one after the other."""

    app: Flask
    run_import: Callable[..., ImportReport] = field(
        default=lambda *args, **kwargs: imports.import_cameras(*args, **kwargs)
    )
    jobs: queue.Queue[_Queued] = field(default_factory=queue.Queue)
    thread: threading.Thread | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def enqueue(self, job_id: int, lease: _Lease, context: audit.RequestContext) -> None:
        self.jobs.put(_Queued(job_id, lease, context))
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._work, name="observo-imports", daemon=True)
                self.thread.start()

    def _work(self) -> None:
        while True:
            queued = self.jobs.get()
            try:
                self._run(queued)
            except Exception:  # never let one job stop the thread that runs the others
                logger.exception("background import %s", queued.job_id)
            finally:
                queued.lease.release()
                self.jobs.task_done()

    def _run(self, queued: _Queued) -> None:
        intent = engine_hooks.write_intent.set(True)  # SQLite: the run begins with the write lock
        try:
            with self.app.app_context(), audit.bound(queued.context):
                try:
                    self._import(queued)
                finally:
                    db.session.remove()
        finally:
            engine_hooks.write_intent.reset(intent)

    def _import(self, queued: _Queued) -> None:
        session = db.session
        job = session.get(ImportJob, queued.job_id)
        if job is None or job.status != "queued":
            return
        user = session.get(User, job.created_by_id) if job.created_by_id is not None else None
        actor = actor_for(session, user)
        request = _request_of(job) if job.kind == CAMERAS else None
        job.status = "running"
        recover_interrupted(session)  # jobs of a process that stopped: ours holds its lease
        session.commit()  # short: the row is free again before the import's long transaction begins
        tracker = _Tracker(queued.lease, job.rows_total)
        if job.kind == OBSTACLES:
            return _import_obstacles(session, actor, queued.job_id, tracker)
        try:
            report = self.run_import(session, actor, request, progress=tracker.update)
        except imports.ImportRefused as refused:
            session.rollback()
            _fill(session.get(ImportJob, queued.job_id), refused.report, "invalid")
        except ObservoError as error:  # the user lost the right to import, or to write for the owner
            session.rollback()
            _finish(session.get(ImportJob, queued.job_id), "failed", failure=error.detail)
        except Exception:
            session.rollback()
            _finish(
                session.get(ImportJob, queued.job_id),
                "failed",
                failure="an internal error stopped the import",
            )
            session.commit()
            raise
        else:
            job = session.get(ImportJob, queued.job_id)
            assert job is not None and report.job is not None
            _adopt(job, report)
        session.commit()


def _import_obstacles(session: Session, actor: Actor, job_id: int, tracker: _Tracker) -> None:
    """Run a queued obstacle layer: the job ends succeeded (`summary`: the import's document), invalid
    (`report`: the file's problems; nothing written) or failed."""
    job = session.get(ImportJob, job_id)
    assert job is not None and job.payload is not None
    options = json.loads(job.options or "{}")
    try:
        result = obstacles.import_obstacles(
            session,
            actor,
            job.payload,
            job.filename or "",
            options["organization"],
            options.get("source"),
            options.get("crs"),
            progress=tracker.update_of,
        )
    except InvalidInput as refused:
        session.rollback()
        job = session.get(ImportJob, job_id)
        if job is not None:
            job.errors = len(refused.issues)
            job.report = json.dumps(obstacles.issue_documents(refused.issues), ensure_ascii=False)
            _finish(job, "invalid", failure=refused.detail)
    except ObservoError as error:  # the user lost the right to change the layer
        session.rollback()
        _finish(session.get(ImportJob, job_id), "failed", failure=error.detail)
    except Exception:
        session.rollback()
        _finish(session.get(ImportJob, job_id), "failed", failure="an internal error stopped the import")
        session.commit()
        raise
    else:
        job = session.get(ImportJob, job_id)
        assert job is not None
        job.created = sum(result.counts.values())
        job.updated = result.cameras_recomputed
        job.summary = json.dumps(result.document(), ensure_ascii=False)
        job.rows_total = job.rows_done = result.cameras_recomputed
        _finish(job, "succeeded")
    session.commit()


@dataclass
class _Tracker:
    """The progress callback: rows done, written through the lease at most every PROGRESS_EVERY_S."""

    lease: _Lease
    rows_total: int | None
    last: float = 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_S:
            self.last = now
            self.lease.write(done, max(self.rows_total or 0, done))

    def update_of(self, done: int, total: int) -> None:
        """For a run that learns its total as it goes (an obstacle layer's cameras)."""
        self.rows_total = total
        self.update(done)


def _finish(job: ImportJob | None, status: str, *, failure: str | None = None) -> None:
    if job is None:
        return
    job.status, job.failure, job.finished_at, job.payload = status, failure, utcnow(), None


def _fill(job: ImportJob | None, report: ImportReport, status: str) -> None:
    """The job's columns from a run's report (a refused run stored no job of its own)."""
    if job is None:
        return
    counts = report.counts
    job.created, job.updated, job.unchanged = counts["created"], counts["updated"], counts["unchanged"]
    job.skipped, job.errors = counts["skipped"], counts["errors"]
    job.report = dumps(report.errors.items)
    job.warnings = dumps(report.warnings.items)
    job.summary = dumps(report.summary_document())
    job.rows_total = job.rows_done = report.rows_read
    _finish(job, status)


def _adopt(job: ImportJob, report: ImportReport) -> None:
    """The outcome of a run that stored its own job row (`imports.import_cameras`), or of the earlier
    import it replayed, copied into the queued job."""
    stored = report.job
    assert stored is not None
    for name in (
        "status",
        "created",
        "updated",
        "unchanged",
        "skipped",
        "errors",
        "report",
        "warnings",
        "summary",
    ):
        setattr(job, name, getattr(stored, name))
    job.rows_total = job.rows_done = stored.rows_done if report.already_imported else report.rows_read
    _finish(job, stored.status)


_RUNNERS: weakref.WeakKeyDictionary[Flask, ImportRunner] = weakref.WeakKeyDictionary()
_RUNNERS_LOCK = threading.Lock()


def runner_for(app: Flask) -> ImportRunner:
    with _RUNNERS_LOCK:
        if app not in _RUNNERS:
            _RUNNERS[app] = ImportRunner(app)
        return _RUNNERS[app]
