"""POST /api/v1/coverage on both databases: figures against independent UTM computations, scope,
filters, validation and the audit entry.

Cameras are laid out in metres with pyproj around Piazza Castello (Turin), so every answer is known.
"""

from __future__ import annotations

import json
import math

import pytest
import shapely
import sqlalchemy as sa
from shapely.geometry import LineString, Point, mapping, shape

from observo.models import AuditEntry
from tests import factories, geo
from tests.geo import utm

P = factories.TURIN
REASON = "PG-2026-0099 pattuglia serale"
COVERAGE = "/api/v1/coverage"


def at(azimuth: float, metres: float) -> tuple[float, float]:
    return geo.at(P, azimuth, metres)


def geojson(geometry) -> dict:
    return json.loads(json.dumps(mapping(geometry)))


def square(half_m: float):
    return geo.square(P, half_m)


@pytest.fixture
def world(session):
    town = factories.org(session, "coverage-town")
    other = factories.org(session, "coverage-other")
    return {
        "town": town,
        "other": other,
        "viewer": factories.headers_for(session, town, "viewer"),
        "outsider": factories.headers_for(session, other, "viewer"),
    }


def run(client, headers, geometry, **fields):
    body = {"geometry": geojson(geometry), "reason": REASON, **fields}
    return client.post(COVERAGE, json=body, headers=headers)


