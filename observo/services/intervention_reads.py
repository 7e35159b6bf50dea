"""What readers get of an intervention: its JSON, footage deadlines and map layers.

Everything here works on a snapshot already filtered for the reader (`intervention_snapshot`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy.orm import Session

from observo.domain import deadlines as dl
from observo.domain.geometry import to_geojson
from observo.domain.permissions import Actor
from observo.domain.reasons import stored_reason
from observo.errors import Conflict
from observo.models import Intervention
from observo.services import audit
from observo.services.intervention_snapshot import window_json
from observo.services.preservation_scope import ShownRequest, visible_requests


class NoSnapshot(Conflict):
    """Deadlines need the snapshot of a confirmed plan (409)."""

    code = "no_snapshot"


def preservation_state(
    requests: list[ShownRequest], cameras: list[dict[str, Any]]
) -> tuple[dict[str, str], dict[int, str]]:
    """The latest request's status per owner (slug) and per camera of `cameras`, from the requests the
    reader sees (`preservation_scope.visible_requests`, oldest first).

    A request naming no camera covers all of its owner's cameras in the intervention."""
    latest = requests
    by_owner: dict[str, str] = {}
    for request in latest:
        by_owner[request.owner.slug] = request.status
    by_camera: dict[int, str] = {}
    for camera in cameras:
        for request in latest:
            if request.owner_id == camera["owner_id"] and (
                not request.camera_ids or camera["id"] in request.camera_ids
            ):
                by_camera[camera["id"]] = request.status
    return by_owner, by_camera


def deadlines_json(
    session: Session, actor: Actor, intervention: Intervention, snapshot: dict[str, Any] | None, at: datetime
) -> dict[str, Any]:
    """Footage deadlines at `at` with whom to call: contacts, so the read is audited with the reason."""
    if snapshot is None:
        raise NoSnapshot(f"intervention {intervention.id} has no snapshot yet: confirm the plan first")
    requests = visible_requests(session, actor, intervention)
    by_owner, by_camera = preservation_state(requests, snapshot["cameras"])
    cameras = []
    for camera in snapshot["cameras"]:
        expires_at = dl.parse_iso(camera["footage_expires_at"])
        cameras.append(
            {
                **camera,
                "hours_left": dl.hours_left(expires_at, at),
                "expired": dl.is_expired(expires_at, at),
                "preservation": by_camera.get(camera["id"]),
            }
        )
    owners = [{**owner, "preservation": by_owner.get(owner["slug"])} for owner in snapshot["owners"]]
    audit.record(
        session,
        actor,
        "intervention.contacts",
        object_type="intervention",
        object_id=intervention.id,
        reason=stored_reason(intervention.reason),  # 409 for a plan stored without one
        result_count=len(owners),
        details={"at": dl.iso_z(at), "cameras": len(cameras)},
    )
    return {"window": snapshot["window"], "at": dl.iso_z(at), "cameras": cameras, "owners": owners}


def map_json(requests: list[ShownRequest], snapshot: dict[str, Any], live: bool) -> dict[str, Any]:
    """The map's layers as one FeatureCollection (no contacts): targets, gaps, suggestions, cameras,
    sectors; pending requests among those the reader sees."""
    _owners, by_camera = preservation_state(requests, snapshot["cameras"])
    features = []
    for target in snapshot["targets"]:
        features.extend(_target_features(target))
    for camera in snapshot["cameras"]:
        features.extend(_camera_features(camera, by_camera.get(camera["id"])))
    return {
        "type": "FeatureCollection",
        "features": features,
        "computed_at": snapshot["computed_at"],
        "live": live,
    }


def _feature(geometry: dict[str, Any], layer: str, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": {"layer": layer, **properties}}


def _target_features(target: dict[str, Any]) -> list[dict[str, Any]]:
    coverage = target["coverage"]
    features = [
        _feature(
            target["geometry"],
            "target",
            target_id=target["id"],
            name=target["name"],
            kind=target["kind"],
            buffer_m=target["buffer_m"],
            ratio=coverage["ratio"],
        )
    ]
    for gap in coverage["gaps"]["features"]:
        features.append(_feature(gap["geometry"], "gap", target_id=target["id"], **gap["properties"]))
    for item in coverage["suggestions"]:
        features.append(
            _feature(
                item["geometry"],
                "suggestion",
                target_id=target["id"],
                rank=item["rank"],
                added_m2=item["added_m2"],
                range_m=item["range_m"],
                label=item["label"],
            )
        )
    return features


def _camera_features(camera: dict[str, Any], preservation: str | None) -> list[dict[str, Any]]:
    point = {"type": "Point", "coordinates": camera["location"]}
    visible = camera.get("fov_visible")  # snapshots taken before issue 20 have none
    return [
        _feature(
            point,
            "camera",
            id=camera["id"],
            code=camera["code"],
            name=camera["name"],
            owner=camera["owner"],
            status=camera["status"],
            footage_expires_at=camera["footage_expires_at"],
            flag=camera["flag"],
            preservation=preservation,
        ),
        # The sector, and what obstacles leave of it (the figures are measured on that) when they clip it.
        _feature(camera["fov"], "fov", camera_id=camera["id"], clipped=visible is not None),
        *([_feature(visible, "visible", camera_id=camera["id"])] if visible is not None else []),
    ]


def intervention_json(
    intervention: Intervention, snapshot: dict[str, Any] | None, requests: list[ShownRequest]
) -> dict[str, Any]:
    """The intervention and a summary of its snapshot and requests (both already as the reader sees
    them)."""
    return {
        "id": intervention.id,
        "title": intervention.title,
        "description": intervention.description,
        "kind": intervention.kind,
        "lead": intervention.lead.slug,
        "status": intervention.status,
        "window": window_json(intervention),
        "reason": intervention.reason,
        "protocol_number": intervention.protocol_number,
        "shared_with": {
            "organizations": sorted(org.slug for org in intervention.shared_organisations),
            "pacts": sorted(pact.slug for pact in intervention.shared_pacts),
        },
        "targets": [
            {"id": t.id, "name": t.name, "geometry": to_geojson(to_shape(t.geometry)), "buffer_m": t.buffer_m}
            for t in intervention.targets
        ],
        "snapshot_at": dl.iso_z(intervention.snapshot_at),
        "summary": _summary(requests, snapshot),
        "version": intervention.version,
        "created_at": dl.iso_z(intervention.created_at),
        "updated_at": dl.iso_z(intervention.updated_at),
        "created_by": intervention.created_by.email if intervention.created_by else None,
    }


def _summary(requests: list[ShownRequest], filtered: dict[str, Any] | None) -> dict[str, Any] | None:
    if filtered is None:
        return None
    targets = [
        {
            "id": target["id"],
            "name": target["name"],
            "kind": target["kind"],
            "ratio": target["coverage"]["ratio"],
            "area_m2": target["coverage"]["area_m2"],
            "covered_m2": target["coverage"]["covered_m2"],
            "cameras": len(target["coverage"]["cameras"]),
            "gaps": len(target["coverage"]["gaps"]["features"]),
        }
        for target in filtered["targets"]
    ]
    pending = sum(1 for request in requests if request.status == "pending")
    return {
        "targets": targets,
        "cameras": len(filtered["cameras"]),
        "owners": len(filtered["owners"]),
        "pending_requests": pending,
    }
