"""/api/v1/cameras: list, register, read, change, decommission, history."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from marshmallow import Schema

from observo.api.auth import current_actor, require_actor
from observo.api.blueprint import ApiBlueprint
from observo.api.preconditions import etag_for, expected_version
from observo.api.responses import GEOJSON, json_response, page_links
from observo.domain.permissions import Actor, sees_full_detail
from observo.extensions import db
from observo.schemas import camera as schemas
from observo.schemas.queries import CameraListQuery
from observo.services import cameras as service

blp = ApiBlueprint("cameras", __name__, url_prefix="/api/v1/cameras", description="The camera registry")

WRITE_CONTENT_TYPES = ["application/json", "application/merge-patch+json"]


def _write_from(body: dict[str, Any]) -> service.CameraWrite:
    return service.CameraWrite(location=body.get("geometry"), attrs=body.get("properties", {}))


def _feature_schema(actor: Actor) -> Schema:
    """One output schema per audience: the public one is generalised and carries no ETag."""
    return schemas.CameraFeature() if sees_full_detail(actor) else schemas.PublicCameraFeature()


def _feature_response(camera: Any, status: int = 200, **headers: str) -> Any:
    actor = current_actor()
    extra = {"ETag": etag_for(camera.id, camera.version)} if sees_full_detail(actor) else {}
    return json_response(_feature_schema(actor).dump(camera), status, GEOJSON, **extra, **headers)


@blp.route("")
class Cameras(MethodView):
    @blp.arguments(CameraListQuery, location="query")
    @blp.response(200, schemas.CameraCollection, content_type=GEOJSON)
    def get(self, args: dict[str, Any]) -> Any:
        """List the cameras you may see (anonymous callers: public cameras, generalised)."""
        actor = current_actor()
        filters = service.CameraFilters(
            owner=args.get("owner"),
            camera_type=args.get("camera_type"),
            surveillance_type=args.get("surveillance_type"),
            statuses=args.get("status", ()),
            municipality=args.get("municipality"),
            visibility=args.get("visibility"),
        )
        page, matched = service.list_cameras(db.session, actor, filters, args["limit"], args["offset"])
        body = {
            "type": "FeatureCollection",
            "features": _feature_schema(actor).dump(page, many=True),
            "numberMatched": matched,
            "numberReturned": len(page),
            "links": page_links("cameras.Cameras", args, len(page), matched),
        }
        return json_response(body, mimetype=GEOJSON)

    @blp.arguments(schemas.CameraFeatureInput, content_type="application/json")
    @blp.response(201, schemas.CameraFeature, content_type=GEOJSON)
    def post(self, body: dict[str, Any]) -> Any:
        """Register a camera (editors of the owner organisation or of its sponsor; admins)."""
        camera = service.create_camera(db.session, require_actor(), _write_from(body))
        db.session.commit()
        return _feature_response(camera, 201, Location=url_for("cameras.Camera", camera_id=camera.id))


@blp.route("/<int:camera_id>")
class Camera(MethodView):
    @blp.response(200, schemas.CameraFeature, content_type=GEOJSON)
    def get(self, camera_id: int) -> Any:
        """One camera, with an ETag to send back in If-Match."""
        return _feature_response(service.readable_camera(db.session, current_actor(), camera_id))

    @blp.arguments(schemas.CameraFeaturePatch(partial=True), content_type="application/merge-patch+json")
    @blp.response(200, schemas.CameraFeature, content_type=GEOJSON)
    @blp.doc(
        parameters=[{"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"}}]
    )
    def patch(self, body: dict[str, Any], camera_id: int) -> Any:
        """Change some properties and/or the position. Needs If-Match: 428 without, 412 if stale."""
        actor = require_actor()
        version = expected_version(camera_id)
        camera = service.update_camera(db.session, actor, camera_id, version, _write_from(body))
        db.session.commit()
        return _feature_response(camera)

    @blp.response(204)
    @blp.doc(
        parameters=[{"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"}}]
    )
    def delete(self, camera_id: int) -> Any:
        """Decommission the camera: its record and history stay (footage requests refer to them)."""
        actor = require_actor()
        version = expected_version(camera_id)
        camera = service.decommission_camera(db.session, actor, camera_id, version)
        db.session.commit()
        return json_response(None, 204, ETag=etag_for(camera.id, camera.version))


@blp.route("/<int:camera_id>/history")
class CameraHistory(MethodView):
    @blp.response(200, schemas.CameraHistory)
    def get(self, camera_id: int) -> Any:
        """The camera's status changes, oldest first (signed-in users who may read the camera)."""
        changes = service.camera_history(db.session, require_actor(), camera_id)
        return {"camera_id": camera_id, "changes": changes}
