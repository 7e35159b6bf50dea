"""Cameras (one lens, one field of view) and their status history."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from geoalchemy2 import Geometry, WKBElement
from sqlalchemy.orm import Mapped, mapped_column, relationship

from observo.domain import vocabulary as v
from observo.models.account import User
from observo.models.base import Base, UTCDateTime, choice, utcnow
from observo.models.organisation import Organisation

_RANGE_CHECKS = (
    ("bearing_deg IS NULL OR (bearing_deg >= 0 AND bearing_deg < 360)", "bearing_range"),
    ("hfov_deg >= 1 AND hfov_deg <= 360", "hfov_range"),
    ("tilt_deg IS NULL OR (tilt_deg >= -90 AND tilt_deg <= 90)", "tilt_range"),
    ("range_m >= 1 AND range_m <= 500", "range_range"),
    ("height_m IS NULL OR (height_m >= 0 AND height_m <= 300)", "height_range"),
    ("retention_hours IS NULL OR (retention_hours >= 1 AND retention_hours <= 8760)", "retention_range"),
    ("NOT records OR retention_hours IS NOT NULL", "retention_when_recording"),
    ("valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from", "validity_order"),
    ("version >= 1", "version_positive"),
)


class Camera(Base):
    __tablename__ = "cameras"

    id: Mapped[int] = mapped_column(primary_key=True)
    # identity
    name: Mapped[str] = mapped_column(sa.String(200))
    ref: Mapped[str | None] = mapped_column(sa.String(100))
    source: Mapped[str] = mapped_column(choice(v.SOURCES, "camera_source"))
    osm_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    site_ref: Mapped[str | None] = mapped_column(sa.String(100))
    # Where the row came from, beyond `source`: the licence its data is under (ODbL-1.0 for
    # OpenStreetMap; exports carry the attribution), and the source's tags or columns that no field
    # holds, verbatim (docs/importing.md, "Nothing is lost").
    licence: Mapped[str | None] = mapped_column(sa.String(100))
    source_tags: Mapped[dict[str, str] | None] = mapped_column(sa.JSON)
    # place
    location: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True, nullable=False)
    )
    # The position anonymous callers see and filter on: the centre of the owner's public grid
    # cell (domain.generalise), kept in step with `location` and the owner's precision on write.
    public_location: Mapped[WKBElement | None] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True, nullable=True)
    )
    address: Mapped[str | None] = mapped_column(sa.String(300))
    municipality: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    indoor: Mapped[bool] = mapped_column(default=False)
    level: Mapped[str | None] = mapped_column(sa.String(16))
    mount: Mapped[str | None] = mapped_column(choice(v.MOUNTS, "camera_mount"))
    height_m: Mapped[float | None]
    # kind
    surveillance_type: Mapped[str] = mapped_column(choice(v.SURVEILLANCE_TYPES, "surveillance_type"))
    camera_type: Mapped[str] = mapped_column(choice(v.CAMERA_TYPES, "camera_type"))
    area_class: Mapped[str | None] = mapped_column(choice(v.AREA_CLASSES, "area_class"))
    zone: Mapped[str | None] = mapped_column(choice(v.ZONES, "camera_zone"))
    make: Mapped[str | None] = mapped_column(sa.String(100))
    model: Mapped[str | None] = mapped_column(sa.String(100))
    # field of view
    bearing_deg: Mapped[float | None]
    # A head that does not see all round whose direction nobody knows yet: its field of view is
    # the camera's own spot (it covers nothing) until the direction is surveyed (docs/importing.md).
    direction_unknown: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    hfov_deg: Mapped[float]
    tilt_deg: Mapped[float | None]
    range_m: Mapped[float]
    fov: Mapped[WKBElement] = mapped_column(
        Geometry("POLYGON", srid=4326, spatial_index=True, nullable=False)
    )
    # What the camera actually sees (services/visible_areas.py keeps it): NULL when no obstacle touches
    # the sector, so the sector is what the camera sees; otherwise the sector minus the obstacles'
    # shadows (docs/visibility.md), a Polygon or a MultiPolygon.
    fov_visible: Mapped[WKBElement | None] = mapped_column(
        Geometry("GEOMETRY", srid=4326, spatial_index=True, nullable=True)
    )
    fov_method: Mapped[str] = mapped_column(choice(v.FOV_METHODS, "fov_method"))
    # True when range_m was derived (height and tilt, or type default) rather than given: such a
    # range follows the optics when they change.
    range_derived: Mapped[bool] = mapped_column(default=False)
    # people (restricted)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    operator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    # The operator as a source names it when no organisation matches (OSM `operator`).
    operator_name: Mapped[str | None] = mapped_column(sa.String(200))
    data_controller: Mapped[str | None] = mapped_column(sa.String(200))
    footage_contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    footage_contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    footage_contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    footage_contact_pec: Mapped[str | None] = mapped_column(sa.String(254))
    footage_contact_hours: Mapped[str | None] = mapped_column(sa.String(200))
    # law
    purpose: Mapped[str | None] = mapped_column(choice(v.PURPOSES, "camera_purpose"))
    legal_basis: Mapped[str | None] = mapped_column(sa.String(300))
    retention_hours: Mapped[int | None]
    signage: Mapped[str] = mapped_column(choice(v.SIGNAGE, "signage"), default="unknown")
    signage_checked_on: Mapped[date | None]
    # operation
    status: Mapped[str] = mapped_column(choice(v.STATUSES, "camera_status"))
    records: Mapped[bool] = mapped_column(default=True)
    live_link: Mapped[bool] = mapped_column(default=False)
    night_vision: Mapped[bool | None]
    resolution: Mapped[str | None] = mapped_column(sa.String(40))
    installed_on: Mapped[date | None]
    last_verified_on: Mapped[date | None]
    verification: Mapped[str] = mapped_column(choice(v.VERIFICATIONS, "verification"), default="unverified")
    # The day the owner last confirmed a camera it registered (the police's approval, or its yearly
    # re-confirmation; docs/owners.md, "Yearly re-confirmation"). Null for every other camera.
    owner_confirmed_on: Mapped[date | None]
    temporary: Mapped[bool] = mapped_column(default=False)
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    # sharing and bookkeeping
    visibility: Mapped[str] = mapped_column(choice(v.VISIBILITIES, "visibility"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    owner: Mapped[Organisation] = relationship(foreign_keys=[owner_id], lazy="joined")
    operator: Mapped[Organisation | None] = relationship(foreign_keys=[operator_id], lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    @property
    def code(self) -> str:
        """Public code printed on signage and quoted on the phone, e.g. OBS-000042."""
        return f"OBS-{self.id:06d}"

    # The version column makes every UPDATE conditional on the version read: a concurrent
    # writer that got there first turns our flush into StaleDataError (-> 412), atomically.
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        *(sa.CheckConstraint(sql, name=name) for sql, name in _RANGE_CHECKS),
        sa.Index("ix_cameras_owner_ref", "owner_id", "ref", unique=True),
        # An OpenStreetMap re-import finds a node's heads by it (services/import_keys.py).
        sa.Index(
            "ix_cameras_owner_osm",
            "owner_id",
            "osm_id",
            postgresql_where=sa.text("osm_id IS NOT NULL"),
            sqlite_where=sa.text("osm_id IS NOT NULL"),
        ),
        # Only the rare statuses are indexed: most cameras are active, and an index on every status
        # made the planner AND 86 % of the table into each "active cameras in this area" bitmap
        # (docs/performance.md, "Indexes").
        sa.Index(
            "ix_cameras_status_not_active",
            "status",
            postgresql_where=sa.text("status <> 'active'"),
            sqlite_where=sa.text("status <> 'active'"),
        ),
        # "Did obstacles clip any camera reaching this point or area?" (the answers' view_model): only
        # the clipped cameras are indexed, so the question costs one small lookup whether few or
        # most are clipped, not a walk over every sector in reach (docs/performance.md, "Indexes").
        # A GiST index on PostgreSQL; on SQLite a partial B-tree the planner walks instead of the
        # table.
        sa.Index(
            "ix_cameras_fov_clipped",
            "fov",
            postgresql_using="gist",
            postgresql_where=sa.text("fov_visible IS NOT NULL"),
            sqlite_where=sa.text("fov_visible IS NOT NULL"),
        ),
    )


class CameraStatusChange(Base):
    """One change of a camera's status: the history officers read before asking for footage."""

    __tablename__ = "camera_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(choice(v.STATUSES, "from_status"))
    to_status: Mapped[str] = mapped_column(choice(v.STATUSES, "to_status"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(sa.String(500))

    camera: Mapped[Camera] = relationship()
    changed_by: Mapped[User | None] = relationship(lazy="joined")
