"""Register, read, list, change, decommission: the camera lifecycle through the API."""

from __future__ import annotations

import pytest
from geoalchemy2.shape import to_shape
from pyproj import Geod
from shapely.geometry import Point, shape

from observo.models import Camera
from tests import factories

GEOD = Geod(ellps="WGS84")


@pytest.fixture
def town(session):
    return factories.org(session, "torino")


@pytest.fixture
def editor_headers(session, town):
    return factories.auth(factories.token(session, factories.user(session, town, "editor")))


def _create(client, headers, **overrides):
    response = client.post("/api/v1/cameras", json=factories.feature("torino", **overrides), headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response


def test_create_returns_feature_location_and_etag(client, editor_headers, session):
    response = _create(client, editor_headers, name="Piazza Castello nord")
    body = response.json
    assert response.mimetype == "application/geo+json"
    assert body["type"] == "Feature" and isinstance(body["id"], int)
    assert response.headers["Location"].endswith(f"/api/v1/cameras/{body['id']}")
    assert response.headers["ETag"] == f'"{body["id"]}.1"'
    props = body["properties"]
    assert props["code"] == f"OBS-{body['id']:06d}"
    assert (props["status"], props["visibility"], props["fov_method"]) == ("active", "shared", "computed")
    assert shape(props["fov"]).buffer(1e-9).contains(shape(body["geometry"]))
    stored = session.get(Camera, body["id"])
    assert to_shape(stored.location).equals_exact(Point(*factories.TURIN), 1e-9)


def test_sector_sees_east_not_west(client, editor_headers):
    """A camera looking east with range 100 m sees a point 90 m east, not one 90 m west."""
    body = _create(client, editor_headers, bearing_deg=90, hfov_deg=60, range_m=100).json
    fov = shape(body["properties"]["fov"])
    east = GEOD.fwd(*factories.TURIN, 90, 90)[:2]
    west = GEOD.fwd(*factories.TURIN, 270, 90)[:2]
    assert fov.contains(Point(east)) and not fov.contains(Point(west))


def test_dome_defaults_to_circle_and_derived_range(client, editor_headers):
    body = _create(
        client,
        editor_headers,
        camera_type="dome",
        bearing_deg=None,
        range_m=None,
        height_m=6.0,
        tilt_deg=30.0,
    ).json["properties"]
    assert body["hfov_deg"] == 360 and body["range_derived"] is True
    assert body["range_m"] == pytest.approx(6.0 / 0.5773502691896257, rel=1e-3)  # h / tan(30°)


def test_get_list_paging_and_next_link(client, editor_headers):
    for _ in range(5):
        _create(client, editor_headers)
    first = client.get("/api/v1/cameras?limit=2", headers=editor_headers).json
    assert (first["numberMatched"], first["numberReturned"]) == (5, 2)
    next_link = next(link for link in first["links"] if link["rel"] == "next")
    assert next_link["type"] == "application/geo+json"
    second = client.get(next_link["href"], headers=editor_headers).json
    last = client.get("/api/v1/cameras?limit=2&offset=4", headers=editor_headers).json
    assert last["numberReturned"] == 1 and not [link for link in last["links"] if link["rel"] == "next"]
    ids = [f["id"] for f in first["features"] + second["features"] + last["features"]]
    assert ids == sorted(ids) and len(set(ids)) == 5


def test_filters(client, editor_headers):
    _create(client, editor_headers, camera_type="dome", bearing_deg=None)
    _create(client, editor_headers, camera_type="fixed", status="faulty")
    domes = client.get("/api/v1/cameras?camera_type=dome", headers=editor_headers).json
    assert [f["properties"]["camera_type"] for f in domes["features"]] == ["dome"]
    faulty = client.get("/api/v1/cameras?status=faulty,inactive", headers=editor_headers).json
    assert [f["properties"]["status"] for f in faulty["features"]] == ["faulty"]


def test_patch_with_etag_recomputes_fov(client, editor_headers):
    created = _create(client, editor_headers, bearing_deg=90)
    url, etag = created.headers["Location"], created.headers["ETag"]
    response = client.patch(
        url, json={"properties": {"bearing_deg": 270}}, headers={**editor_headers, "If-Match": etag}
    )
    assert response.status_code == 200, response.json
    assert response.headers["ETag"] != etag
    fov = shape(response.json["properties"]["fov"])
    assert fov.contains(Point(GEOD.fwd(*factories.TURIN, 270, 50)[:2]))
    assert not fov.contains(Point(GEOD.fwd(*factories.TURIN, 90, 50)[:2]))


def test_patch_merge_patch_content_type_and_move(client, editor_headers, session):
    created = _create(client, editor_headers)
    moved = [7.6880, 45.0710]
    response = client.patch(
        created.headers["Location"],
        data='{"geometry": {"type": "Point", "coordinates": [7.688, 45.071]}}',
        headers={
            **editor_headers,
            "If-Match": created.headers["ETag"],
            "Content-Type": "application/merge-patch+json",
        },
    )
    assert response.status_code == 200, response.json
    assert response.json["geometry"]["coordinates"] == moved
    assert shape(response.json["properties"]["fov"]).buffer(1e-9).contains(Point(moved))


def test_two_patches_with_same_etag_one_wins(client, editor_headers, session):
    created = _create(client, editor_headers)
    url, etag = created.headers["Location"], created.headers["ETag"]
    headers = {**editor_headers, "If-Match": etag}
    first = client.patch(url, json={"properties": {"name": "first"}}, headers=headers)
    second = client.patch(url, json={"properties": {"name": "second"}}, headers=headers)
    assert sorted([first.status_code, second.status_code]) == [200, 412]
    assert second.mimetype == "application/problem+json"
    session.expire_all()
    assert session.get(Camera, created.json["id"]).name == "first"


def test_patch_and_delete_need_if_match(client, editor_headers, session):
    created = _create(client, editor_headers)
    url = created.headers["Location"]
    assert client.patch(url, json={"properties": {"name": "x"}}, headers=editor_headers).status_code == 428
    assert client.delete(url, headers=editor_headers).status_code == 428
    weak = {**editor_headers, "If-Match": "W/" + created.headers["ETag"]}
    assert client.delete(url, headers=weak).status_code == 412
    session.expire_all()
    assert session.get(Camera, created.json["id"]).status == "active"


def test_stale_edit_is_refused_not_merged(client, editor_headers, session):
    created = _create(client, editor_headers)
    url, old = created.headers["Location"], created.headers["ETag"]
    client.patch(url, json={"properties": {"name": "new"}}, headers={**editor_headers, "If-Match": old})
    stale = client.patch(
        url, json={"properties": {"address": "via Po 1"}}, headers={**editor_headers, "If-Match": old}
    )
    assert stale.status_code == 412
    session.expire_all()
    assert session.get(Camera, created.json["id"]).address is None


def test_delete_decommissions_and_keeps_history(client, editor_headers, session):
    created = _create(client, editor_headers)
    url = created.headers["Location"]
    response = client.delete(url, headers={**editor_headers, "If-Match": created.headers["ETag"]})
    assert response.status_code == 204
    assert client.get(url, headers=editor_headers).json["properties"]["status"] == "decommissioned"
    assert client.get("/api/v1/cameras", headers=editor_headers).json["numberMatched"] == 0
    retired = client.get("/api/v1/cameras?status=decommissioned", headers=editor_headers).json
    assert retired["numberMatched"] == 1
    history = client.get(f"{url}/history", headers=editor_headers).json["changes"]
    assert [(c["from_status"], c["to_status"]) for c in history] == [
        (None, "active"),
        ("active", "decommissioned"),
    ]


def test_unknown_camera_is_404_problem(client, editor_headers):
    response = client.get("/api/v1/cameras/999999", headers=editor_headers)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.json["status"] == 404 and response.json["type"].endswith("not_found")


def _patch(client, headers, created, body):
    return client.patch(
        created.headers["Location"], json=body, headers={**headers, "If-Match": created.headers["ETag"]}
    )


DRAWN = {
    "fov_method": "drawn",
    "fov": {
        "type": "Polygon",
        "coordinates": [[[7.6869, 45.0703], [7.6880, 45.0703], [7.6880, 45.0710], [7.6869, 45.0703]]],
    },
}


def test_moving_a_drawn_camera_far_from_its_polygon_is_refused(client, editor_headers, session):
    created = _create(client, editor_headers, **DRAWN)
    far = {"geometry": {"type": "Point", "coordinates": [7.70, 45.08]}}
    response = _patch(client, editor_headers, created, far)
    assert response.status_code == 422
    assert response.json["errors"][0]["pointer"] == "/properties/fov"
    session.expire_all()
    assert session.get(Camera, created.json["id"]).version == 1


def test_switching_a_drawn_camera_back_to_computed(client, editor_headers):
    created = _create(client, editor_headers, **DRAWN)
    response = _patch(
        client, editor_headers, created, {"properties": {"fov_method": "computed", "range_m": 50}}
    )
    assert response.status_code == 200, response.json
    props = response.json["properties"]
    assert props["fov_method"] == "computed" and props["range_m"] == 50
    east_45m = Point(GEOD.fwd(*factories.TURIN, 90, 45)[:2])  # bearing 90 from the factory
    assert shape(props["fov"]).contains(east_45m)


def test_derived_range_follows_height_but_given_range_stays(client, editor_headers):
    derived = _create(client, editor_headers, range_m=None, height_m=5.0, tilt_deg=45.0)
    assert derived.json["properties"]["range_m"] == pytest.approx(5.0, rel=1e-3)
    raised = _patch(client, editor_headers, derived, {"properties": {"height_m": 10.0}})
    assert raised.json["properties"]["range_m"] == pytest.approx(10.0, rel=1e-3)
    given = _create(client, editor_headers, range_m=80.0, height_m=5.0, tilt_deg=45.0)
    moved_up = _patch(client, editor_headers, given, {"properties": {"height_m": 10.0}})
    assert moved_up.json["properties"]["range_m"] == 80.0
