"""The `camera-views` OGC collection: each camera's field of view as a polygon Feature, police only.

On both databases, for every role: anonymous callers find no such collection (the 404 of a missing
one, and it is not listed); a municipality's officer, a state force and an admin get exactly the
cameras of their read scope (the same ids as the `cameras` collection gives them). Geometries are
checked against pyproj and shapely on sectors with known answers.
"""

from __future__ import annotations

import pytest
from pyproj import Geod
from shapely.geometry import Point, box, shape

from tests import factories

GEOD = Geod(ellps="WGS84")
P = factories.TURIN
VIEWS = "/ogc/collections/camera-views"
CAMERAS = "/ogc/collections/cameras"
GEOJSON = "application/geo+json"


def at(azimuth: float, metres: float, origin: tuple[float, float] = P) -> tuple[float, float]:
    lon, lat, _back = GEOD.fwd(*origin, azimuth, metres)
    return lon, lat


def ids(body) -> list[int]:
    return [feature["id"] for feature in body["features"]]


def get(client, path, headers=None, **params):
    response = client.get(path, query_string=params or None, headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


@pytest.fixture
def world(session):
    town = factories.org(session, "torino", istat_code="001272")
    other = factories.org(session, "moncalieri", istat_code="001156")
    station = factories.org(session, "cc-torino", kind="carabinieri")
    region = factories.org(session, "regione", kind="public_body")
    cams = {
        "t_public": factories.camera(
            session, town, visibility="public", bearing_deg=90, hfov_deg=60, range_m=50
        ),
        "t_shared": factories.camera(session, town, *at(0, 200), visibility="shared"),
        "t_private": factories.camera(session, town, *at(90, 300), visibility="private"),
        "unknown": factories.camera(
            session, town, *at(180, 250), visibility="private", bearing_deg=None, direction_unknown=True
        ),
        "o_shared": factories.camera(session, other, *at(270, 400), visibility="shared"),
        "o_private": factories.camera(session, other, *at(270, 600), visibility="private"),
    }
    headers = {
        "officer": factories.headers_for(session, town, "viewer"),
        "state_force": factories.headers_for(session, station, "viewer"),
        "admin": factories.headers_for(session, region, "admin"),
    }
    return {"cams": {name: camera.id for name, camera in cams.items()}, "headers": headers}


EXPECTED = {
    "officer": {"t_public", "t_shared", "t_private", "unknown"},
    "state_force": {"t_public", "t_shared", "o_shared"},
    "admin": {"t_public", "t_shared", "t_private", "unknown", "o_shared", "o_private"},
}


def _without_request_id(response) -> dict:
    body = dict(response.json)
    body.pop("request_id", None)
    return body


def test_anonymous_callers_find_no_such_collection(client, world):
    listed = get(client, "/ogc/collections").json["collections"]
    assert [collection["id"] for collection in listed] == ["cameras"]
    some_id = world["cams"]["t_public"]  # public as a camera, but its field of view is not
    for suffix in ("", "/items", f"/items/{some_id}", "/queryables"):
        hidden = client.get(VIEWS + suffix)
        missing = client.get("/ogc/collections/nosuch" + suffix)
        assert hidden.status_code == missing.status_code == 404
        assert hidden.mimetype == missing.mimetype == "application/problem+json"
        assert _without_request_id(hidden) == {
            **_without_request_id(missing),
            "detail": missing.json["detail"].replace("'nosuch'", "'camera-views'"),
        }


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_every_role_gets_the_fields_of_view_of_its_read_scope(client, world, role):
    headers = world["headers"][role]
    listed = get(client, "/ogc/collections", headers).json["collections"]
    assert [collection["id"] for collection in listed] == ["cameras", "camera-views"]
    body = get(client, VIEWS + "/items", headers, limit=100).json
    expected = {world["cams"][name] for name in EXPECTED[role]}
    assert set(ids(body)) == expected and body["numberMatched"] == len(expected)
    assert ids(body) == sorted(ids(body))  # by camera id
    assert set(ids(body)) == set(ids(get(client, CAMERAS + "/items", headers, limit=100).json))
    for feature in body["features"]:
        assert feature["geometry"]["type"] == "Polygon"
        assert set(feature["properties"]) >= {"camera_id", "code", "name", "owner", "status", "bearing_deg"}
        assert feature["properties"]["camera_id"] == feature["id"]
        assert feature["properties"]["code"] == f"OBS-{feature['id']:06d}"
        # the same polygon as the camera's own record
        record = get(client, f"/api/v1/cameras/{feature['id']}", headers).json
        assert feature["geometry"] == record["properties"]["fov"]
        single = get(client, f"{VIEWS}/items/{feature['id']}", headers)
        assert single.mimetype == GEOJSON
        assert {k: v for k, v in single.json.items() if k != "links"} == feature
    hidden = set(world["cams"].values()) - expected
    for camera_id in hidden:
        assert client.get(f"{VIEWS}/items/{camera_id}", headers=headers).status_code == 404


def test_the_sector_is_where_pyproj_puts_it(client, world):
    headers = world["headers"]["officer"]
    feature = get(client, f"{VIEWS}/items/{world['cams']['t_public']}", headers).json
    assert feature["properties"]["bearing_deg"] == 90 and feature["properties"]["range_m"] == 50
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1]
    distances, azimuths = [], []
    for lon, lat in ring:
        azimuth, _back, metres = GEOD.inv(*P, lon, lat)
        distances.append(metres)
        if metres > 1:
            azimuths.append(azimuth % 360)
    assert min(distances) < 0.05  # the apex is the camera
    assert max(distances) == pytest.approx(50, abs=0.1)
    assert min(azimuths) >= 60 - 0.5 and max(azimuths) <= 120 + 0.5  # bearing 90, 60 degrees wide
    polygon = shape(feature["geometry"])
    assert polygon.is_valid and polygon.contains(Point(at(90, 25)))
    assert not polygon.contains(Point(at(270, 25)))


