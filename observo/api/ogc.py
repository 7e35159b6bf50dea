"""OGC API – Features Part 1 under /ogc, so QGIS, GDAL, OWSLib and ArcGIS load the registry as a layer.

One collection, `cameras`, built on the same query and the same output as `GET /api/v1/cameras`: a
bearer token gets its read scope, anonymous callers the public generalised view. What the clients
insist on (docs/architecture.md, "Conventions"): exact media types on the landing links, an OpenAPI
3.0 document whose `limit` parameter declares `maximum` and `default`, typed `next` links absent on
the last page, an exact `numberMatched`, `limit` clamped rather than refused, and 400 (never 422)
for a malformed or unknown query parameter. Plain Flask: the OGC endpoints have their own OpenAPI
document (/ogc/api), kept out of /api/v1's.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request, url_for
from markupsafe import escape
from marshmallow import RAISE, Schema, ValidationError, fields
from marshmallow.validate import OneOf
from werkzeug.exceptions import HTTPException

from observo.domain.identifiers import MAX_DATABASE_ID
from observo.domain.shapes import BBox
from observo.errors import FieldIssue, MalformedQuery, NotFound, ObservoError
from observo.extensions import db
from observo.http.access import refusal_response
from observo.http.auth import current_actor
from observo.http.problems import CODE_BY_STATUS, problem, problem_from_error
from observo.http.responses import GEOJSON, collection_response, json_response, page_links
from observo.rendering.features import feature_schema
from observo.schemas.queries import PageQuery, bbox_field
from observo.schemas.validation import issues_from_messages
from observo.services import cameras as camera_service
from observo.services import ogc as service
from observo.settings import Settings, current_settings

bp = Blueprint("ogc", __name__, url_prefix="/ogc")

JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"  # exactly: QGIS refuses anything else
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
COLLECTION = "cameras"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]


# ---------------------------------------------------------------- query strings


class _Query(Schema):
    class Meta:
        unknown = RAISE  # a misspelt parameter silently ignored would widen the answer: 400


class MetadataQuery(_Query):
    f = fields.String(validate=OneOf(("json",)))


class ApiQuery(_Query):
    f = fields.String(validate=OneOf(("json", "html")))


class ItemQuery(_Query):
    f = fields.String(validate=OneOf(("json", "geojson")))


def _ogc_bbox(text: str, _settings: Settings) -> BBox:
    return service.parse_bbox(text)


class ItemsQuery(PageQuery, ItemQuery):
    bbox = bbox_field(_ogc_bbox)
    bbox_crs = fields.String(data_key="bbox-crs", validate=OneOf((CRS84,)))


def parse_args(schema: type[Schema]) -> dict[str, Any]:
    """The query string through `schema`; anything malformed, unknown or repeated is a 400."""
    repeated = [name for name, values in request.args.lists() if len(values) > 1]
    if repeated:
        issues = [FieldIssue(f"/{name}", "repeated", "give this parameter once") for name in repeated]
        raise MalformedQuery("a query parameter is repeated", issues)
    try:
        return schema().load(request.args.to_dict())
    except ValidationError as exc:
        issues = issues_from_messages(exc.messages)
        raise MalformedQuery("the query string does not satisfy the contract", issues) from None


# ---------------------------------------------------------------- errors and headers


@bp.errorhandler(ObservoError)
def _observo_error(error: ObservoError) -> Response:
    return refusal_response(error, problem_from_error)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    detail = "" if status >= 500 else (error.description or "")  # never echo a 500's text
    return problem(status, CODE_BY_STATUS.get(status, "internal_error"), detail)


@bp.after_request
def _vary(response: Response) -> Response:
    # The answer depends on the caller (bearer token or session): caches must key on both.
    response.vary.update(("Authorization", "Cookie"))
    return response


# ---------------------------------------------------------------- documents


def link(endpoint: str, rel: str, media_type: str, title: str = "", **values: Any) -> dict[str, str]:
    found = {"href": url_for(endpoint, _external=True, **values), "rel": rel, "type": media_type}
    if title:
        found["title"] = title
    return found


def _self_link(media_type: str = JSON) -> dict[str, str]:
    return {"href": request.url, "rel": "self", "type": media_type}


def collection_document() -> dict[str, Any]:
    """The `cameras` collection; its extent is that of the cameras the caller may list."""
    settings = current_settings()
    extent = service.camera_extent(db.session, current_actor(), settings.extent)
    return {
        "id": COLLECTION,
        "title": "Video-surveillance cameras",
        "description": "One feature per lens. Anonymous callers get public cameras at generalised "
        "positions; a bearer token gives its read scope.",
        "itemType": "feature",
        "extent": {"spatial": {"bbox": [list(extent)], "crs": CRS84}},
        "crs": [CRS84],
        "links": [
            link("ogc.camera_collection", "self", JSON, "This collection"),
            link("ogc.camera_items", "items", GEOJSON, "The cameras (GeoJSON)"),
        ],
    }


# ---------------------------------------------------------------- the OpenAPI document

_PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {
        name: {"type": kind}
        for name, kind in (
            ("type", "string"),
            ("title", "string"),
            ("status", "integer"),
            ("code", "string"),
            ("detail", "string"),
            ("errors", "array"),
            ("request_id", "string"),
        )
    },
}


def _problem(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {"application/problem+json": {"schema": schema}}}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": description,
        "schema": schema,
    }


def _parameters(settings: Settings) -> dict[str, Any]:
    limit = {
        "type": "integer",
        "minimum": 1,
        "maximum": settings.max_page_limit,
        "default": settings.default_page_limit,
    }
    numbers = {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}
    return {
        "limit": _query("limit", "page size; above the maximum it is clamped, not refused", limit),
        "offset": _query(
            "offset",
            "features to skip (follow the `next` link instead)",
            {
                "type": "integer",
                "minimum": 0,
                "maximum": 10_000_000,
                "default": 0,
            },
        ),
        "bbox": _query("bbox", "minLon,minLat,maxLon,maxLat in CRS84, edges included", numbers),
        "bbox-crs": _query("bbox-crs", "CRS84 only", {"type": "string", "enum": [CRS84]}),
        "f": _query("f", "the format: JSON", {"type": "string", "enum": ["json"]}),
        "f-features": _query("f", "the format: GeoJSON", {"type": "string", "enum": ["json", "geojson"]}),
        "f-api": _query(
            "f", "json: this document; html: a readable page", {"type": "string", "enum": ["json", "html"]}
        ),
        "collectionId": {
            "name": "collectionId",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "enum": [COLLECTION]},
        },
        "featureId": {
            "name": "featureId",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        },
    }


def _get(operation_id: str, summary: str, media_type: str, parameters: str, errors: str = "400") -> dict:
    """One GET operation; `parameters` and `errors` are space-separated names and statuses."""
    content = {media_type: {"schema": {"type": "object"}}}
    responses: dict[str, Any] = {"200": {"description": summary, "content": content}}
    responses.update({status: {"$ref": f"#/components/responses/{status}"} for status in errors.split()})
    refs = [{"$ref": f"#/components/parameters/{name}"} for name in parameters.split()]
    return {
        "get": {"operationId": operation_id, "summary": summary, "parameters": refs, "responses": responses}
    }


def openapi_document(server: str, settings: Settings) -> dict[str, Any]:
    """OpenAPI 3.0 of the OGC endpoints (GDAL and QGIS read the `limit` component's maximum)."""
    items = "collectionId bbox bbox-crs limit offset f-features"
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Observo – OGC API – Features",
            "version": "1.0.0",
            "description": "Video-surveillance cameras. Errors are RFC 9457 problem+json.",
        },
        "servers": [{"url": server}],
        "paths": {
            "/": _get("getLandingPage", "The landing page", JSON, "f"),
            "/conformance": _get("getConformance", "The conformance classes implemented", JSON, "f"),
            "/api": _get("getApi", "This document", OPENAPI, "f-api"),
            "/collections": _get("getCollections", "The collections", JSON, "f"),
            "/collections/{collectionId}": _get(
                "describeCollection", "A collection", JSON, "collectionId f", "400 404"
            ),
            "/collections/{collectionId}/items": _get(
                "getFeatures", "A page of features", GEOJSON, items, "400 404"
            ),
            "/collections/{collectionId}/items/{featureId}": _get(
                "getFeature", "One feature", GEOJSON, "collectionId featureId f-features", "400 404"
            ),
        },
        "components": {
            "parameters": _parameters(settings),
            "responses": {
                "400": _problem("a malformed or unknown query parameter"),
                "404": _problem("no such collection or feature (or not yours to see)"),
            },
            "schemas": {"Problem": _PROBLEM_SCHEMA},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}, {}],
    }


