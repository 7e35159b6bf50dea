"""The audit log: record an action, check the chain, read and export it.

Every entry is sealed with a key kept outside the database and chained to the previous one
(audit_chain), and signed checkpoints of the head are written outside the database too
(audit_checkpoints), so an entry changed, removed, inserted or cut off behind the application's back
is found by `verify` (audit_verify). The request id and client address come from a context the web
layer (or the CLI) binds for the unit of work, so services record entries without knowing about HTTP.
See docs/security.md, "The audit log".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import shapely
import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor, can_read_audit
from observo.errors import Forbidden
from observo.models import AuditEntry
from observo.models.base import utcnow
from observo.services import audit_chain, audit_verify
from observo.services.audit_chain import canonical_json, entry_document
from observo.services.audit_verify import ChainReport

REASON_MAX = 500


@dataclass(frozen=True)
class RequestContext:
    request_id: str | None = None
    source_ip: str | None = None


_NO_CONTEXT = RequestContext()
_context: ContextVar[RequestContext | None] = ContextVar("observo_audit_context", default=None)


@contextmanager
def bound(context: RequestContext) -> Iterator[None]:
    """Entries recorded inside carry this request id and address."""
    token = _context.set(context)
    try:
        yield
    finally:
        _context.reset(token)


def bind(context: RequestContext) -> Any:
    """Bind for the rest of a request; hand the returned token to `unbind` when it ends."""
    return _context.set(context)


def unbind(token: Any) -> None:
    _context.reset(token)


def current_context() -> RequestContext | None:
    """The request id and address entries recorded now carry (None outside a request or command)."""
    return _context.get()


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    object_type: str | None = None,
    object_id: int | str | None = None,
    subject_organisation_id: int | None = None,
    reason: str | None = None,
    geometry: BaseGeometry | None = None,
    result_count: int | None = None,
    details: Mapping[str, Any] | None = None,
    context: RequestContext | None = None,
) -> AuditEntry:
    """Log one entry with the caller's transaction: it lands or vanishes with the change it logs.

    The entry is queued on the session and chained when the session commits (audit_chain): its id,
    `prev_hash` and `hash` are set then, so nothing holds the chain while the caller goes on working.
    `context` replaces the request's id and address (summaries of other requests' refusals).
    """
    context = context or _context.get() or _NO_CONTEXT  # bound by the web layer or the CLI
    entry = AuditEntry(
        at=utcnow(),
        action=action,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        organisation_id=actor.organisation_id,
        subject_organisation_id=subject_organisation_id,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        reason=reason.strip()[:REASON_MAX] if reason else None,
        geometry_hash=geometry_hash(geometry) if geometry is not None else None,
        result_count=result_count,
        request_id=context.request_id,
        source_ip=context.source_ip,
        details=canonical_json(details or {}),
    )
    audit_chain.queue(session, entry)
    return entry


def geometry_hash(geometry: BaseGeometry) -> str:
    """SHA-256 of the 2D little-endian WKB: the same shape always hashes the same."""
    return hashlib.sha256(shapely.to_wkb(geometry, output_dimension=2, byte_order=1)).hexdigest()


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{name: [before, after]} for every value that differs."""
    names = sorted(set(before) | set(after))
    return {
        name: [before.get(name), after.get(name)] for name in names if before.get(name) != after.get(name)
    }


def verify(session: Session, checkpoint_dirs: Sequence[Path] | None = None) -> ChainReport:
    """Check the chain with the app's keys against its checkpoints (None: the configured folder)."""
    setup = audit_chain.setup_for(session)
    folders = [setup.checkpoint_dir] if checkpoint_dirs is None else list(checkpoint_dirs)
    return audit_verify.verify(session, setup.keyring, folders)


@dataclass(frozen=True)
class AuditFilters:
    since: datetime | None = None
    until: datetime | None = None
    action: str | None = None
    actor: str | None = None
    organisation_id: int | None = None
    object_type: str | None = None
    object_id: str | None = None
    request_id: str | None = None


def readable_entries(actor: Actor) -> sa.ColumnElement[bool]:
    """Admins read every entry; an auditor what its organisation did and what was done to its data."""
    if not can_read_audit(actor):
        raise Forbidden("reading the audit log needs an administrator or an auditor")
    if actor.is_admin:
        return sa.true()
    own = actor.organisation_id
    return sa.or_(AuditEntry.organisation_id == own, AuditEntry.subject_organisation_id == own)


def find_entries(
    session: Session, actor: Actor, filters: AuditFilters, limit: int, offset: int
) -> tuple[list[AuditEntry], bool]:
    """Newest first; (entries, whether more follow)."""
    stmt = sa.select(AuditEntry).where(readable_entries(actor), *_filter_clauses(filters))
    stmt = stmt.order_by(AuditEntry.id.desc()).limit(limit + 1).offset(offset)
    entries = list(session.scalars(stmt))
    return entries[:limit], len(entries) > limit


def _filter_clauses(filters: AuditFilters) -> list[sa.ColumnElement[bool]]:
    columns = {
        "action": AuditEntry.action,
        "actor": AuditEntry.actor_label,
        "object_type": AuditEntry.object_type,
        "object_id": AuditEntry.object_id,
        "request_id": AuditEntry.request_id,
    }
    clauses = [column == getattr(filters, name) for name, column in columns.items() if getattr(filters, name)]
    if filters.organisation_id is not None:
        clauses.append(
            sa.or_(
                AuditEntry.organisation_id == filters.organisation_id,
                AuditEntry.subject_organisation_id == filters.organisation_id,
            )
        )
    if filters.since is not None:
        clauses.append(AuditEntry.at >= filters.since)
    if filters.until is not None:
        clauses.append(AuditEntry.at < filters.until)
    return clauses


def _exported_entries(since: datetime | None, up_to_id: int | None) -> list[sa.ColumnElement[bool]]:
    clauses = []
    if since is not None:
        clauses.append(AuditEntry.at >= since)
    if up_to_id is not None:
        clauses.append(AuditEntry.id <= up_to_id)
    return clauses


def export_count(session: Session, since: datetime | None, up_to_id: int | None = None) -> int:
    """How many entries `export_lines` yields with the same arguments."""
    stmt = sa.select(sa.func.count()).select_from(AuditEntry).where(*_exported_entries(since, up_to_id))
    return int(session.scalar(stmt) or 0)


def export_lines(session: Session, since: datetime | None, up_to_id: int | None = None) -> Iterator[str]:
    """Every entry from `since` (all when None), up to entry `up_to_id` (all when None), as one JSON
    object per line, hash included."""
    stmt = sa.select(AuditEntry).where(*_exported_entries(since, up_to_id)).order_by(AuditEntry.id)
    stmt = stmt.execution_options(yield_per=1000)
    for entry in session.scalars(stmt):
        yield canonical_json(exported(entry))
        session.expunge(entry)


def exported(entry: AuditEntry) -> dict[str, Any]:
    """The entry for readers: `details` as an object (the chain hashes its canonical text), and the hash."""
    return {**entry_document(entry), "details": json.loads(entry.details), "hash": entry.hash}
