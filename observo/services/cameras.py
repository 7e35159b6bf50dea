"""Camera use cases: register, change, decommission, read, list, history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import WKBElement
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point, Polygon
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from observo.domain import camera_rules, fov
from observo.domain.generalise import snap_to_grid
from observo.domain.permissions import Actor, can_write_for
from observo.errors import FieldIssue, Forbidden, InvalidInput, NotFound, StaleVersion
from observo.models import Camera, CameraStatusChange, Organisation
from observo.models.base import utcnow
from observo.services import audit, camera_audit, derived_columns, visible_areas
from observo.services.organisations import may_see_organisation, nameable_organisation
from observo.services.scope import readable_cameras

SRID = 4326
# Attributes the service sets itself or resolves from slugs; never copied verbatim from input.
_DERIVED = ("owner", "operator", "fov", "fov_method", "range_m")


@dataclass(frozen=True)
class CameraWrite:
    """Validated input of a create or a patch. `attrs` holds only the properties sent."""

    location: Point | None = None
    attrs: Mapping[str, Any] = field(default_factory=dict)


def readable_camera(session: Session, actor: Actor, camera_id: int) -> Camera:
    camera = session.scalar(sa.select(Camera).where(Camera.id == camera_id, readable_cameras(actor)))
    if camera is None:
        raise NotFound(f"no camera {camera_id}")
    return camera


@dataclass(frozen=True)
class CameraContactsView:
    """What the contacts route answers: the camera (owner and footage contacts), and its operator only
    when the reader may see that organisation. A camera written before operators were checked may
    name one the reader may not see: its phone, e-mail and PEC stay out (docs/security.md)."""

    camera: Camera
    operator: Organisation | None


def camera_contacts(session: Session, actor: Actor, camera_id: int) -> CameraContactsView:
    """The camera's contacts: a read of personal data, so it is logged."""
    camera = readable_camera(session, actor, camera_id)
    audit.record(
        session,
        actor,
        "camera.contacts.read",
        object_type="camera",
        object_id=camera.id,
        subject_organisation_id=camera.owner_id,
    )
    operator = camera.operator
    if operator is not None and not may_see_organisation(session, actor, operator.id):
        operator = None
    return CameraContactsView(camera, operator)


def camera_history(session: Session, actor: Actor, camera_id: int) -> list[CameraStatusChange]:
    readable_camera(session, actor, camera_id)
    stmt = (
        sa.select(CameraStatusChange)
        .where(CameraStatusChange.camera_id == camera_id)
        .order_by(CameraStatusChange.changed_at, CameraStatusChange.id)
    )
    return list(session.scalars(stmt))


def create_camera(session: Session, actor: Actor, write: CameraWrite) -> Camera:
    if write.location is None:
        raise InvalidInput("a camera needs a position", [FieldIssue("/geometry", "required", "missing")])
    attrs = {**camera_rules.CREATE_DEFAULTS, **write.attrs}
    camera = Camera(owner=writable_owner(session, actor, attrs["owner"]), range_derived=False)
    _assign(session, actor, camera, attrs)
    camera.municipality = camera.municipality or camera.owner.istat_code
    camera.location = from_shape(write.location, srid=SRID)
    place_publicly(camera, write.location)
    _apply_fov(camera, write.location, attrs, optics_changed=True)
    camera_rules.check_consistency(_current_attrs(camera))
    _apply_visible_area(session, camera, write.location)
    camera.created_by_id = camera.updated_by_id = actor.user_id
    session.add(camera)
    _record_status(session, camera, None, actor)
    session.flush()
    camera_audit.record_change(session, actor, "camera.create", camera, None)
    return camera


def update_camera(
    session: Session, actor: Actor, camera_id: int, expected_version: int, write: CameraWrite
) -> Camera:
    camera = _writable_camera(session, actor, camera_id, expected_version)
    before = camera_audit.snapshot(camera)
    attrs = dict(write.attrs)
    if "owner" in attrs:
        camera.owner = writable_owner(session, actor, attrs["owner"])
    previous_status = camera.status
    _assign(session, actor, camera, attrs)
    location = write.location or to_shape(camera.location)
    if write.location is not None:
        camera.location = from_shape(write.location, srid=SRID)
    if write.location is not None or "owner" in attrs:
        place_publicly(camera, location)
    optics_changed = write.location is not None or any(name in attrs for name in camera_rules.OPTICS)
    _apply_fov(camera, location, attrs, optics_changed=optics_changed)
    camera_rules.check_consistency(_current_attrs(camera))
    if optics_changed or "fov" in attrs or "fov_method" in attrs:  # height_m is one of the optics
        _apply_visible_area(session, camera, location)
    if camera.status != previous_status:
        _record_status(session, camera, previous_status, actor)
    changed = session.is_modified(camera)
    _flush_versioned(session, camera, actor)
    if changed:  # a PATCH that changes nothing is not a write: nothing to log
        camera_audit.record_change(session, actor, "camera.update", camera, before)
    return camera


def decommission_camera(
    session: Session, actor: Actor, camera_id: int, expected_version: int, note: str | None = None
) -> Camera:
    """DELETE keeps the record (footage requests and history refer to it) and retires the camera."""
    camera = _writable_camera(session, actor, camera_id, expected_version)
    if camera.status == "decommissioned":
        return camera
    before = camera_audit.snapshot(camera)
    previous_status, camera.status = camera.status, "decommissioned"
    _record_status(session, camera, previous_status, actor, note)
    _flush_versioned(session, camera, actor)
    camera_audit.record_change(session, actor, "camera.decommission", camera, before)
    return camera


