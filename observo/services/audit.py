"""The audit log: record an action, check the chain, read and export it.

Every entry's hash covers its fields and the previous entry's hash, so an entry changed, removed or
inserted behind the application's back breaks the chain at that point (`verify`). The request id
and client address come from a context the web layer (or the CLI) binds for the unit of work, so
services record entries without knowing about HTTP.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import shapely
import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor, can_read_audit
from observo.errors import Forbidden
from observo.models import AuditChainHead, AuditEntry
from observo.models.audit import GENESIS_HASH
from observo.models.base import utcnow

REASON_MAX = 500
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


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
) -> AuditEntry:
    """Append one entry in the caller's transaction (it lands or vanishes with the change it logs)."""
    entry_id, prev_hash = _claim_next_link(session)
    context = _context.get() or _NO_CONTEXT  # request id and address, bound by the web layer or CLI
    entry = AuditEntry(
        id=entry_id,
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
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    _move_head(session, entry.hash)
    session.flush()
    return entry


def _move_head(session: Session, last_hash: str) -> None:
    stmt = sa.update(AuditChainHead).where(AuditChainHead.id == 1).values(last_hash=last_hash)
    session.execute(stmt, execution_options={"synchronize_session": False})


def _claim_next_link(session: Session) -> tuple[int, str]:
    """Take the chain's head: the UPDATE locks it until commit, so appenders queue, never fork."""
    stmt = (
        sa.update(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .values(last_id=AuditChainHead.last_id + 1)
        .returning(AuditChainHead.last_id, AuditChainHead.last_hash)
    )
    next_id, prev_hash = session.execute(stmt, execution_options={"synchronize_session": False}).one()
    return next_id, prev_hash


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def geometry_hash(geometry: BaseGeometry) -> str:
    """SHA-256 of the 2D little-endian WKB: the same shape always hashes the same."""
    return hashlib.sha256(shapely.to_wkb(geometry, output_dimension=2, byte_order=1)).hexdigest()


def entry_document(entry: AuditEntry) -> dict[str, Any]:
    """The entry's fields as the chain hashes them (everything but the hash itself)."""
    return {
        "id": entry.id,
        "at": entry.at.strftime(_TIME_FORMAT),
        "action": entry.action,
        "actor_user_id": entry.actor_user_id,
        "actor_label": entry.actor_label,
        "organisation_id": entry.organisation_id,
        "subject_organisation_id": entry.subject_organisation_id,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "reason": entry.reason,
        "geometry_hash": entry.geometry_hash,
        "result_count": entry.result_count,
        "request_id": entry.request_id,
        "source_ip": entry.source_ip,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical_json(entry_document(entry)).encode()).hexdigest()


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{name: [before, after]} for every value that differs."""
    names = sorted(set(before) | set(after))
    return {
        name: [before.get(name), after.get(name)] for name in names if before.get(name) != after.get(name)
    }


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(session: Session) -> ChainReport:
    """Walk the chain from the first entry; report the first entry that does not check out."""
    expected_id, prev_hash, count = 1, GENESIS_HASH, 0
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)
    for entry in session.scalars(stmt):
        problem = _link_problem(entry, expected_id, prev_hash)
        if problem:
            return ChainReport(count, min(entry.id, expected_id), problem)
        expected_id, prev_hash, count = entry.id + 1, entry.hash, count + 1
        session.expunge(entry)
    head = session.get(AuditChainHead, 1, populate_existing=True)
    if head is None or head.last_id != count or head.last_hash != prev_hash:
        recorded = head.last_id if head else "nothing"
        return ChainReport(count, count + 1, f"the log ends at entry {count} but its head records {recorded}")
    return ChainReport(count)


def _link_problem(entry: AuditEntry, expected_id: int, prev_hash: str) -> str | None:
    if entry.id != expected_id:
        return f"entry {expected_id} is missing"
    if entry.prev_hash != prev_hash:
        return f"entry {entry.id} does not follow entry {entry.id - 1}"
    if entry_hash(entry) != entry.hash:
        return f"entry {entry.id} was altered: its content does not match its hash"
    return None


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


def export_lines(session: Session, since: datetime | None) -> Iterator[str]:
    """Every entry from `since` (all when None) as one JSON object per line, hash included."""
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    for entry in session.scalars(stmt):
        yield canonical_json(exported(entry))
        session.expunge(entry)


def exported(entry: AuditEntry) -> dict[str, Any]:
    """The entry for readers: `details` as an object (the chain hashes its canonical text), and the hash."""
    return {**entry_document(entry), "details": json.loads(entry.details), "hash": entry.hash}
