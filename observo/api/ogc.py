"""OGC API – Features under /ogc, so QGIS, GDAL, OWSLib and ArcGIS load the registry as a layer.

Part 1 (core, GeoJSON, OpenAPI 3.0, `datetime` on the record's last change), Part 2 (`crs`,
`bbox-crs`: CRS84, EPSG:4326 latitude first, 3857, 32632, 3003) and Part 3 (queryables, CQL2-text
`filter`); docs/ogc-api.md says what each client gets. Two collections: `cameras`, built on the same
query and the same output as `GET /api/v1/cameras` plus `camera_id`, `code` and `municipality_name`
(a bearer token gets its read scope, anonymous callers the public generalised view), and
`camera-views`, each camera's field of view as a polygon (signed-in callers only: for anyone else it
does not exist). What the clients
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

from observo.domain.crs import CRS84_URI, SUPPORTED_URIS, OutputCrs, parse_bbox_in, parse_crs
from observo.domain.identifiers import MAX_DATABASE_ID
from observo.domain.ogc_datetime import parse_datetime
from observo.domain.permissions import sees_full_detail
from observo.domain.shapes import BBox
from observo.errors import FieldIssue, InvalidInput, MalformedQuery, NotFound, ObservoError
from observo.extensions import db
from observo.http.access import refusal_response
from observo.http.auth import current_actor
from observo.http.problems import CODE_BY_STATUS, problem, problem_from_error
from observo.http.responses import GEOJSON, json_response, page_links
from observo.rendering import ogc_features
from observo.schemas.queries import PageQuery
from observo.schemas.validation import issues_from_messages
from observo.services import cameras as camera_service
from observo.services import ogc as service
from observo.services import ogc_filter
from observo.services.queries import Page
from observo.settings import Settings, current_settings

bp = Blueprint("ogc", __name__, url_prefix="/ogc")

JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"  # exactly: QGIS refuses anything else
SCHEMA_JSON = "application/schema+json"
CRS84 = CRS84_URI
COLLECTION = "cameras"
VIEWS = service.VIEWS
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
_CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"
# Exactly what is implemented, one test per class (tests/api/test_ogc*.py).
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    f"{_CQL2}cql2-text",
    f"{_CQL2}basic-cql2",
    f"{_CQL2}advanced-comparison-operators",
    f"{_CQL2}basic-spatial-functions",
    f"{_CQL2}basic-spatial-functions-plus",
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
    crs = fields.String()  # checked by domain.crs.parse_crs, which names the CRSs served


class ItemsQuery(PageQuery, ItemQuery):
    bbox = fields.String()  # parsed once bbox-crs is known
    bbox_crs = fields.String(data_key="bbox-crs")
    datetime = fields.String()
    filter = fields.String()
    filter_lang = fields.String(data_key="filter-lang", validate=OneOf(("cql2-text",)))
    filter_crs = fields.String(data_key="filter-crs")


def items_request(args: dict[str, Any]) -> service.ItemsRequest:
    """The query string's bbox (in bbox-crs), datetime and filter as one request; 400 when malformed."""
    bbox_crs = parse_crs(args.get("bbox_crs"), "bbox-crs")
    bbox = region = None
    if "bbox" in args:
        if bbox_crs.uri == CRS84:
            try:
                bbox = service.parse_bbox(args["bbox"])
            except InvalidInput as exc:
                issues = [issue.under("/bbox") for issue in exc.issues]
                raise MalformedQuery(exc.detail, issues) from None
        else:
            polygon = parse_bbox_in(args["bbox"], bbox_crs)
            bbox = BBox(*polygon.bounds)
            region = None if bbox_crs.srid == 4326 else polygon  # lat,lon order only: still a box
    time = parse_datetime(args["datetime"]) if "datetime" in args else None
    cql = args.get("filter")
    if cql is not None and not cql.strip():
        raise MalformedQuery(
            "the filter is empty", [FieldIssue("/filter", "invalid_filter", "the filter is empty")]
        )
    filter_crs = parse_crs(args.get("filter_crs"), "filter-crs")
    return service.ItemsRequest(bbox, region, time, cql, filter_crs)


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


def views_visible() -> bool:
    """`camera-views` exists for signed-in callers only (fields of view are not public)."""
    return sees_full_detail(current_actor())


def collection_ids() -> list[str]:
    return [COLLECTION, VIEWS] if views_visible() else [COLLECTION]


