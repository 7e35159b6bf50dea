"""GET /api/v1/exports: every camera the caller may see, streamed as GeoJSON, CSV, KML or OSM tags."""

from __future__ import annotations

from typing import Any

from flask import Response, stream_with_context
from flask.views import MethodView

from observo.api.blueprint import ApiBlueprint
from observo.extensions import db
from observo.http.auth import current_actor
from observo.http.filters import camera_filters
from observo.rendering.export_formats import export_features, export_format
from observo.schemas.exports import ExportQuery
from observo.services import queries, query_audit
from observo.services.export_attribution import export_attribution
from observo.spatial import engine

blp = ApiBlueprint("exports", __name__, url_prefix="/api/v1/exports", description="Exports")


@blp.route("")
class Exports(MethodView):
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, content_type="application/octet-stream")
    def get(self, args: dict[str, Any]) -> Any:
        """Stream the cameras you may see (filters as the camera list) in one format.

        Anonymous callers get the public, generalised cameras. Signed-in callers' exports can hold
        restricted data: they need a `reason` and are audited (`export.<format>`) before the first byte.
        Every export carries the attribution its rows' licences ask for, and no other: GeoJSON and
        OSM a top-level `attribution`, KML the Document's description, CSV a `licence` column; the
        response adds `Link: <licence>; rel="license"` and `X-Attribution` headers.
        """
        actor = current_actor()
        query = queries.CameraQuery(
            filters=camera_filters(args), bbox=args.get("bbox"), reason=args.get("reason")
        )
        limit, offset = args.get("limit"), args["offset"]
        size = queries.export_size(db.session, actor, query, limit, offset)
        attribution = export_attribution(db.session, actor, query, limit, offset)
        query_audit.record_export(db.session, actor, query, size, args["f"])
        db.session.commit()  # logged before the first byte leaves
        engine.end_write_intent()  # the stream only reads: no SQLite write lock while it is consumed
        chosen = export_format(args["f"], actor, db.session)
        features = export_features(db.session, actor, query, limit, offset, chosen)
        body = chosen.write(features, attribution)
        headers = {
            "Content-Disposition": f'attachment; filename="observo-cameras.{chosen.extension}"',
            **attribution.headers(),
        }
        return Response(stream_with_context(body), mimetype=chosen.media_type, headers=headers)
