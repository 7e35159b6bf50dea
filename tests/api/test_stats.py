"""GET /api/v1/stats: counts on designed data, in the caller's read scope; places' coverage trend."""

from __future__ import annotations

from datetime import timedelta

import pytest
from shapely.geometry import box, mapping

from observo.models.base import utcnow
from observo.services import organisations
from tests import factories
from tests.api.test_openapi import _check as check_against_spec

STATS = "/api/v1/stats"
TORINO, NICHELINO, CREMONA, ELSEWHERE = "001272", "001164", "019036", "001156"


@pytest.fixture
def world(session):
    """Torino and Nichelino in a pact; Cremona outside it. Cameras designed for each count."""
    torino = factories.org(session, "torino", istat_code=TORINO)
    nichelino = factories.org(session, "nichelino", istat_code=NICHELINO)
    cremona = factories.org(session, "cremona", istat_code=CREMONA)
    organisations.create_pact(session, slug="patto", name="Patto", member_slugs=["torino", "nichelino"])
    session.commit()
    today = utcnow().date()
    old, recent = today - timedelta(days=400), today - timedelta(days=10)
    camera = factories.camera
    camera(session, torino, last_verified_on=recent)  # fixed, active, shared
    camera(session, torino, camera_type="dome", visibility="private", last_verified_on=old)
    camera(session, torino, status="faulty", visibility="public")  # never verified
    camera(session, torino, records=False, retention_hours=None, last_verified_on=recent)
    camera(session, torino, status="decommissioned", last_verified_on=recent)
    camera(session, torino, municipality=ELSEWHERE, last_verified_on=recent)  # no organisation has it
    camera(session, nichelino, camera_type="panorama", last_verified_on=recent)  # shared: the pact sees it
    camera(session, nichelino, visibility="private", last_verified_on=recent)  # Torino does not
    camera(session, cremona, status="faulty", last_verified_on=old)  # shared outside the pact
    camera(session, cremona, visibility="public", last_verified_on=recent)
    return {"torino": torino, "nichelino": nichelino, "cremona": cremona, "today": today}


def _by_code(answer):
    return {group["istat_code"]: group for group in answer["municipalities"]}


def test_counts_per_municipality_in_the_read_scope(client, session, world):
    headers = factories.headers_for(session, world["torino"], "viewer")
    answer = client.get(STATS, headers=headers).json
    groups = _by_code(answer)
    assert set(groups) == {TORINO, NICHELINO, CREMONA, ELSEWHERE}
    torino = groups[TORINO]
    assert torino["organisation"] == {"slug": "torino", "name": "Torino"}
    figures = torino["figures"]
    assert figures["total"] == 4  # the decommissioned camera is left out
    assert figures["by_camera_type"] == {"fixed": 3, "dome": 1, "panning": 0, "panorama": 0, "thermal": 0}
    assert figures["by_status"] == {
        "planned": 0,
        "active": 3,
        "faulty": 1,
        "inactive": 0,
        "decommissioned": 0,
    }
    assert figures["by_visibility"] == {"public": 1, "shared": 2, "private": 1}
    assert (figures["recording"], figures["retention_known"], figures["retention_known_share"]) == (
        3,
        3,
        0.75,
    )
    assert (figures["not_verified_for_a_year"], figures["faulty"]) == (2, 1)
    assert groups[ELSEWHERE]["organisation"] is None and groups[ELSEWHERE]["figures"]["total"] == 1
    assert groups[NICHELINO]["figures"]["total"] == 1  # its private camera is not Torino's to count
    cremona = groups[CREMONA]["figures"]
    assert (cremona["total"], cremona["by_visibility"]["public"], cremona["faulty"]) == (1, 1, 0)
    totals = answer["totals"]
    assert (totals["total"], totals["faulty"], totals["not_verified_for_a_year"]) == (7, 1, 2)
    assert answer["today"] == world["today"].isoformat() and answer["include_decommissioned"] is False


def test_decommissioned_counted_on_request_and_municipality_filter(client, session, world):
    headers = factories.headers_for(session, world["torino"], "editor")
    answer = client.get(f"{STATS}?include_decommissioned=true&municipality={TORINO}", headers=headers).json
    assert list(_by_code(answer)) == [TORINO]
    figures = answer["municipalities"][0]["figures"]
    assert figures["total"] == 5 and figures["by_status"]["decommissioned"] == 1
    assert answer["totals"]["total"] == 5 and answer["municipality"] == TORINO


def test_admin_counts_everything_and_a_state_force_every_shared_camera(client, session, world):
    admin = factories.headers_for(session, world["cremona"], "admin")
    totals = client.get(STATS, headers=admin).json["totals"]
    assert (totals["total"], totals["faulty"], totals["not_verified_for_a_year"]) == (9, 2, 3)
    carabinieri = factories.org(session, "carabinieri", kind="carabinieri")
    force = factories.headers_for(session, carabinieri, "viewer")
    # every shared and public camera: 10 cameras, less 1 decommissioned and 2 private
    assert client.get(STATS, headers=force).json["totals"]["total"] == 7


def test_places_show_latest_previous_and_trend(client, session, world):
    torino = world["torino"]
    editor = factories.headers_for(session, torino, "editor")
    lon, lat = factories.TURIN[0] + 0.01, factories.TURIN[1]  # 800 m east: out of every camera's reach
    garden = {
        "name": "Giardini",
        "category": "park",
        "geometry": mapping(box(lon - 0.002, lat - 0.002, lon, lat)),
    }
    place_id = client.post("/api/v1/places", json=garden, headers=editor).json["id"]
    first = client.get(STATS, headers=editor).json["places"]
    assert [(p["id"], p["trend"], p["previous"]) for p in first] == [(place_id, None, None)]
    factories.camera(session, torino, lon=lon - 0.001, lat=lat - 0.001, camera_type="dome", range_m=50.0)
    assert client.post(f"/api/v1/places/{place_id}/coverage", headers=editor).status_code == 201
    (place,) = client.get(STATS, headers=editor).json["places"]
    assert place["trend"] == "up" and place["latest"]["ratio"] > place["previous"]["ratio"]
    assert (place["name"], place["organisation"], place["latest"]["camera_count"]) == (
        "Giardini",
        "torino",
        1,
    )
    # Places are the caller's organisation's: the pact partner does not list them here.
    partner = factories.headers_for(session, world["nichelino"], "editor")
    assert client.get(STATS, headers=partner).json["places"] == []
    assert client.get(f"{STATS}?municipality={NICHELINO}", headers=editor).json["places"] == []


def test_answer_matches_the_declared_schema(client, session, world):
    headers = factories.headers_for(session, world["torino"], "viewer")
    answer = client.get(STATS, headers=headers).json
    spec = client.get("/api/v1/openapi.json").json
    check_against_spec(spec, "Stats", answer)


@pytest.mark.parametrize(
    ("query", "status"),
    [("", 401), ("?municipality=12", 400), ("?colour=red", 400), ("?include_decommissioned=x", 400)],
)
def test_refusals(client, session, world, query, status):
    headers = {} if status == 401 else factories.headers_for(session, world["torino"], "viewer")
    assert client.get(f"{STATS}{query}", headers=headers).status_code == status