def no_collection(collection_id: str) -> NotFound:
    """The one 404 of a collection that does not exist, or that the caller may not see."""
    visible = collection_ids()
    if len(visible) == 1:  # the anonymous callers' wording, as it was before camera-views
        return NotFound(f"no collection {collection_id!r}: the collection is {visible[0]!r}")
    names = ", ".join(repr(name) for name in visible)
    return NotFound(f"no collection {collection_id!r}: the collections are {names}")


_TITLES = {
    COLLECTION: (
        "Video-surveillance cameras",
        "One point feature per lens. Anonymous callers get public cameras at generalised positions; "
        "a bearer token gives its read scope.",
    ),
    VIEWS: (
        "Fields of view of the cameras",
        "One polygon feature per lens: the sector it sees (a circle for 360-degree heads; a 1 m disc "
        "where the direction is unknown, with direction_unknown true). The id is the camera's.",
    ),
}


def collection_document(collection_id: str = COLLECTION) -> dict[str, Any]:
    """A collection; its extent is that of the cameras the caller may list (and, signed in, the span
    of their last changes: the `datetime` parameter's property)."""
    settings = current_settings()
    actor = current_actor()
    views = collection_id == VIEWS
    extent: dict[str, Any] = {
        "spatial": {
            "bbox": [list(service.camera_extent(db.session, actor, settings.extent, views))],
            "crs": CRS84,
        }
    }
    if sees_full_detail(actor):
        extent["temporal"] = {
            "interval": [service.time_extent(db.session, actor)],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        }
    title, description = _TITLES[collection_id]
    prefix = "ogc.view" if views else "ogc.camera"
    return {
        "id": collection_id,
        "title": title,
        "description": description,
        "itemType": "feature",
        "extent": extent,
        "crs": list(SUPPORTED_URIS),
        "storageCrs": CRS84,
        "links": [
            link(f"{prefix}_collection", "self", JSON, "This collection"),
            link(f"{prefix}_items", "items", GEOJSON, "The features (GeoJSON)"),
            link(f"{prefix}_queryables", QUERYABLES_REL, SCHEMA_JSON, "The queryables (JSON Schema)"),
        ],
    }


_FORMATS = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "date-time": {"type": "string", "format": "date-time"},
    "code": {"type": "string", "pattern": "^OBS-[0-9]{6,12}$"},
}


