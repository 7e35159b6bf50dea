"""/api/v1/tokens: API tokens. Each user manages their own; administrators see and revoke all."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from observo.api.blueprint import ApiBlueprint
from observo.extensions import db
from observo.http.auth import require_actor
from observo.http.responses import json_response
from observo.models import User
from observo.schemas import accounts as schemas
from observo.services import accounts as service

blp = ApiBlueprint("tokens", __name__, url_prefix="/api/v1/tokens", description="API tokens")


@blp.route("")
class Tokens(MethodView):
    @blp.arguments(schemas.TokenListQuery, location="query")
    @blp.response(200, schemas.Token(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Your tokens; admins see everyone's.

        `user=<email>` picks one user's. Token values are never listed: only their prefix.
        """
        return db.session.scalars(service.visible_tokens(require_actor(), args.get("user"))).all()

    @blp.arguments(schemas.Token)
    @blp.response(201, schemas.NewToken)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a token for yourself.

        The answer carries it in clear in `token`, this once: only its digest is stored. Audited
        (`token.create`).
        """
        actor = require_actor()
        owner = db.session.get(User, actor.user_id)
        token, clear = service.issue_token(db.session, actor, owner, body["name"], body.get("expires_days"))
        db.session.commit()
        created = {**schemas.Token().dump(token), "token": clear}
        return json_response(created, 201, Location=url_for("tokens.TokenItem", token_id=token.id))


@blp.route("/<int:token_id>")
class TokenItem(MethodView):
    @blp.response(204)
    def delete(self, token_id: int) -> Any:
        """Revoke a token: your own (admins: any).

        Someone else's token is 404. Revoking a revoked token changes nothing and answers 204
        again. Audited (`token.revoke`).
        """
        service.revoke_token_by_id(db.session, require_actor(), token_id)
        db.session.commit()
        return json_response(None, 204)
