"""The OGC API's problem details follow Accept-Language, as the rest of the API's do (problem_text).

Each bad input is sent twice, on both databases: in English the detail is the module's own text, word
for word (clients and tests read it); in Italian the answer's `detail` and every `errors[].detail`
are translated, while the values in them (a CRS as given, a queryable's name, a literal, a number,
the parser's own message) stay exactly as they were. Pointers and codes never change.
"""

from __future__ import annotations

import pytest

from observo.domain.crs import SUPPORTED_URIS
from observo.services.ogc_filter import CAMERA_QUERYABLES, MAX_FILTER_LENGTH, VIEW_QUERYABLES
from tests import factories

ITALIAN = {"Accept-Language": "it"}
ENGLISH = {"Accept-Language": "en"}
ITEMS = "/ogc/collections/cameras/items"
VIEWS = "/ogc/collections/camera-views/items"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
SUPPORTED = ", ".join(SUPPORTED_URIS)
ALL_NAMES = ", ".join(sorted(queryable.name for queryable in CAMERA_QUERYABLES))
PUBLIC_NAMES = ", ".join(sorted(queryable.name for queryable in CAMERA_QUERYABLES if queryable.public))
VIEW_NAMES = ", ".join(sorted(queryable.name for queryable in VIEW_QUERYABLES))
BOWTIE = "POLYGON((7 45, 8 46, 8 45, 7 46, 7 45))"
NOT_RFC_3339 = "is not an RFC 3339 date-time with its offset (e.g. 2024-05-01T10:00:00Z) or a date"
SQUARE = "POLYGON((7 45, 8 45, 8 46, 7 46, 7 45))"


@pytest.fixture
def world(session):
    town = factories.org(session, "torino", istat_code="001272")
    camera = factories.camera(session, town, visibility="public", camera_type="dome")
    return {
        "camera": camera.id,
        "headers": {"anonymous": {}, "officer": factories.headers_for(session, town, "viewer")},
    }


def answers(client, world, role, path, params, status):
    """The same request in Italian and in English: both problem+json with the same codes."""
    found = []
    for language in (ITALIAN, ENGLISH):
        response = client.get(path, query_string=params, headers={**world["headers"][role], **language})
        assert response.status_code == status, response.get_data(as_text=True)
        assert response.mimetype == "application/problem+json"
        found.append(response.json)
    italian, english = found
    assert italian["code"] == english["code"]
    assert [(e["pointer"], e["code"]) for e in italian.get("errors", [])] == [
        (e["pointer"], e["code"]) for e in english.get("errors", [])
    ]
    return italian, english


def check(italian, english, expected, values):
    """English as the module writes it; Italian translated, every value kept."""
    assert english["detail"] == expected
    assert italian["detail"] != english["detail"], english["detail"]
    for value in values:
        assert value in english["detail"] and value in italian["detail"], (value, italian["detail"])
    for in_italian, in_english in zip(italian.get("errors", []), english.get("errors", []), strict=True):
        assert in_english["detail"] == expected  # each of these answers names one problem
        assert in_italian["detail"] == italian["detail"]


