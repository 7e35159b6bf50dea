"""An intervention's snapshot: cameras, coverage, gaps and owners per target, as computed when the
plan was confirmed; and what each reader may see of it (deadlines, map).

The snapshot is computed in the scope of the acting user of the lead organisation (or an admin) and
stored whole, footage contacts included. Every read filters it for the reader: a camera the reader
may not read now is left out with its owner's entry and contacts, and every figure (coverage, gaps,
suggestions, each camera's share, totals) is then recomputed from the cameras that remain, so a
reader gets exactly the figures the plan would have if the cameras hidden from it did not exist
(docs/security.md, "Every figure in the caller's scope"). To make that exact, the stored figures
are computed from the same stored fields of view the recomputation starts from: each camera's
visible area where obstacles clip its sector (`fov_visible`), else its sector (`fov`, kept whole for
the map). Each target's coverage and the totals say which (`view_model`).

The stored form adds two keys the readers never get: each camera's own `contact` and each owner's
`organisation_contact`, so owners and their contacts are regrouped from the visible cameras.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import shapely
import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry import shape
from sqlalchemy.orm import Session

from observo.domain import deadlines as dl
from observo.domain.geometry import to_geojson
from observo.domain.permissions import Actor
from observo.domain.shapes import Area
from observo.domain.visibility import Obstacle
from observo.models import Camera, Intervention, InterventionTarget, Organisation
from observo.models.base import utcnow
from observo.services.coverage import (
    CoveredCamera,
    candidates,
    coverage_json,
    measure_cameras,
    nearby_obstacles,
)
from observo.services.queries import CameraFilters
from observo.services.scope import readable_cameras
from observo.spatial.base import view_model

STATUSES = ("active",)
SUGGESTIONS = 3
SUGGESTION_RANGE_M = 30.0
_STORED_ONLY = ("contact",)
_CONTACT_COLUMNS = ("name", "phone", "email", "pec", "hours")


def target_area(target: InterventionTarget) -> Area:
    return Area(to_shape(target.geometry), target.buffer_m)


def targets_region(intervention: Intervention) -> shapely.Geometry:
    """Every target's region in one geometry: what the audit log hashes for a coverage run."""
    return shapely.union_all([target_area(target).region for target in intervention.targets])


# --- building --------------------------------------------------------------------------------------


def build_snapshot(session: Session, actor: Actor, intervention: Intervention) -> dict[str, Any]:
    """Coverage of every target by the cameras `actor` may read, their deadlines and owners."""
    filters = CameraFilters(statuses=STATUSES)
    targets, covered, target_ids = [], {}, {}
    for target in intervention.targets:
        area = target_area(target)
        # Measured from the fields of view as the snapshot stores them (GeoJSON, 7 decimals): what a
        # reader's recomputation starts from, so both give the same figures to the last digit.
        found = [_as_stored(camera) for camera in candidates(session, actor, area, filters, STATUSES)]
        coverage = _coverage(area, found, nearby_obstacles(session, actor, area, SUGGESTION_RANGE_M))
        targets.append(
            {
                "id": target.id,
                "name": target.name,
                "kind": coverage["kind"],
                "buffer_m": target.buffer_m,
                "geometry": to_geojson(area.shape),
                "coverage": coverage,
            }
        )
        for camera in found:
            if camera.id not in {item["id"] for item in coverage["cameras"]}:
                continue  # reaches the region without seeing into it: not part of the plan
            covered.setdefault(camera.id, camera)
            target_ids.setdefault(camera.id, []).append(target.id)
    cameras = _camera_entries(session, intervention.window_end, covered, target_ids)
    return {
        "computed_at": dl.iso_z(utcnow()),
        "computed_by": actor.label,
        "window": window_json(intervention),
        "statuses": list(STATUSES),
        "targets": targets,
        "cameras": cameras,
        "owners": _owner_entries(session, cameras),
        "totals": _totals(targets, cameras),
    }


def _as_stored(camera: CoveredCamera) -> CoveredCamera:
    visible = None if camera.visible is None else shape(to_geojson(camera.visible))
    return dataclasses.replace(camera, fov=shape(to_geojson(camera.fov)), visible=visible)


