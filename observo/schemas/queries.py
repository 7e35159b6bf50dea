"""Query-string schemas: unknown or malformed parameters are a 400."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load
from marshmallow.validate import OneOf, Range

from observo.domain import vocabulary as v
from observo.schemas.camera import ISTAT
from observo.schemas.fields import current_settings


class PageQuery(Schema):
    class Meta:
        unknown = RAISE

    limit = fields.Integer(
        validate=Range(min=1),
        metadata={
            "description": "page size; above the maximum it is clamped",
            "default": 100,
            "maximum": 1000,
        },
    )
    offset = fields.Integer(load_default=0, validate=Range(min=0, max=10_000_000))

    @post_load
    def clamp_limit(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        settings = current_settings()
        data["limit"] = min(data.get("limit", settings.default_page_limit), settings.max_page_limit)
        return data


def _statuses(value: str) -> tuple[str, ...]:
    statuses = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [s for s in statuses if s not in v.STATUSES]
    if unknown or not statuses:
        raise ValidationError(f"Must be one of: {', '.join(v.STATUSES)} (comma-separated)")
    return statuses


class CameraListQuery(PageQuery):
    owner = fields.String(metadata={"description": "owner organisation slug"})
    camera_type = fields.String(validate=OneOf(v.CAMERA_TYPES))
    surveillance_type = fields.String(validate=OneOf(v.SURVEILLANCE_TYPES))
    status = fields.Function(
        deserialize=_statuses,
        metadata={"type": "string", "description": "comma-separated; default: all but decommissioned"},
    )
    municipality = fields.String(validate=ISTAT)
    visibility = fields.String(validate=OneOf(v.VISIBILITIES))