# (path, role, query string, the English detail, values the Italian keeps)
BAD_QUERIES = [
    # Part 2: CRSs and bbox-crs
    (
        ITEMS,
        "officer",
        {"crs": "EPSG:2154"},
        f"unsupported CRS 'EPSG:2154'; supported: {SUPPORTED}",
        ["'EPSG:2154'", *SUPPORTED_URIS],
    ),
    (
        ITEMS,
        "anonymous",
        {"crs": "EPSG 2154"},
        f"unsupported CRS 'EPSG 2154'; supported: {SUPPORTED}",
        ["'EPSG 2154'", SUPPORTED],
    ),
    (
        ITEMS,
        "officer",
        {"bbox": "1,2,3,4", "bbox-crs": "urn:ogc:def:crs:EPSG::4326"},
        f"unsupported CRS 'urn:ogc:def:crs:EPSG::4326'; supported: {SUPPORTED}",
        ["'urn:ogc:def:crs:EPSG::4326'", SUPPORTED],
    ),
    (
        ITEMS,
        "officer",
        {"filter": "status = 'active'", "filter-crs": f"{EPSG}2154"},
        f"unsupported CRS '{EPSG}2154'; supported: {SUPPORTED}",
        [f"'{EPSG}2154'", SUPPORTED],
    ),
    (
        VIEWS,
        "officer",
        {"crs": f"{EPSG}2154"},
        f"unsupported CRS '{EPSG}2154'; supported: {SUPPORTED}",
        [f"'{EPSG}2154'", SUPPORTED],
    ),
    (
        ITEMS,
        "officer",
        {"bbox": "a,b,c,d", "bbox-crs": f"{EPSG}3003"},
        "a bbox is 4 finite comma-separated numbers (6 with heights), in the order of bbox-crs",
        ["bbox-crs"],
    ),
    (
        ITEMS,
        "officer",
        {"bbox": "10,10,5,5", "bbox-crs": f"{EPSG}3003"},
        "the bbox's lower corner must not exceed its upper corner",
        [],
    ),
    (
        ITEMS,
        "officer",
        {"bbox": "1e12,1e12,2e12,2e12", "bbox-crs": f"{EPSG}32632"},
        f"the coordinates lie outside the area where {EPSG}32632 is defined",
        [f"{EPSG}32632"],
    ),
    (
        ITEMS,
        "officer",
        {"filter": "S_INTERSECTS(geometry, POINT(1e12 1e12))", "filter-crs": f"{EPSG}3003"},
        f"the coordinates lie outside the area where {EPSG}3003 is defined",
        [f"{EPSG}3003"],
    ),
    # bbox in CRS84 (the API's own box)
    (
        ITEMS,
        "officer",
        {"bbox": "a,b,c,d"},
        "expected 4 comma-separated numbers: minLon,minLat,maxLon,maxLat",
        ["4", "minLon,minLat,maxLon,maxLat"],
    ),
    (ITEMS, "anonymous", {"bbox": "nan,0,1,1"}, "NaN and infinities are not positions", []),
    (
        ITEMS,
        "officer",
        {"bbox": "-200,0,1,1"},
        "longitudes lie within -180..180 and latitudes within -90..90",
        ["-180", "-90"],
    ),
    (
        VIEWS,
        "officer",
        {"bbox": "5,5,1,1"},
        "the minimum must not exceed the maximum (minLon,minLat,maxLon,maxLat)",
        ["(minLon,minLat,maxLon,maxLat)"],
    ),
    # Part 1: datetime
    (
        ITEMS,
        "officer",
        {"datetime": "yesterday"},
        f"'yesterday' {NOT_RFC_3339}",
        ["'yesterday'", "2024-05-01T10:00:00Z"],
    ),
    (
        ITEMS,
        "anonymous",
        {"datetime": "2024-05-01 10:00/.."},
        f"'2024-05-01 10:00' {NOT_RFC_3339}",
        ["'2024-05-01 10:00'"],
    ),
    (
        ITEMS,
        "officer",
        {"datetime": "../.."},
        "an interval needs at least one bound: '../2024-05-01T00:00:00Z' or '2024-05-01T00:00:00Z/..'",
        ["'../2024-05-01T00:00:00Z'", "'2024-05-01T00:00:00Z/..'"],
    ),
    (VIEWS, "officer", {"datetime": "2024-05-02/2024-05-01"}, "the interval ends before it starts", []),
    # Part 3: CQL2 filters
    (ITEMS, "officer", {"filter": "  "}, "the filter is empty", []),
    (
        ITEMS,
        "officer",
        {"filter": "x" * (MAX_FILTER_LENGTH + 1)},
        f"a filter has at most {MAX_FILTER_LENGTH} characters",
        [str(MAX_FILTER_LENGTH)],
    ),
    (
        ITEMS,
        "officer",
        {"filter": "S_WITHIN(geometry, POINT(7 45))"},
        "GeometryWithin is not supported here",
        ["GeometryWithin"],
    ),
    (
        ITEMS,
        "officer",
        {"filter": "status = name"},
        "a queryable is compared with a literal, not another queryable",
        [],
    ),
    (ITEMS, "officer", {"filter": "'x' = 'y'"}, "each condition compares a queryable with a literal", []),
    (
        ITEMS,
        "officer",
        {"filter": "colour = 'red'"},
        f"'colour' is not a queryable here; these are: {ALL_NAMES}",
        ["'colour'", ALL_NAMES],
    ),
    (
        ITEMS,
        "anonymous",
        {"filter": "status = 'active'"},
        f"'status' is not a queryable here; these are: {PUBLIC_NAMES}",
        ["'status'", PUBLIC_NAMES],
    ),
    (
        ITEMS,
        "officer",
        {"filter": "\"my colour\" = 'red'"},
        f"'my colour' is not a queryable here; these are: {ALL_NAMES}",
        ["'my colour'", ALL_NAMES],
    ),
    (
        VIEWS,
        "officer",
        {"filter": "ref IS NULL"},
        f"'ref' is not a queryable here; these are: {VIEW_NAMES}",
        ["'ref'", VIEW_NAMES],
    ),
    (
        ITEMS,
        "officer",
        {"filter": "code > 'OBS-000001'"},
        "'code' cannot be ordered: use = or IN",
        ["'code'", "= ", "IN"],
    ),
    (
        ITEMS,
        "officer",
        {"filter": "range_m LIKE '5%'"},
        "LIKE compares text: 'range_m' is not text",
        ["LIKE", "'range_m'"],
    ),
    (
        ITEMS,
        "officer",
        {"filter": "S_INTERSECTS(name, POINT(7 45))"},
        "S_INTERSECTS needs the geometry, not 'name'",
        ["S_INTERSECTS", "'name'"],
    ),
    (ITEMS, "officer", {"filter": "camera_id = 1.5"}, "'camera_id' is a whole number", ["'camera_id'"]),
    (
        ITEMS,
        "officer",
        {"filter": "range_m = 'very far'"},
        "'range_m' is compared with a number, not 'very far'",
        ["'range_m'", "'very far'"],
    ),
    (
        ITEMS,
        "officer",
        {"filter": "camera_id = 'x'"},
        "'camera_id' is compared with a number, not 'x'",
        ["'camera_id'", "'x'"],
    ),
    (
        ITEMS,
        "anonymous",
        {"filter": "name = 5"},
        "'name' is compared with a 'quoted string', not 5",
        ["'name'", " 5"],
    ),
    (
        ITEMS,
        "officer",
        {"filter": "updated_at > 5"},
        "'updated_at' is compared with a TIMESTAMP('...Z') or DATE('...'), not 5",
        ["'updated_at'", "TIMESTAMP('...Z')", "DATE('...')"],
    ),
    (ITEMS, "officer", {"filter": "code = 5"}, "'code' is compared with a 'quoted string'", ["'code'"]),
    (
        ITEMS,
        "officer",
        {"filter": "S_INTERSECTS(geometry, POLYGON((7 45, 8 46)))"},
        "the geometry literal is not a valid geometry",
        [],
    ),
    (
        ITEMS,
        "officer",
        {"filter": "S_INTERSECTS(geometry, 5)"},
        "S_INTERSECTS takes a geometry literal (POINT, POLYGON, BBOX...)",
        ["S_INTERSECTS", "(POINT, POLYGON, BBOX...)"],
    ),
    (
        VIEWS,
        "officer",
        {"filter": f"S_INTERSECTS(geometry, {BOWTIE})"},
        "the geometry literal is empty or not valid (self-intersecting?)",
        [],
    ),
    (
        ITEMS,
        "officer",
        {"filter": "S_INTERSECTS(geometry, BBOX(1, 2, 3))"},
        "BBOX takes 4 numbers (6 with heights)",
        ["BBOX", "4", "6"],
    ),
    (
        ITEMS,
        "anonymous",
        {"filter": "S_INTERSECTS(geometry, BBOX(3, 3, 1, 1))"},
        "a BBOX's lower corner must not exceed its upper corner",
        ["BBOX"],
    ),
]


