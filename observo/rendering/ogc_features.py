"""The OGC API's Features: the camera Feature plus what GIS clients need, in the requested CRS.

`cameras`: the audience's Feature (rendering.features) with `camera_id`, `code` and
`municipality_name` as properties (schemas.camera.Ogc*). PostGIS builds the page's JSON itself, in
the requested CRS (ST_Transform); SpatiaLite pages go through the schema and, outside CRS84, take their
geometries from the database's Transform. `camera-views`: each field of view as a polygon Feature,
through the schema on both databases (police only, small pages). A test checks that both databases
and both paths (page and single item) give the same Features.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import orjson
from sqlalchemy.orm import Session

from observo.domain.crs import OutputCrs
from observo.domain.permissions import Actor, audience
from observo.models import Camera
from observo.rendering.features import collection_bytes
from observo.schemas import camera as schemas
from observo.services import ogc as service
from observo.services import queries
from observo.services.queries import Hit, Page

_SCHEMAS = {
    "public": schemas.OgcPublicCameraFeature,
    "police": schemas.OgcCameraFeature,
    "admin": schemas.OgcAdminCameraFeature,
}


@cache
def _schema(name: str) -> Any:
    return schemas.CameraViewFeature() if name == "views" else _SCHEMAS[name]()


@cache
def property_names(audience_name: str) -> tuple[str, ...]:
    """Output property names of an audience's OGC camera Feature, in the schema's order."""
    return tuple(_schema(audience_name).fields["properties"].schema.dump_fields)


class _Named:
    """A camera seen through the schema with its municipality's name beside it."""

    __slots__ = ("_camera", "municipality_name")

    def __init__(self, camera: Camera, municipality_name: str | None) -> None:
        self._camera = camera
        self.municipality_name = municipality_name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._camera, name)


def _dumped(
    session: Session, actor: Actor, cameras: Sequence[Camera], crs: OutputCrs, views: bool
) -> list[dict[str, Any]]:
    schema = _schema("views" if views else audience(actor))
    names = {} if views else service.municipality_names(session, [camera.municipality for camera in cameras])
    features = [schema.dump(_Named(camera, names.get(camera.municipality or ""))) for camera in cameras]
    if not crs.is_storage and features:
        if crs.srid == 4326:  # the same numbers, latitude first: no need to ask the database
            for feature in features:
                feature["geometry"] = service.lat_first(feature["geometry"])
        else:
            shapes = service.geometries_in(session, actor, [f["id"] for f in features], crs, views)
            for feature in features:
                feature["geometry"] = shapes[feature["id"]]
    return features


def one_feature(session: Session, actor: Actor, camera: Camera, crs: OutputCrs, views: bool = False) -> dict:
    """One camera (or its field of view) as an OGC Feature in `crs`."""
    return _dumped(session, actor, [camera], crs, views)[0]


def _features_json(session: Session, actor: Actor, hits: Sequence[Hit], crs: OutputCrs, views: bool) -> bytes:
    if not hits:
        return b""
    if not views:
        names = property_names(audience(actor))
        built = service.features_built_by_database(session, actor, hits, names, crs)
        if built is not None:
            return ",".join(built).encode()
    by_id = queries.cameras_by_id(session, [hit.camera_id for hit in hits])
    features = _dumped(session, actor, [by_id[hit.camera_id] for hit in hits], crs, views)
    return b",".join(orjson.dumps(feature) for feature in features)


def feature_collection(
    session: Session, actor: Actor, page: Page, links: list[dict[str, Any]], crs: OutputCrs, views: bool
) -> bytes:
    """A page of cameras (or of their views) in `crs` as a FeatureCollection's bytes."""
    return collection_bytes(_features_json(session, actor, page.hits, crs, views), page, links)
