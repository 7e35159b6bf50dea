"""/api/v1/verifications: the sponsoring municipality's queue of owners' declared cameras
(docs/owners.md, "Police verification").

Editors verify the owners their municipality sponsors, administrators all; a viewer is refused (403)
and anonymous callers (owners' sessions included) get 401. A declaration outside the caller's queue
answers 404, as a missing one. A decision is taken against the version read (If-Match), committed,
then mailed to the owner (http/owner_notices.py): a mail server that fails does not undo it.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from observo.api.blueprint import ApiBlueprint
from observo.api.preconditions import IF_MATCH, etag_for, expected_version
from observo.domain.permissions import Actor
from observo.errors import Forbidden
from observo.extensions import db
from observo.http.auth import require_actor
from observo.http.owner_notices import commit_and_notify
from observo.http.responses import json_response
from observo.models import Camera, OwnerCameraDeclaration
from observo.schemas import verification as schemas
from observo.services import verifications as service

blp = ApiBlueprint(
    "verifications",
    __name__,
    url_prefix="/api/v1/verifications",
    description="Owners' cameras to verify",
)


def _verifier() -> Actor:
    actor = require_actor()
    if not service.may_verify(actor):
        raise Forbidden("only the editors of the sponsoring municipality verify owners' cameras")
    return actor


def _camera_of(declaration: OwnerCameraDeclaration) -> Camera | None:
    """The approved camera a change is for (or the one a new declaration became)."""
    return db.session.get(Camera, declaration.camera_id) if declaration.camera_id is not None else None


def _body(declaration: OwnerCameraDeclaration) -> dict[str, Any]:
    return schemas.dump_verification(declaration, _camera_of(declaration))


@blp.route("")
class Verifications(MethodView):
    @blp.arguments(schemas.VerificationQuery, location="query")
    @blp.response(200, schemas.VerificationList)
    def get(self, args: dict[str, Any]) -> Any:
        """The declarations you verify, oldest first: `status` (comma-separated; default `pending`).

        Each carries the owner's data, what it declared, the position and the sector it draws, and for
        a change the camera it changes. Editors of the sponsoring municipality and admins; viewers 403.
        """
        queue = service.verification_queue(db.session, _verifier(), args.get("status", ("pending",)))
        items = [_body(declaration) for declaration in queue]
        return json_response({"verifications": items, "numberReturned": len(items)})


@blp.route("/<int:declaration_id>")
class VerificationItem(MethodView):
    @blp.response(200, schemas.Verification)
    def get(self, declaration_id: int) -> Any:
        """One declaration, with an ETag (its version) to send back in If-Match; 404 outside your queue."""
        declaration = service.readable_declaration(db.session, _verifier(), declaration_id)
        return json_response(_body(declaration), ETag=etag_for(declaration.id, declaration.version))


@blp.route("/<int:declaration_id>/decision")
class VerificationDecision(MethodView):
    @blp.arguments(schemas.Decision)
    @blp.response(200, schemas.DecisionResult)
    @blp.doc(parameters=IF_MATCH)
    def post(self, body: dict[str, Any], declaration_id: int) -> Any:
        """Approve, ask for changes or reject (a `reason` for the last two). If-Match: 428 without, 412
        when the owner changed it since; 409 when it was already decided.

        Approving creates the camera (or changes it, for a change): `camera` and `camera_url` name it.
        Audited (`verification.<decision>`, with the reason); the owner is told by e-mail
        (`owner_notified` false: the mail server failed, the decision stands).
        """
        actor = _verifier()
        version = expected_version(declaration_id)
        declaration, camera = service.decide(
            db.session, actor, declaration_id, version, body["decision"], body.get("reason")
        )
        answer = schemas.dump_verification(declaration, camera or _camera_of(declaration))
        answer["camera_url"] = url_for("cameras.Camera", camera_id=camera.id) if camera else None
        etag = etag_for(declaration.id, declaration.version)
        answer["owner_notified"] = commit_and_notify(db.session, declaration, camera)
        return json_response(answer, ETag=etag)