def test_direction_unknown_is_a_one_metre_disc_flagged_as_such(client, world):
    headers = world["headers"]["officer"]
    feature = get(client, f"{VIEWS}/items/{world['cams']['unknown']}", headers).json
    assert feature["properties"]["direction_unknown"] is True
    assert feature["properties"]["bearing_deg"] is None
    area, _perimeter = GEOD.geometry_area_perimeter(shape(feature["geometry"]))
    assert abs(area) == pytest.approx(3.14159, rel=0.05)  # pi square metres


def test_bbox_selects_views_that_reach_into_it(client, world):
    """A box east of the camera, not holding it, meets its sector: the view is listed, the camera not."""
    headers = world["headers"]["officer"]
    west, south = at(90, 20)[0], at(180, 5)[1]
    east, north = at(90, 45)[0], at(0, 5)[1]
    bbox = f"{west!r},{south!r},{east!r},{north!r}"
    views = get(client, VIEWS + "/items", headers, bbox=bbox).json
    cameras = get(client, CAMERAS + "/items", headers, bbox=bbox).json
    region = box(west, south, east, north)
    everything = get(client, VIEWS + "/items", headers, limit=100).json["features"]
    expected = {f["id"] for f in everything if shape(f["geometry"]).intersects(region)}
    assert set(ids(views)) == expected == {world["cams"]["t_public"]}
    assert ids(cameras) == [] and not region.contains(Point(P))


def test_paging_follows_next_links_and_counts_exactly(client, world):
    headers = world["headers"]["admin"]
    first = get(client, VIEWS + "/items", headers, limit=4).json
    assert first["numberMatched"] == 6 and first["numberReturned"] == 4
    following = next(link for link in first["links"] if link["rel"] == "next")
    assert following["type"] == GEOJSON
    second = get(client, following["href"].replace("http://localhost", ""), headers).json
    assert second["numberReturned"] == 2 and not any(link["rel"] == "next" for link in second["links"])
    assert sorted(ids(first) + ids(second)) == sorted(world["cams"].values())
    clamped = get(client, VIEWS + "/items", headers, limit=10**6).json
    assert clamped["numberReturned"] == 6
    assert client.get(VIEWS + "/items?limit=0", headers=headers).status_code == 400
    assert client.get(VIEWS + "/items?colour=red", headers=headers).status_code == 400


def test_the_collection_document_describes_the_views(client, world):
    headers = world["headers"]["officer"]
    document = get(client, VIEWS, headers).json
    assert document["id"] == "camera-views" and document["itemType"] == "feature"
    rels = {link["rel"]: link for link in document["links"]}
    assert rels["items"]["type"] == GEOJSON
    assert rels["http://www.opengis.net/def/rel/ogc/1.0/queryables"]["type"] == "application/schema+json"
    everything = get(client, VIEWS + "/items", headers, limit=100).json["features"]
    bounds = [shape(f["geometry"]).bounds for f in everything]
    expected = [
        min(b[0] for b in bounds),
        min(b[1] for b in bounds),
        max(b[2] for b in bounds),
        max(b[3] for b in bounds),
    ]
    assert document["extent"]["spatial"]["bbox"] == [pytest.approx(expected, abs=1e-7)]
