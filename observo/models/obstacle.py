"""Obstacles to cameras' views: building footprints and walls an organisation imports as a layer."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from geoalchemy2 import Geometry, WKBElement
from sqlalchemy.orm import Mapped, mapped_column, relationship

from observo.domain import vocabulary as v
from observo.models.base import Base, UTCDateTime, choice, utcnow
from observo.models.organisation import Organisation


class Obstacle(Base):
    __tablename__ = "obstacles"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(choice(v.OBSTACLE_KINDS, "obstacle_kind"))
    # EPSG:4326: Polygon or MultiPolygon for buildings, LineString or MultiLineString for walls.
    # Indexed: views are clipped by the obstacles their sector meets (a bbox search).
    geometry: Mapped[WKBElement] = mapped_column(
        Geometry("GEOMETRY", srid=4326, spatial_index=True, nullable=False)
    )
    height_m: Mapped[float | None]
    # The layer an import replaces: the file's name (or the name given), `osm` for OpenStreetMap.
    source: Mapped[str] = mapped_column(sa.String(200))
    source_ref: Mapped[str | None] = mapped_column(sa.String(100))  # e.g. way/123, a feature's id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    __table_args__ = (
        sa.Index("ix_obstacles_organisation_source", "organisation_id", "source"),
        sa.CheckConstraint("height_m IS NULL OR height_m > 0", name="height_positive"),
    )
