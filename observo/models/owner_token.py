"""Owners' API tokens (docs/owners.md, "API and CLI"), kept apart from the police's `api_tokens`.

An owner token opens only /api/v1/owner/... and names an owner account, never a user: no police
permission can reach it. Only its SHA-256 is stored; the clear value is shown once, at creation.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from observo.models.base import Base, UTCDateTime, utcnow
from observo.models.owner import OwnerAccount


class OwnerToken(Base):
    __tablename__ = "owner_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("owner_accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))  # shown in lists and the audit log
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[OwnerAccount] = relationship(lazy="joined")
