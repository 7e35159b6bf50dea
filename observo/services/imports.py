"""Bulk import of cameras: check every row, write all of them or none (or, on request, the valid ones),
and remember what was imported and what the report said.

The rows are read by the file's reader (`domain.import_rows`) and written by `import_run.ImportRun`,
all inside one SAVEPOINT. A dry run rolls it back; so does a run with any refused row, unless
`skip_invalid` asks to keep the valid rows (then the refused ones are listed, in the same job and the
same audit entry). A run whose every row is refused writes nothing in either mode. A key (the owner's
`ref`, an OSM node, an Observo id, a position: `import_keys`) makes a re-import update the camera it
finds, and only when something differs. A file already imported for the same owner with the same
options (SHA-256) is not imported again, even when both uploads arrive at once (they queue on a
transaction-scoped lock, `SpatialBackend.lock_for_transaction`); neither is a request whose
Idempotency-Key was seen.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain import import_rows
from observo.domain.permissions import Actor, can_write_for
from observo.errors import FieldIssue, Forbidden, InvalidInput, NotFound
from observo.models import ImportJob
from observo.models.base import utcnow
from observo.models.import_job import CAMERAS
from observo.services import audit
from observo.services.import_report import ImportReport, dumps, job_document
from observo.services.import_run import ImportRun
from observo.services.organisations import nameable_organisation
from observo.spatial.base import session_backend

__all__ = ["ImportRefused", "ImportReport", "ImportRequest", "import_cameras", "job_document", "readable_job"]


class ImportRefused(InvalidInput):
    """A real run that wrote nothing because of its rows' problems; `report` holds the whole report."""

    def __init__(self, detail: str, report: ImportReport) -> None:
        issues = [
            FieldIssue(f"/rows/{item['row']}/{item['field']}", item["code"], item["message"])
            for item in report.problems
        ]
        super().__init__(detail, issues)
        self.report = report


@dataclass(frozen=True)
class ImportRequest:
    data: bytes
    filename_or_format: str  # a format name (import_rows.FORMATS), else the file name or media type
    owner_slug: str | None = None
    dry_run: bool = False
    idempotency_key: str | None = None
    options: import_rows.ImportOptions = field(default_factory=import_rows.ImportOptions)
    filename: str | None = None  # as uploaded, for the job
    job_id: int | None = None  # a job queued for the background (`background_imports`): filled in, not added


