"""Sensitive places an organisation registers (schools, parks, squares) and their measured coverage."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from geoalchemy2 import Geometry, WKBElement
from sqlalchemy.orm import Mapped, mapped_column, relationship

from observo.domain import vocabulary as v
from observo.models.base import Base, UTCDateTime, choice, utcnow
from observo.models.organisation import Organisation


class Place(Base):
    __tablename__ = "places"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(choice(v.PLACE_CATEGORIES, "place_category"))
    # Polygon or MultiPolygon, EPSG:4326.
    geometry: Mapped[WKBElement] = mapped_column(
        Geometry("GEOMETRY", srid=4326, spatial_index=False, nullable=False)
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    measurements: Mapped[list[PlaceCoverage]] = relationship(
        back_populates="place", order_by="PlaceCoverage.measured_at", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name", name="uq_places_organisation_name"),)


class PlaceCoverage(Base):
    """One measurement of a place's coverage by active cameras (a time series per place)."""

    __tablename__ = "place_coverage"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("places.id", ondelete="CASCADE"))
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    area_m2: Mapped[float]
    covered_m2: Mapped[float]
    ratio: Mapped[float]
    camera_count: Mapped[int]

    place: Mapped[Place] = relationship(back_populates="measurements")

    __table_args__ = (sa.Index("ix_place_coverage_place_measured", "place_id", "measured_at"),)
