"""Obstacles as the API reads and writes them: GeoJSON Features out; a box query, an import's form
fields and a deletion's query in."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, pre_dump
from marshmallow.validate import Length, OneOf, Regexp

from observo.domain.vocabulary import OBSTACLE_KINDS
from observo.models import Obstacle
from observo.schemas.fields import Geometry
from observo.schemas.queries import PageQuery, bbox_field

SHAPES = ("Polygon", "MultiPolygon", "LineString", "MultiLineString")
SLUG = Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", error="an organisation slug")
_ORGANISATION = {"description": "the organisation owning the layer (slug)"}
_SOURCE = {"description": "the layer: the file's name when imported, `osm` for OpenStreetMap"}


class ObstacleQuery(PageQuery):
    """`GET /obstacles`: a box (required, bounded like the cameras' boxes) and a page."""

    bbox = bbox_field(required=True)


class ObstacleProperties(Schema):
    kind = fields.String(validate=OneOf(OBSTACLE_KINDS))
    height_m = fields.Float(allow_none=True, metadata={"description": "metres; null when unknown"})
    organization = fields.String()
    source = fields.String(metadata=_SOURCE)
    source_ref = fields.String(allow_none=True, metadata={"description": "e.g. way/123, a feature's id"})


class ObstacleFeature(Schema):
    type = fields.Constant("Feature", metadata={"type": "string", "enum": ["Feature"]})
    id = fields.Integer()
    geometry = Geometry(SHAPES)
    properties = fields.Nested(ObstacleProperties)

    @pre_dump
    def unfold(self, obstacle: Obstacle, **kwargs: Any) -> dict[str, Any]:
        return {
            "id": obstacle.id,
            "geometry": obstacle.geometry,
            "properties": {
                "kind": obstacle.kind,
                "height_m": obstacle.height_m,
                "organization": obstacle.organisation.slug,
                "source": obstacle.source,
                "source_ref": obstacle.source_ref,
            },
        }


class ObstacleLink(Schema):
    href = fields.String()
    rel = fields.String()
    type = fields.String()


class ObstacleCollection(Schema):
    type = fields.Constant("FeatureCollection", metadata={"type": "string", "enum": ["FeatureCollection"]})
    features = fields.List(fields.Nested(ObstacleFeature))
    numberReturned = fields.Integer()  # noqa: N815 (the name the camera collections use)
    links = fields.List(fields.Nested(ObstacleLink), metadata={"description": "self, and next unless last"})

    @pre_dump
    def wrap(self, page: tuple[list[Obstacle], list[dict[str, str]]], **kwargs: Any) -> dict[str, Any]:
        obstacles, links = page
        return {"features": obstacles, "numberReturned": len(obstacles), "links": links}


class ObstacleImportForm(Schema):
    """`POST /obstacles/imports`: multipart form fields beside the `file`."""

    class Meta:
        unknown = RAISE

    organization = fields.String(required=True, validate=[Length(1, 64), SLUG], metadata=_ORGANISATION)
    source = fields.String(validate=Length(1, 200), metadata={"description": "default: the file's name; osm"})
    crs = fields.String(
        validate=Length(1, 2000), metadata={"description": "of a file naming none, e.g. EPSG:3003"}
    )


class ObstacleIssue(Schema):
    pointer = fields.String()
    code = fields.String()
    message = fields.String()


class ObstacleImportOutput(Schema):
    organization = fields.String()
    source = fields.String(metadata=_SOURCE)
    format = fields.String()
    crs = fields.String(allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "per kind"})
    replaced = fields.Integer(
        metadata={"description": "obstacles of the same organisation and source removed"}
    )
    skipped = fields.Integer(metadata={"description": "features that are not obstacles (roads, points...)"})
    warnings = fields.List(fields.Nested(ObstacleIssue))
    cameras_recomputed = fields.Integer(
        metadata={"description": "cameras whose sectors meet the old or new layer: visible areas recomputed"}
    )


class ObstacleImportProgress(Schema):
    cameras_done = fields.Integer()
    cameras_total = fields.Integer(
        allow_none=True, metadata={"description": "null until the layer is written and its cameras known"}
    )


class ObstacleImportJob(Schema):
    """A layer imported in the background (POST /api/v1/obstacles/imports answered 202)."""

    id = fields.Integer()
    status = fields.String(
        metadata={"enum": ["queued", "running", "succeeded", "invalid", "failed"]},
    )
    organization = fields.String()
    source = fields.String(allow_none=True, metadata={"description": "as given; null: the default name"})
    file_name = fields.String(allow_none=True)
    created_at = fields.String(metadata={"format": "date-time"})
    created_by = fields.String()
    finished_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    progress = fields.Nested(ObstacleImportProgress)
    result = fields.Nested(ObstacleImportOutput, allow_none=True, metadata={"description": "once succeeded"})
    problems = fields.List(
        fields.Nested(ObstacleIssue), metadata={"description": "when invalid: the file's problems"}
    )
    failure = fields.String(allow_none=True, metadata={"description": "why it failed, or was refused"})


class ObstacleDeleteQuery(Schema):
    class Meta:
        unknown = RAISE

    organization = fields.String(required=True, validate=[Length(1, 64), SLUG], metadata=_ORGANISATION)
    source = fields.String(validate=Length(1, 200), metadata={"description": "default: every source"})


class ObstacleDeleted(Schema):
    deleted = fields.Integer()