def import_cameras(
    session: Session,
    actor: Actor,
    request: ImportRequest,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import (or dry-run) a file. A real run that writes nothing for its rows' problems raises
    ImportRefused after rolling back."""
    started = utcnow()
    owner_id = import_owner(session, actor, request.owner_slug)
    file_format = import_rows.detect_format(request.data, request.filename_or_format)
    options = _options(request, file_format)
    digest = hashlib.sha256(request.data).hexdigest()
    report = ImportReport(file_format, digest, request.dry_run, request.options.skip_invalid)
    _queue_same_imports(session, actor, request, digest, owner_id, options)
    previous = _previous_job(session, actor, request, digest, owner_id, options)
    if previous is not None:
        report.job, report.already_imported = previous, True
        return report
    savepoint = session.begin_nested()
    run_options = dataclasses.replace(request.options, owner=request.owner_slug)
    ImportRun(session, actor, run_options, report).run(request.data, progress)
    refused = bool(report.refused_rows) and (not report.skip_invalid or report.all_refused)
    if request.dry_run or refused:
        savepoint.rollback()
        session.expunge_all()
    else:
        savepoint.commit()
    if refused and not request.dry_run:
        raise ImportRefused(_refusal(report), report)
    report.job = _store_job(session, actor, request, report, owner_id, options, started)
    return report


def _refusal(report: ImportReport) -> str:
    if report.all_refused:
        rows, problems = len(report.refused_rows), report.errors.total
        return f"every row was refused ({rows} rows, {problems} problems): nothing was imported"
    return (
        f"{report.errors.total} problems in {len(report.refused_rows)} rows: nothing was imported "
        "(fix them, or import with skip_invalid to write the valid rows)"
    )


def _options(request: ImportRequest, file_format: str) -> str:
    """The options a replay must share, as canonical JSON (the owner is compared on its own)."""
    options = request.options
    document = {
        "format": file_format,
        "key": options.key,
        "skip_invalid": options.skip_invalid,
        "crs": options.crs,
        "encoding": options.encoding,
        "map": dict(sorted(options.column_map.items())),
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


def import_owner(session: Session, actor: Actor, slug: str | None) -> int | None:
    """Only editors and admins import; an owner given must be one the caller writes for. One it may
    not see is the same 422 as an unknown slug; one it sees but may not write for is a 403."""
    if not (actor.is_admin or actor.role == "editor"):
        raise Forbidden("importing cameras needs an editor or an administrator")
    if slug is None:
        return None
    owner = nameable_organisation(session, actor, slug, "/owner")
    if not can_write_for(actor, owner.id):
        raise Forbidden(f"you may not import cameras for {slug!r}")
    return owner.id


def _queue_same_imports(
    session: Session, actor: Actor, request: ImportRequest, digest: str, owner_id: int | None, options: str
) -> None:
    """Uploads of the same file for the same owner and options, or with the same key, wait here for each
    other.

    Without it two concurrent uploads both find no earlier job and both import (PostgreSQL's READ
    COMMITTED); with it the later one finds the job the first committed, and replays it.
    """
    options_digest = hashlib.sha256(options.encode()).hexdigest()[:16]
    names = [f"import:file:{owner_id}:{digest}:{options_digest}"] if not request.dry_run else []
    if request.idempotency_key:
        names.append(f"import:key:{actor.label}:{request.idempotency_key}")
    if names:
        session_backend(session).lock_for_transaction(session, names)


def _previous_job(
    session: Session, actor: Actor, request: ImportRequest, digest: str, owner_id: int | None, options: str
) -> ImportJob | None:
    if request.idempotency_key:
        stmt = sa.select(ImportJob).where(
            ImportJob.kind == CAMERAS,
            ImportJob.created_by_label == actor.label,
            ImportJob.idempotency_key == request.idempotency_key,
        )
        found = session.scalars(stmt.order_by(ImportJob.id.desc())).first()
        if found is not None:
            return found
    if request.dry_run:
        return None
    # Only a job the caller may read is replayed: another organisation's import of the same file
    # (no owner given, rows naming their owners) is not "already imported" for it (docs/security.md).
    # The same file with other options (a column map, a CRS, a key...) is another import.
    file_format = json.loads(options)["format"]
    stmt = sa.select(ImportJob).where(
        ImportJob.kind == CAMERAS,
        ImportJob.sha256 == digest,
        ImportJob.owner_id.is_(None) if owner_id is None else ImportJob.owner_id == owner_id,
        ImportJob.status == "succeeded",
        _same_options(options, file_format),
        readable_jobs(actor),
    )
    return session.scalars(stmt.order_by(ImportJob.id.desc())).first()


def _same_options(options: str, file_format: str) -> sa.ColumnElement[bool]:
    """Jobs run with these options; jobs from before options were kept ran with the defaults."""
    defaults = _options(ImportRequest(b"", file_format), file_format)
    if options != defaults:
        return ImportJob.options == options
    return sa.or_(ImportJob.options == options, ImportJob.options.is_(None))


def _status(report: ImportReport) -> str:
    if not report.dry_run:
        return "succeeded"
    refused = bool(report.refused_rows) and (not report.skip_invalid or report.all_refused)
    return "invalid" if refused else "validated"


def _store_job(
    session: Session,
    actor: Actor,
    request: ImportRequest,
    report: ImportReport,
    owner_id: int | None,
    options: str,
    started: datetime,
) -> ImportJob:
    counts = report.counts
    columns = dict(
        sha256=report.sha256,
        owner_id=owner_id,
        format=report.format,
        dry_run=request.dry_run,
        status=_status(report),
        skip_invalid=report.skip_invalid,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        skipped=report.skipped,
        errors=report.errors.total,
        report=dumps(report.errors.items),
        warnings=dumps(report.warnings.items),
        summary=dumps(report.summary_document()),
        options=options,
        rows_total=report.rows_read,
        rows_done=report.rows_read,
        filename=(request.filename or "")[:255] or None,
        created_at=started,
        finished_at=utcnow(),
        idempotency_key=request.idempotency_key,
        created_by_id=actor.user_id,
        created_by_label=actor.label,
    )
    job = session.get(ImportJob, request.job_id) if request.job_id is not None else None
    if job is None:
        job = ImportJob()
    else:  # queued for the background: its submission (time, key, author) stays as it was
        columns = {name: value for name, value in columns.items() if name not in _SUBMISSION}
        columns["payload"] = None  # the file is not kept once imported
    for name, value in columns.items():
        setattr(job, name, value)
    session.add(job)
    session.flush()
    action = "import.dry_run" if request.dry_run else "import.run"
    details = {
        **counts,
        "format": report.format,
        "sha256": report.sha256,
        "skip_invalid": report.skip_invalid,
    }
    audit.record(
        session,
        actor,
        action,
        object_type="import",
        object_id=job.id,
        subject_organisation_id=owner_id,
        result_count=report.created + report.updated,
        details=details,
    )
    return job


_SUBMISSION = ("created_at", "idempotency_key", "created_by_id", "created_by_label")


def readable_job(session: Session, actor: Actor, job_id: int, kind: str = CAMERAS) -> ImportJob:
    """The import job `job_id` of this kind (cameras, or obstacles) if `actor` may read it, else 404."""
    job = session.scalar(
        sa.select(ImportJob).where(ImportJob.id == job_id, ImportJob.kind == kind, readable_jobs(actor))
    )
    if job is None:
        raise NotFound(f"no import {job_id}")
    return job


def readable_jobs(actor: Actor) -> sa.ColumnElement[bool]:
    """Admins see every import; editors their own and those of owners they write for."""
    if actor.is_admin:
        return sa.true()
    if actor.role != "editor" or actor.user_id is None:
        return sa.false()
    return sa.or_(ImportJob.created_by_id == actor.user_id, ImportJob.owner_id.in_(actor.own_ids))
