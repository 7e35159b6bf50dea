"""/api/v1/obstacles: building footprints and walls that block cameras' views (docs/obstacles.md).

Read by box by signed-in callers (the layers of the organisations whose cameras they read); imported
and deleted per organisation and source by its editors and admins (`observo.services.obstacles`).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from observo.api.blueprint import StrictParser
from observo.domain.permissions import Actor
from observo.errors import FieldIssue, InvalidInput
from observo.extensions import db
from observo.http.auth import require_actor
from observo.http.problem_text import localise
from observo.http.responses import GEOJSON, json_response, page_links
from observo.jobs import background_imports
from observo.models import ImportJob
from observo.models.import_job import OBSTACLES
from observo.schemas import obstacles as schemas
from observo.schemas.validation import issues_from_messages
from observo.services import audit, imports
from observo.services import obstacles as service
from observo.spatial.engine import end_write_intent
from observo.spatial.replicas import on_primary

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
    @blp.alt_response(202, schema=schemas.ObstacleImportJob, description="a large file: in the background")
    def post(self) -> Any:
        """Import a layer (multipart: `file`, `organization`, optional `source` and `crs`): it replaces
        the organisation's obstacles of the same source (the file's name, `osm` for OpenStreetMap).

        Every obstacle or none: 422 listing each problem (no geometry, invalid, outside the extent)
        writes nothing. Editors of the organisation, admins; audited once with the counts.

        A file larger than OBSERVO_IMPORT_BACKGROUND_BYTES (2 MiB: some 5,000 footprints) is checked
        for the caller's right at once, then imported in the background: 202 with the job, its URL in
        `Location`; GET it for the progress and the outcome.
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
        data, file_name = upload.read(), upload.filename or upload.mimetype or ""
        arguments = (form["organization"], form.get("source"), form.get("crs"))
        if background_imports.runs_in_background(current_app.config["OBSERVO_SETTINGS"], data):
            return _submit(actor, data, file_name, *arguments)
        result = service.import_obstacles(db.session, actor, data, file_name, *arguments)
        db.session.commit()
        return json_response(_localised(result.document()), 201)


def _submit(actor: Actor, data: bytes, file_name: str, *arguments: str | None) -> Any:
    """Queue the layer, commit, hand it to this process's runner: 202 with the job and its URL."""
    with background_imports.submit_obstacles(db.session, actor, data, file_name, *arguments) as ticket:
        db.session.commit()
        end_write_intent()  # what follows only reads: SQLite must not wait for the runner's write lock
        ticket.start(audit.current_context())  # its entries carry the submitting request's id
        document = _job_with_progress(ticket.job)
    location = url_for("obstacles.ObstacleImport", job_id=ticket.job_id)
    return json_response(document, 202, Location=location)


@blp.route("/imports/<int:job_id>")
class ObstacleImport(MethodView):
    @blp.response(200, schemas.ObstacleImportJob)
    def get(self, job_id: int) -> Any:
        """A layer imported in the background (who sent it, editors of its organisation, admins):
        `status` queued, running, succeeded (`result`), invalid (`problems`, nothing written) or
        failed (`failure`); `progress` counts the cameras whose visible areas are recomputed (their
        total is known once the layer is written)."""
        with on_primary():  # the runner changes the row now: a replica's copy may lag behind it
            job = imports.readable_job(db.session, require_actor(), job_id, OBSTACLES)
            return json_response(_job_with_progress(job))


def _job_with_progress(job: ImportJob) -> dict[str, Any]:
    job, live = background_imports.current(db.session, job)
    document = {**service.job_document(job), "status": live["status"], "failure": live["failure"]}
    progress = live["progress"]
    document["progress"] = {"cameras_done": progress["rows_done"], "cameras_total": progress["rows_total"]}
    return _localised(document)


def _localised(document: dict[str, Any]) -> dict[str, Any]:
    """Messages in the request's language (the stored ones stay English, for the CLI and the logs)."""
    found = {**document}
    for name in ("problems", "warnings"):
        if document.get(name):
            found[name] = [{**item, "message": localise(item["message"])} for item in document[name]]
    if isinstance(document.get("result"), dict):
        found["result"] = _localised(document["result"])
    if document.get("failure"):
        found["failure"] = localise(document["failure"])
    return found
