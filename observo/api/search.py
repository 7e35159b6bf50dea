"""POST /api/v1/search: cameras located in, or seeing into, an area, a point's surroundings or a route."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask.views import MethodView

from observo.api.blueprint import ApiBlueprint
from observo.extensions import db
from observo.http.auth import current_actor
from observo.http.filters import camera_filters
from observo.http.responses import GEOJSON, committed_collection_response
from observo.schemas.search import SearchBody, SearchResults
from observo.services import queries
from observo.settings import current_settings

blp = ApiBlueprint("search", __name__, url_prefix="/api/v1/search", description="Search by area or route")


@blp.route("")
class Search(MethodView):
    @blp.arguments(SearchBody, content_type="application/json")
    @blp.response(200, SearchResults, content_type=GEOJSON)
    def post(self, body: dict[str, Any]) -> Any:
        """Active cameras (unless `status` says otherwise) in the area or seeing into it.

        Each carries `relation` (`inside` or `sees_into`) and `distance_m` from the shape. A point is
        answered nearest first, a route (LineString + buffer_m) in order along it, an area inside
        first. `next` repeats the request with `"method": "POST"` and the body to send.
        """
        actor = current_actor()
        page = queries.search_cameras(
            db.session,
            actor,
            body["area"],
            camera_filters(body),
            body["limit"],
            body["offset"],
            current_settings().count_cap,
            reason=body.get("reason"),
        )
        links: list[dict[str, Any]] = [{"href": request.url, "rel": "self", "type": GEOJSON}]
        if page.has_more:
            following = {
                **request.get_json(),
                "offset": body["offset"] + len(page.hits),
                "limit": body["limit"],
            }
            links.append(
                {
                    "href": url_for("search.Search", _external=True),
                    "rel": "next",
                    "type": GEOJSON,
                    "method": "POST",
                    "body": following,
                }
            )
        return committed_collection_response(db.session, actor, page, links)
