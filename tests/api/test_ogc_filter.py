"""OGC API – Features Part 1 `datetime`, Part 3 queryables and CQL2-text `filter`, on both databases.

Every answer is compared with what the test computes itself from the cameras it made (Python over
their known attributes, shapely for S_INTERSECTS); every role: a filter only narrows the caller's
read scope, and anonymous callers may name only the public properties of public cameras.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from pyproj import Geod, Transformer
from shapely.geometry import Point, Polygon

from observo.models import Camera
from tests import factories

GEOD = Geod(ellps="WGS84")
P = factories.TURIN
ITEMS = "/ogc/collections/cameras/items"
VIEWS = "/ogc/collections/camera-views/items"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"


def at(azimuth: float, metres: float) -> tuple[float, float]:
    lon, lat, _back = GEOD.fwd(*P, azimuth, metres)
    return lon, lat


def when(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# name: (owner, position, attributes, last change)
CAMERAS = {
    "a": (
        "torino",
        at(0, 0),
        {"visibility": "public", "camera_type": "dome", "name": "Via Roma 1", "range_m": 30.0},
        "2024-01-10T08:00:00",
    ),
    "b": (
        "torino",
        at(90, 150),
        {"visibility": "shared", "name": "via roma 2", "status": "faulty", "range_m": 80.0, "ref": "TO-2"},
        "2024-06-01T12:00:00",
    ),
    "c": (
        "torino",
        at(180, 300),
        {"visibility": "private", "name": "Piazza Castello", "range_m": 50.0},
        "2025-01-01T00:00:00",
    ),
    "d": (
        "negozio",
        at(270, 450),
        {"visibility": "public", "name": "Negozio 100%", "municipality": "001272"},
        "2024-03-01T00:00:00",
    ),
    "e": ("moncalieri", at(45, 2000), {"visibility": "private", "name": "Via Roma 3"}, "2024-02-01T00:00:00"),
}


@pytest.fixture
def world(session):
    orgs = {
        "torino": factories.org(session, "torino", istat_code="001272"),
        "moncalieri": factories.org(session, "moncalieri", istat_code="001156"),
        "cc": factories.org(session, "cc-torino", kind="carabinieri"),
        "regione": factories.org(session, "regione", kind="public_body"),
    }
    orgs["negozio"] = factories.org(session, "negozio", kind="private", sponsor_slug="torino")
    made = {}
    for name, (owner, (lon, lat), attributes, changed) in CAMERAS.items():
        camera = factories.camera(session, orgs[owner], lon, lat, **attributes)
        made[name] = camera.id
        session.execute(
            sa.update(Camera.__table__)
            .where(Camera.__table__.c.id == camera.id)
            .values(updated_at=when(changed))
        )
    session.commit()
    headers = {
        "anonymous": {},
        "officer": factories.headers_for(session, orgs["torino"], "viewer"),
        "state_force": factories.headers_for(session, orgs["cc"], "viewer"),
        "admin": factories.headers_for(session, orgs["regione"], "admin"),
    }
    return {"ids": made, "headers": headers}


SCOPE = {
    "anonymous": {"a", "d"},
    "officer": {"a", "b", "c", "d"},
    "state_force": {"a", "b", "d"},
    "admin": {"a", "b", "c", "d", "e"},
}


def names(world, body) -> set[str]:
    by_id = {camera_id: name for name, camera_id in world["ids"].items()}
    return {by_id[feature["id"]] for feature in body["features"]}


def fetch(client, world, role, path=ITEMS, **params) -> set[str]:
    response = client.get(path, query_string={"limit": 100, **params}, headers=world["headers"][role])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["numberMatched"] == len(response.json["features"])
    return names(world, response.json)


def refused(client, world, role, issue_code, path=ITEMS, **params):
    response = client.get(path, query_string=params, headers=world["headers"][role])
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "malformed_query"
    assert response.json["errors"][0]["code"] == issue_code, response.json
    return response.json


# ---------------------------------------------------------------- datetime (Part 1 core)

DATETIMES = [
    ("2024-06-01T12:00:00Z", {"b"}),  # an instant: equal
    ("2024-06-01T14:00:00+02:00", {"b"}),  # the same instant in Rome's summer time
    ("2024-06-01", {"b"}),  # a date: that whole UTC day
    ("2024-01-01T00:00:00Z/2024-06-30T00:00:00Z", {"a", "b", "d", "e"}),  # closed, bounds included
    ("2024-01-10T08:00:00Z/2024-03-01T00:00:00Z", {"a", "d", "e"}),
    ("../2024-03-01T00:00:00Z", {"a", "d", "e"}),
    ("/2024-03-01T00:00:00Z", {"a", "d", "e"}),
    ("2024-06-01T12:00:00Z/..", {"b", "c"}),
    ("2024-06-01T12:00:00.000001Z/", {"c"}),
    ("2023-01-01/2023-12-31", set()),
]


@pytest.mark.parametrize(("value", "matching"), DATETIMES)
@pytest.mark.parametrize("role", ["officer", "state_force", "admin"])
def test_datetime_filters_on_the_last_change(client, world, role, value, matching):
    assert fetch(client, world, role, datetime=value) == matching & SCOPE[role]


def test_datetime_is_accepted_and_leaves_anonymous_answers_alone(client, world):
    """The public Feature has no time: for anonymous callers the collection has no temporal property,
    so `datetime` (checked all the same) selects nothing out and reveals no change time."""
    assert fetch(client, world, "anonymous", datetime="2023-01-01/2023-12-31") == SCOPE["anonymous"]
    refused(client, world, "anonymous", "invalid_datetime", datetime="yesterday")


@pytest.mark.parametrize(
    "value",
    [
        "2024-06-01T12:00:00",  # no offset
        "2024-13-01T00:00:00Z",
        "01/06/2024",
        "../..",
        "/",
        "2024-06-02T00:00:00Z/2024-06-01T00:00:00Z",  # ends before it starts
        "2024-06-01T00:00:00Z/2024-06-02T00:00:00Z/2024-06-03T00:00:00Z",
        "",
    ],
)
def test_a_malformed_datetime_is_a_400(client, world, value):
    refused(client, world, "officer", "invalid_datetime", datetime=value)


def test_datetime_on_views_and_in_the_collection_extent(client, world):
    assert fetch(client, world, "officer", VIEWS, datetime="2024-06-01T12:00:00Z/..") == {"b", "c"}
    document = client.get("/ogc/collections/cameras", headers=world["headers"]["officer"]).json
    assert document["extent"]["temporal"]["interval"] == [["2024-01-10T08:00:00Z", "2025-01-01T00:00:00Z"]]
    assert "temporal" not in client.get("/ogc/collections/cameras").json["extent"]


# ---------------------------------------------------------------- queryables (Part 3)

PUBLIC_QUERYABLES = {
    "camera_id",
    "code",
    "name",
    "camera_type",
    "surveillance_type",
    "municipality",
    "owner",
    "geometry",
}


def test_queryables_are_a_json_schema_of_what_the_caller_may_filter(client, world):
    anonymous = client.get("/ogc/collections/cameras/queryables")
    assert anonymous.status_code == 200 and anonymous.mimetype == "application/schema+json"
    schema = anonymous.json
    assert schema["type"] == "object" and schema["$schema"].startswith("https://json-schema.org/")
    assert schema["$id"] == "http://localhost/ogc/collections/cameras/queryables"
    assert set(schema["properties"]) == PUBLIC_QUERYABLES
    assert schema["properties"]["geometry"]["format"] == "geometry-point"
    assert schema["properties"]["camera_type"]["enum"] == ["fixed", "dome", "panning", "panorama", "thermal"]
    police = client.get("/ogc/collections/cameras/queryables", headers=world["headers"]["officer"]).json
    assert set(police["properties"]) == PUBLIC_QUERYABLES | {
        "status",
        "visibility",
        "updated_at",
        "bearing_deg",
        "hfov_deg",
        "range_m",
    }
    assert police["properties"]["updated_at"] == {
        "title": "updated_at",
        "description": "the record's last change (UTC)",
        "type": "string",
        "format": "date-time",
    }
    views = client.get("/ogc/collections/camera-views/queryables", headers=world["headers"]["officer"]).json
    assert views["properties"]["geometry"]["format"] == "geometry-polygon"
    links = client.get("/ogc/collections/cameras").json["links"]
    assert {
        "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
        "type": "application/schema+json",
    }.items() <= next(link for link in links if link["rel"].endswith("/queryables")).items()


# ---------------------------------------------------------------- CQL2-text filter

ATTRIBUTES = {name: attributes for name, (_owner, _at, attributes, _changed) in CAMERAS.items()}


def _value(name: str, key: str, default=None):
    return ATTRIBUTES[name].get(key, default)


FILTERS = [
    # basic-cql2: comparisons, AND/OR/NOT, IS NULL
    ("camera_type = 'dome'", lambda n: _value(n, "camera_type", "fixed") == "dome"),
    ("camera_type <> 'dome'", lambda n: _value(n, "camera_type", "fixed") != "dome"),
    ("status = 'faulty'", lambda n: _value(n, "status", "active") == "faulty"),
    ("status = 'active' AND visibility = 'private'", lambda n: n in {"c", "e"}),
    ("visibility = 'shared' OR name = 'Via Roma 1'", lambda n: n in {"a", "b"}),
    ("NOT (visibility = 'public')", lambda n: n in {"b", "c", "e"}),
    ("range_m > 50", lambda n: _value(n, "range_m", 100.0) > 50),
    ("range_m >= 50 AND range_m < 100", lambda n: 50 <= _value(n, "range_m", 100.0) < 100),
    ("50 < range_m", lambda n: _value(n, "range_m", 100.0) > 50),
    ("ref IS NULL", None),  # ref is not a queryable: 400 (checked below), not here
    ("updated_at > TIMESTAMP('2024-05-01T00:00:00Z')", lambda n: n in {"b", "c"}),
    ("updated_at <= DATE('2024-02-01')", lambda n: n in {"a", "e"}),
    ("owner = 'negozio'", lambda n: n == "d"),
    ("municipality = '001272'", lambda n: n != "e"),
    ("municipality IS NULL", lambda n: False),  # each camera took its owner's ISTAT code
    ("municipality IS NOT NULL", lambda n: True),
    # advanced-comparison-operators: LIKE (case-sensitive), BETWEEN, IN
    ("name LIKE 'Via%'", lambda n: n in {"a", "e"}),
    ("name LIKE '%roma%'", lambda n: n == "b"),
    ("name NOT LIKE 'Via%'", lambda n: n in {"b", "c", "d"}),
    ("name LIKE 'Via Roma _'", lambda n: n in {"a", "e"}),
    ("name LIKE '%100\\%'", lambda n: n == "d"),
    ("range_m BETWEEN 30 AND 50", lambda n: 30 <= _value(n, "range_m", 100.0) <= 50),
    ("range_m NOT BETWEEN 30 AND 50", lambda n: not 30 <= _value(n, "range_m", 100.0) <= 50),
    ("status IN ('faulty', 'planned')", lambda n: n == "b"),
    # a value outside a vocabulary is no camera's (never a server error), LIKE reads the code as text
    ("status = 'nope'", lambda n: False),
    ("status <> 'nope'", lambda n: True),
    ("camera_type IN ('dome', 'nope')", lambda n: _value(n, "camera_type", "fixed") == "dome"),
    ("visibility LIKE 'pub%'", lambda n: n in {"a", "d"}),
    ("surveillance_type = 'Outdoor'", lambda n: False),
    ("camera_id IN (1, 2)", None),  # ids differ per database: see test_camera_id_and_code
]


@pytest.mark.parametrize(("text", "expected"), [(t, e) for t, e in FILTERS if e is not None])
@pytest.mark.parametrize("role", ["officer", "state_force", "admin"])
def test_cql2_filters_narrow_the_read_scope(client, world, role, text, expected):
    wanted = {name for name in CAMERAS if expected(name)} & SCOPE[role]
    assert fetch(client, world, role, filter=text) == wanted
    assert fetch(client, world, role, filter=text, **{"filter-lang": "cql2-text"}) == wanted


def test_camera_id_and_code(client, world):
    ids = world["ids"]
    text = f"camera_id IN ({ids['a']}, {ids['c']}, {ids['e']})"
    assert fetch(client, world, "officer", filter=text) == {"a", "c"}  # e: not in the scope
    assert fetch(client, world, "anonymous", filter=text) == {"a"}
    assert fetch(client, world, "anonymous", filter=f"code = 'OBS-{ids['d']:06d}'") == {"d"}
    assert fetch(client, world, "officer", filter=f"code <> 'OBS-{ids['d']:06d}'") == {"a", "b", "c"}
    assert fetch(client, world, "officer", filter="code = 'OBS-999999'") == set()


def test_anonymous_callers_filter_public_properties_of_public_cameras(client, world):
    assert fetch(client, world, "anonymous", filter="name LIKE 'Via%'") == {"a"}  # not e, not private
    # the public Feature names public bodies only: a private owner is null to anonymous callers
    assert fetch(client, world, "anonymous", filter="owner = 'negozio'") == set()
    assert fetch(client, world, "anonymous", filter="owner IS NULL") == {"d"}
    for hidden in (
        "status = 'active'",
        "visibility = 'private'",
        "updated_at > DATE('2020-01-01')",
        "range_m > 1",
    ):
        refused(client, world, "anonymous", "unknown_queryable", filter=hidden)
        english = client.get(ITEMS, query_string={"filter": hidden}, headers={"Accept-Language": "en"})
        assert "is not a queryable here" in english.json["detail"]  # the default answer is Italian


def test_s_intersects_matches_shapely(client, world):
    """A polygon literal around two of the cameras; the answer is what shapely finds."""
    ring = [at(300, 600), at(30, 250), at(120, 250), at(210, 100), at(300, 600)]
    polygon = Polygon(ring)
    wkt = "POLYGON((" + ", ".join(f"{lon!r} {lat!r}" for lon, lat in ring) + "))"
    positions = {name: Point(position) for name, (_o, position, _a, _c) in CAMERAS.items()}
    inside = {name for name, point in positions.items() if polygon.intersects(point)}
    assert inside == {"a", "b"}
    assert fetch(client, world, "officer", filter=f"S_INTERSECTS(geometry, {wkt})") == inside
    bbox = polygon.bounds
    literal = f"S_INTERSECTS(geometry, BBOX({bbox[0]!r}, {bbox[1]!r}, {bbox[2]!r}, {bbox[3]!r}))"
    assert fetch(client, world, "admin", filter=literal) == {
        name for name, point in positions.items() if Polygon.from_bounds(*bbox).intersects(point)
    }
    # the views' geometry is the sector: a point 20 m east of b sits in b's view (bearing 90)
    east = at(90, 170)
    views = fetch(
        client, world, "officer", VIEWS, filter=f"S_INTERSECTS(geometry, POINT({east[0]!r} {east[1]!r}))"
    )
    assert views == {"b"}


def test_filter_crs_reads_the_literal_in_that_crs(client, world):
    to_utm = Transformer.from_crs(4326, 32632, always_xy=True)
    ring = [to_utm.transform(*at(azimuth, 200)) for azimuth in (0, 90, 180, 270, 0)]
    wkt = "POLYGON((" + ", ".join(f"{x!r} {y!r}" for x, y in ring) + "))"
    params = {"filter": f"S_INTERSECTS(geometry, {wkt})", "filter-crs": f"{EPSG}32632"}
    assert fetch(client, world, "officer", **params) == {"a", "b"}  # b is 150 m east: inside the diamond
    lon, lat = CAMERAS["a"][1]
    lat_lon = f"POINT({lat!r} {lon!r})"  # EPSG:4326: latitude first
    assert fetch(
        client, world, "officer", filter=f"S_INTERSECTS(geometry, {lat_lon})", **{"filter-crs": f"{EPSG}4326"}
    ) == {"a"}


@pytest.mark.parametrize(
    ("text", "issue"),
    [
        ("colour = 'red'", "unknown_queryable"),
        ("ref IS NULL", "unknown_queryable"),
        ("status = ", "invalid_filter"),
        ("status == 'active'", "invalid_filter"),
        ("name = 5", "invalid_filter"),
        ("range_m = 'far'", "invalid_filter"),
        ("updated_at > 5", "invalid_filter"),
        ("camera_id = 1.5", "invalid_filter"),
        ("range_m LIKE '5%'", "invalid_filter"),
        ("status = name", "unsupported_filter"),
        ("S_WITHIN(geometry, POINT(7 45))", "unsupported_filter"),
        ("S_INTERSECTS(geometry, POLYGON((7 45, 8 46, 8 45, 7 46, 7 45)))", "invalid_filter"),
        ("code > 'OBS-000001'", "invalid_filter"),
        ("NOT " * 3000 + "status = 'active'", "too_long"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_problem(client, world, text, issue):
    body = refused(client, world, "officer", issue, filter=text)
    assert body["errors"][0]["pointer"] == "/filter" and body["detail"]


def test_filter_lang_other_than_cql2_text_and_empty_filters_are_400(client, world):
    response = client.get(ITEMS, query_string={"filter": "{}", "filter-lang": "cql2-json"})
    assert response.status_code == 400
    refused(client, world, "officer", "invalid_filter", filter="  ")
    refused(
        client,
        world,
        "officer",
        "unsupported_crs",
        filter="camera_type = 'dome'",
        **{"filter-crs": "EPSG:2154"},
    )


def test_filter_combines_with_bbox_datetime_and_paging(client, world):
    lon, lat = P
    params = {
        "filter": "name LIKE '%o%'",
        "bbox": f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}",
        "datetime": "2024-01-01/2024-12-31",
        "limit": 1,
    }
    first = client.get(ITEMS, query_string=params, headers=world["headers"]["admin"]).json
    # a (Via Roma 1), b (via roma 2), d (Negozio 100%) in the box and in 2024; c: 2025; e: 2 km away
    assert first["numberMatched"] == 3 and first["numberReturned"] == 1
    seen = names(world, first)
    following = next(link for link in first["links"] if link["rel"] == "next")["href"]
    while following:
        page = client.get(following.replace("http://localhost", ""), headers=world["headers"]["admin"]).json
        assert page["numberMatched"] == 3
        seen |= names(world, page)
        following = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    assert seen == {"a", "b", "d"}
