"""The owner's side of footage requests (docs/owners.md, "Footage requests"): the preservation requests
addressed to its organisation, read and answered from its own pages.

An owner reaches only the requests whose `owner_id` is its organisation: any other is missing (404),
never forbidden. What it sees of a request is what it needs to act: the police organisation that
asks, the protocol number, the time window, its own cameras named and the deadline by which their
footage of the window is overwritten. The intervention's title, reason and the police's note stay
with the police.

Every read of a request (in the inbox or alone) and every answer is audited with the intervention's
reason (the request's reason) and the request's protocol number. Answers are kept, in order; the
request's `status` follows the latest one (`STATUS_AFTER`), so the police's pages, API and brief
see it at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from observo.domain import deadlines as dl
from observo.domain.reasons import stored_reason
from observo.errors import FieldIssue, InvalidInput, NotFound, StaleVersion
from observo.models import Camera, Intervention, OwnerAccount, PreservationAnswer, PreservationRequest
from observo.models.base import utcnow
from observo.models.preservation_answer import ANSWERS
from observo.services import audit
from observo.services.owners import owner_actor

REASON_MAX = 1000  # the column
# The request's status once the owner has answered. `nothing_recorded` closes the request as `expired`
# (the police's "no footage to collect"): the answer itself, shown next to it, says why.
STATUS_AFTER = {
    "preserved": "preserved",
    "handed_over": "preserved",
    "refused": "refused",
    "nothing_recorded": "expired",
}


@dataclass(frozen=True)
class RequestedCamera:
    id: int
    code: str
    name: str
    expires_at: datetime | None
    flag: str | None  # dl.NOT_RECORDING, dl.RETENTION_UNKNOWN


@dataclass(frozen=True)
class OwnerRequest:
    """One request as its owner sees it: the cameras (its own), the earliest deadline, the answers."""

    request: PreservationRequest
    cameras: list[RequestedCamera]
    deadline: datetime | None
    answers: list[PreservationAnswer]

    @property
    def intervention(self) -> Intervention:
        return self.request.intervention


def inbox(session: Session, account: OwnerAccount) -> list[OwnerRequest]:
    """The requests addressed to the account's organisation, the latest first; each read is audited."""
    stmt = (
        sa.select(PreservationRequest)
        .where(PreservationRequest.owner_id == account.organisation_id)
        .options(selectinload(PreservationRequest.intervention))
        .order_by(PreservationRequest.requested_at.desc(), PreservationRequest.id.desc())
    )
    requests = list(session.scalars(stmt))
    answers = answers_by_request(session, [request.id for request in requests])
    shown = [_shown(session, request, answers.get(request.id, [])) for request in requests]
    for item in shown:
        _audit(session, account, "preservation.owner_read", item.request, {"view": "inbox"})
    return shown


def owner_request(session: Session, account: OwnerAccount, request_id: int) -> OwnerRequest:
    """One request of the account's organisation (audited); another owner's is missing."""
    request = _own_request(session, account, request_id)
    item = _shown(session, request, answers_by_request(session, [request.id]).get(request.id, []))
    _audit(session, account, "preservation.owner_read", request, {"view": "detail"})
    return item


def answer(
    session: Session, account: OwnerAccount, request_id: int, given: str, reason: str | None
) -> PreservationAnswer:
    """Record the owner's answer; `refused` needs a reason. The request's status follows it."""
    request = _own_request(session, account, request_id)
    text = _checked(given, reason)
    before = {"status": request.status, "answered_at": dl.iso_z(request.answered_at)}
    moment = utcnow()
    recorded = PreservationAnswer(
        request_id=request.id, answer=given, reason=text, answered_at=moment, account_id=account.id
    )
    session.add(recorded)
    request.status = STATUS_AFTER[given]
    request.answered_at = moment
    try:
        session.flush()
    except StaleDataError as exc:  # the police changed the request meanwhile
        raise StaleVersion(f"request {request_id} was changed meanwhile") from exc
    after = {"status": request.status, "answered_at": dl.iso_z(request.answered_at)}
    details = {"answer": given, "answer_reason": text, "changes": audit.changes(before, after)}
    _audit(session, account, "preservation.answer", request, details)
    return recorded


def answers_by_request(session: Session, request_ids: Iterable[int]) -> dict[int, list[PreservationAnswer]]:
    """Every answer to these requests, oldest first (the police's pages and brief show them)."""
    wanted = list(set(request_ids))
    if not wanted:
        return {}
    stmt = (
        sa.select(PreservationAnswer)
        .where(PreservationAnswer.request_id.in_(wanted))
        .order_by(PreservationAnswer.answered_at, PreservationAnswer.id)
    )
    found: dict[int, list[PreservationAnswer]] = {}
    for item in session.scalars(stmt):
        found.setdefault(item.request_id, []).append(item)
    return found


def requested_cameras(session: Session, request: PreservationRequest) -> list[RequestedCamera]:
    """The owner's cameras the request names (none named: its cameras in the plan's snapshot, or all of
    them before there is one), soonest deadline first. Only cameras the owner still owns."""
    stmt = sa.select(Camera).where(Camera.owner_id == request.owner_id)
    named = list(request.camera_ids or [])
    if not named:
        snapshot = request.intervention.snapshot
        if snapshot is not None:
            named = [c["id"] for c in snapshot.get("cameras", []) if c.get("owner_id") == request.owner_id]
            if not named:
                return []
    if named:
        stmt = stmt.where(Camera.id.in_(named))
    window_end = request.intervention.window_end
    found = []
    for camera in session.scalars(stmt):
        expiry = dl.footage_expiry(window_end, camera.records, camera.retention_hours)
        found.append(
            RequestedCamera(camera.id, camera.code, camera.name or "", expiry.expires_at, expiry.flag)
        )
    return dl.by_urgency(found, lambda c: c.expires_at, lambda c: c.flag, lambda c: (c.code, c.id))


def _shown(session: Session, request: PreservationRequest, answers: list[PreservationAnswer]) -> OwnerRequest:
    cameras = requested_cameras(session, request)
    deadlines = [camera.expires_at for camera in cameras if camera.expires_at is not None]
    return OwnerRequest(request, cameras, min(deadlines) if deadlines else None, answers)


def _own_request(session: Session, account: OwnerAccount, request_id: int) -> PreservationRequest:
    request = session.get(PreservationRequest, request_id)
    if request is None or request.owner_id != account.organisation_id:
        raise NotFound(f"no preservation request {request_id}")
    return request


def _checked(given: str, reason: str | None) -> str | None:
    if given not in ANSWERS:
        raise InvalidInput("unknown answer", [FieldIssue("/answer", "invalid_choice", "unknown answer")])
    text = (reason or "").strip() or None
    if text is not None and len(text) > REASON_MAX:
        detail = f"a reason is at most {REASON_MAX} characters"
        raise InvalidInput(detail, [FieldIssue("/reason", "too_long", detail)])
    if given == "refused" and text is None:
        detail = "a refusal needs a reason"
        raise InvalidInput(detail, [FieldIssue("/reason", "required", detail)])
    return text


def _audit(
    session: Session,
    account: OwnerAccount,
    action: str,
    request: PreservationRequest,
    details: dict[str, Any],
) -> None:
    intervention = request.intervention
    audit.record(
        session,
        owner_actor(account),
        action,
        object_type="preservation_request",
        object_id=request.id,
        subject_organisation_id=request.owner_id,
        reason=stored_reason(intervention.reason),
        details={
            "intervention_id": intervention.id,
            "protocol_number": request.protocol_number,
            "intervention_protocol_number": intervention.protocol_number,
            **details,
        },
    )
