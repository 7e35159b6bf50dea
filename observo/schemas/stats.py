"""The statistics answer (`GET /api/v1/stats`) and its query string."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields

from observo.domain import vocabulary as v
from observo.schemas.camera import ISTAT
from observo.schemas.places import PlaceMeasurement


def _counts(values: tuple[str, ...], what: str) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={
            "description": f"cameras per {what} (every value listed, zeros included)",
            "x-keys": list(values),
        },
    )


class StatsQuery(Schema):
    class Meta:
        unknown = RAISE

    municipality = fields.String(validate=ISTAT, metadata={"description": "ISTAT code: one municipality"})
    include_decommissioned = fields.Boolean(
        load_default=False, metadata={"description": "count decommissioned cameras too (default: no)"}
    )


class StatsFigures(Schema):
    total = fields.Integer()
    by_camera_type = _counts(v.CAMERA_TYPES, "camera type")
    by_status = _counts(v.STATUSES, "status")
    by_visibility = _counts(v.VISIBILITIES, "visibility")
    recording = fields.Integer(metadata={"description": "cameras that record"})
    retention_known = fields.Integer(metadata={"description": "cameras with retention_hours set"})
    retention_known_share = fields.Float(
        allow_none=True, metadata={"description": "retention_known / total, 0 to 1; null without cameras"}
    )
    not_verified_for_a_year = fields.Integer(
        metadata={"description": "last verified more than 365 days ago, or never"}
    )
    owner_confirmation_due = fields.Integer(
        metadata={
            "description": "cameras registered by their owners that are due for the yearly "
            "re-confirmation (due soon, overdue, or lapsed to unverified)"
        }
    )
    faulty = fields.Integer()


class StatsOrganisation(Schema):
    slug = fields.String()
    name = fields.String()


class MunicipalityStats(Schema):
    istat_code = fields.String(allow_none=True, metadata={"description": "null: cameras without one"})
    organisation = fields.Nested(
        StatsOrganisation, allow_none=True, metadata={"description": "the municipality with that ISTAT code"}
    )
    figures = fields.Nested(StatsFigures)


class PlaceStats(Schema):
    id = fields.Function(lambda trend: trend.place.id, metadata={"type": "integer"})
    name = fields.Function(lambda trend: trend.place.name, metadata={"type": "string"})
    category = fields.Function(lambda trend: trend.place.category, metadata={"type": "string"})
    organisation = fields.Function(lambda trend: trend.place.organisation.slug, metadata={"type": "string"})
    latest = fields.Nested(PlaceMeasurement, allow_none=True)
    previous = fields.Nested(PlaceMeasurement, allow_none=True)
    trend = fields.String(
        allow_none=True,
        metadata={"enum": ["up", "down", "steady", None], "description": "from previous to latest ratio"},
    )


class Stats(Schema):
    today = fields.Date(metadata={"description": "the day 'not verified for a year' counts back from"})
    include_decommissioned = fields.Boolean()
    municipality = fields.String(allow_none=True, metadata={"description": "the filter, if any"})
    municipalities = fields.List(fields.Nested(MunicipalityStats))
    totals = fields.Nested(StatsFigures)
    places = fields.List(
        fields.Nested(PlaceStats),
        metadata={"description": "your organisations' places (admins: all), latest coverage and trend"},
    )
