"""Bulk import of cameras: validate every row, write all or nothing, remember what was imported.

Rows are validated by the camera API's input schema and written through `create_camera` /
`update_camera`, inside a SAVEPOINT (one more per row, so that a row the database refuses is
reported and the others still get checked). A dry run, or a run with any error, rolls the whole
SAVEPOINT back: nothing is written. A natural key (owner + `ref`, else owner + `osm_id` + bearing)
makes a re-import update the camera it finds, and only when something differs; a file already
imported for the same owner (SHA-256) is not imported again, even when both uploads arrive at once
(they queue on a transaction-scoped lock, `SpatialBackend.lock_for_transaction`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from marshmallow import ValidationError
from shapely.geometry import Point
from sqlalchemy.orm import Session

from observo.domain import import_rows
from observo.domain.permissions import Actor, can_write_for
from observo.errors import FieldIssue, Forbidden, InvalidInput, NotFound, ObservoError
from observo.models import Camera, ImportJob
from observo.schemas.camera import CameraFeatureInput
from observo.schemas.validation import issues_from_messages
from observo.services import audit
from observo.services.cameras import CameraWrite, create_camera, update_camera, writable_owner
from observo.services.organisations import nameable_organisation
from observo.spatial.base import session_backend

EXPUNGE_EVERY = 500  # rows between identity-map clears: memory stays flat on large files
_COMPARED_LATER = ("owner", "operator", "fov", "fov_method")
_SCHEMA = CameraFeatureInput()  # stateless: one instance serves every row


@dataclass
class ImportReport:
    """Counts and every problem as {row, field, code, message}."""

    format: str
    sha256: str
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    already_imported: bool = False
    job: ImportJob | None = None
    keys: set[tuple[Any, ...]] = field(default_factory=set, repr=False)
    owner_ids: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": len(self.problems),
        }

    def add(self, row: int, issues: list[FieldIssue]) -> None:
        for issue in issues:
            name = issue.pointer.removeprefix("/properties").strip("/") or "row"
            self.problems.append({"row": row, "field": name, "code": issue.code, "message": issue.detail})


@dataclass(frozen=True)
class ImportRequest:
    data: bytes
    filename_or_format: str
    owner_slug: str | None = None
    dry_run: bool = False
    idempotency_key: str | None = None
    options: import_rows.ImportOptions = field(default_factory=import_rows.ImportOptions)


def import_cameras(
    session: Session,
    actor: Actor,
    request: ImportRequest,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import (or dry-run) a file. A real run with errors raises InvalidInput after rolling back."""
    owner_id = _import_owner(session, actor, request.owner_slug)
    file_format = import_rows.detect_format(request.data, request.filename_or_format)
    digest = hashlib.sha256(request.data).hexdigest()
    report = ImportReport(file_format, digest, request.dry_run)
    _queue_same_imports(session, actor, request, digest, owner_id)
    previous = _previous_job(session, actor, request, digest, owner_id)
    if previous is not None:
        report.job, report.already_imported = previous, True
        return report
    savepoint = session.begin_nested()
    _run_rows(session, actor, request, report, progress)
    if request.dry_run or report.problems:
        savepoint.rollback()
        session.expunge_all()
    else:
        savepoint.commit()
    if report.problems and not request.dry_run:
        raise InvalidInput(
            f"{len(report.problems)} problems: nothing was imported", _problem_issues(report.problems)
        )
    report.job = _store_job(session, actor, request, report, owner_id)
    return report


def _import_owner(session: Session, actor: Actor, slug: str | None) -> int | None:
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
    session: Session, actor: Actor, request: ImportRequest, digest: str, owner_id: int | None
) -> None:
    """Uploads of the same file for the same owner, or with the same key, wait here for each other.

    Without it two concurrent uploads both find no earlier job and both import (PostgreSQL's READ
    COMMITTED); with it the later one finds the job the first committed, and replays it.
    """
    names = [f"import:file:{owner_id}:{digest}"] if not request.dry_run else []
    if request.idempotency_key:
        names.append(f"import:key:{actor.label}:{request.idempotency_key}")
    if names:
        session_backend(session).lock_for_transaction(session, names)


