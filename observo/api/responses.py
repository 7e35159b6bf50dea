"""JSON responses with the right media type, and paging links."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, json, request, url_for

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
