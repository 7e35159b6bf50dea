"""The police side of owners' declarations (docs/owners.md, "Police verification"): the queue of the
sponsoring municipality, and approve / ask for changes / reject, each audited with its reason.

Who: the editors of the municipality that sponsors the owner (they write for the owners it sponsors,
domain/permissions.can_write_for) and administrators. Anybody else finds no declaration: a hidden one
and a missing one answer alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from shapely.geometry import Point
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from observo.domain.confirmations import local_day
from observo.domain.permissions import Actor, can_write_for
from observo.errors import Conflict, FieldIssue, Forbidden, InvalidInput, NotFound, StaleVersion
from observo.models import Camera, OwnerCameraDeclaration
from observo.models.base import utcnow
from observo.models.owner import OPEN_STATUSES
from observo.schemas.owner_declaration import camera_attributes
from observo.services import audit
from observo.services.cameras import CameraWrite, create_camera, update_camera

DECISIONS = ("approve", "request_changes", "reject")
REASON_MAX = 1000


def may_verify(actor: Actor) -> bool:
    """May the actor open a verification queue at all (an editor or an administrator)?"""
    return actor.is_admin or actor.role == "editor"


def verification_queue(
    session: Session, actor: Actor, statuses: Sequence[str] = ("pending",)
) -> list[OwnerCameraDeclaration]:
    """The declarations of the owners the actor verifies, oldest first (the order they wait in)."""
    if not may_verify(actor):
        raise Forbidden("only the editors of the sponsoring municipality verify owners' cameras")
    stmt = sa.select(OwnerCameraDeclaration).where(OwnerCameraDeclaration.status.in_(tuple(statuses)))
    if not actor.is_admin:
        stmt = stmt.where(OwnerCameraDeclaration.organisation_id.in_(actor.own_ids or {-1}))
    return list(
        session.scalars(stmt.order_by(OwnerCameraDeclaration.submitted_at, OwnerCameraDeclaration.id))
    )


def readable_declaration(session: Session, actor: Actor, declaration_id: int) -> OwnerCameraDeclaration:
    declaration = session.get(OwnerCameraDeclaration, declaration_id)
    if declaration is None or not can_write_for(actor, declaration.organisation_id):
        raise NotFound(f"no declaration {declaration_id}")
    return declaration


def decide(
    session: Session,
    actor: Actor,
    declaration_id: int,
    expected_version: int,
    decision: str,
    reason: str | None = None,
) -> tuple[OwnerCameraDeclaration, Camera | None]:
    """Approve (the camera is created or changed: returned), ask for changes or reject (a reason is
    required). A declaration already decided, or changed by its owner since it was read, is refused."""
    if decision not in DECISIONS:
        raise InvalidInput(
            "unknown decision", [FieldIssue("/decision", "invalid_choice", f"one of {', '.join(DECISIONS)}")]
        )
    reason = (reason or "").strip() or None
    if decision != "approve" and reason is None:
        raise InvalidInput("a reason is required", [FieldIssue("/reason", "required", "tell the owner why")])
    if reason is not None and len(reason) > REASON_MAX:
        raise InvalidInput(
            "the reason is too long", [FieldIssue("/reason", "too_long", f"at most {REASON_MAX} characters")]
        )
    declaration = readable_declaration(session, actor, declaration_id)
    if declaration.version != expected_version:
        raise StaleVersion(
            f"declaration {declaration_id} is at version {declaration.version}, not {expected_version}"
        )
    if declaration.status not in OPEN_STATUSES or (decision != "approve" and declaration.status != "pending"):
        raise Conflict(f"declaration {declaration_id} is {declaration.status}: nothing to decide")
    camera = _apply(session, actor, declaration) if decision == "approve" else None
    declaration.status = {
        "approve": "approved",
        "request_changes": "changes_requested",
        "reject": "rejected",
    }[decision]
    declaration.reason = reason
    declaration.decided_at = utcnow()
    declaration.decided_by_id = actor.user_id
    if camera is not None:
        declaration.camera_id = camera.id
    try:
        session.flush()
    except StaleDataError as exc:  # the owner edited it between our read and our write
        raise StaleVersion("the declaration was changed meanwhile") from exc
    audit.record(
        session,
        actor,
        f"verification.{decision}",
        object_type="owner_camera_declaration",
        object_id=declaration.id,
        subject_organisation_id=declaration.organisation_id,
        reason=reason,
        details={"kind": declaration.kind, "camera_id": declaration.camera_id},
    )
    return declaration, camera


def _apply(session: Session, actor: Actor, declaration: OwnerCameraDeclaration) -> Camera:
    """The declared data written as a camera of the owner: created, or the approved one changed."""
    data = declaration.data
    owner = declaration.organisation
    write = CameraWrite(
        location=Point(data["longitude"], data["latitude"]),
        # the approval confirms the camera for a year (docs/owners.md, "Yearly re-confirmation")
        attrs={**camera_attributes(data, owner.slug, owner.name), "owner_confirmed_on": local_day(utcnow())},
    )
    if declaration.kind == "new":
        return create_camera(session, actor, write)
    camera = session.get(Camera, declaration.camera_id) if declaration.camera_id is not None else None
    if camera is None:  # withdrawn meanwhile: its open change was cancelled, so this is a race
        raise Conflict("the camera this change is for was withdrawn")
    return update_camera(session, actor, camera.id, camera.version, write)
