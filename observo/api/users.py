"""/api/v1/users: accounts. Administrators manage them; everyone reads their own organisation's."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from observo.api.blueprint import ApiBlueprint
from observo.extensions import db
from observo.http.auth import require_actor
from observo.models import Organisation, User
from observo.schemas import accounts as schemas
from observo.services import accounts as service

blp = ApiBlueprint("users", __name__, url_prefix="/api/v1/users", description="Users")


@blp.route("")
class Users(MethodView):
    @blp.arguments(schemas.UserListQuery, location="query")
    @blp.response(200, schemas.User(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Admins see every user; others the users of their own organisation.

        Filters: `organization` (slug) and `role`.
        """
        stmt = service.visible_users(require_actor())
        if "organization" in args:
            stmt = stmt.join(User.organisation).where(Organisation.slug == args["organization"])
        if "role" in args:
            stmt = stmt.where(User.role == args["role"])
        return db.session.scalars(stmt).all()

    @blp.arguments(schemas.User)
    @blp.response(201, schemas.User)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a user (administrators).

        The password is hashed at once, never shown or logged. Audited (`user.create`).
        """
        created = service.create_user(
            db.session,
            require_actor(),
            email=body["email"],
            name=body.get("name", ""),
            org_slug=body["organization"],
            role=body["role"],
            password=body["password"],
            auditor=body.get("auditor", False),
        )
        db.session.commit()
        return created, 201, {"Location": url_for("users.UserItem", user_id=created.id)}


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, schemas.Me)
    def get(self) -> Any:
        """Who am I: the signed-in caller's account, organisation and role."""
        actor = require_actor()
        return service.readable_user(db.session, actor, actor.user_id or 0)


@blp.route("/<int:user_id>")
class UserItem(MethodView):
    @blp.response(200, schemas.User)
    def get(self, user_id: int) -> Any:
        """One user: admins any, others the users of their own organisation (404 otherwise)."""
        return service.readable_user(db.session, require_actor(), user_id)

    @blp.arguments(schemas.UserPatch(partial=True))
    @blp.response(200, schemas.User)
    def patch(self, body: dict[str, Any], user_id: int) -> Any:
        """Change name, role, `active`, `auditor`, organisation or password (administrators).

        Deactivating stops the user's tokens and sessions at once; the e-mail cannot change.
        Audited (`user.update`, before/after; a new password only as `password_changed`).
        """
        updated = service.update_user(db.session, require_actor(), user_id, body)
        db.session.commit()
        return updated
