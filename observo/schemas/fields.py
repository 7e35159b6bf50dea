"""Fields shared by the schemas: validated GeoJSON geometries."""

from __future__ import annotations

from typing import Any

from geoalchemy2 import WKBElement
from geoalchemy2.shape import to_shape
from marshmallow import ValidationError, fields

from observo.domain.geometry import parse_geometry, to_geojson
from observo.errors import InvalidGeometry
from observo.settings import current_settings

_GEOJSON_SCHEMA = {"type": "object", "description": "GeoJSON geometry (RFC 7946), longitude, latitude"}


class Geometry(fields.Field):
    """A GeoJSON geometry of the `allowed` types: loads to shapely, dumps from shapely or WKB."""

    def __init__(self, allowed: tuple[str, ...], **kwargs: Any) -> None:
        metadata = {**_GEOJSON_SCHEMA, "x-geometry-types": list(allowed), **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)
        self.allowed = allowed

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        settings = current_settings()
        try:
            return parse_geometry(
                value, self.allowed, max_vertices=settings.max_vertices, extent=settings.extent
            )
        except InvalidGeometry as exc:
            # FieldIssue objects travel inside the marshmallow messages; the API flattens them.
            raise ValidationError(exc.issues or [exc.detail]) from exc  # type: ignore[arg-type]

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        shape = to_shape(value) if isinstance(value, WKBElement) else value
        return to_geojson(shape)
