"""The camera as a GeoJSON Feature: input (create, patch) and output (full and public)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_dump, pre_load
from marshmallow.validate import Equal, Length, OneOf, Range, Regexp

from observo.domain import vocabulary as v
from observo.domain.confirmations import FLAGS, flag, local_day
from observo.errors import FieldIssue
from observo.models.base import utcnow
from observo.schemas.fields import Geometry
from observo.settings import current_settings
from observo.spatial.base import VIEW_MODELS

ISTAT = Regexp(r"^\d{6}$", error="an ISTAT code has six digits")
MAX_SOURCE_TAGS = 200
# Output-only properties: sent in a write they are refused with 422 (`read_only`).
READ_ONLY_PROPERTIES = (
    "code",
    "version",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "range_derived",
    "fov_visible",
    "owner_confirmation",
)


def _text(size: int, **kwargs: Any) -> fields.String:
    return fields.String(validate=Length(max=size), allow_none=True, **kwargs)


def _choice(values: tuple[str, ...], **kwargs: Any) -> fields.String:
    return fields.String(validate=OneOf(values), **kwargs)


def _number(low: float, high: float, *, max_inclusive: bool = True, **kwargs: Any) -> fields.Float:
    return fields.Float(validate=Range(low, high, max_inclusive=max_inclusive), allow_none=True, **kwargs)


class CameraAttributes(Schema):
    """Every property a client may write; the output adds the read-only ones."""

    class Meta:
        unknown = RAISE
        ordered = True

    # identity
    name = fields.String(required=True, validate=Length(1, 200))
    ref = _text(100, metadata={"description": "the owner's own code; unique per owner"})
    source = _choice(v.SOURCES)
    osm_id = fields.Integer(strict=True, validate=Range(1, 2**63 - 1), allow_none=True)  # a BIGINT
    site_ref = _text(100, metadata={"description": "shared by the heads of one multi-head device"})
    licence = _text(100, metadata={"description": "licence of the source's data, e.g. ODbL-1.0 for OSM"})
    source_tags = fields.Dict(
        keys=fields.String(validate=Length(1, 255)),
        values=fields.String(validate=Length(max=2000)),
        validate=Length(max=MAX_SOURCE_TAGS),
        allow_none=True,
        metadata={"description": "the source's tags or columns that no property holds, verbatim"},
    )
    # place
    address = _text(300)
    municipality = fields.String(validate=ISTAT, allow_none=True, metadata={"description": "ISTAT code"})
    indoor = fields.Boolean()
    level = _text(16)
    mount = _choice(v.MOUNTS, allow_none=True)
    height_m = _number(0, 300)
    # kind
    surveillance_type = _choice(v.SURVEILLANCE_TYPES)
    camera_type = _choice(v.CAMERA_TYPES, required=True)
    area_class = _choice(v.AREA_CLASSES, allow_none=True)
    zone = _choice(v.ZONES, allow_none=True)
    make = _text(100)
    model = _text(100)
    # field of view
    bearing_deg = _number(
        0, 360, max_inclusive=False, metadata={"description": "centre of view, clockwise from north"}
    )
    direction_unknown = fields.Boolean(
        metadata={
            "description": "a head narrower than 360 degrees whose direction nobody knows: without "
            "bearing_deg its field of view is its own spot (it covers nothing) until surveyed"
        }
    )
    hfov_deg = _number(
        1, 360, metadata={"description": "horizontal angle; default 360 for dome, panorama, PTZ"}
    )
    tilt_deg = _number(-90, 90, metadata={"description": "degrees below the horizontal"})
    range_m = _number(1, 500, metadata={"description": "derived from height and tilt when omitted"})
    fov = Geometry(
        ("Polygon",), allow_none=True, metadata={"description": "writable only with fov_method=drawn"}
    )
    fov_method = _choice(("computed", "drawn"))
    # people
    owner = fields.String(
        required=True, validate=Length(1, 64), metadata={"description": "organisation slug"}
    )
    operator = fields.String(validate=Length(1, 64), allow_none=True)
    operator_name = _text(200, metadata={"description": "the operator as the source names it"})
    data_controller = _text(200)
    footage_contact_name = _text(200)
    footage_contact_phone = _text(40)
    footage_contact_email = fields.Email(allow_none=True, validate=Length(max=254))
    footage_contact_pec = fields.Email(allow_none=True, validate=Length(max=254))
    footage_contact_hours = _text(200)
    # law
    purpose = _choice(v.PURPOSES, allow_none=True)
    legal_basis = _text(300)
    retention_hours = fields.Integer(strict=True, validate=Range(1, 8760), allow_none=True)
    signage = _choice(v.SIGNAGE)
    signage_checked_on = fields.Date(allow_none=True)
    # operation
    status = _choice(v.STATUSES)
    records = fields.Boolean()
    live_link = fields.Boolean()
    night_vision = fields.Boolean(allow_none=True)
    resolution = _text(40)
    installed_on = fields.Date(allow_none=True)
    last_verified_on = fields.Date(allow_none=True)
    verification = _choice(v.VERIFICATIONS)
    temporary = fields.Boolean()
    valid_from = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    # sharing
    visibility = _choice(v.VISIBILITIES)

    @pre_load
    def refuse_read_only(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict):
            issues = {
                name: [FieldIssue("", "read_only", f"{name} is set by the server")]
                for name in READ_ONLY_PROPERTIES
                if name in data
            }
            if "fov" in data and data.get("fov_method") != "drawn":
                issues["fov"] = [FieldIssue("", "read_only", "fov is computed unless fov_method is 'drawn'")]
            if issues:
                raise ValidationError(issues)  # type: ignore[arg-type]
        return data


class CameraFeatureInput(Schema):
    """`POST /cameras` body: a GeoJSON Feature without `id`. PATCH loads it with partial=True."""

    class Meta:
        unknown = RAISE

    type = fields.String(required=True, validate=Equal("Feature"))
    geometry = Geometry(("Point",), required=True)
    properties = fields.Nested(CameraAttributes, required=True)

    @pre_load
    def refuse_id(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict) and "id" in data:
            raise ValidationError({"id": [FieldIssue("", "read_only", "the id is set by the server")]})  # type: ignore[dict-item]
        return data

    @post_load
    def drop_type(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data.pop("type", None)
        return data


class CameraFeaturePatch(CameraFeatureInput):
    """`PATCH /cameras/<id>` body: any part of the Feature (load it with partial=True)."""


# Personal data of the owner's staff: served only by /cameras/<id>/contacts, which logs each read.
CONTACT_PROPERTIES = (
    "footage_contact_name",
    "footage_contact_phone",
    "footage_contact_email",
    "footage_contact_pec",
    "footage_contact_hours",
)


class CameraProperties(CameraAttributes):
    """Police output: the whole record but the contacts (read through the audited contacts route)."""

    class Meta(CameraAttributes.Meta):
        exclude = CONTACT_PROPERTIES

    code = fields.String()
    owner = fields.Function(lambda camera: camera.owner.slug, metadata={"type": "string"})
    operator = fields.Function(
        lambda camera: camera.operator.slug if camera.operator else None,
        metadata={"type": "string", "nullable": True},
    )
    fov_method = _choice(v.FOV_METHODS)
    range_derived = fields.Boolean()
    fov_visible = Geometry(
        ("Polygon", "MultiPolygon"),
        allow_none=True,
        metadata={
            "description": "the part of fov that buildings and walls leave visible; null when no "
            "obstacle touches fov (it is what the camera sees)"
        },
    )
    version = fields.Integer()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    owner_confirmation = fields.Function(
        lambda camera: owner_confirmation(camera),
        metadata={
            "type": "string",
            "nullable": True,
            "enum": [*FLAGS, None],
            "description": "a camera its owner registered that is due for the yearly re-confirmation: "
            "due_soon, overdue, or lapsed (unverified since); null otherwise (docs/owners.md)",
        },
    )


def owner_confirmation(camera: Any) -> str | None:
    """The camera's re-confirmation flag today (domain/confirmations.py), with the app's periods."""
    policy = current_settings().confirmation_policy
    return flag(camera.source, camera.owner_confirmed_on, local_day(utcnow()), policy)


class _Feature(Schema):
    type = fields.Constant("Feature", metadata={"type": "string", "enum": ["Feature"]})
    id = fields.Integer()
    geometry = Geometry(("Point",))

    @pre_dump
    def wrap(self, camera: Any, **kwargs: Any) -> dict[str, Any]:
        return {"id": camera.id, "geometry": self.position(camera), "properties": camera}

    def position(self, camera: Any) -> Any:
        return camera.location


class CameraFeature(_Feature):
    properties = fields.Nested(CameraProperties)


class AdminCameraProperties(CameraProperties):
    """Admin output: the police record plus who created and last changed it."""

    created_by = fields.Function(
        lambda camera: camera.created_by.email if camera.created_by else None,
        metadata={"type": "string", "nullable": True, "description": "e-mail of the user"},
    )
    updated_by = fields.Function(
        lambda camera: camera.updated_by.email if camera.updated_by else None,
        metadata={"type": "string", "nullable": True, "description": "e-mail of the user"},
    )


class AdminCameraFeature(_Feature):
    properties = fields.Nested(AdminCameraProperties)


class CameraOutputProperties(AdminCameraProperties):
    """The properties as the API documents them: one shape for every audience, which gets a subset.

    Police callers get all but `created_by` and `updated_by` (administrators only); anonymous callers
    only `name`, `camera_type`, `surveillance_type`, `municipality` and `owner`. Documentation only:
    each audience's output is dumped by its own schema.
    """

    owner = fields.String(allow_none=True, metadata={"description": "slug; anonymous: public bodies only"})


class CameraOutput(_Feature):
    properties = fields.Nested(CameraOutputProperties)


class PublicCameraProperties(Schema):
    """What anyone may see of a public camera (docs/architecture.md, "Who sees what")."""

    name = fields.String()
    camera_type = fields.String()
    surveillance_type = fields.String()
    municipality = fields.String(allow_none=True)
    owner = fields.Function(
        lambda camera: camera.owner.slug if camera.owner.kind in v.PUBLIC_BODY_KINDS else None,
        metadata={"type": "string", "nullable": True, "description": "public bodies only"},
    )


class PublicCameraFeature(_Feature):
    """Position snapped to the centre of the owner's EPSG:3035 grid cell; nothing else revealing."""

    properties = fields.Nested(PublicCameraProperties)

    def position(self, camera: Any) -> Any:
        return camera.public_location


