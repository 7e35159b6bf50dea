"""Interventions as the API reads and writes them: the plan, its snapshot views, preservation requests.

Request bodies refuse unknown fields (422 `unknown_field`) and server-set ones (422 `read_only`).
Times are ISO 8601 (naive values are UTC) in, UTC with a `Z` out.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load
from marshmallow.validate import Length, OneOf, Range

from observo.domain import vocabulary as v
from observo.domain.identifiers import MAX_DATABASE_ID
from observo.domain.shapes import Area
from observo.errors import FieldIssue
from observo.schemas.audit import UTCMoment
from observo.schemas.fields import Geometry
from observo.schemas.queries import Reason
from observo.settings import current_settings

MAX_TARGETS = 20
ROUTE_BUFFER_M = 15.0  # a street's corridor when the route names none
MIN_ROUTE_BUFFER_M = 1.0
TARGET_SHAPES = ("Polygon", "MultiPolygon", "LineString")
_READ_ONLY = ("id", "version", "snapshot_at", "summary", "created_at", "updated_at", "created_by")
_TIME = {"type": "string", "format": "date-time"}


def _time(**kwargs: Any) -> fields.String:
    return fields.String(metadata={**_TIME, **kwargs.pop("metadata", {})}, **kwargs)


def _issue(name: str, code: str, detail: str) -> ValidationError:
    return ValidationError({name: [FieldIssue("", code, detail)]})  # type: ignore[dict-item]


class _Body(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    @pre_load
    def refuse_read_only(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict) and (sent := [name for name in _READ_ONLY if name in data]):
            raise ValidationError(
                {name: [FieldIssue("", "read_only", f"{name} is set by the server")] for name in sent}
            )  # type: ignore[misc]
        return data


# --- requests --------------------------------------------------------------------------------------


class Window(_Body):
    start = UTCMoment(required=True)
    end = UTCMoment(required=True, metadata={"description": "not before start (422 `window_order`)"})


class SharedWith(_Body):
    organizations = fields.List(fields.String(validate=Length(1, 64)), validate=Length(max=100))
    pacts = fields.List(
        fields.String(validate=Length(1, 64)),
        validate=Length(max=100),
        metadata={"description": "pacts your organisation belongs to"},
    )


class TargetIn(_Body):
    name = fields.String(
        required=True, validate=Length(1, 200), metadata={"example": "Giardini di via Armando Diaz"}
    )
    geometry = Geometry(TARGET_SHAPES, required=True)
    buffer_m = fields.Float(
        validate=Range(min=0),
        metadata={"description": "metres around the shape; a route (LineString) needs >= 1, default 15"},
    )

    @post_load
    def check_area(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        settings = current_settings()
        is_route = data["geometry"].geom_type == "LineString"
        data.setdefault("buffer_m", ROUTE_BUFFER_M if is_route else 0.0)
        if is_route and data["buffer_m"] < MIN_ROUTE_BUFFER_M:
            raise _issue("buffer_m", "route_buffer", "a route needs a corridor: buffer_m of at least 1")
        if data["buffer_m"] > settings.max_buffer_m:
            raise _issue("buffer_m", "too_large", f"at most {settings.max_buffer_m:g} metres")
        area = Area(data["geometry"], data["buffer_m"])
        if area.area_km2() > settings.max_search_km2:
            detail = f"the target is {area.area_km2():,.1f} km², more than {settings.max_search_km2:g} km²"
            raise _issue("geometry", "area_too_large", detail)
        return data


class InterventionIn(_Body):
    """`POST /interventions`; `PATCH` takes any part of it (a list given replaces the whole list)."""

    title = fields.String(required=True, validate=Length(1, 200))
    description = fields.String(validate=Length(max=5000), allow_none=True)
    kind = fields.String(required=True, validate=OneOf(v.INTERVENTION_KINDS))
    lead = fields.String(
        validate=Length(1, 64),
        metadata={"description": "slug; default and only choice: your organisation (admins: any)"},
    )
    status = fields.String(
        validate=OneOf(v.INTERVENTION_STATUSES),
        metadata={"description": "default draft; leaving draft for planned or active computes the snapshot"},
    )
    window = fields.Nested(Window, required=True)
    reason = Reason(
        checked=True,
        required=True,
        metadata={
            "description": "case or order of service, at least 3 letters or digits once spaces and "
            "invisible characters are removed (it is stored so); every read is audited with it"
        },
    )
    protocol_number = fields.String(validate=Length(max=100), allow_none=True)
    shared_with = fields.Nested(SharedWith)
    targets = fields.List(fields.Nested(TargetIn), required=True, validate=Length(1, MAX_TARGETS))

    @post_load
    def flatten(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """The service takes flat values: window_start/end, organizations, pacts."""
        window = data.pop("window", None)
        if window is not None:
            data["window_start"], data["window_end"] = window["start"], window["end"]
        data.update(data.pop("shared_with", {}))
        return data


class InterventionPatch(InterventionIn):
    """Load with `partial=PATCH_OPTIONAL`: every field optional, `window` still whole."""

    @pre_load
    def refuse_lead(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict) and "lead" in data:
            raise _issue("lead", "read_only", "the lead cannot change")
        return data


PATCH_OPTIONAL = ("title", "kind", "window", "reason", "targets")


class InterventionListQuery(Schema):
    class Meta:
        unknown = RAISE

    status = fields.String(validate=OneOf(v.INTERVENTION_STATUSES))


class DeadlinesQuery(Schema):
    class Meta:
        unknown = RAISE

    at = UTCMoment(metadata={"description": "the moment hours are counted from (default now)"})


class PreservationRequestIn(_Body):
    owner = fields.String(
        required=True, validate=Length(1, 64), metadata={"description": "organisation slug"}
    )
    camera_ids = fields.List(
        fields.Integer(strict=True, validate=Range(min=1, max=MAX_DATABASE_ID)),
        validate=Length(max=500),
        metadata={"description": "the cameras named; empty: all the owner's cameras in the intervention"},
    )
    requested_at = UTCMoment(metadata={"description": "default now"})
    channel = fields.String(required=True, validate=OneOf(v.PRESERVATION_CHANNELS))
    contact = fields.String(validate=Length(max=300), allow_none=True, metadata={"description": "whom, how"})
    protocol_number = fields.String(validate=Length(max=100), allow_none=True)
    note = fields.String(validate=Length(max=1000), allow_none=True)


class PreservationRequestPatch(_Body):
    status = fields.String(validate=OneOf(v.PRESERVATION_STATUSES))
    answered_at = UTCMoment(
        allow_none=True, metadata={"description": "default now when status leaves pending"}
    )
    contact = fields.String(validate=Length(max=300), allow_none=True)
    protocol_number = fields.String(validate=Length(max=100), allow_none=True)
    note = fields.String(validate=Length(max=1000), allow_none=True)


# --- responses -------------------------------------------------------------------------------------


class WindowOut(Schema):
    start = _time()
    end = _time()


class SharedWithOut(Schema):
    organizations = fields.List(fields.String())
    pacts = fields.List(fields.String())


class TargetOut(Schema):
    id = fields.Integer()
    name = fields.String()
    geometry = fields.Dict(metadata={"description": "GeoJSON Polygon, MultiPolygon or LineString"})
    buffer_m = fields.Float()


class TargetSummary(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"enum": ["area", "route"]})
    ratio = fields.Float()
    area_m2 = fields.Float()
    covered_m2 = fields.Float()
    cameras = fields.Integer()
    gaps = fields.Integer()


class Summary(Schema):
    targets = fields.List(fields.Nested(TargetSummary))
    cameras = fields.Integer(metadata={"description": "cameras of the snapshot you may read"})
    owners = fields.Integer()
    pending_requests = fields.Integer()


class InterventionOut(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String(allow_none=True)
    kind = fields.String(metadata={"enum": list(v.INTERVENTION_KINDS)})
    lead = fields.String(metadata={"description": "organisation slug"})
    status = fields.String(metadata={"enum": list(v.INTERVENTION_STATUSES)})
    window = fields.Nested(WindowOut)
    reason = fields.String()
    protocol_number = fields.String(allow_none=True)
    shared_with = fields.Nested(SharedWithOut)
    targets = fields.List(fields.Nested(TargetOut))
    snapshot_at = _time(allow_none=True)
    summary = fields.Nested(Summary, allow_none=True, metadata={"description": "null before the snapshot"})
    version = fields.Integer()
    created_at = _time()
    updated_at = _time()
    created_by = fields.String(allow_none=True, metadata={"description": "e-mail"})


class Contact(Schema):
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    pec = fields.String(allow_none=True)
    hours = fields.String(allow_none=True)


class DeadlineCamera(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    owner = fields.String()
    owner_id = fields.Integer()
    visibility = fields.String()
    camera_type = fields.String()
    surveillance_type = fields.String()
    status = fields.String()
    records = fields.Boolean()
    retention_hours = fields.Integer(allow_none=True)
    location = fields.List(fields.Float(), metadata={"description": "[lon, lat]"})
    fov = fields.Dict(metadata={"description": "GeoJSON Polygon"})
    target_ids = fields.List(fields.Integer())
    footage_expires_at = _time(allow_none=True, metadata={"description": "window end + retention_hours"})
    flag = fields.String(allow_none=True, metadata={"enum": ["not_recording", "retention_unknown", None]})
    hours_left = fields.Float(allow_none=True, metadata={"description": "negative once expired"})
    expired = fields.Boolean()
    preservation = fields.String(allow_none=True, metadata={"enum": [*v.PRESERVATION_STATUSES, None]})


class DeadlineOwner(Schema):
    slug = fields.String()
    name = fields.String()
    kind = fields.String()
    camera_ids = fields.List(fields.Integer())
    earliest_expiry = _time(allow_none=True)
    contacts = fields.List(fields.Nested(Contact))
    preservation = fields.String(allow_none=True, metadata={"description": "status of the latest request"})


class Deadlines(Schema):
    window = fields.Nested(WindowOut)
    at = _time()
    cameras = fields.List(fields.Nested(DeadlineCamera), metadata={"description": "most urgent first"})
    owners = fields.List(fields.Nested(DeadlineOwner))


class MapCollection(Schema):
    type = fields.Constant("FeatureCollection", metadata={"type": "string", "enum": ["FeatureCollection"]})
    features = fields.List(
        fields.Dict(),
        metadata={"description": "properties.layer: target, gap, suggestion, camera or fov"},
    )
    computed_at = _time()
    live = fields.Boolean(
        metadata={"description": "computed now in your scope: the plan has no snapshot yet"}
    )


class PreservationRequestOut(Schema):
    id = fields.Integer()
    intervention_id = fields.Integer()
    owner = fields.String()
    camera_ids = fields.List(fields.Integer())
    requested_at = _time()
    channel = fields.String(metadata={"enum": list(v.PRESERVATION_CHANNELS)})
    contact = fields.String(allow_none=True)
    protocol_number = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(v.PRESERVATION_STATUSES)})
    answered_at = _time(allow_none=True)
    version = fields.Integer()
    created_at = _time()
    requested_by = fields.String(allow_none=True, metadata={"description": "e-mail"})
