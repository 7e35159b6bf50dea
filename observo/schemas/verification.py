"""The police's verification queue as the API serves it (docs/owners.md, "Police verification"): the
filter, a declaration with its owner's data and the camera it changes, and a decision."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields
from marshmallow.validate import Length, OneOf
from shapely.geometry import Point

from observo.domain import fov
from observo.domain.geometry import to_geojson
from observo.models import Camera, OwnerCameraDeclaration
from observo.models.owner import DECLARATION_KINDS, DECLARATION_STATUSES
from observo.schemas.camera import OrganisationContact
from observo.schemas.owner_declaration import OwnerCameraDeclaration as DeclaredCamera

DECISIONS = ("approve", "request_changes", "reject")
REASON_MAX = 1000


def statuses(value: str) -> tuple[str, ...]:
    """`pending,changes_requested`: each a declaration status; order kept, repeats dropped."""
    chosen = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    if not chosen or any(status not in DECLARATION_STATUSES for status in chosen):
        raise ValidationError(f"Must be one of: {', '.join(DECLARATION_STATUSES)} (comma-separated)")
    return chosen


class VerificationQuery(Schema):
    class Meta:
        unknown = RAISE

    status = fields.Function(
        deserialize=statuses,
        metadata={
            "type": "string",
            "default": "pending",
            "description": "comma-separated declaration statuses; default: pending",
        },
    )


def declared_position(data: dict[str, Any]) -> Point:
    return Point(data["longitude"], data["latitude"])


def declared_sector(data: dict[str, Any]) -> Any:
    """The field of view the declared data draws (domain/fov.py), as the approved camera would get."""
    optics = fov.Optics(
        lon=data["longitude"],
        lat=data["latitude"],
        camera_type=data["camera_type"],
        bearing_deg=data.get("bearing_deg"),
        hfov_deg=data.get("hfov_deg"),
        tilt_deg=data.get("tilt_deg"),
        range_m=data.get("range_m"),
        height_m=data.get("height_m"),
    )
    return fov.resolve_fov(optics).polygon


class OwnerData(OrganisationContact):
    """What the police need of the owner: who it is and whom to call (a camera's owner contact), and
    where, with its tax code."""

    tax_code = fields.String(allow_none=True)
    address = fields.String(allow_none=True)


class CurrentCamera(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    version = fields.Integer()


class Verification(Schema):
    """One declaration as its verifier sees it. `camera` is the approved camera a change is for, or the
    one a new declaration became; `geometry` the declared position, `fov` the sector it draws."""

    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(DECLARATION_KINDS)})
    status = fields.String(metadata={"enum": list(DECLARATION_STATUSES)})
    version = fields.Integer(metadata={"description": "send it back in If-Match (the ETag)"})
    submitted_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    reason = fields.String(allow_none=True)
    owner = fields.Function(lambda d: OwnerData().dump(d.organisation), metadata={"type": "object"})
    declared = fields.Function(lambda d: DeclaredCamera().dump(d.data), metadata={"type": "object"})
    geometry = fields.Function(lambda d: to_geojson(declared_position(d.data)), metadata={"type": "object"})
    fov = fields.Function(lambda d: to_geojson(declared_sector(d.data)), metadata={"type": "object"})
    camera = fields.Nested(CurrentCamera, dump_only=True, allow_none=True)


def dump_verification(declaration: OwnerCameraDeclaration, camera: Camera | None) -> dict[str, Any]:
    """The declaration with its camera (`camera_id`'s, read by the caller: the schema reads nothing)."""
    body: dict[str, Any] = Verification().dump(declaration)
    body["camera"] = CurrentCamera().dump(camera) if camera is not None else None
    return body


class VerificationList(Schema):
    verifications = fields.List(fields.Nested(Verification))
    numberReturned = fields.Integer()  # noqa: N815 (the name the collections use)


class Decision(Schema):
    """`POST /verifications/<id>/decision`: approve, or ask for changes or reject with a reason."""

    class Meta:
        unknown = RAISE

    decision = fields.String(required=True, validate=OneOf(DECISIONS))
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=Length(max=REASON_MAX),
        metadata={"description": "required to ask for changes or reject; the owner reads it"},
    )


class DecisionResult(Verification):
    camera_url = fields.String(allow_none=True, metadata={"description": "the approved camera's URL"})
    owner_notified = fields.Boolean(
        metadata={"description": "false when the e-mail to the owner could not be sent (the decision stands)"}
    )
