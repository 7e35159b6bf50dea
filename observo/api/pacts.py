"""/api/v1/pacts: security pacts, whose members share their `shared` cameras."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from observo.api.blueprint import ApiBlueprint
from observo.extensions import db
from observo.http.auth import require_actor
from observo.http.responses import json_response
from observo.schemas import accounts as schemas
from observo.services import organisations as service

blp = ApiBlueprint("pacts", __name__, url_prefix="/api/v1/pacts", description="Security pacts")


@blp.route("")
class Pacts(MethodView):
    @blp.response(200, schemas.Pact(many=True))
    def get(self) -> Any:
        """Admins see every pact; others the pacts their organisation belongs to."""
        return db.session.scalars(service.visible_pacts(require_actor())).all()

    @blp.arguments(schemas.Pact)
    @blp.response(201, schemas.Pact)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a pact among organisations (administrators).

        Members share their `shared` cameras with each other. Audited (`pact.create`).
        """
        pact = service.create_pact(
            db.session, require_actor(), slug=body["slug"], name=body["name"], member_slugs=body["members"]
        )
        db.session.commit()
        return pact, 201, {"Location": url_for("pacts.PactItem", slug=pact.slug)}


@blp.route("/<slug>")
class PactItem(MethodView):
    @blp.response(200, schemas.Pact)
    def get(self, slug: str) -> Any:
        """One pact, if your organisation belongs to it (admins: any); 404 otherwise."""
        return service.readable_pact(db.session, require_actor(), slug)

    @blp.arguments(schemas.PactPatch(partial=True))
    @blp.response(200, schemas.Pact)
    def patch(self, body: dict[str, Any], slug: str) -> Any:
        """Rename the pact and/or replace its members (administrators).

        `members` replaces the whole list. Audited (`pact.update`, before/after).
        """
        pact = service.update_pact(db.session, require_actor(), slug, body)
        db.session.commit()
        return pact

    @blp.response(204)
    def delete(self, slug: str) -> Any:
        """Dissolve the pact (administrators).

        Its members stop sharing through it at once. Audited (`pact.delete`).
        """
        service.delete_pact(db.session, require_actor(), slug)
        db.session.commit()
        return json_response(None, 204)
