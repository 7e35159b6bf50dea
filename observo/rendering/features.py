"""Render query results as GeoJSON: built by the database where it can, by the schema otherwise.

PostGIS builds each Feature's JSON itself (one query for the page); SpatiaLite pages go through the
marshmallow schema. A test checks both give the same Features, so the schema stays the contract.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any

import orjson
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor, audience
from observo.schemas import camera as schemas
from observo.services import queries
from observo.services.queries import CameraQuery, Hit, Page

FEATURE_SCHEMAS = {
    "public": schemas.PublicCameraFeature,
    "police": schemas.CameraFeature,
    "admin": schemas.AdminCameraFeature,
}


@cache
def property_names(audience_name: str) -> tuple[str, ...]:
    """Output property names of an audience's Feature, in the schema's order."""
    return tuple(_schema_for(audience_name).fields["properties"].schema.dump_fields)


@cache
def _schema_for(audience_name: str) -> Any:
    # Dumping keeps no state on the schema; building one copies every declared field (~1 ms).
    return FEATURE_SCHEMAS[audience_name]()


def feature_schema(actor: Actor) -> Any:
    """One output schema per audience (public: generalised; police; admin), built once."""
    return _schema_for(audience(actor))


def features_json(session: Session, actor: Actor, hits: Sequence[Hit]) -> bytes:
    """The Features of `hits`, in order, as comma-separated JSON objects."""
    if not hits:
        return b""
    built = queries.features_built_by_database(session, actor, list(hits), property_names(audience(actor)))
    if built is not None:
        return ",".join(built).encode()
    return b",".join(orjson.dumps(feature) for feature in dumped_features(session, actor, hits))


def dumped_features(session: Session, actor: Actor, hits: Sequence[Hit]) -> Iterable[dict[str, Any]]:
    """Features as dicts through the schema, with what the query measured added to the properties."""
    by_id = queries.cameras_by_id(session, [hit.camera_id for hit in hits])
    schema = feature_schema(actor)
    for hit in hits:
        feature = schema.dump(by_id[hit.camera_id])
        if hit.distance_m is not None:
            feature["properties"]["distance_m"] = hit.distance_m
        if hit.relation is not None:
            feature["properties"]["relation"] = hit.relation
        yield feature


def streamed_features(
    session: Session, actor: Actor, query: CameraQuery, limit: int | None, offset: int, batch: int = 500
) -> Iterator[dict[str, Any]]:
    """Every Feature of an export, read through a server-side cursor in batches."""
    for hits in queries.stream_hits(session, actor, query, limit, offset, batch):
        yield from dumped_features(session, actor, hits)


def feature_collection(session: Session, actor: Actor, page: Page, links: list[dict[str, Any]]) -> bytes:
    """A page of cameras as a FeatureCollection's bytes."""
    return collection_bytes(features_json(session, actor, page.hits), page, links)


def collection_bytes(features: bytes, page: Page, links: list[dict[str, Any]]) -> bytes:
    """A FeatureCollection around `features` (comma-separated JSON objects): spliced in as text,
    never parsed again."""
    tail: dict[str, Any] = {}
    if page.matched is not None:
        tail["numberMatched"] = page.matched
    tail["numberReturned"] = len(page.hits)
    if page.view_model is not None:  # a field-of-view query says which model it used
        tail["view_model"] = page.view_model
    tail["links"] = links
    return b"".join((b'{"type":"FeatureCollection","features":[', features, b"],", orjson.dumps(tail)[1:]))
