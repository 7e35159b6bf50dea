"""Sensitive places (schools, parks, squares) an organisation registers, and their coverage over time.

Who sees what: a place is read by its organisation (and the organisations it sponsors), by pact
partners and by admins; it is changed by the organisation's editors and by admins. Anyone else gets
404, as for cameras.

A place's coverage is measured in its organisation's read scope (`organisation_actor`), whoever asks
for the measurement, so the series is comparable over time and counts only cameras the organisation
itself may read, each seeing its visible area where obstacles clip its sector (services/coverage.py;
the audit entry of each measurement says which model, `view_model`). Only figures are stored (area,
covered area, ratio, number of cameras), never which cameras they are. A reader is shown them only
when its own scope covers the organisation's (`ReadScope.covers`: the organisation's users, admins);
a pact partner reads the place without its figures, which could otherwise reveal the organisation's
private cameras (docs/security.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from observo.domain.permissions import Actor, can_write_for, read_scope
from observo.domain.shapes import Area
from observo.errors import Conflict, FieldIssue, Forbidden, InvalidInput, NotFound, StaleVersion
from observo.models import Organisation, Place, PlaceCoverage
from observo.models.base import utcnow
from observo.services import audit
from observo.services.actors import organisation_actor
from observo.services.coverage import AREA_DIGITS, measure_target
from observo.services.organisations import NAME_MAX, nameable_organisation, named_organisation, text_issues

SRID = 4326
# Kept finer than the coverage answer's 4 digits: a small place's trend moves in the 5th.
RATIO_DIGITS = 6
CHANGEABLE = ("name", "category", "geometry")


def visible_places(actor: Actor, *, partners: bool = True) -> sa.Select[tuple[Place]]:
    """Places the actor may read: admins all; others their own organisations' and, with `partners`,
    their pact partners'. Ordered by organisation name, then place name."""
    stmt = sa.select(Place).join(Organisation, Organisation.id == Place.organisation_id)
    stmt = stmt.order_by(Organisation.name, Place.name, Place.id)
    if actor.is_admin:
        return stmt
    allowed = actor.own_ids | actor.partner_ids if partners else actor.own_ids
    return stmt.where(Place.organisation_id.in_(allowed)) if allowed else stmt.where(sa.false())


def readable_place(session: Session, actor: Actor, place_id: int) -> Place:
    place = session.scalar(visible_places(actor).where(Place.id == place_id))
    if place is None:
        raise NotFound(f"no place {place_id}")
    return place


def writable_place(
    session: Session, actor: Actor, place_id: int, expected_version: int | None = None
) -> Place:
    """The place, if the actor may change it (403 when it may only read it, 404 when not even that)."""
    place = readable_place(session, actor, place_id)
    if not can_write_for(actor, place.organisation_id):
        raise Forbidden("you may read this place but not change it")
    if expected_version is not None and place.version != expected_version:
        raise StaleVersion(f"place {place_id} is at version {place.version}, not {expected_version}")
    return place


def recent_measurements(
    session: Session, place_ids: Iterable[int], depth: int = 1
) -> dict[int, list[PlaceCoverage]]:
    """place id -> its `depth` latest measurements, newest first (one query, a window function)."""
    ids = list(place_ids)
    if not ids:
        return {}
    order = (PlaceCoverage.measured_at.desc(), PlaceCoverage.id.desc())
    rank = sa.func.row_number().over(partition_by=PlaceCoverage.place_id, order_by=order).label("rank")
    ranked = sa.select(PlaceCoverage.id, rank).where(PlaceCoverage.place_id.in_(ids)).subquery()
    stmt = (
        sa.select(PlaceCoverage)
        .join(ranked, ranked.c.id == PlaceCoverage.id)
        .where(ranked.c.rank <= depth)
        .order_by(PlaceCoverage.place_id, *order)
    )
    found: dict[int, list[PlaceCoverage]] = {}
    for measurement in session.scalars(stmt):
        found.setdefault(measurement.place_id, []).append(measurement)
    return found


def latest_measurement(session: Session, place: Place) -> PlaceCoverage | None:
    return next(iter(recent_measurements(session, [place.id]).get(place.id, [])), None)


def figures_shown(session: Session, actor: Actor, places: Iterable[Place]) -> set[int]:
    """Ids of the organisations, among `places`' owners, whose places' figures `actor` may be shown:
    those whose read scope the actor's covers (decided on scopes, never on which cameras exist)."""
    scope = read_scope(actor)
    organisations = {place.organisation_id: place.organisation for place in places}
    if scope.everything:
        return set(organisations)
    return {
        organisation_id
        for organisation_id, organisation in organisations.items()
        if scope.covers(read_scope(organisation_actor(session, organisation)))
    }


def coverage_history(session: Session, actor: Actor, place_id: int) -> list[PlaceCoverage] | None:
    """Every measurement of a readable place, oldest first; None when its figures are withheld from
    `actor` (see the module docstring)."""
    place = readable_place(session, actor, place_id)
    if place.organisation_id not in figures_shown(session, actor, [place]):
        return None
    stmt = (
        sa.select(PlaceCoverage)
        .where(PlaceCoverage.place_id == place.id)
        .order_by(PlaceCoverage.measured_at, PlaceCoverage.id)
    )
    return list(session.scalars(stmt))