def _writable_camera(session: Session, actor: Actor, camera_id: int, expected_version: int) -> Camera:
    camera = readable_camera(session, actor, camera_id)
    if not can_write_for(actor, camera.owner_id):
        raise Forbidden("you may read this camera but not change it")
    if camera.version != expected_version:
        raise StaleVersion(f"camera {camera_id} is at version {camera.version}, not {expected_version}")
    return camera


def _flush_versioned(session: Session, camera: Camera, actor: Actor) -> Camera:
    camera_id = camera.id  # read now: after a failed flush the instance cannot be loaded
    if session.is_modified(camera):
        camera.updated_at = utcnow()
        camera.updated_by_id = actor.user_id
    try:
        session.flush()
    except StaleDataError as exc:  # someone else's write landed between our read and our UPDATE
        raise StaleVersion(f"camera {camera_id} was changed meanwhile") from exc
    return camera


def writable_owner(session: Session, actor: Actor, slug: str) -> Organisation:
    """The owner a camera is written for: unknown or hidden from the actor is the same 422
    (`unknown_organisation`); one it sees but may not write for is a 403 (docs/security.md)."""
    owner = _organisation(session, actor, slug, "owner")
    if not can_write_for(actor, owner.id):
        raise Forbidden(f"you may not register cameras for {slug!r}")
    return owner


def _organisation(session: Session, actor: Actor, slug: str, field_name: str) -> Organisation:
    """The organisation named in a camera's properties, if the actor may see it (else 422)."""
    return nameable_organisation(session, actor, slug, f"/properties/{field_name}")


def _assign(session: Session, actor: Actor, camera: Camera, attrs: Mapping[str, Any]) -> None:
    if "operator" in attrs:
        slug = attrs["operator"]
        camera.operator = _organisation(session, actor, slug, "operator") if slug else None
    for name, value in attrs.items():
        if name not in _DERIVED:
            setattr(camera, name, value)


def place_publicly(camera: Camera, location: Point) -> None:
    """Keep the generalised position anonymous callers see (and filter on) in step."""
    camera.public_location = public_point(location, camera.owner.public_precision_m)


def public_point(location: Point, precision_m: int) -> WKBElement:
    """The centre of the grid cell of side `precision_m` holding `location` (0: the exact point)."""
    lon, lat = snap_to_grid(location.x, location.y, precision_m)
    return from_shape(Point(lon, lat), srid=SRID)


def place_cameras_of(session: Session, organisation: Organisation) -> int:
    """Re-snap the public position of every camera `organisation` owns to its current grid.

    The public position is derived data, outside the cameras' records: their versions (ETags) stay,
    so an editor's pending If-Match still holds. Returns how many cameras were placed.
    """
    table = Camera.__table__
    rows = session.execute(sa.select(table.c.id, table.c.location).where(table.c.owner_id == organisation.id))
    points = {
        camera_id: public_point(to_shape(location), organisation.public_precision_m)
        for camera_id, location in rows
    }
    derived_columns.write_derived(session, "public_location", points)
    return len(points)


def _apply_fov(camera: Camera, location: Point, attrs: Mapping[str, Any], *, optics_changed: bool) -> None:
    """Recompute the sector when position or optics change, or store the polygon drawn by the user."""
    drawn: Polygon | None = attrs.get("fov")
    keeps_drawn = drawn is None and camera.fov_method == "drawn" and attrs.get("fov_method") != "computed"
    if keeps_drawn:
        if optics_changed:
            fov.validate_drawn(to_shape(camera.fov), location.x, location.y)
        return
    if drawn is None and not optics_changed and "fov_method" not in attrs and camera.fov is not None:
        return
    if camera.bearing_deg is not None:  # a known direction ends "unknown"
        camera.direction_unknown = False
    # A range that was derived follows the optics; one that was given stays until changed.
    explicit_range = attrs.get("range_m", None if camera.range_derived else camera.range_m)
    optics = fov.Optics(
        lon=location.x,
        lat=location.y,
        camera_type=camera.camera_type,
        surveillance_type=camera.surveillance_type,
        bearing_deg=camera.bearing_deg,
        hfov_deg=camera.hfov_deg,
        tilt_deg=camera.tilt_deg,
        range_m=explicit_range,
        height_m=camera.height_m,
        direction_unknown=camera.direction_unknown,
    )
    resolved = fov.resolve_fov(optics, drawn)
    camera.fov = from_shape(resolved.polygon, srid=SRID)
    camera.fov_method = resolved.method
    camera.hfov_deg = resolved.hfov_deg
    camera.range_m = resolved.range_m
    camera.range_derived = resolved.range_derived
    if resolved.hfov_deg >= 360:  # an all-round head has no direction to know
        camera.direction_unknown = False


def _apply_visible_area(session: Session, camera: Camera, location: Point) -> None:
    """The visible area of the camera's new position or sector, written with the camera itself."""
    visible = visible_areas.visible_geometry(session, camera, location, to_shape(camera.fov))
    if visible is not None or camera.fov_visible is not None:  # no needless change of a NULL
        camera.fov_visible = visible


def _current_attrs(camera: Camera) -> dict[str, Any]:
    names = ("records", "retention_hours", "valid_from", "valid_until", "temporary")
    return {name: getattr(camera, name) for name in names}


def _record_status(
    session: Session, camera: Camera, previous: str | None, actor: Actor, note: str | None = None
) -> None:
    session.add(
        CameraStatusChange(
            camera=camera,
            from_status=previous,
            to_status=camera.status,
            changed_by_id=actor.user_id,
            note=note,
        )
    )
