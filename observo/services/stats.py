"""The registry in figures: cameras per municipality, and the coverage trend of sensitive places.

Counts run over the cameras the caller may read (`readable_cameras`), aggregated by the database
with one GROUP BY; Python only folds the grouped rows into per-municipality figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain import vocabulary as v
from observo.domain.permissions import Actor
from observo.models import Camera, Organisation, Place, PlaceCoverage
from observo.models.base import utcnow
from observo.services.confirmations import due_query
from observo.services.places import figures_shown, recent_measurements, visible_places
from observo.services.scope import readable_cameras
from observo.settings import current_settings

# A camera whose last check is older than this (or never checked) is "not verified for over a year".
VERIFICATION_MAX_AGE = timedelta(days=365)
# Ratio changes smaller than this are noise (rounding, a vertex more on an arc): the trend is steady.
TREND_EPSILON = 0.0005


def _zeros(values: tuple[str, ...]) -> dict[str, int]:
    return dict.fromkeys(values, 0)


@dataclass
class Figures:
    """The counts of one group of cameras (a municipality, or all of them)."""

    total: int = 0
    by_camera_type: dict[str, int] = field(default_factory=lambda: _zeros(v.CAMERA_TYPES))
    by_status: dict[str, int] = field(default_factory=lambda: _zeros(v.STATUSES))
    by_visibility: dict[str, int] = field(default_factory=lambda: _zeros(v.VISIBILITIES))
    recording: int = 0
    retention_known: int = 0
    not_verified_for_a_year: int = 0
    owner_confirmation_due: int = 0  # owners' cameras to re-confirm (due soon, overdue or lapsed)

    @property
    def faulty(self) -> int:
        return self.by_status["faulty"]

    @property
    def retention_known_share(self) -> float | None:
        """Cameras whose footage lifetime is known, out of all; None when there are none."""
        return round(self.retention_known / self.total, 4) if self.total else None

    def add(self, row: sa.Row) -> None:
        """Fold one grouped row (type, status, visibility and its sums) into the figures."""
        self.total += row.cameras
        self.by_camera_type[row.camera_type] += row.cameras
        self.by_status[row.status] += row.cameras
        self.by_visibility[row.visibility] += row.cameras
        self.recording += row.recording
        self.retention_known += row.retention_known
        self.not_verified_for_a_year += row.not_verified
        self.owner_confirmation_due += row.confirmation_due


@dataclass
class MunicipalityFigures:
    istat_code: str | None  # None: cameras without a municipality
    organisation: Organisation | None  # the municipality organisation with that ISTAT code, if any
    figures: Figures = field(default_factory=Figures)

    @property
    def name(self) -> str | None:
        return self.organisation.name if self.organisation else None


@dataclass(frozen=True)
class PlaceTrend:
    place: Place
    latest: PlaceCoverage | None
    previous: PlaceCoverage | None

    @property
    def trend(self) -> str | None:
        """`up`, `down` or `steady` from the previous measurement to the latest; None without two."""
        if self.latest is None or self.previous is None:
            return None
        change = self.latest.ratio - self.previous.ratio
        if abs(change) < TREND_EPSILON:
            return "steady"
        return "up" if change > 0 else "down"


@dataclass(frozen=True)
class Statistics:
    today: date
    include_decommissioned: bool
    municipality: str | None
    municipalities: list[MunicipalityFigures]
    totals: Figures
    places: list[PlaceTrend]


def registry_stats(
    session: Session,
    actor: Actor,
    *,
    municipality: str | None = None,
    include_decommissioned: bool = False,
    today: date | None = None,
) -> Statistics:
    """Camera counts per municipality over the actor's read scope, and the actor's places' trend.

    Decommissioned cameras are left out unless `include_decommissioned`: they no longer watch anything.
    """
    today = today or utcnow().date()
    groups: dict[str | None, MunicipalityFigures] = {}
    totals = Figures()
    for row in session.execute(_grouped_counts(actor, municipality, include_decommissioned, today)):
        group = groups.setdefault(row.municipality, MunicipalityFigures(row.municipality, None))
        group.figures.add(row)
        totals.add(row)
    for organisation in _municipality_organisations(session, [code for code in groups if code]):
        groups[organisation.istat_code].organisation = organisation
    ordered = sorted(groups.values(), key=lambda g: (g.istat_code is None, g.name or "", g.istat_code or ""))
    return Statistics(
        today=today,
        include_decommissioned=include_decommissioned,
        municipality=municipality,
        municipalities=ordered,
        totals=totals,
        places=place_trends(session, actor, municipality),
    )


def _grouped_counts(
    actor: Actor, municipality: str | None, include_decommissioned: bool, today: date
) -> sa.Select:
    """One row per (municipality, type, status, visibility) with its count and conditional sums."""
    cutoff = today - VERIFICATION_MAX_AGE
    not_verified = sa.or_(Camera.last_verified_on.is_(None), Camera.last_verified_on < cutoff)
    confirmation_due = due_query(today, current_settings().confirmation_policy)
    keys = (Camera.municipality, Camera.camera_type, Camera.status, Camera.visibility)
    stmt = (
        sa.select(
            *keys,
            sa.func.count().label("cameras"),
            sa.func.sum(sa.case((Camera.records, 1), else_=0)).label("recording"),
            sa.func.sum(sa.case((Camera.retention_hours.is_not(None), 1), else_=0)).label("retention_known"),
            sa.func.sum(sa.case((not_verified, 1), else_=0)).label("not_verified"),
            sa.func.sum(sa.case((confirmation_due, 1), else_=0)).label("confirmation_due"),
        )
        .where(readable_cameras(actor))
        .group_by(*keys)
    )
    if not include_decommissioned:
        stmt = stmt.where(Camera.status != "decommissioned")
    if municipality is not None:
        stmt = stmt.where(Camera.municipality == municipality)
    return stmt


def _municipality_organisations(session: Session, codes: list[str]) -> list[Organisation]:
    if not codes:
        return []
    stmt = sa.select(Organisation).where(
        Organisation.kind == "municipality", Organisation.istat_code.in_(codes)
    )
    return list(session.scalars(stmt))


def municipality_choices(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(ISTAT code, name or code) of the municipalities with cameras the actor may read, by name."""
    stmt = sa.select(Camera.municipality).where(readable_cameras(actor), Camera.municipality.is_not(None))
    codes = list(session.scalars(stmt.distinct()))
    names = {org.istat_code: org.name for org in _municipality_organisations(session, codes)}
    return sorted(((code, names.get(code, code)) for code in codes), key=lambda pair: (pair[1], pair[0]))


def place_trends(session: Session, actor: Actor, municipality: str | None = None) -> list[PlaceTrend]:
    """The places of the actor's own organisations (admins: all), each with its two latest measurements
    (none where they are withheld from the actor: `places.figures_shown`)."""
    stmt = visible_places(actor, partners=False)
    if municipality is not None:
        stmt = stmt.where(Place.organisation.has(Organisation.istat_code == municipality))
    places = list(session.scalars(stmt))
    shown = figures_shown(session, actor, places)  # a place's figures only where its scope is covered
    recent = recent_measurements(session, [p.id for p in places if p.organisation_id in shown], depth=2)
    trends = []
    for place in places:
        latest, previous, *_ = [*recent.get(place.id, []), None, None]
        trends.append(PlaceTrend(place, latest, previous))
    return trends
