"""`POST /api/v1/coverage`: a target (area, disc or route) in, coverage figures, gaps and cameras out."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load
from marshmallow.validate import Length, OneOf, Range

from observo.domain import vocabulary as v
from observo.errors import FieldIssue
from observo.schemas.camera import VIEW_MODEL
from observo.schemas.search import ShapeQueryBody


class CoverageBody(ShapeQueryBody):
    max_km2_setting = "max_coverage_km2"

    include = fields.List(
        fields.String(validate=OneOf(v.STATUSES)),
        validate=Length(min=1),
        metadata={"description": "statuses counted besides `status` (default active): e.g. [\"faulty\"]"},
    )
    suggestions = fields.Integer(
        load_default=0,
        validate=Range(0, 10),
        metadata={"description": "how many patrol positions to suggest for the gaps"},
    )
    suggestion_range_m = fields.Float(
        load_default=30.0,
        validate=Range(5, 500),
        metadata={"description": "the reach of a suggested viewpoint (a patrol, the mobile office)"},
    )

    @post_load
    def target_rules(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data["geometry"].geom_type in ("Point", "LineString") and not data["area"].has_buffer:
            detail = "a point or a route needs buffer_m > 0 (the disc's radius, the corridor's half-width)"
            raise ValidationError({"buffer_m": [FieldIssue("", "buffer_required", detail)]})  # type: ignore[dict-item]
        statuses = [*data.get("status", ["active"]), *data.pop("include", [])]
        data["status"] = list(dict.fromkeys(statuses))
        return data


class CoverageGeoJSON(Schema):
    type = fields.String()
    features = fields.List(fields.Dict())


class CoverageAnswer(Schema):
    kind = fields.String(metadata={"enum": ["area", "route"]})
    area_m2 = fields.Float(metadata={"description": "the target's area (a route: its corridor)"})
    covered_m2 = fields.Float(
        metadata={"description": "seen by at least one field of view (its visible area if obstacles clip it)"}
    )
    ratio = fields.Float(metadata={"description": "covered_m2 / area_m2"})
    view_model = fields.String(metadata=VIEW_MODEL)
    statuses = fields.List(fields.String())
    route = fields.Dict(
        allow_none=True,
        metadata={"description": "length_m, covered_length_m, ratio, uncovered stretches in order"},
    )
    gaps = fields.Nested(CoverageGeoJSON, metadata={"description": "uncovered polygons, largest first"})
    cameras = fields.List(
        fields.Dict(),
        metadata={
            "description": "id, code, name, owner, covered_m2, exclusive_m2, share, clipped (its view is "
            "the visible area obstacles leave)"
        },
    )
    suggestions = fields.List(
        fields.Dict(),
        metadata={
            "description": "greedy patrol positions over the gaps (suggestions only); clipped: obstacles of "
            "the layers you read hide part of its disc, and added_m2 counts only what it sees"
        },
    )
