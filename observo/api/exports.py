"""/api/v1/exports: every camera the caller may see, as GeoJSON, CSV, KML or OSM tags.

- `GET /api/v1/exports?f=...`: the export in the answer. Signed-in callers' is streamed as it is read
  (audited before the first byte); an anonymous caller's is public data, written whole first and
  answered with `Content-Length`, `ETag` and byte ranges, so GDAL and QGIS can open its URL directly.
- `POST /api/v1/exports` (the same fields as a JSON body): the export runs once (audited once, with
  its reason) into a file that lives `OBSERVO_EXPORT_FILE_TTL_S`; the answer is 201 with its URL.
- `GET|HEAD /api/v1/exports/files/<id>.<ext>`: that file, with `Content-Length`, a strong `ETag`,
  `Range`/`If-Range`, read as often as a GIS client likes and never audited again.

Who may read a file, and why: docs/exports-for-gis.md.
"""

from __future__ import annotations

import hashlib
import tempfile
from datetime import UTC, datetime
from typing import IO, Any

from flask import Response, request, stream_with_context, url_for
from flask.views import MethodView
from werkzeug.datastructures import Range
from werkzeug.http import parse_range_header
from werkzeug.wsgi import wrap_file

from observo.api.blueprint import ApiBlueprint
from observo.domain.permissions import Actor
from observo.errors import NotFound
from observo.extensions import db
from observo.http.auth import current_actor
from observo.http.filters import camera_filters
from observo.http.responses import json_response
from observo.rendering.export_formats import ExportFormat, export_features, export_format
from observo.schemas.exports import ExportFileOutput, ExportQuery
from observo.services import export_files, queries, query_audit
from observo.services.export_attribution import Attribution, export_attribution
from observo.settings import current_settings
from observo.spatial import engine

blp = ApiBlueprint("exports", __name__, url_prefix="/api/v1/exports", description="Exports")

NO_SUCH_FILE = "no export file at this address: it never existed or has expired (ask for a new one)"


class _Prepared:
    """An export checked, counted and audited, ready to be written."""

    def __init__(self, actor: Actor, args: dict[str, Any]) -> None:
        self.actor = actor
        self.query = queries.CameraQuery(
            filters=camera_filters(args), bbox=args.get("bbox"), reason=args.get("reason")
        )
        self.limit, self.offset = args.get("limit"), args["offset"]
        self.size = queries.export_size(db.session, actor, self.query, self.limit, self.offset)
        self.attribution: Attribution = export_attribution(
            db.session, actor, self.query, self.limit, self.offset
        )
        query_audit.record_export(db.session, actor, self.query, self.size, args["f"])
        db.session.commit()  # logged before the first byte is written
        engine.end_write_intent()  # the rest only reads: no SQLite write lock while it is written
        self.format: ExportFormat = export_format(args["f"], actor, db.session)

    def chunks(self) -> Any:
        features = export_features(db.session, self.actor, self.query, self.limit, self.offset, self.format)
        return self.format.write(features, self.attribution)

    @property
    def filename(self) -> str:
        return f"observo-cameras.{self.format.extension}"


