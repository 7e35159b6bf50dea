"""`POST /api/v1/search`: a shape (and buffer) in, cameras located in or seeing into it out."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load
from marshmallow.validate import Length, OneOf, Range

from observo.domain import vocabulary as v
from observo.domain.shapes import Area
from observo.errors import FieldIssue
from observo.schemas.camera import ISTAT, VIEW_MODEL, CameraOutput, CameraOutputProperties, Link
from observo.schemas.fields import Geometry
from observo.schemas.queries import PAGE_LIMIT, Reason
from observo.settings import current_settings

SEARCH_SHAPES = ("Point", "LineString", "Polygon", "MultiPolygon")


class ShapeQueryBody(Schema):
    """A shape (and buffer), a reason and the attribute filters: what search and coverage share."""

    class Meta:
        unknown = RAISE
        ordered = True

    geometry = Geometry(SEARCH_SHAPES, required=True)
    buffer_m = fields.Float(
        load_default=0.0,
        validate=Range(min=0),
        metadata={"description": "metres around the shape; a line with a buffer is a route corridor"},
    )
    # Required of signed-in callers (the view checks, so anonymous ones hear 401, not 422).
    reason = Reason()
    owner = fields.String(validate=Length(1, 64))
    camera_type = fields.String(validate=OneOf(v.CAMERA_TYPES))
    surveillance_type = fields.String(validate=OneOf(v.SURVEILLANCE_TYPES))
    status = fields.List(
        fields.String(validate=OneOf(v.STATUSES)),
        validate=Length(min=1),
        metadata={"description": "default: active cameras only"},
    )
    municipality = fields.String(validate=ISTAT)
    visibility = fields.String(validate=OneOf(v.VISIBILITIES))
    q = fields.String(validate=Length(1, 100))
    # Set by subclasses: the largest area (km²) the query may cover.
    max_km2_setting = "max_search_km2"

    @post_load
    def build_area(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        settings = current_settings()
        if data["buffer_m"] > settings.max_buffer_m:
            raise ValidationError(
                {"buffer_m": [FieldIssue("", "too_large", f"at most {settings.max_buffer_m:g} metres")]}  # type: ignore[dict-item]
            )
        area = Area(data["geometry"], data["buffer_m"])
        limit_km2 = getattr(settings, self.max_km2_setting)
        if area.area_km2() > limit_km2:
            detail = f"the area is {area.area_km2():,.1f} km², more than {limit_km2:g} km²"
            raise ValidationError({"geometry": [FieldIssue("", "area_too_large", detail)]})  # type: ignore[dict-item]
        data["area"] = area
        return data


class SearchBody(ShapeQueryBody):
    limit = fields.Integer(validate=Range(min=1), metadata=PAGE_LIMIT)
    offset = fields.Integer(load_default=0, validate=Range(min=0, max=10_000_000))

    @post_load
    def page_limit(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["limit"] = current_settings().page_limit(data.get("limit"))
        return data


class SearchHitProperties(CameraOutputProperties):
    distance_m = fields.Float(metadata={"description": "metres from the searched shape (0 inside it)"})
    relation = fields.String(
        metadata={"enum": ["inside", "sees_into"], "description": "located in the area, or seeing into it"}
    )


class SearchHit(CameraOutput):
    properties = fields.Nested(SearchHitProperties)


class SearchLink(Link):
    method = fields.String()
    body = fields.Dict(metadata={"description": "for rel=next: the body to POST"})


class SearchResults(Schema):
    type = fields.Constant("FeatureCollection", metadata={"type": "string", "enum": ["FeatureCollection"]})
    features = fields.List(fields.Nested(SearchHit))
    numberMatched = fields.Integer(metadata={"description": "omitted when above the count cap"})  # noqa: N815
    numberReturned = fields.Integer()  # noqa: N815
    view_model = fields.String(metadata=VIEW_MODEL)
    links = fields.List(fields.Nested(SearchLink))


class ClusterCell(Schema):
    type = fields.Constant("Feature", metadata={"type": "string", "enum": ["Feature"]})
    id = fields.String(metadata={"description": "zoom/x/y of the Web Mercator grid cell"})
    geometry = fields.Dict(metadata={"description": "Point: mean position of the cell's cameras"})
    properties = fields.Dict(metadata={"description": "count, by_type, cell_bbox, cell_centre"})


class ClusterCollection(Schema):
    type = fields.Constant("FeatureCollection", metadata={"type": "string", "enum": ["FeatureCollection"]})
    zoom = fields.Integer()
    cell_m = fields.Float(metadata={"description": "cell side in Web Mercator metres"})
    numberMatched = fields.Integer(metadata={"description": "cameras counted"})  # noqa: N815
    features = fields.List(fields.Nested(ClusterCell))
