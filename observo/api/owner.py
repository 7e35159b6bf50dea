"""/api/v1/owner: the owners' API (docs/owners.md, "API and CLI"). What an owner does on its pages, for
its scripts: its organisation, its approved cameras, its declarations, its footage requests, its tokens.

Owner tokens only (`Authorization: Bearer obo_...`, http/owner_auth.py; the route policy's `owner
token` audience): a police token, a session or nothing is 401 before the view. Every object belongs to
the token's organisation through the owner services (services/owner_cameras.py, owner_requests.py):
another owner's is missing (404), never forbidden.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from marshmallow import ValidationError

from observo.api.blueprint import ApiBlueprint
from observo.api.preconditions import IF_MATCH, etag_for, expected_version
from observo.errors import FieldIssue, InvalidInput
from observo.extensions import db
from observo.http.owner_auth import require_owner
from observo.http.responses import GEOJSON, json_response
from observo.models import OwnerCameraDeclaration
from observo.schemas import owner_api as schemas
from observo.schemas.owner_declaration import OwnerCameraDeclaration as DeclaredCamera
from observo.schemas.owner_declaration import outside_extent
from observo.schemas.validation import issues_from_messages
from observo.services import owner_cameras, owner_requests, owner_tokens
from observo.settings import current_settings

blp = ApiBlueprint(
    "owner",
    __name__,
    url_prefix="/api/v1/owner",
    description="The owners' API: an owner's own organisation, cameras, declarations, footage requests "
    "and tokens (owner tokens only)",
)
# Every operation here takes an owner token, and nothing else (the document's `ownerToken` scheme).
OWNER_ONLY = {"security": [{"ownerToken": []}]}
OUTSIDE = "this position is outside the area the registry covers"


def _declaration_response(declaration: OwnerCameraDeclaration, status: int = 200, **headers: str) -> Any:
    etag = etag_for(declaration.id, declaration.version)
    return json_response(schemas.dump_declaration(declaration), status, ETag=etag, **headers)


def _validated(values: dict[str, Any]) -> dict[str, Any]:
    """A whole declaration as the owner's form checks it: the schema, then the registry's extent."""
    try:
        declared: dict[str, Any] = DeclaredCamera().load(values)
    except ValidationError as error:
        raise InvalidInput("the declaration is not valid", issues_from_messages(error.messages)) from error
    issues = [
        FieldIssue(f"/{name}", "out_of_range", OUTSIDE)
        for name in outside_extent(declared, current_settings().extent)
    ]
    if issues:
        raise InvalidInput("the declaration is not valid", issues)
    return declared


@blp.route("")
class Owner(MethodView):
    @blp.response(200, schemas.OwnerProfile)
    @blp.doc(**OWNER_ONLY)
    def get(self) -> Any:
        """Your organisation (name, tax code, address, contacts), its sponsor municipality, your account."""
        return json_response(schemas.dump_profile(require_owner()))


@blp.route("/cameras")
class OwnerCameras(MethodView):
    @blp.response(200, schemas.OwnerCameraCollection, content_type=GEOJSON)
    @blp.doc(**OWNER_ONLY)
    def get(self) -> Any:
        """Your approved cameras as GeoJSON Features, by name: the position, the declared data and the
        sector each sees (`fov`). Declarations waiting for the police are at /declarations."""
        account = require_owner()
        features = [
            schemas.dump_camera(camera, owner_cameras.declared_values(camera))
            for camera in owner_cameras.owner_cameras(db.session, account)
        ]
        body = {"type": "FeatureCollection", "features": features, "numberReturned": len(features)}
        return json_response(body, mimetype=GEOJSON)


@blp.route("/cameras/<int:camera_id>")
class OwnerCamera(MethodView):
    @blp.response(204)
    @blp.doc(**OWNER_ONLY)
    def delete(self, camera_id: int) -> Any:
        """Withdraw one of your cameras: it leaves the registry, and every query, at once (the audit log
        keeps its last record as `camera.withdraw`); its open change, if any, is cancelled."""
        owner_cameras.withdraw_camera(db.session, require_owner(), camera_id)
        db.session.commit()
        return json_response(None, 204)


@blp.route("/cameras/<int:camera_id>/changes")
class OwnerCameraChanges(MethodView):
    @blp.arguments(schemas.DeclarationPatch(partial=True))
    @blp.response(201, schemas.OwnerDeclarationOut)
    @blp.doc(**OWNER_ONLY)
    def post(self, body: dict[str, Any], camera_id: int) -> Any:
        """Declare a change of one of your cameras: any of a declaration's fields; those left out keep the
        values of the change still open for it, else the camera's. The camera stays as it is until the
        police approve; an open change is replaced (the same declaration, a new version). Audited."""
        account = require_owner()
        camera = owner_cameras.owner_camera(db.session, account, camera_id)
        open_change = owner_cameras.open_change(db.session, account, camera.id)
        base = open_change.data if open_change is not None else owner_cameras.declared_values(camera)
        declared = _validated({**base, **body})
        declaration = owner_cameras.declare_change(db.session, account, camera.id, declared)
        db.session.commit()
        location = url_for("owner.OwnerDeclaration", declaration_id=declaration.id)
        return _declaration_response(declaration, 201, Location=location)


@blp.route("/declarations")
class OwnerDeclarations(MethodView):
    @blp.arguments(schemas.DeclarationQuery, location="query")
    @blp.response(200, schemas.OwnerDeclarationList)
    @blp.doc(**OWNER_ONLY)
    def get(self, args: dict[str, Any]) -> Any:
        """Your declarations, newest first, each with its status and the police's reason; `status`
        (comma-separated) keeps those."""
        found = owner_cameras.owner_declarations(db.session, require_owner(), args.get("status"))
        items = [schemas.dump_declaration(declaration) for declaration in found]
        return json_response({"declarations": items, "numberReturned": len(items)})

    @blp.arguments(DeclaredCamera)
    @blp.response(201, schemas.OwnerDeclarationOut)
    @blp.doc(**OWNER_ONLY)
    def post(self, body: dict[str, Any]) -> Any:
        """Declare a camera for the sponsoring municipality's police to verify: 201 with its `Location`
        and `ETag`. Nothing of it is in any camera query until they approve it. Audited."""
        account = require_owner()
        declaration = owner_cameras.declare(db.session, account, _validated(body))
        db.session.commit()
        location = url_for("owner.OwnerDeclaration", declaration_id=declaration.id)
        return _declaration_response(declaration, 201, Location=location)


@blp.route("/declarations/<int:declaration_id>")
class OwnerDeclaration(MethodView):
    @blp.response(200, schemas.OwnerDeclarationOut)
    @blp.doc(**OWNER_ONLY)
    def get(self, declaration_id: int) -> Any:
        """One of your declarations, with an ETag (its version) to send back in If-Match."""
        declaration = owner_cameras.owner_declaration(db.session, require_owner(), declaration_id)
        return _declaration_response(declaration)

    @blp.arguments(schemas.DeclarationPatch(partial=True))
    @blp.response(200, schemas.OwnerDeclarationOut)
    @blp.doc(parameters=IF_MATCH, **OWNER_ONLY)
    def patch(self, body: dict[str, Any], declaration_id: int) -> Any:
        """Correct a declaration waiting or sent back for changes: the fields sent replace those stored,
        and it is pending again. If-Match: 428 without, 412 when it changed since; 409 once decided."""
        account = require_owner()
        version = expected_version(declaration_id)
        declaration = owner_cameras.owner_declaration(db.session, account, declaration_id)
        declared = _validated({**declaration.data, **body})
        changed = owner_cameras.edit_declaration(db.session, account, declaration_id, version, declared)
        db.session.commit()
        return _declaration_response(changed)

    @blp.response(200, schemas.OwnerDeclarationOut)
    @blp.doc(parameters=IF_MATCH, **OWNER_ONLY)
    def delete(self, declaration_id: int) -> Any:
        """Cancel a declaration before the police decide it (it stays listed, `cancelled`). If-Match:
        428 without, 412 when it changed since; 409 once decided."""
        account = require_owner()
        version = expected_version(declaration_id)
        declaration = owner_cameras.cancel_declaration(db.session, account, declaration_id, version)
        db.session.commit()
        return _declaration_response(declaration)


@blp.route("/requests")
class OwnerRequests(MethodView):
    @blp.response(200, schemas.OwnerRequestList)
    @blp.doc(**OWNER_ONLY)
    def get(self) -> Any:
        """The footage preservation requests addressed to your organisation, the latest first: the police
        that ask, the protocol number, the window, your cameras with the moment their footage of it is
        overwritten, the earliest deadline, your answers so far. Each read is audited."""
        items = [schemas.dump_request(item) for item in owner_requests.inbox(db.session, require_owner())]
        db.session.commit()  # the reads' audit entries
        return json_response({"requests": items, "numberReturned": len(items)})


@blp.route("/requests/<int:request_id>")
class OwnerRequest(MethodView):
    @blp.response(200, schemas.OwnerRequestOut)
    @blp.doc(**OWNER_ONLY)
    def get(self, request_id: int) -> Any:
        """One request to your organisation (audited); another owner's is 404."""
        item = owner_requests.owner_request(db.session, require_owner(), request_id)
        db.session.commit()
        return json_response(schemas.dump_request(item))


