"""Bad input answers problem+json naming the field, and changes nothing."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from observo.models import Camera, CameraStatusChange
from observo.services.camera_audit import snapshot
from tests import factories

RING = [[7.686, 45.070], [7.687, 45.070], [7.687, 45.071], [7.686, 45.070]]


@pytest.fixture
def editor_headers(session):
    town = factories.org(session, "torino")
    return factories.auth(factories.token(session, factories.user(session, town, "editor")))


def _row_count(session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.scalar(sa.select(sa.func.count()).select_from(Camera)),
        session.scalar(sa.select(sa.func.count()).select_from(CameraStatusChange)),
    )


def _post_raw(client, headers, text, content_type="application/json"):
    return client.post("/api/v1/cameras", data=text, headers={**headers, "Content-Type": content_type})


def _assert_problem(response, status, pointer, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["type"].startswith("urn:observo:problem:")
    assert "Traceback" not in response.get_data(as_text=True)
    matching = [e for e in body.get("errors", []) if e["pointer"] == pointer]
    assert matching, f"no error at {pointer}: {body}"
    if code:
        assert code in {e["code"] for e in matching}, body


GEOMETRY_CASES = {
    "nan": ('{"type": "Point", "coordinates": [NaN, 45.07]}', "/geometry/coordinates/0", "not_finite"),
    "infinity": (
        '{"type": "Point", "coordinates": [7.68, Infinity]}',
        "/geometry/coordinates/1",
        "not_finite",
    ),
    "1e400": ('{"type": "Point", "coordinates": [1e400, 45.07]}', "/geometry/coordinates/0", "not_finite"),
    "lon_range": ('{"type": "Point", "coordinates": [200, 45.07]}', "/geometry/coordinates/0", None),
    "swapped": ('{"type": "Point", "coordinates": [45.07, 7.68]}', "/geometry/coordinates", "axis_order"),
    "empty": ('{"type": "Point", "coordinates": []}', "/geometry/coordinates", None),
    "string": (
        '{"type": "Point", "coordinates": ["7.68", 45.07]}',
        "/geometry/coordinates/0",
        "invalid_type",
    ),
    "wrong_type": ('{"type": "Polygon", "coordinates": [[[7.68, 45.07]]]}', "/geometry/type", "invalid_type"),
}


@pytest.mark.parametrize("case", sorted(GEOMETRY_CASES))
def test_bad_location_is_422_and_writes_nothing(client, session, editor_headers, case):
    geometry, pointer, code = GEOMETRY_CASES[case]
    before = _row_count(session)
    body = json.dumps(factories.feature("torino")).replace(
        '{"type": "Point", "coordinates": [7.6869, 45.0703]}', geometry
    )
    assert geometry in body
    response = _post_raw(client, editor_headers, body)
    _assert_problem(response, 422, pointer, code)
    if code != "axis_order" and pointer.startswith("/geometry/coordinates/"):
        assert response.json["errors"][0]["pointer"].startswith("/geometry/coordinates")
    assert _row_count(session) == before


def _drawn(ring):
    return {"fov_method": "drawn", "fov": {"type": "Polygon", "coordinates": [ring]}}


DRAWN_CASES = {
    "not_closed": (
        [[7.6869, 45.0703], [7.687, 45.071], [7.688, 45.0703], [7.6869, 45.0704]],
        "ring_not_closed",
    ),
    "too_short": ([[7.6869, 45.0703], [7.687, 45.071], [7.6869, 45.0703]], "ring_too_short"),
    "bow_tie": (
        [[7.6869, 45.0703], [7.688, 45.071], [7.688, 45.0703], [7.6869, 45.071], [7.6869, 45.0703]],
        "self_intersection",
    ),
    "far_away": ([[7.70, 45.08], [7.701, 45.08], [7.701, 45.081], [7.70, 45.08]], None),
    "antimeridian": ([[179.9, 45.0], [-179.9, 45.0], [-179.9, 45.1], [179.9, 45.0]], None),
}


@pytest.mark.parametrize("case", sorted(DRAWN_CASES))
def test_bad_drawn_fov_is_422_and_writes_nothing(client, session, editor_headers, case):
    ring, code = DRAWN_CASES[case]
    before = _row_count(session)
    response = client.post(
        "/api/v1/cameras", json=factories.feature("torino", **_drawn(ring)), headers=editor_headers
    )
    assert response.status_code == 422, response.json
    pointers = [e["pointer"] for e in response.json["errors"]]
    assert all(p.startswith("/properties/fov") for p in pointers), pointers
    if code:
        assert code in {e["code"] for e in response.json["errors"]}
    assert _row_count(session) == before


def test_drawn_fov_accepted_with_either_winding(client, editor_headers):
    clockwise = [[7.6869, 45.0703], [7.6869, 45.0710], [7.6880, 45.0710], [7.6869, 45.0703]]
    response = client.post(
        "/api/v1/cameras", json=factories.feature("torino", **_drawn(clockwise)), headers=editor_headers
    )
    assert response.status_code == 201, response.json
    props = response.json["properties"]
    assert props["fov_method"] == "drawn"
    from shapely.geometry import shape

    assert shape(props["fov"]).exterior.is_ccw


FIELD_CASES = {
    "bearing_360": ({"bearing_deg": 360}, "/properties/bearing_deg", "out_of_range"),
    "bearing_negative": ({"bearing_deg": -1}, "/properties/bearing_deg", "out_of_range"),
    "hfov_zero": ({"hfov_deg": 0}, "/properties/hfov_deg", "out_of_range"),
    "hfov_400": ({"hfov_deg": 400}, "/properties/hfov_deg", "out_of_range"),
    "range_600": ({"range_m": 600}, "/properties/range_m", "out_of_range"),
    "range_zero": ({"range_m": 0}, "/properties/range_m", "out_of_range"),
    "tilt_100": ({"tilt_deg": 100}, "/properties/tilt_deg", "out_of_range"),
    "height_negative": ({"height_m": -2}, "/properties/height_m", "out_of_range"),
    "retention_zero": ({"retention_hours": 0}, "/properties/retention_hours", "out_of_range"),
    "retention_missing": (
        {"retention_hours": None, "records": True},
        "/properties/retention_hours",
        "required",
    ),
    "camera_type": ({"camera_type": "spy"}, "/properties/camera_type", "invalid_choice"),
    "status": ({"status": "gone"}, "/properties/status", "invalid_choice"),
    "visibility": ({"visibility": "secret"}, "/properties/visibility", "invalid_choice"),
    "istat": ({"municipality": "12AB"}, "/properties/municipality", "invalid_format"),
    "email": ({"footage_contact_email": "nobody"}, "/properties/footage_contact_email", "invalid_format"),
    "date": ({"installed_on": "31/12/2024"}, "/properties/installed_on", "invalid_format"),
    "validity": (
        {"valid_from": "2025-02-01", "valid_until": "2025-01-01"},
        "/properties/valid_until",
        "invalid_order",
    ),
    "unknown": ({"colour": "red"}, "/properties/colour", "unknown_field"),
    "read_only_version": ({"version": 7}, "/properties/version", "read_only"),
    "read_only_code": ({"code": "OBS-1"}, "/properties/code", "read_only"),
    "read_only_fov": ({"fov": {"type": "Polygon", "coordinates": [RING]}}, "/properties/fov", "read_only"),
    "no_bearing": ({"bearing_deg": None, "hfov_deg": 60}, "/properties/bearing_deg", "required"),
    "missing_name": ({"name": None}, "/properties/name", "required"),
    "unknown_owner": ({"owner": "atlantis"}, "/properties/owner", "unknown_organisation"),
}


@pytest.mark.parametrize("case", sorted(FIELD_CASES))
def test_bad_property_is_422_naming_it(client, session, editor_headers, case):
    overrides, pointer, code = FIELD_CASES[case]
    before = _row_count(session)
    response = client.post(
        "/api/v1/cameras", json=factories.feature("torino", **overrides), headers=editor_headers
    )
    _assert_problem(response, 422, pointer, code)
    assert _row_count(session) == before


def test_non_finite_property_number_is_refused(client, session, editor_headers):
    text = json.dumps(factories.feature("torino")).replace('"range_m": 100.0', '"range_m": NaN')
    _assert_problem(_post_raw(client, editor_headers, text), 422, "/properties/range_m", "not_finite")


def test_client_cannot_set_id(client, session, editor_headers):
    payload = {**factories.feature("torino"), "id": 5}
    _assert_problem(
        client.post("/api/v1/cameras", json=payload, headers=editor_headers), 422, "/id", "read_only"
    )


def test_patch_refuses_read_only_and_leaves_row_unchanged(client, session, editor_headers):
    created = client.post("/api/v1/cameras", json=factories.feature("torino"), headers=editor_headers)
    url, etag = created.headers["Location"], created.headers["ETag"]
    response = client.patch(
        url,
        json={"properties": {"version": 99, "name": "changed"}},
        headers={**editor_headers, "If-Match": etag},
    )
    _assert_problem(response, 422, "/properties/version", "read_only")
    again = client.get(url, headers=editor_headers)
    assert again.headers["ETag"] == etag and again.json["properties"]["name"] != "changed"


def test_malformed_json_is_400(client, session, editor_headers):
    response = _post_raw(client, editor_headers, '{"type": "Feature", ')
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_wrong_content_type_is_415(client, session, editor_headers):
    response = _post_raw(client, editor_headers, json.dumps(factories.feature("torino")), "text/plain")
    assert response.status_code == 415 and response.mimetype == "application/problem+json"


def test_body_too_large_is_413(client, session, editor_headers, app):
    huge = json.dumps({"padding": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    response = _post_raw(client, editor_headers, huge)
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "query",
    ["limit=abc", "limit=0", "offset=-1", "colour=red", "status=gone", "camera_type=spy", "municipality=12"],
)
def test_malformed_query_is_400(client, session, editor_headers, query):
    response = client.get(f"/api/v1/cameras?{query}", headers=editor_headers)
    assert response.status_code == 400, response.json
    assert response.mimetype == "application/problem+json" and response.json["errors"]


def test_limit_above_maximum_is_clamped(client, session, editor_headers):
    response = client.get("/api/v1/cameras?limit=5000", headers=editor_headers)
    assert response.status_code == 200
    assert "limit=1000" in response.request.url or response.json["numberReturned"] <= 1000


def test_problem_title_is_localised(client, session, editor_headers):
    it = client.get("/api/v1/cameras/424242", headers={**editor_headers, "Accept-Language": "it-IT,it;q=0.9"})
    en = client.get("/api/v1/cameras/424242", headers={**editor_headers, "Accept-Language": "en-GB"})
    assert it.json["title"] == "Risorsa non trovata" and en.json["title"] == "Not found"


SERVER_SET = {
    "version": 99,
    "code": "OBS-000001",
    "created_at": "2020-01-01T00:00:00+00:00",
    "updated_at": "2020-01-01T00:00:00+00:00",
    "created_by": "intruder@example.org",
    "updated_by": "intruder@example.org",
    "range_derived": True,
    "fov": {"type": "Polygon", "coordinates": [RING]},
    "id": 1,
    "owner_id": 1,
    "organisation": "regione",
    "public_location": {"type": "Point", "coordinates": [7.0, 45.0]},
}


@pytest.mark.parametrize("name", sorted(SERVER_SET))
def test_server_set_fields_are_refused_and_the_row_is_unchanged(client, session, editor_headers, name):
    """Organisation, version, audit and computed fields: 422 naming the field, nothing written."""
    created = client.post("/api/v1/cameras", json=factories.feature("torino"), headers=editor_headers)
    url, etag = created.headers["Location"], created.headers["ETag"]
    camera = session.get(Camera, created.json["id"])
    before = (snapshot(camera), camera.version, camera.updated_at, camera.updated_by_id)
    response = client.patch(
        url,
        json={"properties": {name: SERVER_SET[name], "name": "changed"}},
        headers={**editor_headers, "If-Match": etag},
    )
    assert response.status_code == 422, response.json
    assert response.json["errors"][0]["pointer"] == f"/properties/{name}"
    session.expire_all()
    camera = session.get(Camera, created.json["id"])
    assert (snapshot(camera), camera.version, camera.updated_at, camera.updated_by_id) == before
