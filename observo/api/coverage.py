"""POST /api/v1/coverage: how much of an area or route the cameras see, and where the gaps are."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from observo.api.blueprint import ApiBlueprint
from observo.extensions import db
from observo.http.auth import current_actor
from observo.http.filters import camera_filters
from observo.schemas.coverage import CoverageAnswer, CoverageBody
from observo.services import coverage

blp = ApiBlueprint("coverage", __name__, url_prefix="/api/v1/coverage", description="Coverage and gaps")


@blp.route("")
class Coverage(MethodView):
    @blp.arguments(CoverageBody, content_type="application/json")
    @blp.response(200, CoverageAnswer)
    def post(self, body: dict[str, Any]) -> Any:
        """Coverage of an area (Polygon, MultiPolygon, Point + buffer_m) or a route (LineString + buffer_m).

        Computed in metres over the active cameras you may read (`status`/`include` change that): the
        covered area and ratio, the gaps largest first, each camera's contribution and the part only it
        sees; for a route also its length, covered length and the uncovered stretches in order. With
        `suggestions` it ranks where a patrol or the mobile office would add most. Needs a `reason`;
        each run is audited (`query.coverage`).
        """
        result = coverage.run_coverage(
            db.session,
            current_actor(),
            body["area"],
            camera_filters(body),
            body.get("reason"),
            body["suggestions"],
            body["suggestion_range_m"],
        )
        db.session.commit()  # the audit entry
        return coverage.coverage_json(result)