@blp.route("")
class Exports(MethodView):
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, content_type="application/octet-stream")
    def get(self, args: dict[str, Any]) -> Any:
        """The cameras you may see (filters as the camera list) in one format, in the answer.

        Anonymous callers get the public, generalised cameras, with `Content-Length`, `ETag` and byte
        ranges (GDAL and QGIS open the URL as it is). Signed-in callers' exports can hold restricted
        data: they need a `reason`, are audited (`export.<format>`) before the first byte and are
        streamed; GIS clients, which read a URL several times, should `POST` instead. Every export
        carries the attribution its rows' licences ask for, and no other: GeoJSON and OSM a top-level
        `attribution`, KML the Document's description, CSV a `licence` column; the response adds
        `Link: <licence>; rel="license"` and `X-Attribution` headers.
        """
        export = _Prepared(current_actor(), args)
        headers = {
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            **export.attribution.headers(),
        }
        if export.actor.is_anonymous:
            return _public_answer(export, headers)
        body = stream_with_context(export.chunks())
        return Response(body, mimetype=export.format.media_type, headers=headers)

    @blp.arguments(ExportQuery)
    @blp.response(201, ExportFileOutput)
    def post(self, args: dict[str, Any]) -> Any:
        """Run the export once into a file and answer its URL (`Location`), for GIS clients.

        The same fields as `GET` (as JSON), the same audit: signed-in callers give a `reason`, and
        the export is logged once, however often the file is then read. The file's URL works without
        credentials until `expires` (`OBSERVO_EXPORT_FILE_TTL_S`, default 15 minutes): hand it to
        QGIS or GDAL (`/vsicurl/`) as it is. docs/exports-for-gis.md.
        """
        export = _Prepared(current_actor(), args)
        settings = current_settings()
        made = export_files.save(
            export_files.folder_of(settings.instance_path),
            export.chunks(),
            extension=export.format.extension,
            media_type=export.format.media_type,
            owner_user_id=export.actor.user_id,
            headers=export.attribution.headers(),
            ttl_s=settings.export_file_ttl_s,
        )
        location = url_for("exports.ExportFileItem", name=made.name)
        body = {
            "href": url_for("exports.ExportFileItem", name=made.name, _external=True),
            "expires": datetime.fromtimestamp(made.expires_at, UTC).isoformat(timespec="seconds"),
            "media_type": made.media_type,
            "size": made.size,
            "count": export.size,
            "etag": f'"{made.sha256}"',
        }
        return json_response(body, 201, Location=location, Cache_Control="no-store")


@blp.route("/files/<name>")
class ExportFileItem(MethodView):
    @blp.response(200, content_type="application/octet-stream")
    def get(self, name: str) -> Any:
        """A finished export (`POST /api/v1/exports`), until it expires; `HEAD` and `Range` too.

        Readable without credentials by whoever holds the URL; sent with the credentials of another
        user than the one who asked for it, it answers 404, as an unknown or expired file does.
        """
        settings = current_settings()
        found = export_files.find(export_files.folder_of(settings.instance_path), name)
        actor = current_actor()
        if found is None or (not actor.is_anonymous and found.owner_user_id not in (None, actor.user_id)):
            raise NotFound(NO_SUCH_FILE)
        try:
            handle = open(found.path, "rb")  # noqa: SIM115 (closed by the response)
        except FileNotFoundError:  # removed (expired) between the look-up and now
            raise NotFound(NO_SUCH_FILE) from None
        headers = {
            "Content-Disposition": f'attachment; filename="observo-cameras.{found.extension}"',
            "Cache-Control": "private, no-store",
            **found.headers,
        }
        return _file_answer(handle, found.size, found.sha256, found.media_type, headers)


def _public_answer(export: _Prepared, headers: dict[str, str]) -> Response:
    """Public data, written whole to a temporary file (gone when the answer closes), then answered
    with its length, a strong ETag and byte ranges: a GIS client may open the GET URL itself."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
    digest = hashlib.sha256()
    for chunk in export.chunks():
        data = chunk.encode("utf-8")
        digest.update(data)
        handle.write(data)
    size = handle.tell()
    handle.seek(0)
    return _file_answer(handle, size, digest.hexdigest(), export.format.media_type, headers)


def _file_answer(
    handle: IO[bytes], size: int, sha256: str, media_type: str, headers: dict[str, str]
) -> Response:
    """The bytes of `handle` with `Content-Length`, a strong ETag and RFC 9110 ranges (one range per
    request; several are answered with the whole file, as the RFC allows); HEAD has no body."""
    response = Response(
        wrap_file(request.environ, handle), mimetype=media_type, headers=headers, direct_passthrough=True
    )
    response.content_length = size
    response.set_etag(sha256)  # strong: If-Range compares it
    environ = request.environ
    asked = parse_range_header(environ.get("HTTP_RANGE"))
    if isinstance(asked, Range) and len(asked.ranges) > 1:
        environ = {key: value for key, value in environ.items() if key != "HTTP_RANGE"}
    return response.make_conditional(environ, accept_ranges=True, complete_length=size)
