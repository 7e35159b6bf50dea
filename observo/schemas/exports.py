"""`GET /api/v1/exports`: the filters of the camera list, a format, and the reason restricted data needs."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow.validate import OneOf, Range

from observo.schemas.queries import CameraFilterQuery, Reason, bbox_field

EXPORT_FORMATS = ("geojson", "csv", "kml", "osm")


class ExportQuery(CameraFilterQuery):
    f = fields.String(
        required=True,
        validate=OneOf(EXPORT_FORMATS),
        metadata={
            "description": "geojson, csv, kml (Google Earth, with sectors) or osm (OSM-tagged GeoJSON)"
        },
    )
    bbox = bbox_field()
    reason = Reason()
    limit = fields.Integer(
        validate=Range(min=1, max=10_000_000), metadata={"description": "at most this many (default: all)"}
    )
    offset = fields.Integer(load_default=0, validate=Range(min=0, max=10_000_000))


class ExportFileOutput(Schema):
    """The answer of `POST /api/v1/exports`: where the finished file is, until when."""

    href = fields.String(metadata={"description": "absolute URL of the file; readable by whoever holds it"})
    expires = fields.String(metadata={"description": "UTC, ISO 8601: after this the URL answers 404"})
    media_type = fields.String()
    size = fields.Integer(metadata={"description": "bytes"})
    count = fields.Integer(metadata={"description": "cameras in the file"})
    etag = fields.String(metadata={"description": "the file's strong ETag (SHA-256 of its bytes)"})
