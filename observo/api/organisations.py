"""/api/v1/organizations: the organisations the caller works with."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from observo.api.auth import require_actor
from observo.api.blueprint import ApiBlueprint
from observo.errors import NotFound
from observo.extensions import db
from observo.models import Organisation
from observo.schemas.organisation import OrganisationOut
from observo.services.organisations import visible_organisations

blp = ApiBlueprint("organizations", __name__, url_prefix="/api/v1/organizations", description="Organisations")


@blp.route("")
class Organisations(MethodView):
    @blp.response(200, OrganisationOut(many=True))
    def get(self) -> Any:
        """Admins see every organisation; others their own, those they sponsor and pact partners."""
        return db.session.scalars(visible_organisations(db.session, require_actor())).all()


@blp.route("/<slug>")
class OrganisationItem(MethodView):
    @blp.response(200, OrganisationOut)
    def get(self, slug: str) -> Any:
        """One organisation, if you may list it (404 otherwise)."""
        stmt = visible_organisations(db.session, require_actor()).where(Organisation.slug == slug)
        organisation = db.session.scalar(stmt)
        if organisation is None:
            raise NotFound(f"no organisation {slug!r}")
        return organisation
