"""/api/v1/organizations: the organisations the caller works with; administrators register and change them."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from observo.api.blueprint import ApiBlueprint
from observo.errors import NotFound
from observo.extensions import db
from observo.http.auth import require_actor
from observo.models import Organisation
from observo.schemas import accounts as schemas
from observo.services import organisations as service

blp = ApiBlueprint("organizations", __name__, url_prefix="/api/v1/organizations", description="Organisations")


@blp.route("")
class Organisations(MethodView):
    @blp.response(200, schemas.Organisation(many=True))
    def get(self) -> Any:
        """Admins see every organisation; others their own, those they sponsor, their pact partners
        (and the owners these sponsor) and every state force. Only these can be named in other fields
        (owner, operator, lead, sharing...): any other slug is answered as an unknown one."""
        return db.session.scalars(service.visible_organisations(db.session, require_actor())).all()

    @blp.arguments(schemas.Organisation)
    @blp.response(201, schemas.Organisation)
    def post(self, body: dict[str, Any]) -> Any:
        """Register an organisation (administrators).

        `sponsor` is the slug of the municipality a private owner federates with; `istat_code` is
        unique when present. Audited (`organisation.create`).
        """
        sponsor = body.pop("sponsor", None)
        contacts = {name: body.pop(name) for name in service.CONTACT_FIELDS if name in body}
        organisation = service.create_organisation(
            db.session, require_actor(), sponsor_slug=sponsor, contacts=contacts, **body
        )
        db.session.commit()
        location = url_for("organizations.OrganisationItem", slug=organisation.slug)
        return organisation, 201, {"Location": location}


@blp.route("/<slug>")
class OrganisationItem(MethodView):
    @blp.response(200, schemas.Organisation)
    def get(self, slug: str) -> Any:
        """One organisation, if you may list it (404 otherwise)."""
        stmt = service.visible_organisations(db.session, require_actor()).where(Organisation.slug == slug)
        organisation = db.session.scalar(stmt)
        if organisation is None:
            raise NotFound(f"no organisation {slug!r}")
        return organisation

    @blp.arguments(schemas.OrganisationPatch(partial=True))
    @blp.response(200, schemas.Organisation)
    def patch(self, body: dict[str, Any], slug: str) -> Any:
        """Change name, contacts, sponsor or public precision (administrators).

        A new `public_precision_m` moves the public position of every camera the organisation owns
        onto the new grid at once. `slug`, `kind` and `istat_code` cannot change (422). Audited
        (`organisation.update`, before/after).
        """
        organisation = service.update_organisation(db.session, require_actor(), slug, body)
        db.session.commit()
        return organisation
