"""/api/v1/cameras: list, register, read, change, decommission, history."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask.views import MethodView

from observo.api.blueprint import ApiBlueprint
from observo.api.preconditions import IF_MATCH, etag_for, expected_version
from observo.domain.permissions import sees_full_detail
from observo.domain.shapes import Radius
from observo.extensions import db
from observo.http.auth import current_actor, require_actor
from observo.http.filters import camera_filters
from observo.http.responses import (
    GEOJSON,
    committed_collection_response,
    csv_response,
    json_response,
    page_links,
)
from observo.rendering.features import feature_schema
from observo.schemas import camera as schemas
from observo.schemas.queries import CameraListQuery, NearestQuery
from observo.services import cameras as service
from observo.services import queries, query_audit
from observo.settings import current_settings

blp = ApiBlueprint("cameras", __name__, url_prefix="/api/v1/cameras", description="The camera registry")

WRITE_CONTENT_TYPES = ["application/json", "application/merge-patch+json"]


def _write_from(body: dict[str, Any]) -> service.CameraWrite:
    return service.CameraWrite(location=body.get("geometry"), attrs=body.get("properties", {}))


def _feature_response(camera: Any, status: int = 200, **headers: str) -> Any:
    actor = current_actor()
    extra = {"ETag": etag_for(camera.id, camera.version)} if sees_full_detail(actor) else {}
    return json_response(feature_schema(actor).dump(camera), status, GEOJSON, **extra, **headers)


def _camera_query(args: dict[str, Any]) -> queries.CameraQuery:
    near = args.get("near")
    return queries.CameraQuery(
        filters=camera_filters(args),
        bbox=args.get("bbox"),
        near=Radius(near[0], near[1], args["radius"]) if near else None,
        sees=args.get("sees"),
        reason=args.get("reason"),
    )


@blp.route("")
class Cameras(MethodView):
    @blp.arguments(CameraListQuery, location="query")
    @blp.response(200, schemas.CameraCollection, content_type=GEOJSON)
    def get(self, args: dict[str, Any]) -> Any:
        """List the cameras you may see: filter by box, radius, field of view, attributes or text.

        Order: nearest first with `near` or `sees`, outward from the centre with `bbox`, else by id.
        `numberMatched` is exact up to the count cap and omitted beyond it; `next` is absent on the
        last page. Anonymous callers get public cameras, generalised, and filter on those positions.
        `?f=csv` streams CSV (every match unless `limit` is given).
        """
        actor = current_actor()
        query = _camera_query(args)
        settings = current_settings()
        if args.get("f") == "csv":
            limit = args["limit"] if "limit" in request.args else None
            size = queries.export_size(db.session, actor, query, limit, args["offset"])
            query_audit.record_export(db.session, actor, query, size, "csv")
            db.session.commit()  # logged before the first byte leaves
            return csv_response(db.session, actor, query, limit, args["offset"])
        page = queries.find_cameras(
            db.session, actor, query, args["limit"], args["offset"], settings.count_cap
        )
        links = page_links("cameras.Cameras", args, len(page.hits), page.has_more)
        return committed_collection_response(db.session, actor, page, links)

    @blp.arguments(schemas.CameraFeatureInput, content_type="application/json")
    @blp.response(201, schemas.CameraOutput, content_type=GEOJSON)
    def post(self, body: dict[str, Any]) -> Any:
        """Register a camera (editors of the owner organisation or of its sponsor; admins)."""
        camera = service.create_camera(db.session, require_actor(), _write_from(body))
        db.session.commit()
        return _feature_response(camera, 201, Location=url_for("cameras.Camera", camera_id=camera.id))


@blp.route("/nearest")
class Nearest(MethodView):
    @blp.arguments(NearestQuery, location="query")
    @blp.response(200, schemas.CameraCollection, content_type=GEOJSON)
    def get(self, args: dict[str, Any]) -> Any:
        """The `k` cameras nearest to `point` (geodesic metres in `distance_m`), nearest first."""
        actor = current_actor()
        lon, lat = args["point"]
        settings = current_settings()
        hits = queries.nearest_cameras(
            db.session,
            actor,
            lon,
            lat,
            args["k"],
            camera_filters(args),
            settings.nearest_radius_m,
            reason=args.get("reason"),
        )
        page = queries.Page(hits, len(hits), has_more=False)
        return committed_collection_response(
            db.session, actor, page, [{"href": request.url, "rel": "self", "type": GEOJSON}]
        )


@blp.route("/<int:camera_id>")
class Camera(MethodView):
    @blp.response(200, schemas.CameraOutput, content_type=GEOJSON)
    def get(self, camera_id: int) -> Any:
        """One camera, with an ETag to send back in If-Match."""
        return _feature_response(service.readable_camera(db.session, current_actor(), camera_id))

    @blp.arguments(schemas.CameraFeaturePatch(partial=True), content_type="application/merge-patch+json")
    @blp.response(200, schemas.CameraOutput, content_type=GEOJSON)
    @blp.doc(parameters=IF_MATCH)
    def patch(self, body: dict[str, Any], camera_id: int) -> Any:
        """Change some properties and/or the position. Needs If-Match: 428 without, 412 if stale."""
        actor = require_actor()
        version = expected_version(camera_id)
        camera = service.update_camera(db.session, actor, camera_id, version, _write_from(body))
        db.session.commit()
        return _feature_response(camera)

    @blp.response(204)
    @blp.doc(parameters=IF_MATCH)
    def delete(self, camera_id: int) -> Any:
        """Decommission the camera: its record and history stay (footage requests refer to them)."""
        actor = require_actor()
        version = expected_version(camera_id)
        camera = service.decommission_camera(db.session, actor, camera_id, version)
        db.session.commit()
        return json_response(None, 204, ETag=etag_for(camera.id, camera.version))


@blp.route("/<int:camera_id>/contacts")
class CameraContacts(MethodView):
    @blp.response(200, schemas.CameraContacts)
    def get(self, camera_id: int) -> Any:
        """Whom to ask for the camera's footage (owner, operator, footage contact) and how long it is kept.

        Personal data: each read is logged in the audit log. 404 outside your read scope. `operator`
        is null when it names an organisation you may not see.
        """
        contacts = service.camera_contacts(db.session, require_actor(), camera_id)
        db.session.commit()
        return contacts


@blp.route("/<int:camera_id>/history")
class CameraHistory(MethodView):
    @blp.response(200, schemas.CameraHistory)
    def get(self, camera_id: int) -> Any:
        """The camera's status changes, oldest first (signed-in users who may read the camera)."""
        changes = service.camera_history(db.session, require_actor(), camera_id)
        return {"camera_id": camera_id, "changes": changes}