def html_page(document: dict[str, Any]) -> str:
    """The document as a plain page (no script): the landing page's `service-doc`."""
    server = document["servers"][0]["url"]
    parameters = document["components"]["parameters"]
    rows = []
    for path, item in document["paths"].items():
        operation = item["get"]
        names = [ref["$ref"].rsplit("/", 1)[1] for ref in operation["parameters"]]
        described = "; ".join(
            f"{parameters[n]['name']}: {parameters[n].get('description', '')}" for n in names
        )
        rows.append(
            f"<tr><td><code>GET {escape(server + path)}</code></td><td>{escape(operation['summary'])}</td>"
            f"<td>{escape(described)}</td></tr>"
        )
    title = escape(document["info"]["title"])
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1><p>{escape(document['info']['description'])}</p>"
        f'<p><a href="{escape(url_for("ogc.api", _external=True))}">OpenAPI 3.0 (JSON)</a></p>'
        f"<table><tr><th>request</th><th>what</th><th>parameters</th></tr>{''.join(rows)}</table></body></html>"
    )


@bp.get("/", endpoint="landing")
@bp.get("")
def landing() -> Response:
    """The landing page (JSON whatever the Accept header: there is no HTML rendering)."""
    parse_args(MetadataQuery)
    body = {
        "title": "Observo – OGC API – Features",
        "description": "The registry of video-surveillance cameras as an OGC API – Features service.",
        "links": [
            _self_link(),
            link("ogc.api", "service-desc", OPENAPI, "The API definition (OpenAPI 3.0)"),
            link("ogc.api", "service-doc", HTML, "The API documentation", f="html"),
            link("ogc.conformance", "conformance", JSON, "Conformance classes implemented"),
            link("ogc.collections", "data", JSON, "The collections"),
        ],
    }
    return json_response(body)


