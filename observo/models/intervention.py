"""Coordinated interventions: the plan, its named target places, who it is shared with, and the
requests made to owners to preserve footage."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry, WKBElement
from sqlalchemy.orm import Mapped, mapped_column, relationship

from observo.domain import vocabulary as v
from observo.models.account import User
from observo.models.base import Base, UTCDateTime, choice, utcnow
from observo.models.organisation import Organisation, Pact

intervention_organisations = sa.Table(
    "intervention_organisations",
    Base.metadata,
    sa.Column("intervention_id", sa.ForeignKey("interventions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)
intervention_pacts = sa.Table(
    "intervention_pacts",
    Base.metadata,
    sa.Column("intervention_id", sa.ForeignKey("interventions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("pact_id", sa.ForeignKey("pacts.id", ondelete="CASCADE"), primary_key=True),
)


class Intervention(Base):
    __tablename__ = "interventions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(choice(v.INTERVENTION_KINDS, "intervention_kind"))
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(
        choice(v.INTERVENTION_STATUSES, "intervention_status"), default="draft"
    )
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    # Why the intervention exists (case, order of service); it is the reason every read is audited with.
    reason: Mapped[str] = mapped_column(sa.String(500))
    protocol_number: Mapped[str | None] = mapped_column(sa.String(100))
    # Cameras, coverage, gaps and owners per target as computed when the plan was confirmed.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    snapshot_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    lead: Mapped[Organisation] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    targets: Mapped[list[InterventionTarget]] = relationship(
        back_populates="intervention",
        order_by="InterventionTarget.position",
        cascade="all, delete-orphan",
    )
    shared_organisations: Mapped[list[Organisation]] = relationship(secondary=intervention_organisations)
    shared_pacts: Mapped[list[Pact]] = relationship(secondary=intervention_pacts)
    preservation_requests: Mapped[list[PreservationRequest]] = relationship(
        back_populates="intervention",
        order_by="PreservationRequest.id",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint("window_end >= window_start", name="window_order"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )


class InterventionTarget(Base):
    """A named place of an intervention: an area (Polygon/MultiPolygon) or a route (LineString + buffer)."""

    __tablename__ = "intervention_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(
        sa.ForeignKey("interventions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(200))
    geometry: Mapped[WKBElement] = mapped_column(
        Geometry("GEOMETRY", srid=4326, spatial_index=False, nullable=False)
    )
    buffer_m: Mapped[float] = mapped_column(default=0.0)

    intervention: Mapped[Intervention] = relationship(back_populates="targets")

    __table_args__ = (sa.CheckConstraint("buffer_m >= 0", name="buffer_positive"),)


class PreservationRequest(Base):
    """An owner was asked to preserve footage for an intervention: who, when, how, under which protocol."""

    __tablename__ = "preservation_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(
        sa.ForeignKey("interventions.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    # The cameras the request names (ids); empty means every camera of the owner in the intervention.
    camera_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(choice(v.PRESERVATION_CHANNELS, "preservation_channel"))
    contact: Mapped[str | None] = mapped_column(sa.String(300))
    protocol_number: Mapped[str | None] = mapped_column(sa.String(100))
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    status: Mapped[str] = mapped_column(
        choice(v.PRESERVATION_STATUSES, "preservation_status"), default="pending"
    )
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    intervention: Mapped[Intervention] = relationship(back_populates="preservation_requests")
    owner: Mapped[Organisation] = relationship(lazy="joined")
    requested_by: Mapped[User | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}
