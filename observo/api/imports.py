"""/api/v1/imports: bulk import of cameras (CSV, GeoJSON, OSM-tagged GeoJSON) and its job status."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from marshmallow.validate import Length

from observo.api.auth import require_actor
from observo.api.blueprint import StrictParser
from observo.api.responses import json_response
from observo.errors import FieldIssue, InvalidInput
from observo.extensions import db
from observo.services import imports as service

IMPORT_MAX_BYTES = 64 * 1024 * 1024  # above the API's usual body limit: 100,000 CSV rows fit
_RAW_TYPES = {"text/csv": "csv", "application/geo+json": "geojson", "application/json": "geojson"}


class ImportBlueprint(Blueprint):
    """Strict query strings, but bodies are files (multipart or raw), not JSON."""

    ARGUMENTS_PARSER = StrictParser()


blp = ImportBlueprint("imports", __name__, url_prefix="/api/v1/imports", description="Bulk import of cameras")


@blp.before_request
def _allow_large_files() -> None:
    request.max_content_length = IMPORT_MAX_BYTES


class ImportQuery(Schema):
    owner = fields.String(validate=Length(1, 64), metadata={"description": "owner of rows naming none"})
    dry_run = fields.Boolean(load_default=False, metadata={"description": "validate only, write nothing"})


def _upload() -> tuple[bytes, str]:
    """The file and its format hint: multipart field `file`, or the raw body with its media type."""
    upload = request.files.get("file")
    if upload is not None:
        return upload.read(), upload.filename or (upload.mimetype or "")
    media_type = (request.mimetype or "").lower()
    if media_type not in _RAW_TYPES:
        detail = "send multipart/form-data with a `file`, or a text/csv or application/geo+json body"
        raise InvalidInput(detail, [FieldIssue("/file", "required", detail)])
    return request.get_data(cache=False), _RAW_TYPES[media_type]


def _form_flag(args: dict[str, Any]) -> tuple[str | None, bool]:
    owner = args.get("owner") or request.form.get("owner") or None
    dry_run = args["dry_run"] or request.form.get("dry_run", "").lower() in ("1", "true", "yes")
    return owner, dry_run


@blp.route("")
class Imports(MethodView):
    @blp.arguments(ImportQuery, location="query")
    @blp.response(201)
    def post(self, args: dict[str, Any]) -> Any:
        """Import a file: every row or none. `dry_run` validates (the database too) and writes nothing.

        201 with the import and its per-row report; 200 with the earlier import when the same file was
        already imported for the same owner, or the same `Idempotency-Key` was sent; 422 (problem, its
        `errors` pointing at `/rows/<row>/<field>`) when a real run has any problem: nothing written.
        """
        actor = require_actor()
        owner, dry_run = _form_flag(args)
        data, hint = _upload()
        key = request.headers.get("Idempotency-Key", "").strip()[:200] or None
        report = service.import_cameras(
            db.session, actor, service.ImportRequest(data, hint, owner, dry_run, key)
        )
        db.session.commit()
        job = report.job
        document = service.job_document(job, already_imported=report.already_imported)
        status = 200 if report.already_imported else 201
        return json_response(document, status, Location=url_for("imports.Import", import_id=job.id))


@blp.route("/<int:import_id>")
class Import(MethodView):
    @blp.response(200)
    def get(self, import_id: int) -> Any:
        """An import's status, counts and report (who ran it, editors of its owner, admins)."""
        job = service.readable_job(db.session, require_actor(), import_id)
        return json_response(service.job_document(job))
