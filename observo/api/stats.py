"""GET /api/v1/stats: the registry in figures, per municipality."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from observo.api.blueprint import ApiBlueprint
from observo.extensions import db
from observo.http.auth import require_actor
from observo.schemas import stats as schemas
from observo.services import stats as service

blp = ApiBlueprint("stats", __name__, url_prefix="/api/v1/stats", description="Stats")


@blp.route("")
class Stats(MethodView):
    @blp.arguments(schemas.StatsQuery, location="query")
    @blp.response(200, schemas.Stats)
    def get(self, args: dict[str, Any]) -> Any:
        """Cameras you may read, counted per municipality (ISTAT code) and in total: by type, status and
        visibility; recording, known retention, not verified for over a year, faulty. Decommissioned
        cameras are left out unless `include_decommissioned=true`. `places`: your organisations' places
        (admins: all) with their latest coverage, the previous one and the trend."""
        return service.registry_stats(
            db.session,
            require_actor(),
            municipality=args.get("municipality"),
            include_decommissioned=args["include_decommissioned"],
        )
