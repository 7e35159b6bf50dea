"""OGC API – Features under /ogc: one test per point of the OGC checklist
(docs/architecture.md, "Conventions"), on both databases.

The points are the ones QGIS, GDAL and OWSLib depend on: exact media types on the landing links, an
OpenAPI 3.0 document with the `limit` component, the collection's id/itemType/extent, GeoJSON items
with an exact numberMatched, typed `next` links absent on the last page, a clamped `limit`, 400 for
malformed or unknown parameters; and "who sees what" as in /api/v1/cameras.
"""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from pyproj import Geod

from tests import factories

GEOD = Geod(ellps="WGS84")
P = factories.TURIN
OGC = "/ogc"
ITEMS = "/ogc/collections/cameras/items"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
GEOJSON = "application/geo+json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = {
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    # Part 2, Part 3 and CQL2: tested in test_ogc_crs.py and test_ogc_filter.py
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
}
PUBLIC_PROPERTIES = {"name", "camera_type", "surveillance_type", "municipality", "owner"}
# What the OGC API adds for GIS clients (nothing the public Feature did not already say: the id, the
# code derived from it, the name of the municipality whose public ISTAT code is there).
OGC_PUBLIC_PROPERTIES = PUBLIC_PROPERTIES | {"camera_id", "code", "municipality_name"}


def at(azimuth: float, metres: float) -> tuple[float, float]:
    lon, lat, _back = GEOD.fwd(*P, azimuth, metres)
    return lon, lat


def around(metres: float) -> str:
    """A bbox of about 2 x `metres` centred on P."""
    sw, ne = at(225, metres * 1.415), at(45, metres * 1.415)
    return f"{sw[0]!r},{sw[1]!r},{ne[0]!r},{ne[1]!r}"


