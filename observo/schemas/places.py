"""Sensitive places as the API reads and writes them: a GeoJSON Feature out, a flat object in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_dump, pre_load
from marshmallow.validate import Length, OneOf, Regexp

from observo.domain.shapes import Area
from observo.domain.vocabulary import PLACE_CATEGORIES
from observo.errors import FieldIssue
from observo.models import Place, PlaceCoverage
from observo.schemas.fields import Geometry
from observo.settings import current_settings

POLYGONS = ("Polygon", "MultiPolygon")
SLUG = Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", error="an organisation slug")


@dataclass(frozen=True)
class PlaceView:
    """A place with its latest measurement (None before the first, or when withheld from the
    reader), as the Feature shows it."""

    place: Place
    latest: PlaceCoverage | None
    withheld: bool = False


class PlaceMeasurement(Schema):
    measured_at = fields.AwareDateTime()
    area_m2 = fields.Float(metadata={"description": "square metres of the place"})
    covered_m2 = fields.Float(
        metadata={"description": "square metres inside the view of an active camera its organisation reads"}
    )
    ratio = fields.Float(metadata={"description": "covered_m2 / area_m2, 0 to 1"})
    camera_count = fields.Integer(
        metadata={"description": "active cameras its organisation reads whose view reaches the place"}
    )


class PlaceProperties(Schema):
    name = fields.String()
    category = fields.String(metadata={"enum": list(PLACE_CATEGORIES)})
    organisation = fields.String(metadata={"description": "slug of the organisation the place belongs to"})
    latest = fields.Nested(
        PlaceMeasurement,
        allow_none=True,
        metadata={"description": "newest measurement; null before the first, or when withheld"},
    )
    figures_withheld = fields.Boolean(
        metadata={
            "description": "true for readers outside the organisation (pact partners): its figures count "
            "cameras they may not read, so they are not shown"
        }
    )
    version = fields.Integer(metadata={"description": "also in the ETag; send it back in If-Match"})


class PlaceFeature(Schema):
    type = fields.Constant("Feature", metadata={"type": "string", "enum": ["Feature"]})
    id = fields.Integer()
    geometry = Geometry(POLYGONS)
    properties = fields.Nested(PlaceProperties)

    @pre_dump
    def unfold(self, view: PlaceView, **kwargs: Any) -> dict[str, Any]:
        place = view.place
        return {
            "id": place.id,
            "geometry": place.geometry,
            "properties": {
                "name": place.name,
                "category": place.category,
                "organisation": place.organisation.slug,
                "latest": None if view.withheld else view.latest,
                "figures_withheld": view.withheld,
                "version": place.version,
            },
        }


class PlaceCollection(Schema):
    type = fields.Constant("FeatureCollection", metadata={"type": "string", "enum": ["FeatureCollection"]})
    features = fields.List(fields.Nested(PlaceFeature))
    numberReturned = fields.Integer()  # noqa: N815 (the name the camera collections use)

    @pre_dump
    def wrap(self, views: list[PlaceView], **kwargs: Any) -> dict[str, Any]:
        return {"features": views, "numberReturned": len(views)}


class PlaceListQuery(Schema):
    class Meta:
        unknown = RAISE

    organisation = fields.String(validate=[Length(1, 64), SLUG], metadata={"description": "slug"})


class PlaceInput(Schema):
    """`POST /places`: the place's organisation (default: yours), name, category and outline."""

    class Meta:
        unknown = RAISE

    organisation = fields.String(validate=[Length(1, 64), SLUG], metadata={"description": "default: yours"})
    name = fields.String(required=True, validate=Length(1, 200))
    category = fields.String(required=True, validate=OneOf(PLACE_CATEGORIES))
    geometry = Geometry(POLYGONS, required=True)

    @post_load
    def limit_area(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """A place is measured on every change and every run: no larger than a coverage query allows."""
        if "geometry" in data:
            limit_km2 = current_settings().max_coverage_km2
            area_km2 = Area(data["geometry"]).area_km2()
            if area_km2 > limit_km2:
                detail = f"the place covers {area_km2:,.1f} km², more than {limit_km2:g} km²"
                raise ValidationError({"geometry": [FieldIssue("", "area_too_large", detail)]})  # type: ignore[dict-item]
        return data


class PlacePatch(PlaceInput):
    """`PATCH /places/<id>`: some of name, category, geometry. The organisation cannot change."""

    @pre_load
    def refuse_organisation(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict) and "organisation" in data:
            issue = FieldIssue("", "read_only", "a place cannot move to another organisation")
            raise ValidationError({"organisation": [issue]})  # type: ignore[dict-item]
        return data


class PlaceCoverageHistory(Schema):
    place = fields.Integer(metadata={"description": "the place's id"})
    measurements = fields.List(
        fields.Nested(PlaceMeasurement), metadata={"description": "oldest first; empty when withheld"}
    )
    figures_withheld = fields.Boolean(metadata={"description": "as on the place"})
