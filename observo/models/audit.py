"""The audit log: append-only entries chained by hash (Directive 2016/680 art. 25; DPR 15/2018 art. 7).

The database refuses UPDATE and DELETE on `audit_entries` (triggers created by the migration).
Entry ids are assigned by the application from `audit_chain_head`, so they are contiguous and a
removed entry shows as a gap; each entry's hash is a MAC (under a key kept outside the database)
that covers the previous one's (services/audit_chain.py, docs/security.md).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from observo.models.base import Base, UTCDateTime

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    # Who: plain values, not foreign keys, so the log stays readable whatever happens to accounts.
    actor_user_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(254))
    organisation_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    # Whose data it touched (the owner of the camera, the organisation of the user...).
    subject_organisation_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(32))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    geometry_hash: Mapped[str | None] = mapped_column(sa.String(64))
    result_count: Mapped[int | None] = mapped_column(sa.Integer)
    request_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    source_ip: Mapped[str | None] = mapped_column(sa.String(45))
    # Canonical JSON text (sorted keys): hashed as stored, so the check never depends on a driver.
    details: Mapped[str] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    # The key whose HMAC `hash` is (None: a plain SHA-256, entries chained before keys existed).
    key_id: Mapped[str | None] = mapped_column(sa.String(32))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class AuditChainHead(Base):
    """One row: the last entry's id and hash. Updating it first serialises appenders on both
    databases (a row lock on PostgreSQL, the write lock on SQLite)."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(sa.Integer)
    last_hash: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)


class RefusalCount(Base):
    """Refusals of unidentified callers (a refused token, no identity at all) counted per client
    address, action and window: the window's first refusal is an audit entry of its own, the later
    ones only add here, and one summary entry with the count replaces the row when the window closes
    (services/audit_refusals.py). A row is deleted only in the transaction that logs its count."""

    __tablename__ = "audit_refusal_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(sa.String(64))
    address: Mapped[str] = mapped_column(sa.String(45))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    count: Mapped[int] = mapped_column(sa.Integer)  # refusals after the window's first
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("action", "address", "window_start"),)
