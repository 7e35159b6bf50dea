"""Accounts of private owners (docs/owners.md): people who register their own cameras.

Kept apart from police `users` on purpose: an owner account has no role, no tokens and no place in
the read scope, so no police permission can ever reach it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from observo.models.base import Base, UTCDateTime, utcnow
from observo.models.organisation import Organisation


class OwnerAccount(Base):
    __tablename__ = "owner_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The owner organisation (kind `private`), sponsored by the municipality it signed up with.
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # lower case
    name: Mapped[str] = mapped_column(sa.String(200))  # the person who signed up
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # Null until the link of the confirmation e-mail is followed: no sign-in before.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sessions opened in an earlier epoch are over (sign-out moves it on), as for users.
    session_epoch: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")

    organisation: Mapped[Organisation] = relationship(lazy="joined")
