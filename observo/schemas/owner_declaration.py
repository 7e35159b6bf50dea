"""What an owner declares of one of its cameras (docs/owners.md, "Registering cameras").

One schema for the owner's form and the API: a short subset of a camera's attributes, in the owner's
terms, plus its two consents. `camera_attributes` turns it into the attributes of the camera the
police approve (services/verifications.py).
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validates_schema
from marshmallow.validate import Length, OneOf, Range

from observo.domain import vocabulary as v
from observo.errors import FieldIssue

# private: only the sponsoring municipality's police see the camera; shared: also the forces and
# municipalities of its security pacts. Never public: an owner's camera is not on the public map.
POLICE_VISIBILITIES = ("private", "shared")


def _text(size: int) -> fields.String:
    return fields.String(validate=Length(max=size), allow_none=True, load_default=None)


class OwnerCameraDeclaration(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    longitude = fields.Float(required=True, validate=Range(-180, 180))
    latitude = fields.Float(required=True, validate=Range(-90, 90))
    # What it films, in the owner's words ("Ingresso negozio", "Cortile interno").
    name = fields.String(required=True, validate=Length(1, 200))
    camera_type = fields.String(required=True, validate=OneOf(v.CAMERA_TYPES))
    indoor = fields.Boolean(load_default=False)
    bearing_deg = fields.Float(
        validate=Range(0, 360, max_inclusive=False), allow_none=True, load_default=None
    )
    hfov_deg = fields.Float(validate=Range(1, 360), allow_none=True, load_default=None)
    # The range, or the height and tilt it follows from (domain/fov.py); none: the type's default.
    range_m = fields.Float(validate=Range(1, 500), allow_none=True, load_default=None)
    height_m = fields.Float(validate=Range(0, 300), allow_none=True, load_default=None)
    tilt_deg = fields.Float(validate=Range(-90, 90), allow_none=True, load_default=None)
    records = fields.Boolean(required=True)
    retention_hours = fields.Integer(strict=True, validate=Range(1, 8760), allow_none=True, load_default=None)
    footage_contact_name = _text(200)
    footage_contact_phone = _text(40)
    footage_contact_email = fields.Email(validate=Length(max=254), allow_none=True, load_default=None)
    footage_contact_pec = fields.Email(validate=Length(max=254), allow_none=True, load_default=None)
    footage_contact_hours = _text(200)
    # The owner's consents: to be contacted by the police for footage, and who may see the camera.
    contact_consent = fields.Boolean(required=True)
    police_visibility = fields.String(required=True, validate=OneOf(POLICE_VISIBILITIES))

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        issues: dict[str, list[FieldIssue]] = {}
        if data.get("records") and data.get("retention_hours") is None:
            issues["retention_hours"] = [
                FieldIssue("", "required", "a camera that records needs how many hours it keeps")
            ]
        hfov = data.get("hfov_deg")
        all_round = hfov >= 360 if hfov is not None else data.get("camera_type") in v.ALL_ROUND_TYPES
        if data.get("bearing_deg") is None and not all_round:
            issues["bearing_deg"] = [
                FieldIssue("", "required", "a camera that does not see all round needs a direction")
            ]
        if issues:
            raise ValidationError(issues)  # type: ignore[arg-type]


def outside_extent(declared: dict[str, Any], extent: tuple[float, float, float, float]) -> list[str]:
    """The position's fields outside the registry's extent (OBSERVO_EXTENT), which the owner's form and
    the owners' API both refuse: the registry covers nothing there."""
    west, south, east, north = extent
    outside = []
    if not west <= declared["longitude"] <= east:
        outside.append("longitude")
    if not south <= declared["latitude"] <= north:
        outside.append("latitude")
    return outside


def camera_attributes(declared: dict[str, Any], owner_slug: str, owner_name: str) -> dict[str, Any]:
    """The attributes of the camera approved from a declaration (its position apart): the owner is
    its data controller. The footage contacts are kept only when the owner consented to be contacted."""
    attrs = {
        "owner": owner_slug,
        "name": declared["name"],
        "camera_type": declared["camera_type"],
        "indoor": declared.get("indoor", False),
        "records": declared["records"],
        "retention_hours": declared.get("retention_hours"),
        "visibility": declared["police_visibility"],
        "source": "owner_registration",
        "verification": "owner_confirmed",
        "status": "active",
        "data_controller": owner_name,
    }
    for name in ("bearing_deg", "hfov_deg", "range_m", "height_m", "tilt_deg"):
        if declared.get(name) is not None:
            attrs[name] = declared[name]
    if declared.get("contact_consent"):
        for name in (
            "footage_contact_name",
            "footage_contact_phone",
            "footage_contact_email",
            "footage_contact_pec",
            "footage_contact_hours",
        ):
            attrs[name] = declared.get(name)
    return attrs