def answer(client, headers, geometry, **fields) -> dict:
    response = run(client, headers, geometry, **fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def fov_of(client, headers, camera_id: int):
    body = client.get(f"/api/v1/cameras/{camera_id}", headers=headers).json
    return shape(body["properties"]["fov"])


def test_two_right_angle_sectors_cover_half_of_the_disc_around_them(client, session, world):
    town = world["town"]
    north_east = factories.camera(session, town, *P, bearing_deg=45, hfov_deg=90, range_m=60)
    south_west = factories.camera(session, town, *P, bearing_deg=225, hfov_deg=90, range_m=60)
    body = answer(client, world["viewer"], Point(P), buffer_m=60)
    assert body["kind"] == "area"
    assert body["area_m2"] == pytest.approx(math.pi * 60**2, rel=5e-3)
    assert body["ratio"] == pytest.approx(0.5, rel=5e-3)
    assert sorted(camera["id"] for camera in body["cameras"]) == sorted([north_east.id, south_west.id])
    for camera in body["cameras"]:
        assert camera["share"] == pytest.approx(0.25, rel=5e-3)
        assert camera["exclusive_m2"] == pytest.approx(camera["covered_m2"], rel=1e-3)
    gaps = body["gaps"]["features"]
    assert len(gaps) == 2 and [gap["properties"]["rank"] for gap in gaps] == [1, 2]
    for gap in gaps:  # the empty quarters: north-west and south-east of the cameras
        centre = shape(gap["geometry"]).representative_point()
        assert (centre.x - P[0]) * (centre.y - P[1]) < 0


def test_overlapping_views_match_an_independent_utm_computation(client, session, world):
    town = world["town"]
    cameras = [
        factories.camera(session, town, *at(200, 60), bearing_deg=30, hfov_deg=70, range_m=80),
        factories.camera(session, town, *at(20, 40), bearing_deg=180, hfov_deg=90, range_m=60),
        factories.camera(session, town, *at(90, 140), bearing_deg=270, hfov_deg=40, range_m=120),
        factories.camera(session, town, *at(0, 400), bearing_deg=0, hfov_deg=60, range_m=50),  # far away
    ]
    target = square(100)
    body = answer(client, world["viewer"], target)
    views = {camera.id: utm(fov_of(client, world["viewer"], camera.id)) for camera in cameras}
    seen = shapely.union_all(list(views.values())).intersection(utm(target))
    assert body["area_m2"] == pytest.approx(utm(target).area, rel=5e-3)
    assert body["covered_m2"] == pytest.approx(seen.area, rel=5e-3)
    assert body["ratio"] == pytest.approx(seen.area / utm(target).area, rel=5e-3)
    assert {camera["id"] for camera in body["cameras"]} == {camera.id for camera in cameras[:3]}
    first = body["cameras"][0]
    own = views[first["id"]].intersection(utm(target))
    others = shapely.union_all([view for cid, view in views.items() if cid != first["id"]])
    assert first["covered_m2"] == pytest.approx(own.area, rel=5e-3)
    assert first["exclusive_m2"] == pytest.approx(own.difference(others).area, rel=5e-3)
    gap_area = sum(feature["properties"]["area_m2"] for feature in body["gaps"]["features"])
    assert gap_area == pytest.approx(utm(target).area - seen.area, rel=5e-3)


def test_a_route_reports_length_covered_length_and_uncovered_stretches(client, session, world):
    start, end = at(270, 200), at(90, 200)
    camera = factories.camera(session, world["town"], *at(180, 30), bearing_deg=0, hfov_deg=100, range_m=80)
    line = LineString([start, end])
    body = answer(client, world["viewer"], line, buffer_m=8)
    view = utm(fov_of(client, world["viewer"], camera.id))
    covered = utm(line).intersection(view.buffer(8)).length
    route = body["route"]
    assert body["kind"] == "route"
    assert route["length_m"] == pytest.approx(400, rel=1e-3)
    assert route["covered_length_m"] == pytest.approx(covered, rel=5e-3)
    assert route["ratio"] == pytest.approx(covered / 400, rel=5e-3)
    stretches = route["uncovered"]
    assert [s["from_m"] for s in stretches] == sorted(s["from_m"] for s in stretches)
    assert stretches[0]["from_m"] == 0 and stretches[-1]["to_m"] == pytest.approx(400, rel=1e-3)
    assert sum(s["length_m"] for s in stretches) == pytest.approx(400 - covered, rel=5e-3)
    assert shape(stretches[0]["geometry"]).geom_type == "LineString"
    corridor = utm(line).buffer(8)
    assert body["area_m2"] == pytest.approx(corridor.area, rel=5e-3)


def test_only_active_cameras_count_unless_other_statuses_are_included(client, session, world):
    factories.camera(session, world["town"], *P, bearing_deg=90, hfov_deg=90, range_m=50, status="faulty")
    target = square(40)
    assert answer(client, world["viewer"], target)["covered_m2"] == 0
    with_faulty = answer(client, world["viewer"], target, include=["faulty"])
    assert with_faulty["covered_m2"] > 0
    assert with_faulty["statuses"] == ["active", "faulty"]
    assert answer(client, world["viewer"], target, status=["faulty"])["statuses"] == ["faulty"]


def test_cameras_outside_the_callers_scope_do_not_count(client, session, world):
    factories.camera(
        session, world["town"], *P, bearing_deg=90, hfov_deg=90, range_m=50, visibility="private"
    )
    target = square(40)
    assert answer(client, world["viewer"], target)["covered_m2"] > 0
    hidden = answer(client, world["outsider"], target)
    assert hidden["covered_m2"] == 0 and hidden["cameras"] == []


def test_suggestions_lie_in_the_gaps_and_add_uncovered_area(client, session, world):
    factories.camera(session, world["town"], *P, bearing_deg=90, hfov_deg=90, range_m=60)
    target = square(100)
    body = answer(client, world["viewer"], target, suggestions=3, suggestion_range_m=40)
    suggestions = body["suggestions"]
    assert [s["rank"] for s in suggestions] == [1, 2, 3]
    covered = utm(fov_of(client, world["viewer"], body["cameras"][0]["id"]))
    for suggestion in suggestions:
        assert suggestion["label"] == "suggestion" and suggestion["range_m"] == 40
        point = utm(shape(suggestion["geometry"]))
        assert utm(target).contains(point) and not covered.contains(point)
        assert 0 < suggestion["added_m2"] <= math.pi * 40**2 * 1.001
    assert suggestions[0]["added_m2"] >= suggestions[-1]["added_m2"]


def test_each_run_is_audited_with_its_reason(client, session, world):
    factories.camera(session, world["town"], *P, bearing_deg=90, hfov_deg=90, range_m=50)
    start = session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))
    body = answer(client, world["viewer"], square(40))
    session.expire_all()
    entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.id > start)).all()
    assert [(entry.action, entry.reason, entry.result_count) for entry in entries] == [
        ("query.coverage", REASON, len(body["cameras"]))
    ]
    assert json.loads(entries[0].details)["ratio"] == body["ratio"]


@pytest.mark.parametrize(
    ("geometry", "fields", "pointer", "code"),
    [
        (Point(P), {}, "/buffer_m", "buffer_required"),
        (LineString([P, at(90, 100)]), {}, "/buffer_m", "buffer_required"),
        (square(4000), {}, "/geometry", "area_too_large"),
        (square(40), {"include": ["broken"]}, "/include/0", None),
        (square(40), {"suggestions": 50}, "/suggestions", None),
    ],
    ids=["point-without-radius", "route-without-corridor", "too-large", "bad-status", "too-many-suggestions"],
)
def test_bad_requests_are_refused_with_a_pointer(client, world, geometry, fields, pointer, code):
    response = run(client, world["viewer"], geometry, **fields)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    errors = {error["pointer"]: error["code"] for error in response.json["errors"]}
    assert pointer in errors
    if code:
        assert errors[pointer] == code


def test_a_reason_is_required_and_anonymous_callers_are_refused(client, world):
    missing = client.post(COVERAGE, json={"geometry": geojson(square(40))}, headers=world["viewer"])
    assert missing.status_code == 422
    assert missing.json["errors"][0]["pointer"] == "/reason"
    anonymous = client.post(COVERAGE, json={"geometry": geojson(square(40)), "reason": REASON})
    assert anonymous.status_code == 401
