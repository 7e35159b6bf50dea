"""Query-string schemas: unknown or malformed parameters are a 400."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validates_schema
from marshmallow.validate import Length, OneOf, Range

from observo.domain import reasons
from observo.domain import vocabulary as v
from observo.domain.shapes import BBox, parse_position
from observo.errors import FieldIssue, InvalidInput
from observo.schemas.camera import ISTAT
from observo.settings import Settings, current_settings

# No `maximum` in the document: a larger limit is clamped, not refused, so it is valid input.
PAGE_LIMIT = {"description": "page size; above the maximum (1000 by default) it is clamped", "default": 100}


class PageQuery(Schema):
    class Meta:
        unknown = RAISE

    limit = fields.Integer(
        validate=Range(min=1),
        metadata=PAGE_LIMIT,
    )
    offset = fields.Integer(load_default=0, validate=Range(min=0, max=10_000_000))

    @post_load
    def clamp_limit(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        settings = current_settings()
        data["limit"] = settings.page_limit(data.get("limit"))
        return data


def _statuses(value: str) -> tuple[str, ...]:
    statuses = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [s for s in statuses if s not in v.STATUSES]
    if unknown or not statuses:
        raise ValidationError(f"Must be one of: {', '.join(v.STATUSES)} (comma-separated)")
    return statuses


class Parsed(fields.Field):
    """A query parameter parsed by a domain function; its FieldIssues keep their stable codes."""

    def __init__(self, parse: Callable[[str, Settings], Any], **kwargs: Any) -> None:
        super().__init__(**{"metadata": {"type": "string"}, **kwargs})
        self.parse = parse

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise ValidationError("Not a valid string.")
        try:
            return self.parse(value, current_settings())
        except InvalidInput as exc:
            raise ValidationError(exc.issues or [exc.detail]) from exc  # type: ignore[arg-type]


def _bbox(text: str, settings: Settings) -> BBox:
    return BBox.parse(text, settings.extent, settings.max_bbox_km2)


def _position(text: str, settings: Settings) -> tuple[float, float]:
    return parse_position(text, settings.extent)


def _cluster_bbox(text: str, settings: Settings) -> BBox:
    # Clusters answer a bounded number of cells whatever the box: the map's low zooms may ask
    # for the whole country.
    return BBox.parse(text, settings.extent, settings.max_cluster_bbox_km2)


def bbox_field(parse: Callable[[str, Settings], Any] = _bbox, **kwargs: Any) -> Parsed:
    return Parsed(
        parse,
        metadata={"type": "string", "description": "minLon,minLat,maxLon,maxLat (edges included)"},
        **kwargs,
    )


def position_field(description: str, **kwargs: Any) -> Parsed:
    return Parsed(_position, metadata={"type": "string", "description": f"lon,lat: {description}"}, **kwargs)


REASON = {
    "description": "case or protocol number, at least 3 letters or digits once spaces and invisible "
    "characters are removed (it is logged so); required for near, sees, search and exports"
}


class Reason(fields.String):
    """A reason, loaded as the one rule cleans it (domain.reasons; docs/security.md, "Reasons").

    `checked` (an intervention's): refused here when it is no reason; missing, null and invisible
    get the same issue. Else whoever needs one checks it (`queries.require_reason`, missing and null
    alike): anonymous callers need none, and hear 401 rather than 422 where they may not ask at all.
    Too long is refused here with InvalidInput, not a marshmallow error, so that a query string
    answers the same 422 as a body.
    """

    def __init__(self, *, checked: bool = False, **kwargs: Any) -> None:
        metadata = {**REASON, "maxLength": reasons.REASON_MAX, **kwargs.pop("metadata", {})}
        if checked:
            issue = FieldIssue("", "required", reasons.REQUIRED)
            kwargs["error_messages"] = {"required": issue, "null": issue}
        else:
            kwargs["allow_none"] = True
        super().__init__(metadata=metadata, **kwargs)
        self.checked = checked

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if self.checked:
            if (issue := reasons.reason_issue(text, "")) is not None:
                raise ValidationError([issue])  # type: ignore[list-item]
        elif len(text) > reasons.REASON_MAX:
            issue = FieldIssue(f"/{attr or 'reason'}", "too_long", reasons.TOO_LONG)
            raise InvalidInput(reasons.INVALID_INPUT, [issue])
        return reasons.clean_reason(text)


class CameraFilterQuery(Schema):
    """Attribute filters shared by lists, nearest and clusters."""

    class Meta:
        unknown = RAISE

    owner = fields.String(metadata={"description": "owner organisation slug"})
    camera_type = fields.String(validate=OneOf(v.CAMERA_TYPES))
    surveillance_type = fields.String(validate=OneOf(v.SURVEILLANCE_TYPES))
    status = fields.Function(
        deserialize=_statuses,
        metadata={"type": "string", "description": "comma-separated; default: all but decommissioned"},
    )
    municipality = fields.String(validate=ISTAT)
    visibility = fields.String(validate=OneOf(v.VISIBILITIES))
    q = fields.String(validate=Length(1, 100), metadata={"description": "text in name or address, or a code"})


class CameraListQuery(PageQuery, CameraFilterQuery):
    bbox = bbox_field()
    near = position_field("centre of a radius search (with radius)")
    radius = fields.Float(validate=Range(min=0, min_inclusive=False), metadata={"description": "metres"})
    sees = position_field("cameras whose field of view contains this point")
    reason = Reason()
    f = fields.String(validate=OneOf(("json", "geojson", "csv")), metadata={"description": "csv: streamed"})

    @validates_schema
    def check_radius(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("near" in data) != ("radius" in data):
            missing = "radius" if "near" in data else "near"
            raise ValidationError({missing: [FieldIssue("", "required", "near and radius go together")]})  # type: ignore[dict-item]
        limit = current_settings().max_radius_m
        if data.get("radius", 0) > limit:
            raise ValidationError({"radius": [FieldIssue("", "too_large", f"at most {limit:g} metres")]})  # type: ignore[dict-item]


class NearestQuery(CameraFilterQuery):
    point = position_field("where to measure from", required=True)
    k = fields.Integer(validate=Range(min=1), metadata={"description": "how many; clamped", "default": 10})
    reason = Reason()

    @post_load
    def clamp_k(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["k"] = min(data.get("k", 10), current_settings().max_nearest)
        return data


class ClusterQuery(CameraFilterQuery):
    bbox = bbox_field(_cluster_bbox, required=True)
    zoom = fields.Integer(required=True, validate=Range(0, 22), metadata={"description": "map zoom level"})
