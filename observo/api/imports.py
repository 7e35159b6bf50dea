"""/api/v1/imports: bulk import of cameras (CSV, GeoJSON, OpenStreetMap, Shapefile, GeoPackage, KML) and
its job and report."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from observo.api.blueprint import StrictParser
from observo.errors import FieldIssue, InvalidInput
from observo.extensions import db
from observo.http.auth import require_actor
from observo.http.problem_text import localise
from observo.http.responses import json_response
from observo.jobs import background_imports
from observo.schemas.imports import ImportChoices, ImportJobOutput, ImportQuery, load_import_choices
from observo.services import audit
from observo.services import imports as service
from observo.spatial.engine import end_write_intent
from observo.spatial.replicas import on_primary

IMPORT_MAX_BYTES = 64 * 1024 * 1024  # above the API's usual body limit: 100,000 CSV rows fit
# Media types of a raw body: the type is the format's hint (import_formats), the content decides the rest.
_RAW_TYPES = (
    "text/csv",
    "application/geo+json",
    "application/json",
    "application/vnd.openstreetmap.data+xml",
    "application/x-osm+xml",
    "application/vnd.google-earth.kml+xml",
    "application/octet-stream",
)


class ImportBlueprint(Blueprint):
    """Strict query strings, but bodies are files (multipart or raw), not JSON."""

    ARGUMENTS_PARSER = StrictParser()


blp = ImportBlueprint("imports", __name__, url_prefix="/api/v1/imports", description="Bulk import of cameras")


@blp.before_request
def _allow_large_files() -> None:
    request.max_content_length = IMPORT_MAX_BYTES


_OPTIONS = ("owner", "dry_run", "format", "skip_invalid", "key", "crs", "encoding")


def _choices(args: dict[str, Any]) -> ImportChoices:
    """The options from the query string and the multipart form fields (the same names), checked.

    An option given in both with different values is refused rather than guessed.
    """
    values: dict[str, Any] = {}
    issues = []
    for name in _OPTIONS:
        in_query, in_form = args.get(name), request.form.get(name)
        if in_query is not None and in_form is not None and in_query.strip() != in_form.strip():
            detail = f"{name} is given twice, as {in_query!r} and {in_form!r}: give it once"
            issues.append(FieldIssue(f"/{name}", "conflict", detail))
        values[name] = in_query if in_query is not None else in_form
    values["map"] = [*args.get("map", []), *request.form.getlist("map")]
    if issues:
        raise InvalidInput(issues[0].detail, issues)
    return load_import_choices(values)


def _upload() -> tuple[bytes, str, str | None]:
    """The file, its format hint and its name: multipart field `file`, or the raw body with its media
    type."""
    upload = request.files.get("file")
    if upload is not None:
        return upload.read(), upload.filename or (upload.mimetype or ""), upload.filename or None
    media_type = (request.mimetype or "").lower()
    if media_type not in _RAW_TYPES:
        detail = "send multipart/form-data with a `file`, or the file as the body (e.g. text/csv)"
        raise InvalidInput(detail, [FieldIssue("/file", "required", detail)])
    return request.get_data(cache=False), media_type, None


@blp.route("")
class Imports(MethodView):
    @blp.arguments(ImportQuery, location="query")
    @blp.response(201, ImportJobOutput)
    @blp.alt_response(200, schema=ImportJobOutput, description="the earlier import of the same file")
    @blp.alt_response(202, schema=ImportJobOutput, description="a large file: imported in the background")
    def post(self, args: dict[str, Any]) -> Any:
        """Import a file: every row or none, or with `skip_invalid` the valid rows.

        The options (`format`, `skip_invalid`, `key`, `crs`, `encoding`, repeatable `map`, `owner`,
        `dry_run`) come in the query string or as multipart form fields. 201 with the import and its
        report (counts, each problem and warning, each row's change, the file's summary); 200 with the
        earlier import when the same file was already imported for the same owner with the same
        options, or the same `Idempotency-Key` was sent; 422 (problem, its `errors` pointing at
        `/rows/<row>/<field>`, or at the option) when a real run writes nothing: then nothing is
        written. A file larger than OBSERVO_IMPORT_BACKGROUND_BYTES (2 MiB) is checked for the caller
        and the owner at once, then imported in the background: 202 with the job (`status` queued),
        its URL in `Location`; GET it for the progress and, when done, the report.
        """
        actor = require_actor()
        choices = _choices(args)
        data, hint, filename = _upload()
        key = request.headers.get("Idempotency-Key", "").strip()[:200] or None
        options = choices.options
        import_request = service.ImportRequest(
            data, choices.file_format or hint, options.owner, choices.dry_run, key, options, filename
        )
        if background_imports.runs_in_background(current_app.config["OBSERVO_SETTINGS"], data):
            return _submit(import_request)
        report = service.import_cameras(db.session, actor, import_request)
        db.session.commit()
        job = report.job
        document = localised_document(service.job_document(job, already_imported=report.already_imported))
        status = 200 if report.already_imported else 201
        return json_response(document, status, Location=url_for("imports.Import", import_id=job.id))


def _submit(import_request: service.ImportRequest) -> Any:
    """Queue the file, commit, then hand it to this process's runner: 202 (200: the same
    Idempotency-Key was sent before, and that job is answered)."""
    with background_imports.submit(db.session, require_actor(), import_request) as ticket:
        db.session.commit()
        end_write_intent()  # what follows only reads: SQLite must not wait for the runner's write lock
        ticket.start(audit.current_context())  # its entries carry the submitting request's id
        document = _job_with_progress(ticket.job)
    status = 200 if ticket.replayed else 202
    return json_response(document, status, Location=url_for("imports.Import", import_id=ticket.job_id))


def _job_with_progress(job: Any) -> dict[str, Any]:
    job, live = background_imports.current(db.session, job)
    return localised_document({**service.job_document(job), **live})


def _localised_entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**item, "message": localise(item["message"])} if item.get("message") else item for item in entries
    ]


def localised_document(document: dict[str, Any]) -> dict[str, Any]:
    """The job document in the request's language: each problem's and warning's `message` (the
    file's warnings too) and `failure`. The stored report stays English (the CLI and logs read it);
    rows, fields, codes and counts never change."""
    found = {**document}
    for name in ("errors", "warnings"):
        found[name] = _localised_entries(document.get(name) or [])
    if isinstance(document.get("file"), dict) and document["file"].get("warnings"):
        found["file"] = {**document["file"], "warnings": _localised_entries(document["file"]["warnings"])}
    if document.get("failure"):
        found["failure"] = localise(document["failure"])
    return found


@blp.route("/<int:import_id>")
class Import(MethodView):
    @blp.response(200, ImportJobOutput)
    def get(self, import_id: int) -> Any:
        """An import's status, counts and report (who ran it, editors of its owner, admins). A job in
        the background: `status` queued or running, `progress` (rows done of about `rows_total`), and
        `failure` when it could not run."""
        with on_primary():  # the runner changes the row now: a replica's copy may lag behind it
            job = service.readable_job(db.session, require_actor(), import_id)
            return json_response(_job_with_progress(job))