@pytest.mark.parametrize(("path", "role", "params", "expected", "values"), BAD_QUERIES)
def test_a_bad_query_is_told_in_the_callers_language(client, world, path, role, params, expected, values):
    italian, english = answers(client, world, role, path, params, 400)
    check(italian, english, expected, values)


def test_a_crs_refused_on_one_item_is_told_in_italian(client, world):
    path = f"{ITEMS}/{world['camera']}"
    italian, english = answers(client, world, "anonymous", path, {"crs": "EPSG:3003"}, 400)
    check(
        italian, english, f"unsupported CRS 'EPSG:3003'; supported: {SUPPORTED}", ["'EPSG:3003'", SUPPORTED]
    )
    assert italian["detail"] == f"CRS 'EPSG:3003' non supportato; quelli supportati sono: {SUPPORTED}"


def test_the_parsers_own_words_are_kept_after_the_translated_prefix(client, world):
    italian, english = answers(client, world, "officer", ITEMS, {"filter": "status == 'active'"}, 400)
    parser_says = english["detail"].removeprefix("not CQL2 text: ")
    assert english["detail"] == f"not CQL2 text: {parser_says}" and "'='" in parser_says
    check(italian, english, english["detail"], [parser_says])
    assert italian["detail"] == f"non è testo CQL2: {parser_says}"


def test_too_many_positions_in_a_geometry_literal(client, world, configure):
    configure(max_vertices=4)
    params = {"filter": f"S_INTERSECTS(geometry, {SQUARE})"}
    italian, english = answers(client, world, "officer", ITEMS, params, 400)
    check(italian, english, "a geometry literal has at most 4 positions", ["4"])


@pytest.mark.parametrize(
    ("role", "path", "expected", "values"),
    [
        (
            "officer",
            "/ogc/collections/nope",
            "no collection 'nope': the collections are 'cameras', 'camera-views'",
            ["'nope'", "'cameras', 'camera-views'"],
        ),
        (
            "officer",
            "/ogc/collections/old cameras/items",
            "no collection 'old cameras': the collections are 'cameras', 'camera-views'",
            ["'old cameras'", "'cameras', 'camera-views'"],
        ),
        (
            "anonymous",
            "/ogc/collections/nope/items",
            "no collection 'nope': the collection is 'cameras'",
            ["'nope'", "'cameras'"],
        ),
        (
            "anonymous",
            VIEWS,
            "no collection 'camera-views': the collection is 'cameras'",
            ["'camera-views'", "'cameras'"],
        ),
        ("officer", f"{ITEMS}/abc", "no camera 'abc'", ["'abc'"]),
    ],
)
def test_a_missing_collection_is_told_in_the_callers_language(client, world, role, path, expected, values):
    italian, english = answers(client, world, role, path, {}, 404)
    check(italian, english, expected, values)
