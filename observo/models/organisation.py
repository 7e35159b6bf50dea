"""Organisations (municipalities, police forces, private owners) and security pacts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from observo.domain.origins import join_origins, split_origins
from observo.domain.vocabulary import ORGANISATION_KINDS
from observo.models.base import Base, UTCDateTime, choice, utcnow

pact_members = sa.Table(
    "pact_members",
    Base.metadata,
    sa.Column("pact_id", sa.ForeignKey("pacts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)


class OriginList(sa.types.TypeDecorator):
    """A tuple of web origins, stored as one space-separated text (NULL when empty) on both databases."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(
        self, value: tuple[str, ...] | list[str] | None, dialect: sa.Dialect
    ) -> str | None:
        return join_origins(tuple(value or ()))

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> tuple[str, ...]:
        return split_origins(value)


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(choice(ORGANISATION_KINDS, "organisation_kind"))
    istat_code: Mapped[str | None] = mapped_column(sa.String(6), unique=True)
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_pec: Mapped[str | None] = mapped_column(sa.String(254))
    # An owner's codice fiscale or partita IVA (domain/tax_codes.py) and postal address (docs/owners.md).
    tax_code: Mapped[str | None] = mapped_column(sa.String(16))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    sponsor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    public_precision_m: Mapped[int] = mapped_column(sa.Integer, default=100, server_default="100")
    # Sites that may show its public embed in an iframe (CSP frame-ancestors), besides Observo itself.
    embed_origins: Mapped[tuple[str, ...]] = mapped_column(OriginList, nullable=True, default=())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sponsor: Mapped[Organisation | None] = relationship(remote_side=[id], lazy="joined")
    pacts: Mapped[list[Pact]] = relationship(secondary=pact_members, back_populates="members")

    __table_args__ = (
        sa.CheckConstraint("public_precision_m >= 0 AND public_precision_m <= 10000", name="precision_range"),
        sa.CheckConstraint("sponsor_id IS NULL OR sponsor_id <> id", name="not_own_sponsor"),
    )


class Pact(Base):
    """A group of organisations that share restricted data (patto per la sicurezza integrata)."""

    __tablename__ = "pacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[Organisation]] = relationship(secondary=pact_members, back_populates="pacts")
