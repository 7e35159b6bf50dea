"""Coordinated interventions: who may read and change them, their audited writes, their JSON.

Read: users of the lead organisation, of the organisations it is shared with, and of the members of
the pacts it is shared with; admins. Anyone else gets 404. Change, delete, snapshot: users of the
lead (editors and viewers alike: the plan is the lead's operation) and admins. Every write is
audited with the intervention's reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from observo.domain import deadlines as dl
from observo.domain.permissions import Actor
from observo.domain.reasons import stored_reason
from observo.errors import FieldIssue, Forbidden, InvalidInput, NotFound, StaleVersion
from observo.models import (
    Intervention,
    InterventionTarget,
    Organisation,
    Pact,
    intervention_organisations,
    intervention_pacts,
    pact_members,
)
from observo.models.base import utcnow
from observo.services import audit
from observo.services import intervention_reads as reads
from observo.services import intervention_snapshot as snap
from observo.services.organisations import nameable_organisation, visible_pacts
from observo.services.preservation_scope import ShownRequest, visible_requests

SRID = 4326
# Simple attributes a write copies verbatim (the others are resolved: lead, sharing, targets).
_PLAIN = ("title", "description", "kind", "status", "reason", "protocol_number", "window_start", "window_end")
# Moving out of draft into these confirms the plan: the snapshot is taken.
_CONFIRMED = ("planned", "active")


# --- who may do what -------------------------------------------------------------------------------


def readable_interventions(actor: Actor) -> sa.ColumnElement[bool]:
    """A WHERE clause true exactly for the interventions `actor` may read."""
    if actor.is_admin:
        return sa.true()
    if actor.is_anonymous or actor.organisation_id is None:
        return sa.false()
    own = actor.organisation_id
    shared = sa.exists().where(
        intervention_organisations.c.intervention_id == Intervention.id,
        intervention_organisations.c.organisation_id == own,
    )
    via_pact = sa.exists().where(
        intervention_pacts.c.intervention_id == Intervention.id,
        pact_members.c.pact_id == intervention_pacts.c.pact_id,
        pact_members.c.organisation_id == own,
    )
    return sa.or_(Intervention.lead_id == own, shared, via_pact)


def can_change(actor: Actor, intervention: Intervention) -> bool:
    if actor.is_admin:
        return True
    return not actor.is_anonymous and actor.organisation_id == intervention.lead_id


def get_intervention(session: Session, actor: Actor, intervention_id: int) -> Intervention:
    found = session.scalar(
        sa.select(Intervention).where(Intervention.id == intervention_id, readable_interventions(actor))
    )
    if found is None:
        raise NotFound(f"no intervention {intervention_id}")
    return found


def list_interventions(session: Session, actor: Actor, status: str | None = None) -> list[Intervention]:
    """Readable interventions, the latest window first."""
    stmt = (
        sa.select(Intervention)
        .where(readable_interventions(actor))
        .options(
            selectinload(Intervention.targets),
            selectinload(Intervention.shared_organisations),
            selectinload(Intervention.shared_pacts),
            selectinload(Intervention.preservation_requests),
        )
        .order_by(Intervention.window_start.desc(), Intervention.id.desc())
    )
    if status:
        stmt = stmt.where(Intervention.status == status)
    return list(session.scalars(stmt))


def changeable(session: Session, actor: Actor, intervention_id: int, expected_version: int) -> Intervention:
    """The intervention, if `actor` may change it and If-Match names its current version."""
    intervention = get_intervention(session, actor, intervention_id)
    if not can_change(actor, intervention):
        raise Forbidden("only users of the lead organisation change an intervention")
    if intervention.version != expected_version:
        raise StaleVersion(
            f"intervention {intervention_id} is at version {intervention.version}, not {expected_version}"
        )
    return intervention


# --- writes ----------------------------------------------------------------------------------------


def create_intervention(session: Session, actor: Actor, values: Mapping[str, Any]) -> Intervention:
    """A new intervention led by the actor's organisation (admins: any `lead`). Confirmed at once
    (status planned or active), it gets its snapshot."""
    intervention = Intervention(lead=_lead(session, actor, values.get("lead")), status="draft")
    intervention.created_by_id = intervention.updated_by_id = actor.user_id
    _assign(session, actor, intervention, values)
    _check_window(intervention)
    session.add(intervention)
    session.flush()
    audit.record(
        session,
        actor,
        "intervention.create",
        **_subject(intervention),
        details={"after": _record(intervention)},
    )
    if intervention.status in _CONFIRMED:
        take_snapshot(session, actor, intervention)
    return intervention


def update_intervention(
    session: Session, actor: Actor, intervention_id: int, expected_version: int, values: Mapping[str, Any]
) -> Intervention:
    """Change some fields. Confirming (draft -> planned/active) takes the snapshot; new targets or a new
    window retake an existing one, so cameras and deadlines never describe another plan."""
    intervention = changeable(session, actor, intervention_id, expected_version)
    before = _record(intervention)
    was_draft = intervention.status == "draft"
    _assign(session, actor, intervention, values)
    _check_window(intervention)
    after = _record(intervention)
    changes = audit.changes(before, after)
    if not changes:
        return intervention
    _flush(session, actor, intervention)
    audit.record(
        session, actor, "intervention.update", **_subject(intervention), details={"changes": changes}
    )
    confirmed = was_draft and intervention.status in _CONFIRMED
    replanned = intervention.snapshot is not None and bool(
        {"targets", "window_start", "window_end"} & set(changes)
    )
    if confirmed or replanned:
        take_snapshot(session, actor, intervention)
    return intervention


def delete_intervention(session: Session, actor: Actor, intervention_id: int, expected_version: int) -> None:
    intervention = changeable(session, actor, intervention_id, expected_version)
    audit.record(
        session,
        actor,
        "intervention.delete",
        **_subject(intervention),
        details={"before": _record(intervention)},
    )
    session.delete(intervention)
    try:
        session.flush()
    except StaleDataError as exc:
        raise StaleVersion(f"intervention {intervention_id} was changed meanwhile") from exc


def take_snapshot(session: Session, actor: Actor, intervention: Intervention) -> Intervention:
    """Compute and store the snapshot in the actor's scope (a user of the lead, or an admin); a
    coverage run over restricted data, so audited with the intervention's reason."""
    session.flush()  # new targets need their ids
    intervention.snapshot = snap.build_snapshot(session, actor, intervention)  # a new dict: a change
    intervention.snapshot_at = dl.parse_iso(intervention.snapshot["computed_at"])
    _flush(session, actor, intervention)
    totals = intervention.snapshot["totals"]
    audit.record(
        session,
        actor,
        "intervention.snapshot",
        **_subject(intervention),
        geometry=snap.targets_region(intervention),
        result_count=totals["cameras"],
        details={"targets": totals["targets"], "owners": totals["owners"], "ratio": totals["ratio"]},
    )
    return intervention


