"""Which of an intervention's preservation requests a reader sees, and which of their cameras.

A request names an owner and, usually, some of its cameras. Readers of a shared plan do not all read
the same cameras, so a request is shown to a reader only if it names at least one camera the reader
may read (and then with those cameras only), or, naming none, if its owner is an organisation the
reader may name anyway. Requests about cameras hidden from a reader answer it as if they did not
exist: not listed, not counted, 404 by id, no status on the owner's entry (docs/security.md,
"every figure in the caller's scope").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor
from observo.models import Camera, Intervention, Organisation, PreservationRequest
from observo.services.organisations import visible_to
from observo.services.scope import readable_cameras


@dataclass(frozen=True)
class ShownRequest:
    """A request as one reader sees it: every attribute of the request, but only the cameras the
    reader may read in `camera_ids`."""

    request: PreservationRequest
    camera_ids: list[int]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.request, name)


def owner_seen(actor: Actor, intervention: Intervention) -> sa.ColumnElement[bool]:
    """True for the owners `actor` may name in this intervention's requests: those it may see, the
    plan's lead and the organisations it is shared with, and the owners of cameras it may read."""
    named = {intervention.lead_id, *(org.id for org in intervention.shared_organisations)}
    owns_readable = sa.exists().where(Camera.owner_id == Organisation.id, readable_cameras(actor))
    return sa.or_(visible_to(actor), Organisation.id.in_(named), owns_readable)


def visible_requests(session: Session, actor: Actor, intervention: Intervention) -> list[ShownRequest]:
    """The requests `actor` sees, oldest first, each with the cameras it may read."""
    requests = sorted(intervention.preservation_requests, key=lambda item: (item.requested_at, item.id))
    if actor.is_admin:
        return [ShownRequest(request, list(request.camera_ids or [])) for request in requests]
    named = {camera_id for request in requests for camera_id in request.camera_ids or []}
    readable = _readable(session, actor, named)
    owners = _seen_owners(session, actor, intervention, {r.owner_id for r in requests if not r.camera_ids})
    shown = []
    for request in requests:
        if request.camera_ids:
            cameras = [camera_id for camera_id in request.camera_ids if camera_id in readable]
            if cameras:
                shown.append(ShownRequest(request, cameras))
        elif request.owner_id in owners:
            shown.append(ShownRequest(request, []))
    return shown


def _readable(session: Session, actor: Actor, camera_ids: set[int]) -> set[int]:
    if not camera_ids:
        return set()
    stmt = sa.select(Camera.id).where(Camera.id.in_(camera_ids), readable_cameras(actor))
    return set(session.scalars(stmt))


def _seen_owners(session: Session, actor: Actor, intervention: Intervention, owner_ids: set[int]) -> set[int]:
    if not owner_ids:
        return set()
    stmt = sa.select(Organisation.id).where(Organisation.id.in_(owner_ids), owner_seen(actor, intervention))
    return set(session.scalars(stmt))