def _previous_job(
    session: Session, actor: Actor, request: ImportRequest, digest: str, owner_id: int | None
) -> ImportJob | None:
    if request.idempotency_key:
        stmt = sa.select(ImportJob).where(
            ImportJob.created_by_label == actor.label, ImportJob.idempotency_key == request.idempotency_key
        )
        found = session.scalars(stmt.order_by(ImportJob.id.desc())).first()
        if found is not None:
            return found
    if request.dry_run:
        return None
    # Only a job the caller may read is replayed: another organisation's import of the same file
    # (no owner given, rows naming their owners) is not "already imported" for it (docs/security.md).
    stmt = sa.select(ImportJob).where(
        ImportJob.sha256 == digest,
        ImportJob.owner_id.is_(None) if owner_id is None else ImportJob.owner_id == owner_id,
        ImportJob.status == "succeeded",
        readable_jobs(actor),
    )
    return session.scalars(stmt.order_by(ImportJob.id.desc())).first()


def _run_rows(
    session: Session,
    actor: Actor,
    request: ImportRequest,
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    options = dataclasses.replace(request.options, owner=request.owner_slug)
    summary = import_rows.FileSummary(report.format)
    rows = import_rows.parse_rows(request.data, report.format, options, summary)
    for done, parsed in enumerate(rows, start=1):
        if parsed.issues:
            report.add(parsed.row, parsed.issues)
        elif parsed.feature is not None:
            _import_row(session, actor, parsed.row, parsed.feature, report)
        if done % EXPUNGE_EVERY == 0:
            session.flush()
            session.expunge_all()
        if progress is not None:
            progress(done)


def _import_row(session: Session, actor: Actor, row: int, feature: Any, report: ImportReport) -> None:
    try:
        loaded = _SCHEMA.load(feature)
    except ValidationError as exc:
        report.add(row, issues_from_messages(exc.messages))
        return
    write = CameraWrite(location=loaded["geometry"], attrs=loaded["properties"])
    key = _natural_key(write.attrs)
    if key is not None and key in report.keys:
        report.add(row, [FieldIssue("", "duplicate_key", f"an earlier row has the same key {key[1:]}")])
        return
    if key is not None:
        report.keys.add(key)
    try:
        with session.begin_nested():
            outcome = _write(session, actor, write, report.owner_ids)
    except ObservoError as exc:
        report.add(row, exc.issues or [FieldIssue("", exc.code, exc.detail)])
        return
    except (sa.exc.StatementError, OverflowError) as exc:  # the database (or its driver) refuses a value
        # The first line only: PostgreSQL's DETAIL lines quote key values. Every constraint a row can
        # break concerns the row itself or cameras of an owner the caller writes for (checked first).
        detail = f"refused by the database: {str(getattr(exc, 'orig', exc)).splitlines()[0]}"
        report.add(row, [FieldIssue("", "conflict", detail)])
        return
    setattr(report, outcome, getattr(report, outcome) + 1)


def _write(session: Session, actor: Actor, write: CameraWrite, owner_ids: dict[str, int]) -> str:
    """'created', 'updated' or 'unchanged'.

    The owner is checked before its cameras are looked up by natural key: a row naming an owner the
    caller may not write for must not learn whether, or how, a camera with that key exists.
    """
    slug = write.attrs["owner"]
    if slug not in owner_ids:
        owner_ids[slug] = writable_owner(session, actor, slug).id
    existing = _existing(session, write.attrs, owner_ids[slug])
    if existing is None:
        create_camera(session, actor, write)
        return "created"
    if not _differs(existing, write):
        return "unchanged"
    update_camera(session, actor, existing.id, existing.version, write)
    return "updated"


def _natural_key(attrs: Mapping[str, Any]) -> tuple[Any, ...] | None:
    if attrs.get("ref"):
        return (attrs["owner"], "ref", attrs["ref"])
    if attrs.get("osm_id"):
        return (attrs["owner"], "osm_id", attrs["osm_id"], attrs.get("site_ref"), attrs.get("bearing_deg"))
    return None


def _existing(session: Session, attrs: Mapping[str, Any], owner_id: int) -> Camera | None:
    """The camera the row's natural key names: owner + ref, else owner + osm_id (+ bearing)."""
    stmt = sa.select(Camera).where(Camera.owner_id == owner_id)
    if attrs.get("ref"):
        return session.scalar(stmt.where(Camera.ref == attrs["ref"]))
    if not attrs.get("osm_id"):
        return None
    found = list(session.scalars(stmt.where(Camera.osm_id == attrs["osm_id"], Camera.ref.is_(None))))
    if not attrs.get("site_ref") and len(found) == 1:
        return found[0]
    bearing = attrs.get("bearing_deg")
    return next((camera for camera in found if _same(camera.bearing_deg, bearing)), None)


def _differs(camera: Camera, write: CameraWrite) -> bool:
    if write.location is not None and not _same_point(to_shape(camera.location), write.location):
        return True
    attrs = write.attrs
    if attrs.get("owner") != camera.owner.slug:
        return True
    if "operator" in attrs and attrs["operator"] != (camera.operator.slug if camera.operator else None):
        return True
    compared = (name for name in attrs if name not in _COMPARED_LATER)
    return any(not _same(getattr(camera, name), attrs[name]) for name in compared)


def _same_point(a: Point, b: Point) -> bool:
    return math.isclose(a.x, b.x, abs_tol=1e-9) and math.isclose(a.y, b.y, abs_tol=1e-9)


def _same(stored: Any, given: Any) -> bool:
    if isinstance(stored, float) and isinstance(given, int | float) and not isinstance(given, bool):
        return math.isclose(stored, given, abs_tol=1e-9)
    return stored == given


def _problem_issues(problems: list[dict[str, Any]]) -> list[FieldIssue]:
    return [
        FieldIssue(f"/rows/{item['row']}/{item['field']}", item["code"], item["message"]) for item in problems
    ]


def _store_job(
    session: Session, actor: Actor, request: ImportRequest, report: ImportReport, owner_id: int | None
) -> ImportJob:
    status = "succeeded" if not request.dry_run else ("invalid" if report.problems else "validated")
    job = ImportJob(
        sha256=report.sha256,
        owner_id=owner_id,
        format=report.format,
        dry_run=request.dry_run,
        status=status,
        report=json.dumps(report.problems, ensure_ascii=False),
        idempotency_key=request.idempotency_key,
        created_by_id=actor.user_id,
        created_by_label=actor.label,
        **report.counts,
    )
    session.add(job)
    session.flush()
    action = "import.dry_run" if request.dry_run else "import.run"
    details = {**report.counts, "format": report.format, "sha256": report.sha256}
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


def job_document(job: ImportJob, *, already_imported: bool = False) -> dict[str, Any]:
    """The import resource, as the API and the CLI show it."""
    return {
        "id": job.id,
        "status": job.status,
        "dry_run": job.dry_run,
        "format": job.format,
        "sha256": job.sha256,
        "counts": {
            "created": job.created,
            "updated": job.updated,
            "unchanged": job.unchanged,
            "errors": job.errors,
        },
        "errors": json.loads(job.report),
        "already_imported": already_imported,
        "created_at": job.created_at.isoformat(),
    }


def readable_job(session: Session, actor: Actor, job_id: int) -> ImportJob:
    job = session.scalar(sa.select(ImportJob).where(ImportJob.id == job_id, readable_jobs(actor)))
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