@bp.get("/conformance")
def conformance() -> Response:
    parse_args(MetadataQuery)
    return json_response({"conformsTo": CONFORMANCE})


@bp.get("/api")
def api() -> Response:
    """The OpenAPI 3.0 document of the OGC endpoints; `f=html` a readable page of it."""
    args = parse_args(ApiQuery)
    settings = current_settings()
    document = openapi_document(url_for("ogc.landing", _external=True), settings)
    if args.get("f") == "html":
        return Response(html_page(document), mimetype=HTML)
    return Response(json_response(document).get_data(), content_type=OPENAPI)


@bp.get("/collections")
def collections() -> Response:
    parse_args(MetadataQuery)
    return json_response({"links": [_self_link()], "collections": [collection_document()]})


@bp.get(f"/collections/{COLLECTION}")
def camera_collection() -> Response:
    parse_args(MetadataQuery)
    return json_response(collection_document())


@bp.get(f"/collections/{COLLECTION}/items")
def camera_items() -> Response:
    """A page of cameras: `bbox` (edges included), `limit` (clamped to the maximum), `offset`."""
    args = parse_args(ItemsQuery)
    settings = current_settings()
    actor = current_actor()
    page = service.camera_items(db.session, actor, args.get("bbox"), args["limit"], args["offset"], settings)
    links = page_links("ogc.camera_items", args, len(page.hits), page.has_more)
    links.append(link("ogc.camera_collection", "collection", JSON, "The collection"))
    return collection_response(db.session, actor, page, links)


@bp.get(f"/collections/{COLLECTION}/items/<int:camera_id>")
def camera_item(camera_id: int) -> Response:
    """One camera as a Feature; 404 when unknown or outside the caller's read scope."""
    parse_args(ItemQuery)
    if camera_id > MAX_DATABASE_ID:
        raise NotFound(f"no camera {camera_id}")
    actor = current_actor()
    camera = camera_service.readable_camera(db.session, actor, camera_id)
    feature = feature_schema(actor).dump(camera)
    feature["links"] = [
        _self_link(GEOJSON),
        link("ogc.camera_collection", "collection", JSON, "The collection"),
    ]
    return json_response(feature, 200, GEOJSON)


@bp.get("/collections/<collection_id>")
@bp.get("/collections/<collection_id>/items")
@bp.get("/collections/<collection_id>/items/<path:item_id>")
def unknown(collection_id: str, item_id: str = "") -> Response:
    """Any other collection, or an item id that is not a camera's: 404."""
    if collection_id == COLLECTION:
        raise NotFound(f"no camera {item_id!r}")
    raise NotFound(f"no collection {collection_id!r}: the collection is {COLLECTION!r}")
