"""A head whose direction nobody knows (issue 17): registered, drawn as its own spot, counted as
seeing nothing by "who sees this point" and coverage until its direction is given. Both databases."""

from __future__ import annotations

import pytest
from pyproj import Geod
from shapely.geometry import Point, shape

from tests import factories, geo

GEOD = Geod(ellps="WGS84")
P = factories.TURIN
REASON = "PG-2026-0101 verifica censimento"
CAMERAS = "/api/v1/cameras"


@pytest.fixture
def town(session):
    return factories.org(session, "torino", istat_code="001272")


@pytest.fixture
def editor(session, town):
    return factories.headers_for(session, town, "editor")


def _create(client, headers, **properties):
    body = factories.feature("torino", **properties)
    return client.post(CAMERAS, json=body, headers=headers)


def _radius_m(polygon, centre) -> float:
    return max(GEOD.inv(*centre, x, y)[2] for x, y in polygon.exterior.coords)


def test_a_fixed_head_without_direction_is_refused_unless_declared_unknown(client, editor):
    refused = _create(client, editor, camera_type="fixed", bearing_deg=None, hfov_deg=60)
    assert refused.status_code == 422
    assert "direction_unknown" in refused.get_data(as_text=True)
    created = _create(
        client, editor, camera_type="fixed", bearing_deg=None, hfov_deg=60, direction_unknown=True
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    props = created.json["properties"]
    assert props["direction_unknown"] is True and props["bearing_deg"] is None
    assert props["hfov_deg"] == 60 and props["range_m"] >= 1  # what it could see once pointed
    spot = shape(props["fov"])
    assert spot.contains(Point(P)) and _radius_m(spot, P) == pytest.approx(1.0, abs=0.01)


def test_who_sees_a_point_and_coverage_leave_it_out_until_its_direction_is_known(
    client, session, town, editor
):
    camera = _create(
        client, editor, camera_type="fixed", bearing_deg=None, hfov_deg=90, range_m=60, direction_unknown=True
    ).json
    ahead = geo.at(P, 0, 30)
    sees = client.get(
        CAMERAS, query_string={"sees": f"{ahead[0]!r},{ahead[1]!r}", "reason": REASON}, headers=editor
    )
    assert sees.status_code == 200 and sees.json["features"] == []
    area = {"geometry": {"type": "Point", "coordinates": list(P)}, "buffer_m": 60, "reason": REASON}
    coverage = client.post("/api/v1/coverage", json=area, headers=editor).json
    assert coverage["ratio"] == pytest.approx(0.0, abs=1e-3)  # the disc around it is a gap

    headers = {**editor, "If-Match": f'"{camera["id"]}.1"'}
    patched = client.patch(
        f"{CAMERAS}/{camera['id']}", json={"properties": {"bearing_deg": 0}}, headers=headers
    )
    assert patched.status_code == 200, patched.get_data(as_text=True)
    props = patched.json["properties"]
    assert props["direction_unknown"] is False and props["bearing_deg"] == 0
    assert shape(props["fov"]).contains(Point(ahead))
    sees = client.get(
        CAMERAS, query_string={"sees": f"{ahead[0]!r},{ahead[1]!r}", "reason": REASON}, headers=editor
    )
    assert [feature["id"] for feature in sees.json["features"]] == [camera["id"]]
    coverage = client.post("/api/v1/coverage", json=area, headers=editor).json
    assert coverage["ratio"] == pytest.approx(0.25, rel=5e-3)  # a right angle of the 60 m disc


def test_an_all_round_head_has_no_unknown_direction(client, editor):
    body = _create(client, editor, camera_type="dome", bearing_deg=None, direction_unknown=True).json
    assert body["properties"]["direction_unknown"] is False and body["properties"]["hfov_deg"] == 360
