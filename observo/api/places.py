"""/api/v1/places: sensitive places an organisation registers, and their coverage over time.

Coverage figures are measured in the place's organisation's read scope and shown only to readers
whose scope covers it (see `observo.services.places`); others get `figures_withheld`.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from observo.api.blueprint import ApiBlueprint
from observo.api.preconditions import IF_MATCH, etag_for, expected_version
from observo.domain.permissions import Actor
from observo.extensions import db
from observo.http.auth import require_actor
from observo.http.responses import GEOJSON, json_response
from observo.models import Organisation, Place
from observo.schemas import places as schemas
from observo.services import places as service

blp = ApiBlueprint("places", __name__, url_prefix="/api/v1/places", description="Places")


def _view(actor: Actor, place: Place) -> schemas.PlaceView:
    if place.organisation_id not in service.figures_shown(db.session, actor, [place]):
        return schemas.PlaceView(place, None, withheld=True)
    return schemas.PlaceView(place, service.latest_measurement(db.session, place))


def _feature_response(actor: Actor, place: Place, status: int = 200, **headers: str) -> Any:
    view = _view(actor, place)
    body = schemas.PlaceFeature().dump(view)
    return json_response(body, status, GEOJSON, ETag=etag_for(place.id, place.version), **headers)


@blp.route("")
class Places(MethodView):
    @blp.arguments(schemas.PlaceListQuery, location="query")
    @blp.response(200, schemas.PlaceCollection, content_type=GEOJSON)
    def get(self, args: dict[str, Any]) -> Any:
        """The places of your organisation and of its pact partners (admins: all), each with its
        latest coverage measurement (withheld on partners' places). `organisation` keeps one
        organisation's (by slug)."""
        actor = require_actor()
        stmt = service.visible_places(actor)
        if "organisation" in args:
            stmt = stmt.where(Organisation.slug == args["organisation"])
        places = list(db.session.scalars(stmt))
        shown = service.figures_shown(db.session, actor, places)
        latest = service.recent_measurements(db.session, [p.id for p in places if p.organisation_id in shown])
        views = [
            schemas.PlaceView(place, (latest.get(place.id) or [None])[0], place.organisation_id not in shown)
            for place in places
        ]
        return json_response(schemas.PlaceCollection().dump(views), 200, GEOJSON)

    @blp.arguments(schemas.PlaceInput)
    @blp.response(201, schemas.PlaceFeature, content_type=GEOJSON)
    def post(self, body: dict[str, Any]) -> Any:
        """Register a place (editors of its organisation, admins) and measure its coverage at once.

        Audited (`place.create`, `place.measure`). 409 when the organisation has a place of that name.
        """
        actor = require_actor()
        place = service.create_place(db.session, actor, body)
        db.session.commit()
        return _feature_response(actor, place, 201, Location=url_for("places.PlaceItem", place_id=place.id))


@blp.route("/<int:place_id>")
class PlaceItem(MethodView):
    @blp.response(200, schemas.PlaceFeature, content_type=GEOJSON)
    def get(self, place_id: int) -> Any:
        """One place, with an ETag to send back in If-Match; 404 outside your organisation and partners."""
        actor = require_actor()
        return _feature_response(actor, service.readable_place(db.session, actor, place_id))

    @blp.arguments(schemas.PlacePatch(partial=True), content_type="application/json")
    @blp.response(200, schemas.PlaceFeature, content_type=GEOJSON)
    @blp.doc(parameters=IF_MATCH)
    def patch(self, body: dict[str, Any], place_id: int) -> Any:
        """Change name, category or outline (editors, admins). If-Match: 428 without, 412 when stale.

        A new outline is measured at once. Audited (`place.update`, before/after).
        """
        actor = require_actor()
        version = expected_version(place_id)
        place = service.update_place(db.session, actor, place_id, version, body)
        db.session.commit()
        return _feature_response(actor, place)

    @blp.response(204)
    @blp.doc(parameters=IF_MATCH)
    def delete(self, place_id: int) -> Any:
        """Remove the place and its measurements (editors, admins). If-Match. Audited (`place.delete`)."""
        actor = require_actor()
        version = expected_version(place_id)
        service.delete_place(db.session, actor, place_id, version)
        db.session.commit()
        return json_response(None, 204)


@blp.route("/<int:place_id>/coverage")
class PlaceCoverageHistory(MethodView):
    @blp.response(200, schemas.PlaceCoverageHistory)
    def get(self, place_id: int) -> Any:
        """Every coverage measurement of the place, oldest first."""
        measurements = service.coverage_history(db.session, require_actor(), place_id)
        withheld = measurements is None
        return {"place": place_id, "measurements": measurements or [], "figures_withheld": withheld}

    @blp.response(201, schemas.PlaceMeasurement)
    def post(self, place_id: int) -> Any:
        """Measure the place now (editors of its organisation, admins). Audited (`place.measure`)."""
        measurement = service.measure_writable(db.session, require_actor(), place_id)
        db.session.commit()
        location = url_for("places.PlaceCoverageHistory", place_id=place_id)
        return measurement, 201, {"Location": location}