def _coverage(area: Area, cameras: list[CoveredCamera], obstacles: list[Obstacle]) -> dict[str, Any]:
    """A target's coverage answer by exactly these cameras: the one computation behind stored and
    recomputed figures (`obstacles` clip the suggestions' views)."""
    return coverage_json(measure_cameras(area, cameras, STATUSES, SUGGESTIONS, SUGGESTION_RANGE_M, obstacles))


def window_json(intervention: Intervention) -> dict[str, str | None]:
    return {"start": dl.iso_z(intervention.window_start), "end": dl.iso_z(intervention.window_end)}


def _camera_entries(
    session: Session,
    window_end: datetime,
    covered: dict[int, CoveredCamera],
    target_ids: dict[int, list[int]],
) -> list[dict[str, Any]]:
    contacts = _footage_contacts(session, list(covered))
    entries = []
    for camera in covered.values():
        expiry = dl.footage_expiry(window_end, camera.records, camera.retention_hours)
        contact = contacts.get(camera.id)
        entries.append(
            {
                "id": camera.id,
                "code": camera.code,
                "name": camera.name,
                "owner": camera.owner,
                "owner_id": camera.owner_id,
                "visibility": camera.visibility,
                "camera_type": camera.camera_type,
                "surveillance_type": camera.surveillance_type,
                "status": camera.status,
                "records": camera.records,
                "retention_hours": camera.retention_hours,
                "location": [round(camera.lon, 7), round(camera.lat, 7)],
                "fov": to_geojson(camera.fov),
                # What obstacles leave of the sector (None: the sector): the figures are measured on it.
                "fov_visible": None if camera.visible is None else to_geojson(camera.visible),
                "target_ids": target_ids[camera.id],
                "footage_expires_at": dl.iso_z(expiry.expires_at),
                "flag": expiry.flag,
                "contact": contact.as_dict() if contact else None,
            }
        )
    return dl.by_urgency(entries, _expiry_of, lambda e: e["flag"], lambda e: (e["code"], e["id"]))


def _expiry_of(entry: dict[str, Any]) -> datetime | None:
    return dl.parse_iso(entry["footage_expires_at"])


def _footage_contacts(session: Session, camera_ids: list[int]) -> dict[int, dl.Contact]:
    if not camera_ids:
        return {}
    columns = [getattr(Camera, f"footage_contact_{name}") for name in _CONTACT_COLUMNS]
    rows = session.execute(sa.select(Camera.id, *columns).where(Camera.id.in_(camera_ids)))
    found = {}
    for camera_id, *values in rows:
        contact = dl.Contact(*values)
        if not contact.is_empty:
            found[camera_id] = contact
    return found


def _owner_entries(session: Session, cameras: list[dict[str, Any]]) -> list[dict[str, Any]]:
    owner_ids = {camera["owner_id"] for camera in cameras}
    organisations = (
        session.scalars(sa.select(Organisation).where(Organisation.id.in_(owner_ids))) if owner_ids else []
    )
    owners = {org.slug: _owner(org) for org in organisations}
    return _grouped(cameras, owners)


def _owner(org: Organisation) -> dl.Owner:
    contact = dl.Contact(org.contact_name, org.contact_phone, org.contact_email, org.contact_pec)
    return dl.Owner(org.slug, org.name, org.kind, None if contact.is_empty else contact)


def _grouped(cameras: list[dict[str, Any]], owners: dict[str, dl.Owner]) -> list[dict[str, Any]]:
    owned = [
        dl.OwnedCamera(c["id"], c["owner"], _expiry_of(c), dl.Contact.from_dict(c.get("contact")))
        for c in cameras
    ]
    return [
        {
            "slug": group.owner.slug,
            "name": group.owner.name,
            "kind": group.owner.kind,
            "camera_ids": list(group.camera_ids),
            "earliest_expiry": dl.iso_z(group.earliest_expiry),
            "contacts": [contact.as_dict() for contact in group.contacts],
            "organisation_contact": group.owner.contact.as_dict() if group.owner.contact else None,
        }
        for group in dl.group_owners(owned, owners)
    ]


