"""OGC API – Features Part 2 (`crs`, `bbox-crs`, Content-Crs) and the Features' parity across paths.

Coordinates are checked against pyproj on both databases: the database reprojects (ST_Transform on
PostGIS, Transform on SpatiaLite), pyproj is the independent answer. EPSG:4326 is written latitude
first, as its URI defines it; CRS84 longitude first. The parity test also covers the OGC additions
(`camera_id`, `code`, `municipality_name`): a page built by PostGIS's SQL equals, Feature for
Feature, the single items built by the schema, in every CRS and for each audience.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from pyproj import Geod, Transformer
from shapely.geometry import Point, shape

from tests import factories

GEOD = Geod(ellps="WGS84")
P = factories.TURIN
ITEMS = "/ogc/collections/cameras/items"
VIEWS = "/ogc/collections/camera-views/items"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
PROJECTED = {f"{EPSG}3857": 3857, f"{EPSG}32632": 32632, f"{EPSG}3003": 3003}
ALL_CRS = [CRS84, f"{EPSG}4326", *PROJECTED]


def at(azimuth: float, metres: float) -> tuple[float, float]:
    lon, lat, _back = GEOD.fwd(*P, azimuth, metres)
    return lon, lat


def expected_xy(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """pyproj's answer, in the CRS's axis order."""
    if crs == CRS84:
        return lon, lat
    if crs == f"{EPSG}4326":
        return lat, lon
    return Transformer.from_crs(4326, PROJECTED[crs], always_xy=True).transform(lon, lat)


def tolerance(crs: str) -> float:
    return 1e-3 if crs in PROJECTED else 1e-7  # 1 mm; 1e-7 degrees (the output's precision)


def get(client, path, headers=None, **params):
    response = client.get(path, query_string=params or None, headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def close(left: Any, right: Any, tol: float, path: str = "") -> None:
    """Equal JSON values, keys in the same order, numbers within `tol`."""
    if isinstance(left, dict):
        assert isinstance(right, dict) and list(left) == list(right), f"{path}: {list(left)} != {list(right)}"
        for key in left:
            close(left[key], right[key], tol, f"{path}/{key}")
    elif isinstance(left, list):
        assert isinstance(right, list) and len(left) == len(right), path
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            close(a, b, tol, f"{path}/{index}")
    elif isinstance(left, (int, float)) and not isinstance(left, bool):
        assert math.isclose(left, right, abs_tol=tol), f"{path}: {left} != {right}"
    else:
        assert left == right, f"{path}: {left!r} != {right!r}"


@pytest.fixture
def world(session):
    town = factories.org(session, "torino", istat_code="001272")
    shop = factories.org(session, "negozio", kind="private", sponsor_slug=town.slug)
    cams = [
        factories.camera(session, town, visibility="public", camera_type="dome"),
        factories.camera(session, shop, *at(60, 400), visibility="public", municipality="001272"),
        factories.camera(session, town, *at(200, 900), visibility="shared", municipality="001156"),
    ]
    return {"cams": cams, "officer": factories.headers_for(session, town, "viewer")}


@pytest.mark.parametrize("crs", ALL_CRS)
def test_positions_are_reprojected_as_pyproj_does(client, session, world, crs):
    officer = world["officer"]
    response = get(client, ITEMS, officer, crs=crs)
    assert response.headers["Content-Crs"] == f"<{crs}>"
    by_id = {feature["id"]: feature for feature in response.json["features"]}
    for camera, (lon, lat) in zip(world["cams"], (P, at(60, 400), at(200, 900)), strict=True):
        x, y = by_id[camera.id]["geometry"]["coordinates"]
        ex, ey = expected_xy(lon, lat, crs)
        assert x == pytest.approx(ex, abs=tolerance(crs)) and y == pytest.approx(ey, abs=tolerance(crs))
        assert "crs" not in by_id[camera.id]["geometry"]  # the header names it, RFC 7946 has no member
        single = get(client, f"{ITEMS}/{camera.id}", officer, crs=crs)
        assert single.headers["Content-Crs"] == f"<{crs}>"
        assert single.json["geometry"]["coordinates"] == pytest.approx([ex, ey], abs=tolerance(crs))


def test_the_default_is_crs84_and_epsg_4326_is_latitude_first(client, world):
    default = get(client, ITEMS, world["officer"])
    assert default.headers["Content-Crs"] == f"<{CRS84}>"
    lon, lat = default.json["features"][0]["geometry"]["coordinates"]
    flipped = get(client, ITEMS, world["officer"], crs=f"{EPSG}4326").json["features"][0]
    assert flipped["geometry"]["coordinates"] == [lat, lon]
    assert 44 < lat < 46 and 7 < lon < 8  # Turin: the first number of EPSG:4326 is the latitude


@pytest.mark.parametrize("audience", ["anonymous", "officer"])
@pytest.mark.parametrize("crs", ALL_CRS)
def test_pages_equal_single_items_with_the_ogc_properties(client, world, audience, crs):
    """PostGIS builds the page in SQL, the schema builds the item: the same Features, key for key."""
    headers = world["officer"] if audience == "officer" else {}
    page = get(client, ITEMS, headers, crs=crs).json["features"]
    assert len(page) == (3 if audience == "officer" else 2)
    for feature in page:
        single = get(client, f"{ITEMS}/{feature['id']}", headers, crs=crs).json
        single.pop("links")
        close(feature, single, tolerance(crs))
        properties = feature["properties"]
        assert properties["camera_id"] == feature["id"] and properties["code"] == f"OBS-{feature['id']:06d}"
    names = {f["properties"]["municipality"]: f["properties"]["municipality_name"] for f in page}
    assert names["001272"] == "Torino"  # the municipality organisation holding the ISTAT code
    if audience == "officer":
        assert names["001156"] is None  # no organisation holds it: no name rather than a guess


@pytest.mark.parametrize("crs", [f"{EPSG}4326", f"{EPSG}3003"])
def test_views_are_reprojected_vertex_for_vertex(client, world, crs):
    officer = world["officer"]
    camera_id = world["cams"][0].id
    plain = get(client, f"{VIEWS}/{camera_id}", officer).json["geometry"]["coordinates"][0]
    moved = get(client, f"{VIEWS}/{camera_id}", officer, crs=crs)
    assert moved.headers["Content-Crs"] == f"<{crs}>"
    ring = moved.json["geometry"]["coordinates"][0]
    assert len(ring) == len(plain)
    for (lon, lat), (x, y) in zip(plain, ring, strict=True):
        assert [x, y] == pytest.approx(
            list(expected_xy(lon, lat, crs)), abs=tolerance(crs) + 0.02
        )  # the CRS84 ring is rounded to 1 cm
    page = get(client, VIEWS, officer, crs=crs).json["features"]
    close(next(f for f in page if f["id"] == camera_id)["geometry"], moved.json["geometry"], tolerance(crs))


@pytest.mark.parametrize("crs", [f"{EPSG}32632", f"{EPSG}3003", f"{EPSG}3857"])
def test_bbox_crs_selects_what_the_projected_box_holds(client, world, crs):
    """A box drawn in UTM or Gauss-Boaga metres: the cameras inside it, by pyproj, and no other."""
    officer = world["officer"]
    x, y = expected_xy(*P, crs)
    bbox = f"{x - 100},{y - 100},{x + 600},{y + 600}"  # holds P; at(60, 400) is about 350 m E, 200 m N
    body = get(client, ITEMS, officer, bbox=bbox, **{"bbox-crs": crs}).json
    inside = set()
    for camera, (lon, lat) in zip(world["cams"], (P, at(60, 400), at(200, 900)), strict=True):
        cx, cy = expected_xy(lon, lat, crs)
        if x - 100 <= cx <= x + 600 and y - 100 <= cy <= y + 600:
            inside.add(camera.id)
    assert {feature["id"] for feature in body["features"]} == inside
    assert len(inside) == 2 and body["numberMatched"] == 2


def test_bbox_crs_epsg_4326_takes_latitude_first(client, world):
    officer = world["officer"]
    lon, lat = P
    body = get(
        client,
        ITEMS,
        officer,
        bbox=f"{lat - 1e-4},{lon - 1e-4},{lat + 1e-4},{lon + 1e-4}",
        **{"bbox-crs": f"{EPSG}4326"},
    ).json
    assert [feature["id"] for feature in body["features"]] == [world["cams"][0].id]
    swapped = client.get(
        ITEMS, query_string={"bbox": f"{lat - 1e-4},{lon - 1e-4},{lat + 1e-4},{lon + 1e-4}"}, headers=officer
    )
    assert swapped.status_code == 200 and swapped.json["features"] == []  # read as CRS84: elsewhere


def test_the_views_bbox_in_a_projected_crs(client, world):
    officer = world["officer"]
    x, y = expected_xy(*P, f"{EPSG}32632")
    # a box of 40 m east of the camera, 10 m around its row: only sectors reaching east get in
    bbox = f"{x + 20},{y - 10},{x + 60},{y + 10}"
    body = get(client, VIEWS, officer, bbox=bbox, **{"bbox-crs": f"{EPSG}32632"}).json
    to_utm = Transformer.from_crs(4326, 32632, always_xy=True)
    region = shape(
        {
            "type": "Polygon",
            "coordinates": [
                [(x + 20, y - 10), (x + 60, y - 10), (x + 60, y + 10), (x + 20, y + 10), (x + 20, y - 10)]
            ],
        }
    )
    expected = set()
    for feature in get(client, VIEWS, officer).json["features"]:
        ring = [to_utm.transform(lon, lat) for lon, lat in feature["geometry"]["coordinates"][0]]
        if shape({"type": "Polygon", "coordinates": [ring]}).intersects(region):
            expected.add(feature["id"])
    assert {feature["id"] for feature in body["features"]} == expected == {world["cams"][0].id}
    assert not region.contains(Point(x, y))


@pytest.mark.parametrize(
    "params",
    [
        {"crs": "EPSG:4326"},
        {"crs": f"{EPSG}2154"},
        {"bbox": "1,2,3,4", "bbox-crs": "urn:ogc:def:crs:EPSG::4326"},
        {"bbox": "1e12,1e12,2e12,2e12", "bbox-crs": f"{EPSG}32632"},
        {"bbox": "10,10,5,5", "bbox-crs": f"{EPSG}3003"},
        {"bbox": "a,b,c,d", "bbox-crs": f"{EPSG}3003"},
    ],
)
def test_unsupported_or_malformed_crs_input_is_a_400(client, world, params):
    response = client.get(ITEMS, query_string=params, headers=world["officer"])
    assert response.status_code == 400, response.json
    assert response.mimetype == "application/problem+json" and response.json["code"] == "malformed_query"
    assert response.json["errors"][0]["code"] in {
        "unsupported_crs",
        "out_of_range",
        "inverted",
        "invalid_format",
    }


def test_unsupported_crs_on_an_item_is_a_400_naming_the_supported(client, world):
    response = client.get(f"{ITEMS}/{world['cams'][0].id}?crs={EPSG}2154")
    assert response.status_code == 400
    assert response.json["errors"][0] == {
        "pointer": "/crs",
        "code": "unsupported_crs",
        "detail": response.json["detail"],
    }
    assert all(uri in response.json["detail"] for uri in ALL_CRS)


def test_collections_list_the_crs_served_and_the_storage_crs(client, world):
    for headers in ({}, world["officer"]):
        for collection in get(client, "/ogc/collections", headers).json["collections"]:
            assert collection["crs"] == ALL_CRS
            assert collection["storageCrs"] == CRS84
            assert collection["extent"]["spatial"]["crs"] == CRS84
    assert (
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"
        in get(client, "/ogc/conformance").json["conformsTo"]
    )
