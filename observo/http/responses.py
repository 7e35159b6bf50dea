"""Responses with the right media type (JSON, GeoJSON pages, CSV streams), and paging links."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, json, request, stream_with_context, url_for
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor
from observo.rendering import csv_export
from observo.rendering.features import feature_collection
from observo.services.queries import CameraQuery, Page

GEOJSON = "application/geo+json"


def json_response(
    body: Any, status: int = 200, mimetype: str = "application/json", **headers: str
) -> Response:
    response = Response(json.dumps(body), status=status, mimetype=mimetype)
    response.headers.update({name.replace("_", "-"): value for name, value in headers.items()})
    return response


def page_links(
    endpoint: str, args: Mapping[str, Any], returned: int, has_more: bool, media_type: str = GEOJSON
) -> list[dict[str, str]]:
    """`self` and, unless this is the last page, `next` (same query, offset moved on)."""
    query = request.args.to_dict()
    links = [{"href": request.url, "rel": "self", "type": media_type}]
    next_offset = args["offset"] + returned
    if has_more:
        query.update(offset=str(next_offset), limit=str(args["limit"]))
        links.append({"href": url_for(endpoint, _external=True, **query), "rel": "next", "type": media_type})
    return links


def collection_response(
    session: Session, actor: Actor, page: Page, links: list[dict[str, Any]], status: int = 200
) -> Response:
    """A page of cameras as a GeoJSON FeatureCollection."""
    return Response(feature_collection(session, actor, page, links), status=status, mimetype=GEOJSON)


def committed_collection_response(
    session: Session, actor: Actor, page: Page, links: list[dict[str, Any]]
) -> Response:
    """`collection_response`, then COMMIT (the audit entry of an accountable query, if any).

    Rendered first, in the query's own transaction: committing first would end it, and rendering
    would check out a connection and begin a second one (three more round trips a request). The
    entry still lands before a byte leaves, and the chain head is held from its claim to COMMIT only
    (docs/performance.md, "Round trips").
    """
    response = collection_response(session, actor, page, links)
    session.commit()
    return response


def csv_response(
    session: Session, actor: Actor, query: CameraQuery, limit: int | None, offset: int
) -> Response:
    """`?f=csv`: the rows streamed as the database returns them."""
    rows = csv_export.stream_rows(session, actor, query, limit, offset)
    headers = {"Content-Disposition": 'attachment; filename="cameras.csv"'}
    return Response(stream_with_context(rows), mimetype="text/csv", headers=headers)
