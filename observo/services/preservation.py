"""Requests to owners to preserve footage for an intervention: who was asked, when, how, the answer.

Anyone who may read the intervention may record and update them (the partner who phoned the owner
records the call). Each write is audited with the intervention's reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from observo.domain import deadlines as dl
from observo.domain.permissions import Actor
from observo.domain.reasons import stored_reason
from observo.errors import FieldIssue, InvalidInput, NotFound, StaleVersion
from observo.models import Camera, Intervention, Organisation, PreservationRequest
from observo.models.base import utcnow
from observo.services import audit
from observo.services.interventions import get_intervention
from observo.services.organisations import nameable_organisation
from observo.services.preservation_scope import ShownRequest, owner_seen, visible_requests
from observo.services.scope import readable_cameras

_CHANGEABLE = ("status", "answered_at", "contact", "protocol_number", "note")


def list_requests(session: Session, actor: Actor, intervention_id: int) -> list[ShownRequest]:
    """The requests the actor sees (`preservation_scope`), oldest first."""
    return visible_requests(session, actor, get_intervention(session, actor, intervention_id))


def get_request(session: Session, actor: Actor, intervention_id: int, request_id: int) -> ShownRequest:
    return _request_of(session, actor, get_intervention(session, actor, intervention_id), request_id)


def create_request(
    session: Session, actor: Actor, intervention_id: int, values: Mapping[str, Any]
) -> PreservationRequest:
    intervention = get_intervention(session, actor, intervention_id)
    owner = _owner(session, actor, intervention, values["owner"])
    camera_ids = _owned_cameras(session, actor, owner, values.get("camera_ids", []))
    request = PreservationRequest(
        intervention=intervention,
        owner=owner,
        camera_ids=camera_ids,
        requested_at=values.get("requested_at") or utcnow(),
        channel=values["channel"],
        contact=values.get("contact"),
        protocol_number=values.get("protocol_number"),
        note=values.get("note"),
        status="pending",
        requested_by_id=actor.user_id,
    )
    session.add(request)
    session.flush()
    _audit(session, actor, "preservation.create", intervention, request, {"after": _record(request)})
    return request


def update_request(
    session: Session,
    actor: Actor,
    intervention_id: int,
    request_id: int,
    expected_version: int,
    values: Mapping[str, Any],
) -> ShownRequest:
    """Record the owner's answer (`preserved`, `refused`) or that the footage expired; `answered_at`
    defaults to now when the status leaves `pending`. Answered as the actor sees the request."""
    intervention = get_intervention(session, actor, intervention_id)
    shown = _request_of(session, actor, intervention, request_id)
    request = shown.request
    if request.version != expected_version:
        raise StaleVersion(f"request {request_id} is at version {request.version}, not {expected_version}")
    before = _record(request)
    for name in _CHANGEABLE:
        if name in values:
            setattr(request, name, values[name])
    if request.status == "pending":
        request.answered_at = None
    elif request.answered_at is None:
        request.answered_at = utcnow()
    changes = audit.changes(before, _record(request))
    if changes:
        try:
            session.flush()
        except StaleDataError as exc:
            raise StaleVersion(f"request {request_id} was changed meanwhile") from exc
        _audit(session, actor, "preservation.update", intervention, request, {"changes": changes})
    return shown


def request_json(request: PreservationRequest | ShownRequest) -> dict[str, Any]:
    """The request as the API answers it; a `ShownRequest` with the cameras its reader may read."""
    return {
        "id": request.id,
        "intervention_id": request.intervention_id,
        **_record(request),
        "version": request.version,
        "created_at": dl.iso_z(request.created_at),
        "requested_by": request.requested_by.email if request.requested_by else None,
    }


def _request_of(session: Session, actor: Actor, intervention: Intervention, request_id: int) -> ShownRequest:
    """The request if the actor sees it; one it may not see is missing (the same 404)."""
    shown = {item.id: item for item in visible_requests(session, actor, intervention)}
    if request_id not in shown:
        raise NotFound(f"no preservation request {request_id} in intervention {intervention.id}")
    return shown[request_id]


def _owner(session: Session, actor: Actor, intervention: Intervention, slug: str) -> Organisation:
    """The owner asked for footage: one the actor may see, or already sees through the intervention
    (its lead, the organisations it is shared with) or through a camera it may read. Any other name is
    the same 422 as an unknown slug (docs/security.md)."""
    return nameable_organisation(session, actor, slug, "/owner", also=owner_seen(actor, intervention))


def _owned_cameras(
    session: Session, actor: Actor, owner: Organisation, camera_ids: Sequence[int]
) -> list[int]:
    """The named cameras, each one the actor may read and the owner owns (else 422, no existence leak)."""
    wanted = list(dict.fromkeys(camera_ids))
    if not wanted:
        return []
    stmt = sa.select(Camera.id).where(
        Camera.id.in_(wanted), Camera.owner_id == owner.id, readable_cameras(actor)
    )
    found = set(session.scalars(stmt))
    issues = [
        FieldIssue(f"/camera_ids/{index}", "unknown_camera", f"no camera {camera_id} of {owner.slug!r}")
        for index, camera_id in enumerate(camera_ids)
        if camera_id not in found
    ]
    if issues:
        raise InvalidInput("the request names cameras the owner does not have", issues)
    return wanted


def _record(request: PreservationRequest) -> dict[str, Any]:
    return {
        "owner": request.owner.slug,
        "camera_ids": list(request.camera_ids or []),
        "requested_at": dl.iso_z(request.requested_at),
        "channel": request.channel,
        "contact": request.contact,
        "protocol_number": request.protocol_number,
        "note": request.note,
        "status": request.status,
        "answered_at": dl.iso_z(request.answered_at),
    }


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    intervention: Intervention,
    request: PreservationRequest,
    details: dict[str, Any],
) -> None:
    audit.record(
        session,
        actor,
        action,
        object_type="preservation_request",
        object_id=request.id,
        subject_organisation_id=request.owner_id,
        reason=stored_reason(intervention.reason),  # 409 for a plan stored without one
        details={"intervention_id": intervention.id, **details},
    )
