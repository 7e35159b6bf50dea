"""The owners' API (/api/v1/owner/..., docs/owners.md, "API and CLI"): what an owner reads of its own
organisation, cameras, declarations and footage requests, what it sends, and its tokens.

Bodies are built by the dump functions here (the view passes what the services return); the schema
classes document them in the OpenAPI document. A declaration's `declared` data is
schemas/owner_declaration.py's, the same schema the owner's form uses.
"""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import to_shape
from marshmallow import RAISE, Schema, fields
from marshmallow.validate import Length, OneOf, Range

from observo.domain.credentials import MAX_EXPIRY_DAYS
from observo.domain.deadlines import iso_z
from observo.domain.geometry import to_geojson
from observo.models import Camera, OwnerAccount, OwnerCameraDeclaration, OwnerToken, PreservationAnswer
from observo.models.owner import DECLARATION_KINDS, DECLARATION_STATUSES
from observo.models.preservation_answer import ANSWERS
from observo.schemas.owner_declaration import OwnerCameraDeclaration as DeclaredCamera
from observo.schemas.verification import OwnerData, declared_position, declared_sector, statuses

_TIME = {"type": "string", "format": "date-time"}
_OBJECT = {"type": "object"}


def _time(**kwargs: Any) -> fields.String:
    return fields.String(metadata={**_TIME, **kwargs.pop("metadata", {})}, **kwargs)


# `PATCH /declarations/<id>` and `POST /cameras/<id>/changes` take any subset of a declaration's fields:
# the ones left out keep their values, then the whole is checked by the declaration's schema (its
# cross-field rules included). The same fields without those rules, for a partial load.
DeclarationPatch = Schema.from_dict(dict(DeclaredCamera._declared_fields), name="OwnerDeclarationPatch")


# --- the organisation ------------------------------------------------------------------------------


class Sponsor(Schema):
    slug = fields.String()
    name = fields.String()


class OwnerAccountOut(Schema):
    email = fields.String()
    name = fields.String()
    email_verified_at = _time(allow_none=True)


class OwnerProfile(Schema):
    """`GET /owner`: the token's organisation, the municipality that sponsors it, and the account."""

    organization = fields.Nested(OwnerData)
    sponsor = fields.Nested(Sponsor, allow_none=True)
    account = fields.Nested(OwnerAccountOut)


def dump_profile(account: OwnerAccount) -> dict[str, Any]:
    organisation = account.organisation
    sponsor = organisation.sponsor
    return {
        "organization": OwnerData().dump(organisation),
        "sponsor": {"slug": sponsor.slug, "name": sponsor.name} if sponsor is not None else None,
        "account": {
            "email": account.email,
            "name": account.name,
            "email_verified_at": iso_z(account.email_verified_at),
        },
    }


# --- cameras ---------------------------------------------------------------------------------------


class OwnerCameraProperties(DeclaredCamera):
    """The camera in the declaration's terms (what a change starts from), plus its registry data."""

    code = fields.String(metadata={"description": "the registry's code, OBS-xxxxxx"})
    status = fields.String()
    version = fields.Integer()
    fov = fields.Dict(allow_none=True, metadata={"description": "the sector it sees (GeoJSON Polygon)"})


class OwnerCameraFeature(Schema):
    type = fields.String(metadata={"enum": ["Feature"]})
    id = fields.Integer()
    geometry = fields.Dict(metadata={"description": "GeoJSON Point"})
    properties = fields.Nested(OwnerCameraProperties)


class OwnerCameraCollection(Schema):
    type = fields.String(metadata={"enum": ["FeatureCollection"]})
    features = fields.List(fields.Nested(OwnerCameraFeature))
    numberReturned = fields.Integer()  # noqa: N815 (the name the collections use)


def dump_camera(camera: Camera, declared: dict[str, Any]) -> dict[str, Any]:
    """A camera as a GeoJSON Feature; `declared`: its values in the declaration's terms."""
    properties = {name: value for name, value in declared.items() if name not in ("longitude", "latitude")}
    properties.update(
        code=camera.code,
        status=camera.status,
        version=camera.version,
        fov=to_geojson(to_shape(camera.fov)) if camera.fov is not None else None,
    )
    return {
        "type": "Feature",
        "id": camera.id,
        "geometry": to_geojson(to_shape(camera.location)),
        "properties": properties,
    }


# --- declarations ----------------------------------------------------------------------------------


class DeclarationQuery(Schema):
    class Meta:
        unknown = RAISE

    status = fields.Function(
        deserialize=statuses,
        metadata={"type": "string", "description": "comma-separated declaration statuses; default: all"},
    )


class OwnerDeclarationOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(DECLARATION_KINDS)})
    status = fields.String(metadata={"enum": list(DECLARATION_STATUSES)})
    version = fields.Integer(metadata={"description": "send it back in If-Match (the ETag)"})
    camera_id = fields.Integer(
        allow_none=True, metadata={"description": "a change: the camera it changes; approved: the camera"}
    )
    submitted_at = _time()
    decided_at = _time(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "the police's, when they decided"})
    declared = fields.Nested(DeclaredCamera)
    geometry = fields.Dict(metadata={"description": "the declared position (GeoJSON Point)"})
    fov = fields.Dict(metadata={"description": "the sector the declared data draws (GeoJSON Polygon)"})


class OwnerDeclarationList(Schema):
    declarations = fields.List(fields.Nested(OwnerDeclarationOut))
    numberReturned = fields.Integer()  # noqa: N815


def dump_declaration(declaration: OwnerCameraDeclaration) -> dict[str, Any]:
    data = declaration.data
    return {
        "id": declaration.id,
        "kind": declaration.kind,
        "status": declaration.status,
        "version": declaration.version,
        "camera_id": declaration.camera_id,
        "submitted_at": iso_z(declaration.submitted_at),
        "decided_at": iso_z(declaration.decided_at),
        "reason": declaration.reason,
        "declared": DeclaredCamera().dump(data),
        "geometry": to_geojson(declared_position(data)),
        "fov": to_geojson(declared_sector(data)),
    }


# --- footage requests ------------------------------------------------------------------------------


class RequestedCameraOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    expires_at = _time(
        allow_none=True, metadata={"description": "when its footage of the window is overwritten"}
    )
    flag = fields.String(allow_none=True, metadata={"enum": ["not_recording", "retention_unknown"]})


class AnswerOut(Schema):
    answer = fields.String(metadata={"enum": list(ANSWERS)})
    reason = fields.String(allow_none=True)
    answered_at = _time()


class OwnerRequestOut(Schema):
    """A preservation request as its owner sees it: who asks, under which protocol, for which window,
    its own cameras and the earliest deadline, and its answers so far (oldest first)."""

    id = fields.Integer()
    police = fields.Nested(Sponsor, metadata={"description": "the police organisation that asks"})
    requested_at = _time()
    channel = fields.String()
    protocol_number = fields.String(allow_none=True)
    window_start = _time()
    window_end = _time()
    status = fields.String(metadata={"description": "follows the latest answer"})
    deadline = _time(allow_none=True, metadata={"description": "the earliest of its cameras' expires_at"})
    cameras = fields.List(fields.Nested(RequestedCameraOut))
    answers = fields.List(fields.Nested(AnswerOut))


class OwnerRequestList(Schema):
    requests = fields.List(fields.Nested(OwnerRequestOut))
    numberReturned = fields.Integer()  # noqa: N815


def dump_answer(answer: PreservationAnswer) -> dict[str, Any]:
    return {"answer": answer.answer, "reason": answer.reason, "answered_at": iso_z(answer.answered_at)}


def dump_request(item: Any) -> dict[str, Any]:
    """`item`: services/owner_requests.OwnerRequest."""
    request, intervention = item.request, item.intervention
    lead = intervention.lead
    return {
        "id": request.id,
        "police": {"slug": lead.slug, "name": lead.name},
        "requested_at": iso_z(request.requested_at),
        "channel": request.channel,
        "protocol_number": request.protocol_number,
        "window_start": iso_z(intervention.window_start),
        "window_end": iso_z(intervention.window_end),
        "status": request.status,
        "deadline": iso_z(item.deadline),
        "cameras": [
            {
                "id": camera.id,
                "code": camera.code,
                "name": camera.name,
                "expires_at": iso_z(camera.expires_at),
                "flag": camera.flag,
            }
            for camera in item.cameras
        ],
        "answers": [dump_answer(answer) for answer in item.answers],
    }


class AnswerIn(Schema):
    class Meta:
        unknown = RAISE

    answer = fields.String(required=True, validate=OneOf(ANSWERS))
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=Length(max=1000),
        metadata={"description": "required to refuse; the police read it"},
    )


# --- tokens ----------------------------------------------------------------------------------------


class OwnerTokenIn(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=Length(1, 100))
    expires_days = fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=Range(1, MAX_EXPIRY_DAYS),
        metadata={"description": "none: never expires"},
    )


class OwnerTokenOut(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "first characters, to recognise it"})
    created_at = _time()
    expires_at = _time(allow_none=True)
    revoked_at = _time(allow_none=True)
    last_used_at = _time(allow_none=True)


class NewOwnerToken(OwnerTokenOut):
    token = fields.String(metadata={"description": "the token in clear: shown this once"})


class OwnerTokenList(Schema):
    tokens = fields.List(fields.Nested(OwnerTokenOut))


def dump_token(token: OwnerToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": iso_z(token.created_at),
        "expires_at": iso_z(token.expires_at),
        "revoked_at": iso_z(token.revoked_at),
        "last_used_at": iso_z(token.last_used_at),
    }
