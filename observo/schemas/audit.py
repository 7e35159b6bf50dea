"""The audit log as the API serves it: filters and entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load
from marshmallow.validate import Length

from observo.domain.deadlines import LATEST_YEAR, utc_moment
from observo.schemas.camera import Link
from observo.schemas.queries import PageQuery


class UTCMoment(fields.Field):
    """An ISO 8601 date or date-time; naive values are UTC."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"type": "string", "format": "date-time", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        try:
            return utc_moment(str(value))
        except ValueError as exc:
            raise ValidationError(
                f"an ISO 8601 date or date-time in years 1 to {LATEST_YEAR}, e.g. 2026-01-31T08:00Z"
            ) from exc


class AuditQuery(PageQuery):
    since = UTCMoment(metadata={"description": "entries at or after (UTC unless a zone is given)"})
    until = UTCMoment(metadata={"description": "entries before"})
    action = fields.String(validate=Length(1, 64), metadata={"example": "query.search"})
    actor = fields.String(validate=Length(1, 254), metadata={"description": "e-mail of the user"})
    organization = fields.String(
        validate=Length(1, 64), metadata={"description": "slug: entries by or about this organisation"}
    )
    object_type = fields.String(validate=Length(1, 32))
    object_id = fields.String(validate=Length(1, 64))
    request_id = fields.String(validate=Length(1, 64))

    @post_load
    def ordered_window(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise ValidationError({"until": ["must be after since"]})
        return data


class AuditEntryOut(Schema):
    id = fields.Integer()
    at = fields.String(metadata={"format": "date-time"})
    action = fields.String()
    actor_user_id = fields.Integer(allow_none=True)
    actor_label = fields.String()
    organisation_id = fields.Integer(allow_none=True)
    subject_organisation_id = fields.Integer(allow_none=True)
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    geometry_hash = fields.String(allow_none=True, metadata={"description": "SHA-256 of the 2D WKB"})
    result_count = fields.Integer(allow_none=True)
    request_id = fields.String(allow_none=True)
    source_ip = fields.String(allow_none=True)
    details = fields.Dict()
    prev_hash = fields.String()
    key_id = fields.String(allow_none=True, metadata={"description": "the key whose MAC `hash` is"})
    hash = fields.String()


class AuditPage(Schema):
    entries = fields.List(fields.Nested(AuditEntryOut))
    numberReturned = fields.Integer()  # noqa: N815 (same name as the camera collections)
    links = fields.List(fields.Nested(Link))
