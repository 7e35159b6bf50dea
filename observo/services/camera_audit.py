"""What the audit log keeps of a camera change: plain JSON snapshots and their differences."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import shapely
from geoalchemy2.shape import to_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor
from observo.models import Camera
from observo.services import audit

# Bookkeeping the entry records anyway, and derived data: the public position (it follows location)
# and the visible area (it follows the sector and the obstacles; services/visible_areas.py).
_LEFT_OUT = {
    "id",
    "version",
    "created_at",
    "updated_at",
    "created_by_id",
    "updated_by_id",
    "public_location",
    "fov_visible",
}
_GEOMETRIES = {"location", "fov"}
_ORGANISATIONS = {"owner_id": "owner", "operator_id": "operator"}
COORDINATE_DECIMALS = 7  # about 1 cm, as the API writes positions


def snapshot(camera: Camera) -> dict[str, Any]:
    """Every stored attribute as a JSON value: geometries as WKT, organisations as slugs."""
    values = {
        column.key: getattr(camera, column.key)
        for column in Camera.__table__.columns
        if column.key not in _LEFT_OUT and column.key not in _ORGANISATIONS
    }
    owner, operator = camera.owner, camera.operator
    return snapshot_values(
        values, owner.slug if owner is not None else None, operator.slug if operator is not None else None
    )


def snapshot_values(values: Mapping[str, Any], owner: str | None, operator: str | None) -> dict[str, Any]:
    """`snapshot` of a camera given as its column values (geometries as WKB or shapely shapes) and
    its organisations' slugs: cameras written without ORM objects (bulk_cameras) are logged alike."""
    return snapshots_of([(values, owner, operator)])[0]


def snapshots_of(cameras: Sequence[tuple[Mapping[str, Any], str | None, str | None]]) -> list[dict[str, Any]]:
    """`snapshot_values` of many cameras, each geometry column written as WKT in one call."""
    texts = {name: _wkt([values.get(name) for values, _owner, _operator in cameras]) for name in _GEOMETRIES}
    snapshots = []
    for index, (values, owner, operator) in enumerate(cameras):
        slugs = {"owner": owner, "operator": operator}
        result: dict[str, Any] = {}
        for column in Camera.__table__.columns:
            name = column.key
            if name in _LEFT_OUT:
                continue
            if name in _ORGANISATIONS:
                result[_ORGANISATIONS[name]] = slugs[_ORGANISATIONS[name]]
            elif name in _GEOMETRIES:
                result[name] = texts[name][index]
            else:
                result[name] = _plain(values.get(name))
        snapshots.append(result)
    return snapshots


def _wkt(values: list[Any]) -> list[str | None]:
    shapes = [
        value if value is None or isinstance(value, BaseGeometry) else to_shape(value) for value in values
    ]
    return [
        None if text is None else str(text)
        for text in shapely.to_wkt(shapes, rounding_precision=COORDINATE_DECIMALS)
    ]


def _plain(value: Any) -> Any:
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
    _record(session, actor, action, camera.id, camera.owner_id, details)


def record_withdrawal(session: Session, actor: Actor, camera: Camera) -> None:
    """One entry for a camera its owner withdrew (and the row deleted): the whole record, kept in the
    log as the law requires (docs/owners.md, "Withdrawal")."""
    details = {"version": camera.version, "before": snapshot(camera)}
    _record(session, actor, "camera.withdraw", camera.id, camera.owner_id, details)


def record_creates(
    session: Session, actor: Actor, created: Iterable[tuple[int, int, dict[str, Any]]]
) -> None:
    """The entries `record_change(..., "camera.create", camera, None)` queues, for cameras created
    without ORM objects (bulk_cameras): (camera id, owner id, `snapshot_values`), each at version 1."""
    for camera_id, owner_id, after in created:
        _record(session, actor, "camera.create", camera_id, owner_id, {"version": 1, "after": after})


def _record(
    session: Session, actor: Actor, action: str, camera_id: int, owner_id: int, details: dict[str, Any]
) -> None:
    audit.record(
        session,
        actor,
        action,
        object_type="camera",
        object_id=camera_id,
        subject_organisation_id=owner_id,
        details=details,
    )