class _OgcAdditions(Schema):
    """What the OGC API adds to a camera's properties for GIS clients (QGIS replaces the GeoJSON `id`
    with its own numbering; an ISTAT code alone names no town). Dumps a camera that carries
    `municipality_name` (rendering.ogc_features looks it up per page)."""

    camera_id = fields.Integer(attribute="id", metadata={"description": "the Feature's id"})
    municipality_name = fields.String(
        allow_none=True,
        metadata={"description": "name of the municipality with that ISTAT code, when Observo has it"},
    )


class OgcCameraProperties(CameraProperties, _OgcAdditions):
    class Meta(CameraProperties.Meta):
        pass


class OgcAdminCameraProperties(AdminCameraProperties, _OgcAdditions):
    class Meta(AdminCameraProperties.Meta):
        pass


class OgcPublicCameraProperties(PublicCameraProperties, _OgcAdditions):
    """The public properties, the id and the public code (printed on the signage) as properties."""

    code = fields.String()


class OgcCameraFeature(_Feature):
    properties = fields.Nested(OgcCameraProperties)


class OgcAdminCameraFeature(_Feature):
    properties = fields.Nested(OgcAdminCameraProperties)


class OgcPublicCameraFeature(PublicCameraFeature):
    properties = fields.Nested(OgcPublicCameraProperties)