def _totals(targets: list[dict[str, Any]], cameras: list[dict[str, Any]]) -> dict[str, Any]:
    area = sum(target["coverage"]["area_m2"] for target in targets)
    covered = sum(target["coverage"]["covered_m2"] for target in targets)
    return {
        "targets": len(targets),
        "cameras": len(cameras),
        "owners": len({camera["owner"] for camera in cameras}),
        "area_m2": round(area, 1),
        "covered_m2": round(covered, 1),
        "ratio": round(covered / area, 4) if area else 0.0,
        # Snapshots stored before visible areas carry no view_model: they were measured on sectors.
        "view_model": view_model(
            any(target["coverage"].get("view_model") == "visible_area" for target in targets)
        ),
    }


# --- reading ---------------------------------------------------------------------------------------


def filter_snapshot(
    session: Session, snapshot: dict[str, Any], actor: Actor, intervention: Intervention
) -> dict[str, Any]:
    """What `actor` may see of a stored snapshot (stored-only keys removed), its figures in its scope."""
    ids = readable_ids(session, actor, [camera["id"] for camera in snapshot["cameras"]])
    visible = [camera for camera in snapshot["cameras"] if camera["id"] in ids]
    owners = {
        entry["slug"]: dl.Owner(
            entry["slug"],
            entry["name"],
            entry["kind"],
            dl.Contact.from_dict(entry.get("organisation_contact")),
        )
        for entry in snapshot["owners"]
    }
    grouped = [
        {k: v for k, v in entry.items() if k != "organisation_contact"} for entry in _grouped(visible, owners)
    ]
    targets = snapshot["targets"]
    if len(visible) < len(snapshot["cameras"]):
        targets = _remeasured(session, actor, intervention, targets, visible)
    cameras = [{k: v for k, v in camera.items() if k not in _STORED_ONLY} for camera in visible]
    totals = {**snapshot["totals"], **_totals(targets, cameras), "owners": len(grouped)}
    return {**snapshot, "targets": targets, "cameras": cameras, "owners": grouped, "totals": totals}


def readable_ids(session: Session, actor: Actor, camera_ids: list[int]) -> set[int]:
    """Which of these cameras `actor` may read now (a camera made private since the plan drops out)."""
    if not camera_ids:
        return set()
    stmt = sa.select(Camera.id).where(Camera.id.in_(camera_ids), readable_cameras(actor))
    return set(session.scalars(stmt))


def _remeasured(
    session: Session,
    actor: Actor,
    intervention: Intervention,
    targets: list[dict[str, Any]],
    visible: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Each target's coverage recomputed from the visible cameras that see into it (the suggestions
    clipped by the obstacles the reader reads now)."""
    areas = {target.id: target_area(target) for target in intervention.targets}
    remeasured = []
    for target in targets:
        area = areas.get(target["id"]) or Area(shape(target["geometry"]), target["buffer_m"])
        seeing = [_covered_camera(camera) for camera in visible if target["id"] in camera["target_ids"]]
        obstacles = nearby_obstacles(session, actor, area, SUGGESTION_RANGE_M)
        remeasured.append({**target, "coverage": _coverage(area, seeing, obstacles)})
    return remeasured


def _covered_camera(entry: dict[str, Any]) -> CoveredCamera:
    """A stored camera entry as the coverage computation takes it (owner name and kind unused there)."""
    lon, lat = entry["location"]
    return CoveredCamera(
        id=entry["id"],
        code=entry["code"],
        name=entry["name"],
        owner_id=entry["owner_id"],
        owner=entry["owner"],
        owner_name="",
        owner_kind="",
        camera_type=entry["camera_type"],
        surveillance_type=entry["surveillance_type"],
        status=entry["status"],
        visibility=entry["visibility"],
        records=entry["records"],
        retention_hours=entry["retention_hours"],
        lon=lon,
        lat=lat,
        fov=shape(entry["fov"]),
        visible=shape(entry["fov_visible"]) if entry.get("fov_visible") else None,
    )
