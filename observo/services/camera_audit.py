"""What the audit log keeps of a camera change: plain JSON snapshots and their differences."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import shapely
from geoalchemy2.shape import to_shape
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor
from observo.models import Camera
from observo.services import audit

# Bookkeeping the entry records anyway, and the derived public position (it follows location).
_LEFT_OUT = {"id", "version", "created_at", "updated_at", "created_by_id", "updated_by_id", "public_location"}
_GEOMETRIES = {"location", "fov"}
_ORGANISATIONS = {"owner_id": "owner", "operator_id": "operator"}
COORDINATE_DECIMALS = 7  # about 1 cm, as the API writes positions


def snapshot(camera: Camera) -> dict[str, Any]:
    """Every stored attribute as a JSON value: geometries as WKT, organisations as slugs."""
    values: dict[str, Any] = {}
    for column in Camera.__table__.columns:
        name = column.key
        if name in _LEFT_OUT:
            continue
        if name in _ORGANISATIONS:
            related = getattr(camera, _ORGANISATIONS[name])
            values[_ORGANISATIONS[name]] = related.slug if related is not None else None
            continue
        values[name] = _plain(name, getattr(camera, name))
    return values


def _plain(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _GEOMETRIES:
        return shapely.to_wkt(to_shape(value), rounding_precision=COORDINATE_DECIMALS)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def record_change(
    session: Session, actor: Actor, action: str, camera: Camera, before: dict[str, Any] | None
) -> None:
    """One entry for a create (the whole record) or a change (only what differs)."""
    after = snapshot(camera)
    details: dict[str, Any] = {"version": camera.version}
    if before is None:
        details["after"] = after
    else:
        details["changes"] = audit.changes(before, after)
    audit.record(
        session,
        actor,
        action,
        object_type="camera",
        object_id=camera.id,
        subject_organisation_id=camera.owner_id,
        details=details,
    )