def queryables_document(collection_id: str) -> dict[str, Any]:
    """Part 3's queryables: the properties `filter` may name, for this caller, as a JSON Schema."""
    views = collection_id == VIEWS
    catalogue = ogc_filter.VIEW_QUERYABLES if views else ogc_filter.CAMERA_QUERYABLES
    properties: dict[str, Any] = {}
    for queryable in ogc_filter.queryables_for(current_actor(), catalogue):
        if queryable.kind == "geometry":
            shape = "polygon" if views else "point"
            found: dict[str, Any] = {"format": f"geometry-{shape}", "x-ogc-role": "primary-geometry"}
        else:
            found = dict(_FORMATS[queryable.kind])
        if queryable.enum:
            found["enum"] = list(queryable.enum)
        properties[queryable.name] = {"title": queryable.name, "description": queryable.description, **found}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": request.base_url,
        "type": "object",
        "title": _TITLES[collection_id][0],
        "properties": properties,
        "additionalProperties": False,
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
    crs_enum = {"type": "string", "enum": list(SUPPORTED_URIS), "default": CRS84}
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
        "bbox": _query(
            "bbox", "lower and upper corners in bbox-crs (CRS84: minLon,minLat,maxLon,maxLat)", numbers
        ),
        "bbox-crs": _query("bbox-crs", "the bbox's CRS (default CRS84)", crs_enum),
        "crs": _query("crs", "the output CRS (default CRS84; EPSG:4326 is latitude first)", crs_enum),
        "datetime": _query(
            "datetime",
            "the record's last change: an instant or an interval (`../end`, `start/..`); signed-in "
            "callers only (the public Feature has no time, so anonymous callers are not filtered)",
            {"type": "string"},
        ),
        "filter": _query("filter", "a CQL2-text filter on the queryables", {"type": "string"}),
        "filter-lang": _query("filter-lang", "cql2-text only", {"type": "string", "enum": ["cql2-text"]}),
        "filter-crs": _query("filter-crs", "the CRS of the filter's geometry literals", crs_enum),
        "f": _query("f", "the format: JSON", {"type": "string", "enum": ["json"]}),
        "f-features": _query("f", "the format: GeoJSON", {"type": "string", "enum": ["json", "geojson"]}),
        "f-api": _query(
            "f", "json: this document; html: a readable page", {"type": "string", "enum": ["json", "html"]}
        ),
        "collectionId": {
            "name": "collectionId",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "enum": [COLLECTION, VIEWS]},
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
    items = "collectionId bbox bbox-crs datetime filter filter-lang filter-crs crs limit offset f-features"
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
                "getFeature", "One feature", GEOJSON, "collectionId featureId crs f-features", "400 404"
            ),
            "/collections/{collectionId}/queryables": _get(
                "getQueryables", "The queryables (JSON Schema)", SCHEMA_JSON, "collectionId f", "400 404"
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
    documents = [collection_document(name) for name in collection_ids()]
    return json_response({"links": [_self_link()], "collections": documents})


def _items(collection_id: str, endpoint: str) -> Response:
    """A page of a collection: bbox (in bbox-crs, edges included), datetime, filter, crs, limit
    (clamped to the maximum), offset."""
    args = parse_args(ItemsQuery)
    crs = parse_crs(args.get("crs"), "crs")
    wanted = items_request(args)
    settings = current_settings()
    actor = current_actor()
    views = collection_id == VIEWS
    find = service.view_items if views else service.camera_items
    page: Page = find(db.session, actor, wanted, args["limit"], args["offset"], settings)
    links = page_links(endpoint, args, len(page.hits), page.has_more)
    links.append(link(f"{endpoint.rsplit('_', 1)[0]}_collection", "collection", JSON, "The collection"))
    body = ogc_features.feature_collection(db.session, actor, page, links, crs, views)
    return _with_crs(Response(body, mimetype=GEOJSON), crs)


def _item(collection_id: str, camera_id: int) -> Response:
    """One Feature; 404 when unknown or outside the caller's read scope."""
    args = parse_args(ItemQuery)
    crs = parse_crs(args.get("crs"), "crs")
    if camera_id > MAX_DATABASE_ID:
        raise NotFound(f"no camera {camera_id}")
    actor = current_actor()
    views = collection_id == VIEWS
    if views:
        camera = service.readable_view(db.session, actor, camera_id)
    else:
        camera = camera_service.readable_camera(db.session, actor, camera_id)
    feature = ogc_features.one_feature(db.session, actor, camera, crs, views)
    prefix = "ogc.view" if views else "ogc.camera"
    feature["links"] = [
        _self_link(GEOJSON),
        link(f"{prefix}_collection", "collection", JSON, "The collection"),
    ]
    return _with_crs(json_response(feature, 200, GEOJSON), crs)


def _with_crs(response: Response, crs: OutputCrs) -> Response:
    response.headers["Content-Crs"] = f"<{crs.uri}>"  # Part 2: the CRS of every geometry in the answer
    return response


def _queryables() -> Response:
    parse_args(MetadataQuery)
    collection_id = VIEWS if request.path.rstrip("/").endswith(f"/{VIEWS}/queryables") else COLLECTION
    body = json_response(queryables_document(collection_id)).get_data()
    return Response(body, content_type=SCHEMA_JSON)


@bp.get(f"/collections/{COLLECTION}")
def camera_collection() -> Response:
    parse_args(MetadataQuery)
    return json_response(collection_document(COLLECTION))


@bp.get(f"/collections/{COLLECTION}/items")
def camera_items() -> Response:
    return _items(COLLECTION, "ogc.camera_items")


@bp.get(f"/collections/{COLLECTION}/items/<int:camera_id>")
def camera_item(camera_id: int) -> Response:
    return _item(COLLECTION, camera_id)


@bp.get(f"/collections/{COLLECTION}/queryables")
def camera_queryables() -> Response:
    return _queryables()


def _require_views() -> None:
    if not views_visible():
        raise no_collection(VIEWS)


@bp.get(f"/collections/{VIEWS}")
def view_collection() -> Response:
    _require_views()
    parse_args(MetadataQuery)
    return json_response(collection_document(VIEWS))


@bp.get(f"/collections/{VIEWS}/items")
def view_items() -> Response:
    _require_views()
    return _items(VIEWS, "ogc.view_items")


@bp.get(f"/collections/{VIEWS}/items/<int:camera_id>")
def view_item(camera_id: int) -> Response:
    _require_views()
    return _item(VIEWS, camera_id)


@bp.get(f"/collections/{VIEWS}/queryables")
def view_queryables() -> Response:
    _require_views()
    return _queryables()


@bp.get("/collections/<collection_id>")
@bp.get("/collections/<collection_id>/items")
@bp.get("/collections/<collection_id>/items/<path:item_id>")
@bp.get("/collections/<collection_id>/queryables")
def unknown(collection_id: str, item_id: str = "") -> Response:
    """Any other collection, or an item id that is not a camera's: 404."""
    if collection_id in collection_ids():
        raise NotFound(f"no camera {item_id!r}")
    raise no_collection(collection_id)
