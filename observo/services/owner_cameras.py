"""An owner's own cameras (docs/owners.md, "Registering cameras"): what it declares, changes and
withdraws. Every function takes the signed-in owner account and reaches only its organisation's
rows: another owner's declaration or camera is missing, never forbidden (nothing to learn).

Declarations wait for the police (services/verifications.py); withdrawing an approved camera takes
effect at once (GDPR): the camera is deleted from the registry, and the audit log keeps the record.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from observo.errors import Conflict, NotFound, StaleVersion
from observo.models import Camera, OwnerAccount, OwnerCameraDeclaration
from observo.models.owner import OPEN_STATUSES
from observo.services import camera_audit
from observo.services.owners import owner_actor, record_owner_action

DECLARED_CAMERA_FIELDS = (
    "name",
    "camera_type",
    "indoor",
    "bearing_deg",
    "hfov_deg",
    "range_m",
    "height_m",
    "tilt_deg",
    "records",
    "retention_hours",
    "footage_contact_name",
    "footage_contact_phone",
    "footage_contact_email",
    "footage_contact_pec",
    "footage_contact_hours",
)


def owner_cameras(session: Session, account: OwnerAccount) -> list[Camera]:
    """The approved cameras of the owner's organisation, by name."""
    stmt = (
        sa.select(Camera).where(Camera.owner_id == account.organisation_id).order_by(Camera.name, Camera.id)
    )
    return list(session.scalars(stmt))


def owner_camera(session: Session, account: OwnerAccount, camera_id: int) -> Camera:
    camera = session.get(Camera, camera_id)
    if camera is None or camera.owner_id != account.organisation_id:
        raise NotFound(f"no camera {camera_id}")
    return camera


def owner_declarations(
    session: Session, account: OwnerAccount, statuses: tuple[str, ...] | None = None
) -> list[OwnerCameraDeclaration]:
    """The organisation's declarations, newest first (all, or those in `statuses`)."""
    stmt = sa.select(OwnerCameraDeclaration).where(
        OwnerCameraDeclaration.organisation_id == account.organisation_id
    )
    if statuses is not None:
        stmt = stmt.where(OwnerCameraDeclaration.status.in_(statuses))
    return list(session.scalars(stmt.order_by(OwnerCameraDeclaration.id.desc())))


def owner_declaration(session: Session, account: OwnerAccount, declaration_id: int) -> OwnerCameraDeclaration:
    declaration = session.get(OwnerCameraDeclaration, declaration_id)
    if declaration is None or declaration.organisation_id != account.organisation_id:
        raise NotFound(f"no declaration {declaration_id}")
    return declaration


def open_change(session: Session, account: OwnerAccount, camera_id: int) -> OwnerCameraDeclaration | None:
    """The change of the organisation's camera still waiting for the police, if any (one at most:
    `declare_change` replaces it rather than queue another)."""
    return session.scalar(
        sa.select(OwnerCameraDeclaration).where(
            OwnerCameraDeclaration.organisation_id == account.organisation_id,
            OwnerCameraDeclaration.camera_id == camera_id,
            OwnerCameraDeclaration.kind == "change",
            OwnerCameraDeclaration.status.in_(OPEN_STATUSES),
        )
    )


def declared_values(camera: Camera) -> dict[str, Any]:
    """What an approved camera holds, in the declaration's terms: the form to change it starts here."""
    point = to_shape(camera.location)
    values: dict[str, Any] = {name: getattr(camera, name) for name in DECLARED_CAMERA_FIELDS}
    values.update(
        longitude=point.x,
        latitude=point.y,
        police_visibility="shared" if camera.visibility == "shared" else "private",
        contact_consent=any(
            getattr(camera, name) for name in DECLARED_CAMERA_FIELDS if name.startswith("footage_")
        ),
    )
    return values


def declare(session: Session, account: OwnerAccount, declared: dict[str, Any]) -> OwnerCameraDeclaration:
    """A new camera for the police to verify (`declared`: schemas/owner_declaration.py's load)."""
    return _pending(session, account, "new", declared, "owner.camera.declare")