def measure_place(session: Session, actor: Actor, place: Place) -> PlaceCoverage:
    """Measure the place now against the active cameras its organisation may read, and keep the figures.

    Audited as `place.measure` on behalf of `actor`, who asked for it.
    """
    scope = organisation_actor(session, place.organisation)
    result = measure_target(session, scope, Area(to_shape(place.geometry)))
    measurement = PlaceCoverage(
        place_id=place.id,
        measured_at=utcnow(),
        area_m2=round(result.coverage.area_m2, AREA_DIGITS),
        covered_m2=round(result.coverage.covered_m2, AREA_DIGITS),
        ratio=round(result.coverage.ratio, RATIO_DIGITS),
        camera_count=len(result.cameras),
    )
    session.add(measurement)
    session.flush()
    figures = {
        "ratio": measurement.ratio,
        "area_m2": measurement.area_m2,
        "covered_m2": measurement.covered_m2,
        "view_model": result.view_model,
    }
    _record(session, actor, "place.measure", place, figures, result_count=measurement.camera_count)
    return measurement


def measure_writable(session: Session, actor: Actor, place_id: int) -> PlaceCoverage:
    """`POST /places/<id>/coverage`: a new measurement, by the place's editors or admins."""
    return measure_place(session, actor, writable_place(session, actor, place_id))


def measure_all(session: Session, actor: Actor, organisation: str | None = None) -> list[PlaceCoverage]:
    """A measurement of every place (of one organisation, by slug): the periodic job's work."""
    stmt = visible_places(actor)
    if organisation is not None:
        owner = named_organisation(session, organisation, "/organisation")
        stmt = stmt.where(Place.organisation_id == owner.id)
    return [measure_place(session, actor, place) for place in session.scalars(stmt).all()]


def create_place(session: Session, actor: Actor, values: Mapping[str, Any]) -> Place:
    """Register a place for an organisation (default: the actor's) and take its first measurement."""
    owner = _owner(session, actor, values.get("organisation"))
    if not can_write_for(actor, owner.id):
        raise Forbidden(f"you may not register places for {owner.slug!r}")
    _check_name(session, owner.id, values["name"])
    place = Place(
        organisation=owner,
        name=values["name"].strip(),
        category=values["category"],
        geometry=from_shape(values["geometry"], srid=SRID),
    )
    session.add(place)
    session.flush()
    _record(session, actor, "place.create", place, {"after": place_snapshot(place)})
    measure_place(session, actor, place)
    return place


def update_place(
    session: Session, actor: Actor, place_id: int, expected_version: int, changes: Mapping[str, Any]
) -> Place:
    """Rename, recategorise or redraw a place; a new outline is measured at once (audited)."""
    place = writable_place(session, actor, place_id, expected_version)
    before = place_snapshot(place)
    if "name" in changes and changes["name"].strip() != place.name:
        _check_name(session, place.organisation_id, changes["name"])
        place.name = changes["name"].strip()
    if "category" in changes:
        place.category = changes["category"]
    if "geometry" in changes and _hash(changes["geometry"]) != before["geometry_hash"]:
        place.geometry = from_shape(changes["geometry"], srid=SRID)
    after = place_snapshot(place)
    if after == before:
        return place  # nothing changed: no new version, nothing to log
    place.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError as exc:  # another write landed between our read and our UPDATE
        raise StaleVersion(f"place {place_id} was changed meanwhile") from exc
    _record(session, actor, "place.update", place, {"changes": audit.changes(before, after)})
    if after["geometry_hash"] != before["geometry_hash"]:
        measure_place(session, actor, place)
    return place


def delete_place(session: Session, actor: Actor, place_id: int, expected_version: int) -> None:
    """Remove a place and its measurements (audited with what was removed)."""
    place = writable_place(session, actor, place_id, expected_version)
    _record(session, actor, "place.delete", place, {"before": place_snapshot(place)})
    session.delete(place)
    try:
        session.flush()
    except StaleDataError as exc:
        raise StaleVersion(f"place {place_id} was changed meanwhile") from exc


def place_snapshot(place: Place) -> dict[str, Any]:
    """The place as the audit log keeps it: the outline by hash (it may have thousands of vertices)."""
    return {
        "id": place.id,
        "organisation": place.organisation.slug,
        "name": place.name,
        "category": place.category,
        "geometry_hash": _hash(to_shape(place.geometry)),
    }


def _hash(geometry: BaseGeometry) -> str:
    return audit.geometry_hash(geometry)


def _owner(session: Session, actor: Actor, slug: str | None) -> Organisation:
    if slug:  # one the actor may not see is the unknown slug's 422; one it sees but may not write, 403
        return nameable_organisation(session, actor, slug, "/organisation")
    if actor.organisation_id is None:
        issue = FieldIssue("/organisation", "required", "name the organisation the place belongs to")
        raise InvalidInput("which organisation's place is it?", [issue])
    return session.get_one(Organisation, actor.organisation_id)


def _check_name(session: Session, organisation_id: int, name: str) -> None:
    if issues := text_issues("/name", name, NAME_MAX):
        raise InvalidInput("the place needs a name", issues)
    taken = sa.select(Place.id).where(Place.organisation_id == organisation_id, Place.name == name.strip())
    if session.scalar(taken) is not None:
        raise Conflict(f"the organisation already has a place named {name.strip()!r}")


def _record(
    session: Session,
    actor: Actor,
    action: str,
    place: Place,
    details: dict[str, Any],
    result_count: int | None = None,
) -> None:
    audit.record(
        session,
        actor,
        action,
        object_type="place",
        object_id=place.id,
        subject_organisation_id=place.organisation_id,
        result_count=result_count,
        details=details,
    )
