"""Accounts of private owners (docs/owners.md): people who register their own cameras.

Kept apart from police `users` on purpose: an owner account has no role, no police API tokens (its
owner tokens, models/owner_token.py, open only the owners' API) and no place in the read scope, so no
police permission can ever reach it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from observo.models.base import Base, UTCDateTime, choice, utcnow
from observo.models.organisation import Organisation

DECLARATION_KINDS = ("new", "change")
# pending -> approved | changes_requested | rejected; changes_requested -> pending when the owner edits
# it; pending or changes_requested -> cancelled when the owner withdraws it before a decision.
DECLARATION_STATUSES = ("pending", "changes_requested", "approved", "rejected", "cancelled")
OPEN_STATUSES = ("pending", "changes_requested")


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


class OwnerCameraDeclaration(Base):
    """A camera as its owner declared it, waiting for (or decided by) the sponsoring municipality's
    police (docs/owners.md, "Police verification"). Nothing of it is in any camera query until the
    police approve it: then it becomes, or changes, a camera of the owner's organisation."""

    __tablename__ = "owner_camera_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("owner_accounts.id", ondelete="SET NULL"))
    # `new`: a camera to add; `change`: new data for the approved camera `camera_id`. Once a new one is
    # approved, `camera_id` names the camera it became; a withdrawn camera leaves it null.
    kind: Mapped[str] = mapped_column(choice(DECLARATION_KINDS, "declaration_kind"))
    camera_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cameras.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(choice(DECLARATION_STATUSES, "declaration_status"), index=True)
    # The declared attributes, as schemas/owner_declaration.py loads them (position included).
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # The police's reason when they ask for changes or reject.
    reason: Mapped[str | None] = mapped_column(sa.String(1000))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    __mapper_args__ = {"version_id_col": version}