def recompute_snapshot(
    session: Session, actor: Actor, intervention_id: int, expected_version: int
) -> Intervention:
    return take_snapshot(session, actor, changeable(session, actor, intervention_id, expected_version))


def _subject(intervention: Intervention) -> dict[str, Any]:
    return {
        "object_type": "intervention",
        "object_id": intervention.id,
        "subject_organisation_id": intervention.lead_id,
        "reason": stored_reason(intervention.reason),  # 409 for a plan stored without one
    }


def _flush(session: Session, actor: Actor, intervention: Intervention) -> None:
    intervention_id = intervention.id
    intervention.updated_at = utcnow()
    intervention.updated_by_id = actor.user_id
    try:
        session.flush()
    except StaleDataError as exc:
        raise StaleVersion(f"intervention {intervention_id} was changed meanwhile") from exc


def _lead(session: Session, actor: Actor, slug: str | None) -> Organisation:
    if slug is None:
        if actor.organisation_id is None:
            raise InvalidInput("name the lead organisation", [FieldIssue("/lead", "required", "missing")])
        return session.get_one(Organisation, actor.organisation_id)
    lead = nameable_organisation(session, actor, slug, "/lead")  # hidden: the unknown slug's 422
    if not actor.is_admin and lead.id != actor.organisation_id:
        raise Forbidden("an intervention is led by your own organisation")
    return lead


def _assign(session: Session, actor: Actor, intervention: Intervention, values: Mapping[str, Any]) -> None:
    for name in _PLAIN:
        if name in values:
            setattr(intervention, name, values[name])
    if "organizations" in values:
        intervention.shared_organisations = _organisations(session, actor, values["organizations"])
    if "pacts" in values:
        intervention.shared_pacts = _pacts(session, actor, values["pacts"])
    if "targets" in values and _target_keys(intervention.targets) != _input_keys(values["targets"]):
        intervention.targets = [
            InterventionTarget(
                position=index,
                name=target["name"],
                geometry=from_shape(target["geometry"], srid=SRID),
                buffer_m=target["buffer_m"],
            )
            for index, target in enumerate(values["targets"])
        ]


def _target_keys(targets: Sequence[InterventionTarget]) -> list[tuple[str, float, str]]:
    return [(t.name, t.buffer_m, audit.geometry_hash(to_shape(t.geometry))) for t in targets]


