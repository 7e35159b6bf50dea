"""GET /api/v1/clusters: camera counts per map grid cell, so a national map never loads every point."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from flask import Response, request
from flask.views import MethodView

from observo.api.blueprint import ApiBlueprint
from observo.domain.permissions import sees_full_detail
from observo.domain.shapes import MapGrid
from observo.errors import FieldIssue, MalformedQuery
from observo.extensions import db
from observo.http.auth import current_actor
from observo.http.filters import camera_filters
from observo.http.responses import GEOJSON
from observo.schemas.queries import ClusterQuery
from observo.schemas.search import ClusterCollection
from observo.services import clusters as clusters_service
from observo.settings import current_settings

blp = ApiBlueprint("clusters", __name__, url_prefix="/api/v1/clusters", description="Map clusters")


def _cell_feature(grid: MapGrid, cluster: clusters_service.Cluster) -> dict[str, Any]:
    bounds = grid.cell_bounds(cluster.ix, cluster.iy)
    centre = [round((bounds[0] + bounds[2]) / 2, 6), round((bounds[1] + bounds[3]) / 2, 6)]
    return {
        "type": "Feature",
        "id": f"{grid.zoom}/{cluster.ix}/{cluster.iy}",
        "geometry": {"type": "Point", "coordinates": [cluster.lon, cluster.lat]},
        "properties": {
            "count": cluster.count,
            "by_type": cluster.by_type,
            "cell_bbox": [round(value, 6) for value in bounds],
            "cell_centre": centre,
        },
    }


@blp.route("")
class Clusters(MethodView):
    @blp.arguments(ClusterQuery, location="query")
    @blp.response(200, ClusterCollection, content_type=GEOJSON)
    def get(self, args: dict[str, Any]) -> Any:
        """Counts per cell of a Web Mercator grid (4 x 4 cells per 256-px tile at `zoom`), by type.

        Cells are placed on generalised positions, so the answer is the same kind for every audience
        and reveals nothing finer than the public map. Deterministic: an ETag lets clients revalidate.
        """
        actor = current_actor()
        grid = MapGrid(args["zoom"])
        settings = current_settings()
        if grid.cell_count(args["bbox"]) > settings.max_cluster_cells:
            detail = f"more than {settings.max_cluster_cells} cells: lower the zoom or shrink the bbox"
            raise MalformedQuery(detail, [FieldIssue("/zoom", "too_many_cells", detail)])
        filters = camera_filters(args)
        clusters = clusters_service.cluster_cameras(db.session, actor, args["bbox"], grid, filters)
        body = orjson.dumps(
            {
                "type": "FeatureCollection",
                "zoom": grid.zoom,
                "cell_m": round(grid.cell_m, 3),
                "numberMatched": sum(cluster.count for cluster in clusters),
                "features": [_cell_feature(grid, cluster) for cluster in clusters],
            }
        )
        digest = hashlib.sha256(body).hexdigest()[:32]
        # The public answer may be cached anywhere for a minute; a signed-in one nowhere.
        caching = "private, no-store" if sees_full_detail(actor) else "public, max-age=60"
        headers = {
            "ETag": f'"{digest}"',
            "Cache-Control": caching,
            "Vary": "Authorization, Cookie",
        }
        if request.if_none_match.contains(digest):
            return Response(status=304, headers=headers, mimetype=GEOJSON)  # its CSP is a data one
        return Response(body, mimetype=GEOJSON, headers=headers)