class CameraViewProperties(Schema):
    """A field of view's properties in the OGC `camera-views` collection (police only)."""

    class Meta:
        ordered = True

    camera_id = fields.Integer(attribute="id")
    code = fields.String()
    name = fields.String()
    owner = fields.Function(lambda camera: camera.owner.slug, metadata={"type": "string"})
    status = fields.String()
    camera_type = fields.String()
    bearing_deg = fields.Float(allow_none=True)
    hfov_deg = fields.Float()
    range_m = fields.Float()
    direction_unknown = fields.Boolean()
    fov_method = fields.String()
    clipped = fields.Function(
        lambda camera: camera.fov_visible is not None,
        metadata={"type": "boolean", "description": "the geometry is the sector minus obstacles' shadows"},
    )


class CameraViewFeature(_Feature):
    """A camera's field of view as a Feature: what it sees (the visible area obstacles leave it, else
    its sector), the camera's id as the Feature's."""

    geometry = Geometry(("Polygon", "MultiPolygon"))
    properties = fields.Nested(CameraViewProperties)

    def position(self, camera: Any) -> Any:
        return camera.fov if camera.fov_visible is None else camera.fov_visible


class OrganisationContact(Schema):
    slug = fields.String()
    name = fields.String()
    contact_name = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)
    contact_pec = fields.String(allow_none=True)