def _input_keys(targets: Sequence[Mapping[str, Any]]) -> list[tuple[str, float, str]]:
    """Targets sent again unchanged keep their rows (and the ids the snapshot refers to)."""
    return [(t["name"], t["buffer_m"], audit.geometry_hash(t["geometry"])) for t in targets]


def _organisations(session: Session, actor: Actor, slugs: Sequence[str]) -> list[Organisation]:
    """Organisations the actor may see (`visible_to`); another is an unknown organisation (no leak)."""
    found: dict[str, Organisation] = {}
    for index, slug in enumerate(slugs):
        if slug not in found:
            pointer = f"/shared_with/organizations/{index}"
            found[slug] = nameable_organisation(session, actor, slug, pointer)
    return list(found.values())


def _pacts(session: Session, actor: Actor, slugs: Sequence[str]) -> list[Pact]:
    """Pacts the actor belongs to (admins: any); another is an unknown pact (no existence leak)."""
    found: dict[str, Pact] = {}
    for index, slug in enumerate(slugs):
        if slug in found:
            continue
        pact = session.scalar(visible_pacts(actor).where(Pact.slug == slug))
        if pact is None:
            issue = FieldIssue(f"/shared_with/pacts/{index}", "unknown_pact", f"no pact {slug!r} of yours")
            raise InvalidInput("unknown pact", [issue])
        found[slug] = pact
    return list(found.values())


def _check_window(intervention: Intervention) -> None:
    if intervention.window_end < intervention.window_start:
        issue = FieldIssue("/window/end", "window_order", "the window ends before it starts")
        raise InvalidInput("the window ends before it starts", [issue])


def _record(intervention: Intervention) -> dict[str, Any]:
    """The intervention as the audit log keeps it (targets by name, buffer and geometry hash)."""
    return {
        "title": intervention.title,
        "description": intervention.description,
        "kind": intervention.kind,
        "lead": intervention.lead.slug,
        "status": intervention.status,
        "window_start": dl.iso_z(intervention.window_start),
        "window_end": dl.iso_z(intervention.window_end),
        "reason": intervention.reason,
        "protocol_number": intervention.protocol_number,
        "organizations": sorted(org.slug for org in intervention.shared_organisations),
        "pacts": sorted(pact.slug for pact in intervention.shared_pacts),
        "targets": [
            {
                "name": target.name,
                "buffer_m": target.buffer_m,
                "geometry_hash": audit.geometry_hash(to_shape(target.geometry)),
            }
            for target in intervention.targets
        ],
    }


# --- reads -----------------------------------------------------------------------------------------


def snapshot_for(actor: Actor, intervention: Intervention) -> dict[str, Any] | None:
    """The stored snapshot as `actor` may see it, figures in its scope (None before the plan is
    confirmed)."""
    if intervention.snapshot is None:
        return None
    return snap.filter_snapshot(_session_of(intervention), intervention.snapshot, actor, intervention)


def deadlines(session: Session, actor: Actor, intervention: Intervention, at: datetime) -> dict[str, Any]:
    """Footage deadlines at `at`, owners and contacts (audited `intervention.contacts`; 409 before
    the snapshot)."""
    return reads.deadlines_json(session, actor, intervention, snapshot_for(actor, intervention), at)


def map_features(session: Session, actor: Actor, intervention: Intervention) -> dict[str, Any]:
    """The map's FeatureCollection from the snapshot, or computed live in the reader's scope before it
    exists (a coverage run: audited with the intervention's reason)."""
    filtered = snapshot_for(actor, intervention)
    if filtered is not None:
        return reads.map_json(visible_requests(session, actor, intervention), filtered, live=False)
    built = snap.build_snapshot(session, actor, intervention)
    live = snap.filter_snapshot(session, built, actor, intervention)
    audit.record(
        session,
        actor,
        "intervention.map",
        **_subject(intervention),
        geometry=snap.targets_region(intervention),
        result_count=len(live["cameras"]),
    )
    return reads.map_json(visible_requests(session, actor, intervention), live, live=True)


def requests_for(actor: Actor, intervention: Intervention) -> list[ShownRequest]:
    """The preservation requests `actor` sees, oldest first, with the cameras it may read."""
    return visible_requests(_session_of(intervention), actor, intervention)


def intervention_json(actor: Actor, intervention: Intervention) -> dict[str, Any]:
    """The intervention as the API answers it, its snapshot summarised for `actor`."""
    requests = requests_for(actor, intervention)
    return reads.intervention_json(intervention, snapshot_for(actor, intervention), requests)


def _session_of(intervention: Intervention) -> Session:
    """The session it was read through (get_intervention, list_interventions): the reads need one."""
    session = Session.object_session(intervention)
    assert session is not None
    return session
