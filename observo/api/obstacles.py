"""/api/v1/obstacles: building footprints and walls that block cameras' views (docs/obstacles.md).

Read by box by signed-in callers (the layers of the organisations whose cameras they read); imported
and deleted per organisation and source by its editors and admins (`observo.services.obstacles`).
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from observo.api.blueprint import StrictParser
from observo.errors import FieldIssue, InvalidInput
from observo.extensions import db
from observo.http.auth import require_actor
from observo.http.responses import GEOJSON, json_response, page_links
from observo.schemas import obstacles as schemas
from observo.schemas.validation import issues_from_messages
from observo.services import obstacles as service

UPLOAD_MAX_BYTES = 64 * 1024 * 1024  # a city's footprints as OSM XML: tens of MB


class ObstacleBlueprint(Blueprint):
    """Strict query strings; the import's body is a multipart file, not JSON."""

    ARGUMENTS_PARSER = StrictParser()


blp = ObstacleBlueprint(
    "obstacles", __name__, url_prefix="/api/v1/obstacles", description="Obstacles to cameras' views"
)


@blp.before_request
def _allow_large_files() -> None:
    if request.method == "POST":
        request.max_content_length = UPLOAD_MAX_BYTES


@blp.route("")
class Obstacles(MethodView):
    @blp.arguments(schemas.ObstacleQuery, location="query")
    @blp.response(200, schemas.ObstacleCollection, content_type=GEOJSON)
    def get(self, args: dict[str, Any]) -> Any:
        """The obstacles meeting `bbox` (edges included) of the organisations whose cameras you read
        (your own and your pact partners'; state forces and admins: all), by id, a page at a time."""
        found, more = service.obstacles_in_box(
            db.session, require_actor(), args["bbox"], args["limit"], args["offset"]
        )
        links = page_links("obstacles.Obstacles", args, len(found), more)
        return json_response(schemas.ObstacleCollection().dump((found, links)), 200, GEOJSON)

    @blp.arguments(schemas.ObstacleDeleteQuery, location="query")
    @blp.response(200, schemas.ObstacleDeleted)
    def delete(self, args: dict[str, Any]) -> Any:
        """Remove an organisation's obstacles, of one `source` or all (its editors, admins; audited)."""
        removed = service.delete_obstacles(
            db.session, require_actor(), args["organization"], args.get("source")
        )
        db.session.commit()
        return json_response({"deleted": removed})


@blp.route("/imports")
class ObstacleImports(MethodView):
    @blp.response(201, schemas.ObstacleImportOutput)
    def post(self) -> Any:
        """Import a layer (multipart: `file`, `organization`, optional `source` and `crs`): it replaces
        the organisation's obstacles of the same source (the file's name, `osm` for OpenStreetMap).

        Every obstacle or none: 422 listing each problem (no geometry, invalid, outside the extent)
        writes nothing. Editors of the organisation, admins; audited once with the counts.
        """
        actor = require_actor()
        try:
            form = schemas.ObstacleImportForm().load(request.form.to_dict())
        except ValidationError as exc:
            issues = issues_from_messages(exc.messages)
            raise InvalidInput(f"bad import fields: {issues[0].detail}", issues) from exc
        upload = request.files.get("file")
        if upload is None:
            detail = "send multipart/form-data with the layer as `file`"
            raise InvalidInput(detail, [FieldIssue("/file", "required", detail)])
        result = service.import_obstacles(
            db.session,
            actor,
            upload.read(),
            upload.filename or upload.mimetype or "",
            form["organization"],
            form.get("source"),
            form.get("crs"),
        )
        db.session.commit()
        return json_response(result.document(), 201)