@blp.route("/requests/<int:request_id>/answers")
class OwnerRequestAnswers(MethodView):
    @blp.arguments(schemas.AnswerIn)
    @blp.response(201, schemas.OwnerRequestOut)
    @blp.doc(**OWNER_ONLY)
    def post(self, body: dict[str, Any], request_id: int) -> Any:
        """Answer a request: `preserved`, `nothing_recorded`, `refused` (with a `reason`) or
        `handed_over`. Every answer is kept; the request's status follows the latest. Answers the
        request as it now is. Audited, with the intervention's reason and the protocol number."""
        account = require_owner()
        owner_requests.answer(db.session, account, request_id, body["answer"], body.get("reason"))
        item = owner_requests.owner_request(db.session, account, request_id)
        db.session.commit()
        location = url_for("owner.OwnerRequest", request_id=request_id)
        return json_response(schemas.dump_request(item), 201, Location=location)


@blp.route("/tokens")
class OwnerTokens(MethodView):
    @blp.response(200, schemas.OwnerTokenList)
    @blp.doc(**OWNER_ONLY)
    def get(self) -> Any:
        """Your account's owner tokens, newest first (revoked and expired ones too): never their value."""
        tokens = owner_tokens.account_tokens(db.session, require_owner())
        return json_response({"tokens": [schemas.dump_token(token) for token in tokens]})

    @blp.arguments(schemas.OwnerTokenIn)
    @blp.response(201, schemas.NewOwnerToken)
    @blp.doc(**OWNER_ONLY)
    def post(self, body: dict[str, Any]) -> Any:
        """A new owner token of your account: the answer carries it in clear in `token`, this once (only
        its digest is stored). Audited (`owner.token.create`)."""
        token, clear = owner_tokens.issue(db.session, require_owner(), body["name"], body["expires_days"])
        db.session.commit()
        location = url_for("owner.OwnerTokenItem", token_id=token.id)
        return json_response({**schemas.dump_token(token), "token": clear}, 201, Location=location)


@blp.route("/tokens/<int:token_id>")
class OwnerTokenItem(MethodView):
    @blp.response(204)
    @blp.doc(**OWNER_ONLY)
    def delete(self, token_id: int) -> Any:
        """Revoke one of your tokens (the one sending this request too); another account's is 404.
        Revoking it again answers 204. Audited (`owner.token.revoke`)."""
        owner_tokens.revoke(db.session, require_owner(), token_id)
        db.session.commit()
        return json_response(None, 204)