def declare_change(
    session: Session, account: OwnerAccount, camera_id: int, declared: dict[str, Any]
) -> OwnerCameraDeclaration:
    """New data for an approved camera; it stays as approved until the police approve the change.
    A change still open for the same camera is replaced, not queued twice."""
    camera = owner_camera(session, account, camera_id)
    waiting = open_change(session, account, camera.id)
    if waiting is not None:
        return edit_declaration(session, account, waiting.id, waiting.version, declared)
    return _pending(session, account, "change", declared, "owner.camera.change", camera_id=camera.id)


def _pending(
    session: Session,
    account: OwnerAccount,
    kind: str,
    declared: dict[str, Any],
    action: str,
    camera_id: int | None = None,
) -> OwnerCameraDeclaration:
    """A declaration of `kind` waiting for the police, audited as `action`."""
    declaration = OwnerCameraDeclaration(
        organisation_id=account.organisation_id,
        account_id=account.id,
        kind=kind,
        camera_id=camera_id,
        status="pending",
        data=_plain(declared),
    )
    session.add(declaration)
    _record(session, account, action, declaration)
    return declaration


def edit_declaration(
    session: Session,
    account: OwnerAccount,
    declaration_id: int,
    expected_version: int,
    declared: dict[str, Any],
) -> OwnerCameraDeclaration:
    """The owner corrects a declaration not yet decided (or sent back for changes): it is pending again."""
    declaration = _open_declaration(session, account, declaration_id, expected_version)
    declaration.data = _plain(declared)
    declaration.status = "pending"
    declaration.account_id = account.id
    _flush(session, declaration)
    _record(session, account, "owner.declaration.edit", declaration)
    return declaration


def cancel_declaration(
    session: Session, account: OwnerAccount, declaration_id: int, expected_version: int
) -> OwnerCameraDeclaration:
    """The owner withdraws a declaration before the police decide it."""
    declaration = _open_declaration(session, account, declaration_id, expected_version)
    declaration.status = "cancelled"
    _flush(session, declaration)
    _record(session, account, "owner.declaration.cancel", declaration)
    return declaration


def withdraw_camera(session: Session, account: OwnerAccount, camera_id: int) -> None:
    """GDPR withdrawal: the camera leaves the registry, hence every query, at once. The audit log keeps
    its last record (`camera.withdraw`); footage requests and intervention snapshots that named it keep
    what they recorded then. Its open change, if any, is cancelled."""
    camera = owner_camera(session, account, camera_id)
    actor = owner_actor(account)
    camera_audit.record_withdrawal(session, actor, camera)
    open_changes = session.scalars(
        sa.select(OwnerCameraDeclaration).where(
            OwnerCameraDeclaration.camera_id == camera.id, OwnerCameraDeclaration.status.in_(OPEN_STATUSES)
        )
    )
    for declaration in open_changes:
        declaration.status = "cancelled"
    session.delete(camera)
    session.flush()


def _open_declaration(
    session: Session, account: OwnerAccount, declaration_id: int, expected_version: int
) -> OwnerCameraDeclaration:
    declaration = owner_declaration(session, account, declaration_id)
    if declaration.version != expected_version:
        raise StaleVersion(
            f"declaration {declaration_id} is at version {declaration.version}, not {expected_version}"
        )
    if declaration.status not in OPEN_STATUSES:
        raise Conflict(f"declaration {declaration_id} is already {declaration.status}")
    return declaration


def _flush(session: Session, declaration: OwnerCameraDeclaration) -> None:
    try:
        session.flush()
    except StaleDataError as exc:  # decided by the police between our read and our write
        raise StaleVersion("the declaration was changed meanwhile") from exc


def _plain(declared: dict[str, Any]) -> dict[str, Any]:
    """JSON values only (the schema's load already is; a copy, so later edits of the dict stay out)."""
    return {name: declared[name] for name in sorted(declared)}


def _record(
    session: Session, account: OwnerAccount, action: str, declaration: OwnerCameraDeclaration
) -> None:
    session.flush()
    details = {"kind": declaration.kind, "camera_id": declaration.camera_id, "data": declaration.data}
    record_owner_action(session, account, action, "owner_camera_declaration", declaration.id, details)