_CONTACTS_RESOLVED = ("camera_id", "owner", "operator")  # taken from the view, not copied from the camera


class CameraContacts(Schema):
    """Whom to ask for footage, and how soon it is overwritten. Each read is audited.

    Dumps a `CameraContactsView`: the camera, and the operator the reader may see (else null)."""

    camera_id = fields.Integer()
    code = fields.String()
    owner = fields.Nested(OrganisationContact)
    operator = fields.Nested(OrganisationContact, allow_none=True)
    data_controller = fields.String(allow_none=True)
    footage_contact_name = fields.String(allow_none=True)
    footage_contact_phone = fields.String(allow_none=True)
    footage_contact_email = fields.String(allow_none=True)
    footage_contact_pec = fields.String(allow_none=True)
    footage_contact_hours = fields.String(allow_none=True)
    records = fields.Boolean()
    retention_hours = fields.Integer(allow_none=True)

    @pre_dump
    def flatten(self, view: Any, **kwargs: Any) -> dict[str, Any]:
        camera = view.camera
        copied = {name: getattr(camera, name) for name in self.fields if name not in _CONTACTS_RESOLVED}
        return {**copied, "camera_id": camera.id, "owner": camera.owner, "operator": view.operator}


class Link(Schema):
    href = fields.String(required=True)
    rel = fields.String(required=True)
    type = fields.String()
    title = fields.String()


# How an answer about what cameras see took a camera's view (who-sees, search, coverage, interventions).
VIEW_MODEL = {
    "enum": list(VIEW_MODELS),
    "description": "visible_area: at least one camera whose sector reaches the shape has a view clipped by "
    "obstacles, and its visible area was used; sector: every such camera's whole sector",
}


class CameraCollection(Schema):
    type = fields.Constant("FeatureCollection", metadata={"type": "string", "enum": ["FeatureCollection"]})
    features = fields.List(fields.Nested(CameraOutput))
    numberMatched = fields.Integer()  # noqa: N815 (OGC API name)
    numberReturned = fields.Integer()  # noqa: N815
    links = fields.List(fields.Nested(Link))
    view_model = fields.String(
        metadata={
            **VIEW_MODEL,
            "description": "only when the list is filtered by `sees` (who sees this point): "
            + VIEW_MODEL["description"],
        }
    )


class PublicCameraCollection(CameraCollection):
    features = fields.List(fields.Nested(PublicCameraFeature))


class StatusChange(Schema):
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    changed_at = fields.AwareDateTime()
    changed_by = fields.Function(
        lambda change: change.changed_by.email if change.changed_by else None,
        metadata={"type": "string", "nullable": True},
    )
    note = fields.String(allow_none=True)


class CameraHistory(Schema):
    camera_id = fields.Integer()
    changes = fields.List(fields.Nested(StatusChange))
