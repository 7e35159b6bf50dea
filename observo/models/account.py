"""Users and their API tokens."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from observo.domain.vocabulary import ROLES
from observo.models.base import Base, UTCDateTime, choice, utcnow
from observo.models.organisation import Organisation


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(choice(ROLES, "user_role"))
    active: Mapped[bool] = mapped_column(default=True)
    # May read its organisation's audit log (the data-protection officer), whatever its role.
    auditor: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Browser sessions opened in an earlier epoch are over (sign-out, new password or role,
    # deactivation move it on): see observo/http/session.py.
    session_epoch: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    # The last request that changed data: for a while after it, the user reads from the primary
    # database, not a replica that may not have replayed the change yet (spatial/replicas.py).
    last_write_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class ApiToken(Base):
    """A bearer token. Only its SHA-256 is stored; the clear value is shown once at creation."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