def get_json(client, path, headers=None, media_type="application/json", **params):
    response = client.get(path, query_string=params, headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == media_type
    return response.json


def items(client, headers=None, **params):
    return get_json(client, ITEMS, headers, GEOJSON, **params)


def api_ids(client, headers=None, **params) -> list[int]:
    """What /api/v1/cameras answers the same caller (one page holds every test camera)."""
    return ids(get_json(client, "/api/v1/cameras", headers, GEOJSON, limit=1000, **params))


def links_by_rel(body) -> dict[str, dict]:
    return {link["rel"]: link for link in body["links"]}


def ids(body) -> list[int]:
    return [feature["id"] for feature in body["features"]]


def walk(client, headers=None, **params) -> tuple[list[int], list[dict]]:
    """Follow the typed `next` links from the first page: every id seen, and every page."""
    pages = [items(client, headers, **params)]
    while (following := links_by_rel(pages[-1]).get("next")) is not None:
        assert following["type"] == GEOJSON
        response = client.get(following["href"], headers=headers or {})
        assert response.status_code == 200 and response.mimetype == GEOJSON
        pages.append(response.json)
        assert len(pages) < 50, "next links never end"
    return [i for page in pages for i in ids(page)], pages


def assert_problem(response, status: int, pointer: str | None = None) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["type"].startswith("urn:observo:problem:")
    if pointer is not None:
        assert pointer in {error["pointer"] for error in body["errors"]}, body


@pytest.fixture
def town(session):
    return factories.org(session, "torino", istat_code="001272")


@pytest.fixture
def public_cameras(session, town):
    return [
        factories.camera(session, town, *at(az, 40 * (n + 1)), visibility="public")
        for n, az in enumerate((0, 50, 100, 150, 200, 250, 300))
    ]


# ---------------------------------------------------------------- landing, conformance, API document


@pytest.mark.parametrize(
    "how", [{"headers": {"Accept": "application/json"}}, {"query_string": {"f": "json"}}]
)
def test_landing_links_carry_the_exact_media_types(client, how):
    response = client.get(OGC, **how)
    assert response.status_code == 200 and response.mimetype == "application/json"
    links = links_by_rel(response.json)
    assert links["service-desc"]["type"] == OPENAPI
    assert links["service-desc"]["href"].endswith("/ogc/api")
    assert links["service-doc"]["type"] == "text/html"
    assert links["data"]["type"] == "application/json" and links["data"]["href"].endswith("/ogc/collections")
    assert links["conformance"]["href"].endswith("/ogc/conformance")
    assert links["self"]["type"] == "application/json"
    # OWSLib asks for the landing page with a trailing slash
    assert links_by_rel(get_json(client, OGC + "/"))["service-desc"]["type"] == OPENAPI


def test_service_doc_is_a_readable_page(client):
    href = links_by_rel(get_json(client, OGC))["service-doc"]["href"]
    response = client.get(href)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "/collections/{collectionId}/items" in response.get_data(as_text=True)


def test_conformance_declares_only_what_is_implemented(client):
    assert set(get_json(client, OGC + "/conformance")["conformsTo"]) == CONFORMANCE


def test_api_is_openapi_30_with_the_limit_component(client, app):
    response = client.get(OGC + "/api")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == OPENAPI
    document = response.json
    validate(document)
    assert document["openapi"].startswith("3.0")
    parameters = document["components"]["parameters"]
    settings = app.config["OBSERVO_SETTINGS"]
    assert parameters["limit"]["schema"]["maximum"] == settings.max_page_limit
    assert parameters["limit"]["schema"]["default"] == settings.default_page_limit
    assert parameters["bbox"]["in"] == parameters["offset"]["in"] == "query"
    used = {
        ref["$ref"] for ref in document["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    }
    assert {f"#/components/parameters/{name}" for name in ("limit", "bbox", "offset")} <= used


# ---------------------------------------------------------------- the collection


def test_collection_has_id_item_type_extent_and_typed_items_link(client, public_cameras):
    listed = get_json(client, OGC + "/collections")["collections"]
    assert [collection["id"] for collection in listed] == ["cameras"]
    collection = get_json(client, OGC + "/collections/cameras")
    assert collection == listed[0]
    assert isinstance(collection["id"], str) and collection["itemType"] == "feature"
    assert collection["extent"]["spatial"]["crs"] == CRS84 and CRS84 in collection["crs"]
    # the extent of what this caller may list, on the positions it sees (generalised here)
    points = [feature["geometry"]["coordinates"] for feature in items(client)["features"]]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    expected = [min(lons), min(lats), max(lons), max(lats)]
    assert collection["extent"]["spatial"]["bbox"] == [pytest.approx(expected, abs=1e-9)]
    assert links_by_rel(collection)["items"]["type"] == GEOJSON
    assert links_by_rel(collection)["items"]["href"].endswith(ITEMS)


def test_collection_extent_falls_back_to_the_configured_one(client, app):
    extent = get_json(client, OGC + "/collections/cameras")["extent"]["spatial"]["bbox"]
    assert extent == [list(app.config["OBSERVO_SETTINGS"].extent)]


# ---------------------------------------------------------------- items and paging


def test_items_are_geojson_with_exact_counts_beyond_the_count_cap(client, configure, public_cameras):
    configure(count_cap=2)  # /api/v1/cameras would omit numberMatched here; OGC counts exactly
    assert "numberMatched" not in get_json(client, "/api/v1/cameras", media_type=GEOJSON, limit=3)
    body = items(client, limit=3)
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == len(public_cameras) and body["numberReturned"] == 3 == len(
        body["features"]
    )
    assert links_by_rel(body)["self"]["type"] == GEOJSON
    in_box = api_ids(client, bbox=around(130))
    assert 0 < len(in_box) < len(public_cameras)
    assert items(client, bbox=around(130), limit=1)["numberMatched"] == len(in_box)


def test_next_links_are_typed_and_absent_on_the_last_page(client, public_cameras):
    seen, pages = walk(client, limit=3)
    assert seen == sorted(camera.id for camera in public_cameras)  # by id, each once
    assert [page["numberReturned"] for page in pages] == [3, 3, 1]
    assert all(page["numberMatched"] == 7 for page in pages)
    assert "next" not in links_by_rel(pages[-1])
    assert "next" not in links_by_rel(items(client, limit=7))  # an exactly full last page too


def test_bbox_pages_return_every_feature_once(client, session, town):
    # ties (two cameras at one place) and rings at many distances from the centre
    spots = [at(az, m) for az, m in ((0, 10), (90, 10), (180, 35), (270, 60), (45, 80), (135, 80))]
    created = [factories.camera(session, town, *spot, visibility="public").id for spot in spots + spots[:2]]
    factories.camera(session, town, *at(0, 2000), visibility="public")  # outside the box
    police = factories.headers_for(session, town)
    for headers in (None, police):
        for limit in (1, 2, 3):
            seen, _pages = walk(client, headers, bbox=around(150), limit=limit)
            assert sorted(seen) == sorted(created), (headers, limit)


def test_limit_above_the_maximum_is_clamped_not_refused(client, configure, public_cameras):
    configure(max_page_limit=4)
    body = items(client, limit=1000)
    assert body["numberReturned"] == 4 and body["numberMatched"] == 7
    assert "limit=4" in links_by_rel(body)["next"]["href"]


def test_a_box_outside_the_registry_is_an_empty_page(client, public_cameras):
    body = items(client, bbox="-74.1,40.6,-73.8,40.9")  # New York
    assert body["features"] == [] and body["numberMatched"] == 0
    whole_world = items(client, bbox="-180,-90,180,90")
    assert whole_world["numberMatched"] == 7  # clipped to the extent, never "too large"


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({"bbox": "7.6,45.0,7.7"}, "/bbox"),
        ({"bbox": "a,b,c,d"}, "/bbox"),
        ({"bbox": "7.7,45.0,7.6,45.1"}, "/bbox"),
        ({"bbox": "7.6,45.0,7.7,NaN"}, "/bbox"),
        ({"bbox": "7.6,45.0,190,45.1"}, "/bbox"),
        ({"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/3035"}, "/bbox-crs"),
        ({"limit": "0"}, "/limit"),
        ({"limit": "ten"}, "/limit"),
        ({"offset": "-1"}, "/offset"),
        ({"offset": "x"}, "/offset"),
        ({"f": "xml"}, "/f"),
        ({"sortby": "name"}, "/sortby"),
        ({"status": "active"}, "/status"),
    ],
)
def test_malformed_or_unknown_parameters_are_400(client, params, pointer):
    assert_problem(client.get(ITEMS, query_string=params), 400, pointer)


def test_repeated_and_unknown_parameters_are_400_everywhere(client):
    assert_problem(client.get(ITEMS + "?limit=2&limit=3"), 400, "/limit")
    for path in (OGC, OGC + "/conformance", OGC + "/api", OGC + "/collections", OGC + "/collections/cameras"):
        assert_problem(client.get(path, query_string={"foo": "1"}), 400, "/foo")
    assert_problem(client.get(OGC, query_string={"f": "html"}), 400, "/f")


def test_bbox_with_heights_and_crs84_is_accepted(client, public_cameras):
    sw, ne = at(225, 130 * 1.415), at(45, 130 * 1.415)
    body = items(client, bbox=f"{sw[0]},{sw[1]},0,{ne[0]},{ne[1]},100", **{"bbox-crs": CRS84})
    assert ids(body) == api_ids(client, bbox=f"{sw[0]},{sw[1]},{ne[0]},{ne[1]}") != []


# ---------------------------------------------------------------- single items and 404


def test_single_item_is_a_feature_with_links(client, public_cameras):
    camera = public_cameras[0]
    response = client.get(f"{ITEMS}/{camera.id}")
    assert response.status_code == 200 and response.mimetype == GEOJSON
    feature = response.json
    assert feature["type"] == "Feature" and feature["id"] == camera.id
    assert set(feature["properties"]) == OGC_PUBLIC_PROPERTIES
    assert links_by_rel(feature)["self"]["type"] == GEOJSON
    listed = next(f for f in items(client)["features"] if f["id"] == camera.id)
    assert {key: value for key, value in feature.items() if key != "links"} == listed


def test_unknown_or_hidden_items_and_unknown_collections_are_404(client, session, town):
    hidden = factories.camera(session, town, visibility="private")
    for path in (
        f"{ITEMS}/{hidden.id}",
        f"{ITEMS}/999999",
        f"{ITEMS}/99999999999",
        f"{ITEMS}/abc",
        "/ogc/collections/roads",
        "/ogc/collections/roads/items",
        "/ogc/collections/roads/items/1",
    ):
        assert_problem(client.get(path), 404)


# ---------------------------------------------------------------- who sees what


def test_anonymous_callers_get_public_cameras_generalised(client, session, town):
    public = factories.camera(session, town, *at(10, 33), visibility="public")
    factories.camera(session, town, *at(20, 50), visibility="shared")
    factories.camera(session, town, *at(30, 70), visibility="private")
    body = items(client)
    assert ids(body) == [public.id] and body["numberMatched"] == 1
    feature = body["features"][0]
    assert set(feature) == {"type", "id", "geometry", "properties"}
    assert set(feature["properties"]) == OGC_PUBLIC_PROPERTIES
    # the generalised position and the public Feature the public API gives, plus the OGC additions
    public_api = get_json(client, "/api/v1/cameras", media_type=GEOJSON)["features"][0]
    added = {"camera_id": public.id, "code": public.code, "municipality_name": "Torino"}
    assert feature == {**public_api, "properties": {**public_api["properties"], **added}}
    assert feature["geometry"]["coordinates"] != pytest.approx(list(at(10, 33)), abs=1e-7)
    assert client.get(ITEMS).headers["Access-Control-Allow-Origin"] == "*"
    assert {"Authorization", "Cookie"} <= set(client.get(ITEMS).vary)


def test_a_bearer_viewer_gets_its_read_scope(client, session, town):
    other = factories.org(session, "moncalieri", istat_code="001156")
    mine = [
        factories.camera(session, town, *at(10 * n, 30 + n), visibility=v).id
        for n, v in enumerate(("public", "shared", "private"))
    ]
    theirs_public = factories.camera(session, other, *at(200, 80), visibility="public").id
    for visibility in ("shared", "private"):
        factories.camera(session, other, *at(250, 90), visibility=visibility)
    viewer = factories.headers_for(session, town, "viewer")
    body = items(client, viewer)
    assert sorted(ids(body)) == sorted([*mine, theirs_public]) and body["numberMatched"] == 4
    assert ids(body) == ids(get_json(client, "/api/v1/cameras", viewer, GEOJSON))
    own = next(f for f in body["features"] if f["id"] == mine[2])
    assert own["properties"]["visibility"] == "private" and "bearing_deg" in own["properties"]
    assert get_json(client, f"{ITEMS}/{mine[2]}", viewer, GEOJSON)["id"] == mine[2]
    response = client.get(ITEMS, headers=viewer)
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_bad_token_is_401_problem(client):
    assert_problem(client.get(ITEMS, headers=factories.auth("not-a-token")), 401)
