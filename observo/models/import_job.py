"""One bulk import (or dry run): what was sent, by whom, and the report it produced (issue 7); also a
large obstacle layer imported in the background (issue 20, `kind`)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from observo.models.base import Base, UTCDateTime, utcnow

# What a job imports: cameras (services/imports.py), or an obstacle layer (services/obstacles.py).
CAMERAS = "cameras"
OBSTACLES = "obstacles"


class ImportJob(Base):
    """The file's SHA-256 + owner make a repeated successful upload a no-op; so does an Idempotency-Key."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default=CAMERAS, server_default=CAMERAS)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    format: Mapped[str] = mapped_column(sa.String(16))
    dry_run: Mapped[bool] = mapped_column(sa.Boolean)
    # succeeded (written), validated (dry run, no error), invalid (dry run with errors); a background
    # job is queued, then running, then one of those or failed (`failure` says why)
    status: Mapped[str] = mapped_column(sa.String(16))
    skip_invalid: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    skipped: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    created: Mapped[int] = mapped_column(sa.Integer, default=0)
    updated: Mapped[int] = mapped_column(sa.Integer, default=0)
    unchanged: Mapped[int] = mapped_column(sa.Integer, default=0)
    errors: Mapped[int] = mapped_column(sa.Integer, default=0)
    report: Mapped[str] = mapped_column(sa.Text)  # JSON list of {row, field, code, message}
    warnings: Mapped[str | None] = mapped_column(sa.Text)  # JSON list of {row, field, code, message}
    summary: Mapped[str | None] = mapped_column(sa.Text)  # JSON: kept and ignored columns, encoding...
    options: Mapped[str | None] = mapped_column(sa.Text)  # JSON: column map, key, CRS as requested
    rows_total: Mapped[int | None] = mapped_column(sa.Integer)
    rows_done: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    payload: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)  # while a job waits
    filename: Mapped[str | None] = mapped_column(sa.String(255))
    failure: Mapped[str | None] = mapped_column(sa.Text)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_by_label: Mapped[str] = mapped_column(sa.String(254))

    __table_args__ = (sa.Index("ix_imports_key", "created_by_label", "idempotency_key"),)
