"""/api/v1/interventions: coordinated interventions, their snapshot, deadlines and preservation requests."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from observo.api.blueprint import ApiBlueprint
from observo.api.preconditions import IF_MATCH, etag_for, expected_version
from observo.extensions import db
from observo.http.auth import require_actor
from observo.http.owner_request_mail import commit_and_tell_owner
from observo.http.responses import GEOJSON, json_response
from observo.models.base import utcnow
from observo.schemas import interventions as schemas
from observo.services import interventions as service
from observo.services import preservation

blp = ApiBlueprint("interventions", __name__, url_prefix="/api/v1/interventions", description="Interventions")


def _answer(intervention: Any, status: int = 200, **headers: str) -> Any:
    body = service.intervention_json(require_actor(), intervention)
    return body, status, {"ETag": etag_for(intervention.id, intervention.version), **headers}


@blp.route("")
class Interventions(MethodView):
    @blp.arguments(schemas.InterventionListQuery, location="query")
    @blp.response(200, schemas.InterventionOut(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """The interventions you may read (led by or shared with your organisation or its pacts), latest
        window first; `status` filters."""
        actor = require_actor()
        found = service.list_interventions(db.session, actor, args.get("status"))
        return [service.intervention_json(actor, intervention) for intervention in found]

    @blp.arguments(schemas.InterventionIn)
    @blp.response(201, schemas.InterventionOut)
    def post(self, body: dict[str, Any]) -> Any:
        """Plan an intervention led by your organisation (admins: any `lead`). Audited
        (`intervention.create`, and `intervention.snapshot` when created planned or active)."""
        intervention = service.create_intervention(db.session, require_actor(), body)
        db.session.commit()
        location = url_for("interventions.InterventionItem", intervention_id=intervention.id)
        return _answer(intervention, 201, Location=location)


@blp.route("/<int:intervention_id>")
class InterventionItem(MethodView):
    @blp.response(200, schemas.InterventionOut)
    def get(self, intervention_id: int) -> Any:
        """One intervention with its snapshot summary (cameras you may read); 404 if not shared with you."""
        return _answer(service.get_intervention(db.session, require_actor(), intervention_id))

    @blp.arguments(schemas.InterventionPatch(partial=schemas.PATCH_OPTIONAL))
    @blp.response(200, schemas.InterventionOut)
    @blp.doc(parameters=IF_MATCH)
    def patch(self, body: dict[str, Any], intervention_id: int) -> Any:
        """Change the plan (users of the lead, admins). Needs If-Match: 428 without, 412 if stale.

        draft -> planned/active confirms the plan and takes the snapshot; new targets or a new window
        retake an existing snapshot. Audited (`intervention.update`, `intervention.snapshot`)."""
        actor = require_actor()
        version = expected_version(intervention_id)
        intervention = service.update_intervention(db.session, actor, intervention_id, version, body)
        db.session.commit()
        return _answer(intervention)

    @blp.response(204)
    @blp.doc(parameters=IF_MATCH)
    def delete(self, intervention_id: int) -> Any:
        """Delete the intervention, its targets and preservation requests (users of the lead, admins).
        Needs If-Match. Audited (`intervention.delete`)."""
        actor = require_actor()
        version = expected_version(intervention_id)
        service.delete_intervention(db.session, actor, intervention_id, version)
        db.session.commit()
        return json_response(None, 204)


@blp.route("/<int:intervention_id>/snapshot")
class InterventionSnapshot(MethodView):
    @blp.response(200, schemas.InterventionOut)
    @blp.doc(parameters=IF_MATCH)
    def post(self, intervention_id: int) -> Any:
        """Recompute and store the snapshot now (users of the lead, admins). Needs If-Match.
        A coverage run: audited (`intervention.snapshot`) with the intervention's reason."""
        actor = require_actor()
        version = expected_version(intervention_id)
        intervention = service.recompute_snapshot(db.session, actor, intervention_id, version)
        db.session.commit()
        return _answer(intervention)


@blp.route("/<int:intervention_id>/deadlines")
class InterventionDeadlines(MethodView):
    @blp.arguments(schemas.DeadlinesQuery, location="query")
    @blp.response(200, schemas.Deadlines)
    def get(self, args: dict[str, Any], intervention_id: int) -> Any:
        """When each camera's footage of the window expires (most urgent first), hours left at `at`,
        and whom to call. Contacts: audited (`intervention.contacts`) with the intervention's reason.
        409 `no_snapshot` before the plan is confirmed."""
        actor = require_actor()
        intervention = service.get_intervention(db.session, actor, intervention_id)
        body = service.deadlines(db.session, actor, intervention, args.get("at") or utcnow())
        db.session.commit()
        return body


@blp.route("/<int:intervention_id>/map")
class InterventionMap(MethodView):
    @blp.response(200, schemas.MapCollection, content_type=GEOJSON)
    def get(self, intervention_id: int) -> Any:
        """The map's layers (targets, gaps, suggestions, cameras, sectors; no contacts) from the snapshot,
        or computed live in your scope before there is one (then audited as `intervention.map`)."""
        actor = require_actor()
        intervention = service.get_intervention(db.session, actor, intervention_id)
        body = service.map_features(db.session, actor, intervention)
        db.session.commit()
        return json_response(body, 200, GEOJSON)


@blp.route("/<int:intervention_id>/preservation-requests")
class PreservationRequests(MethodView):
    @blp.response(200, schemas.PreservationRequestOut(many=True))
    def get(self, intervention_id: int) -> Any:
        """The requests made to owners to preserve footage, oldest first."""
        found = preservation.list_requests(db.session, require_actor(), intervention_id)
        return [preservation.request_json(request) for request in found]

    @blp.arguments(schemas.PreservationRequestIn)
    @blp.response(201, schemas.PreservationRequestOut)
    def post(self, body: dict[str, Any], intervention_id: int) -> Any:
        """Record that an owner was asked to preserve footage (anyone who may read the intervention).
        Audited (`preservation.create`) with the intervention's reason."""
        request = preservation.create_request(db.session, require_actor(), intervention_id, body)
        commit_and_tell_owner(db.session, request)  # a registered owner hears of it by e-mail
        location = url_for(
            "interventions.PreservationRequestItem", intervention_id=intervention_id, request_id=request.id
        )
        headers = {"Location": location, "ETag": etag_for(request.id, request.version)}
        return preservation.request_json(request), 201, headers


@blp.route("/<int:intervention_id>/preservation-requests/<int:request_id>")
class PreservationRequestItem(MethodView):
    @blp.response(200, schemas.PreservationRequestOut)
    def get(self, intervention_id: int, request_id: int) -> Any:
        """One request, with an ETag to send back in If-Match."""
        request = preservation.get_request(db.session, require_actor(), intervention_id, request_id)
        return preservation.request_json(request), 200, {"ETag": etag_for(request.id, request.version)}

    @blp.arguments(schemas.PreservationRequestPatch)
    @blp.response(200, schemas.PreservationRequestOut)
    @blp.doc(parameters=IF_MATCH)
    def patch(self, body: dict[str, Any], intervention_id: int, request_id: int) -> Any:
        """Record the owner's answer: `status` preserved, refused or expired, and `answered_at`.
        Needs If-Match. Audited (`preservation.update`)."""
        actor = require_actor()
        version = expected_version(request_id)
        request = preservation.update_request(db.session, actor, intervention_id, request_id, version, body)
        db.session.commit()
        return preservation.request_json(request), 200, {"ETag": etag_for(request.id, request.version)}
