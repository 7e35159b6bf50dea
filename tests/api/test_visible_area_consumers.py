"""What a camera sees is its visible area when obstacles clip its sector (issue 20), on both databases.

A camera at the centre looks north (90 degrees, 60 m). Its visible area is set directly: the sector
minus a rectangle 20 m wide from 20 m to 80 m north of it, as a building's shadow would leave it.
Who-sees, search, coverage (gaps, routes, suggestions), places and interventions must then treat
the rectangle as unseen, say `view_model: visible_area`, and agree with shapely on the same
geometries; a camera whose visible area is NULL keeps its whole sector (`view_model: sector`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from geoalchemy2 import WKTElement
from geoalchemy2.shape import to_shape
from shapely.geometry import LineString, Point, box, mapping, shape

from observo.domain.shapes import Area
from observo.models import AuditEntry, Camera, Intervention, Obstacle
from observo.services import intervention_snapshot
from observo.services import interventions as plans
from observo.services.actors import actor_for
from tests import factories
from tests.api.test_openapi import _check as check_against_spec
from tests.geo import utm

LON, LAT = factories.TURIN
CENTRE = Area(Point(LON, LAT))
REASON = "PG-2026-0420 verifica visibilità"
SHADOW_LOCAL = box(-10, 20, 10, 80)  # metres east, north of the camera
HIDDEN = (0, 40)  # behind the "building", inside the sector
SEEN = (20, 35)  # inside the sector, beside the shadow


def lonlat(east_m: float, north_m: float) -> tuple[float, float]:
    point = CENTRE.to_lonlat(Point(east_m, north_m))
    return point.x, point.y


def local_box(centre: tuple[float, float], half_m: float):
    x, y = centre
    return CENTRE.to_lonlat(box(x - half_m, y - half_m, x + half_m, y + half_m))


def geojson(geometry) -> dict:
    return json.loads(json.dumps(mapping(geometry)))


@pytest.fixture
def town(session):
    return factories.org(session, "visible-town")


@pytest.fixture
def viewer(session, town):
    return factories.headers_for(session, town, "viewer")


def north_camera(session, town, **overrides) -> Camera:
    return factories.camera(
        session, town, LON, LAT, bearing_deg=0, hfov_deg=90, range_m=60, visibility="shared", **overrides
    )


def clip(session, camera: Camera):
    """Store the sector minus the shadow as the camera's visible area; returns it (EPSG:4326)."""
    session.refresh(camera)
    sector = to_shape(camera.fov)
    visible = sector.difference(CENTRE.to_lonlat(SHADOW_LOCAL))
    assert 0 < visible.area < sector.area  # a notch from 20 m out to the arc
    session.execute(
        sa.update(Camera).where(Camera.id == camera.id).values(fov_visible=WKTElement(visible.wkt, srid=4326))
    )
    session.commit()
    return visible


@pytest.fixture
def clipped(session, town):
    camera = north_camera(session, town)
    return camera, clip(session, camera)


def who_sees(client, headers, point: tuple[float, float]) -> dict:
    url = f"/api/v1/cameras?sees={point[0]},{point[1]}&reason={REASON}"
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def post(client, headers, path: str, geometry, **fields) -> dict:
    body = {"geometry": geojson(geometry), "reason": REASON, **fields}
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def spec(client) -> dict:
    return client.get("/api/v1/openapi.json").json


# --- who sees this point ---------------------------------------------------------------------------


def test_a_point_behind_the_building_is_not_seen_one_beside_it_is(client, viewer, clipped):
    camera, _visible = clipped
    hidden = who_sees(client, viewer, lonlat(*HIDDEN))
    assert hidden["features"] == [] and hidden["view_model"] == "visible_area"
    seen = who_sees(client, viewer, lonlat(*SEEN))
    assert [feature["id"] for feature in seen["features"]] == [camera.id]
    assert seen["view_model"] == "visible_area"


def test_who_sees_agrees_with_shapely_on_the_visible_area(client, viewer, clipped):
    camera, visible = clipped
    for east in (-25, -15, -5, 5, 15, 25):
        for north in (15, 27, 39, 51):
            point = lonlat(east, north)
            found = [feature["id"] for feature in who_sees(client, viewer, point)["features"]]
            assert found == ([camera.id] if visible.intersects(Point(point)) else []), (east, north)


def test_a_camera_without_visible_area_keeps_its_sector(client, session, town, viewer):
    camera = north_camera(session, town)
    hidden = who_sees(client, viewer, lonlat(*HIDDEN))
    assert [feature["id"] for feature in hidden["features"]] == [camera.id]
    assert hidden["view_model"] == "sector"


def test_view_model_counts_only_the_callers_cameras(client, session, town, clipped):
    """A clipped camera the caller may not read does not turn its answer to visible_area."""
    other = factories.org(session, "visible-other")
    outsider = factories.headers_for(session, other, "viewer")
    north_camera(session, other)
    answer = who_sees(client, outsider, lonlat(*HIDDEN))
    assert len(answer["features"]) == 1 and answer["view_model"] == "sector"


def test_lists_without_a_field_of_view_query_carry_no_view_model(client, viewer, clipped):
    response = client.get(
        f"/api/v1/cameras?bbox={LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}", headers=viewer
    )
    assert response.status_code == 200 and "view_model" not in response.json


# --- search ----------------------------------------------------------------------------------------


def test_search_by_area_and_route_uses_the_visible_area(client, viewer, clipped):
    camera, _visible = clipped
    behind = post(client, viewer, "/api/v1/search", local_box(HIDDEN, 5))
    assert behind["features"] == [] and behind["view_model"] == "visible_area"
    check_against_spec(spec(client), "SearchResults", behind)
    beside = post(client, viewer, "/api/v1/search", local_box(SEEN, 3))
    [hit] = beside["features"]
    assert (hit["id"], hit["properties"]["relation"]) == (camera.id, "sees_into")
    route = CENTRE.to_lonlat(LineString([(-6, 30), (6, 30), (6, 60)]))
    along = post(client, viewer, "/api/v1/search", route, buffer_m=2)
    assert along["features"] == [] and along["view_model"] == "visible_area"


def test_search_with_unclipped_cameras_says_sector(client, session, town, viewer):
    camera = north_camera(session, town)
    answer = post(client, viewer, "/api/v1/search", local_box(HIDDEN, 5))
    assert [hit["id"] for hit in answer["features"]] == [camera.id] and answer["view_model"] == "sector"


# --- coverage --------------------------------------------------------------------------------------


def test_the_area_behind_a_building_the_sector_overlaps_is_a_gap(client, viewer, clipped):
    """Acceptance 2 of issue 20."""
    target = local_box(HIDDEN, 5)
    answer = post(client, viewer, "/api/v1/coverage", target)
    check_against_spec(spec(client), "CoverageAnswer", answer)
    assert answer["view_model"] == "visible_area"
    assert answer["ratio"] == 0 and answer["cameras"] == []
    [gap] = answer["gaps"]["features"]
    assert shape(gap["geometry"]).symmetric_difference(target).area < 1e-3 * target.area
    assert gap["properties"]["area_m2"] == pytest.approx(utm(target).area, rel=5e-3)


def test_coverage_figures_match_shapely_on_the_visible_area(client, viewer, clipped):
    camera, visible = clipped
    area = Area(Point(LON, LAT), 60)
    answer = post(client, viewer, "/api/v1/coverage", Point(LON, LAT), buffer_m=60, suggestions=1)
    seen = visible.intersection(area.region)
    assert answer["view_model"] == "visible_area"
    assert answer["covered_m2"] == pytest.approx(utm(seen).area, rel=5e-3)
    [entry] = answer["cameras"]
    assert (entry["id"], entry["clipped"]) == (camera.id, True)
    gaps = [shape(gap["geometry"]) for gap in answer["gaps"]["features"]]
    assert sum(utm(gap).area for gap in gaps) == pytest.approx(
        utm(area.region.difference(visible)).area, rel=5e-3
    )
    assert any(gap.covers(Point(lonlat(*HIDDEN))) for gap in gaps)


def test_a_route_through_the_shadow_is_uncovered_there(client, viewer, clipped):
    route = CENTRE.to_lonlat(LineString([(0, 25), (0, 55)]))  # along the middle of the shadow
    answer = post(client, viewer, "/api/v1/coverage", route, buffer_m=2)
    assert answer["view_model"] == "visible_area"
    assert answer["route"]["covered_length_m"] == pytest.approx(0, abs=0.01)
    [stretch] = answer["route"]["uncovered"]
    assert stretch["length_m"] == pytest.approx(30, abs=0.05)


def test_coverage_with_an_unclipped_sector_is_unchanged(client, session, town, viewer):
    camera = north_camera(session, town)
    session.refresh(camera)
    target = local_box(HIDDEN, 5)
    answer = post(client, viewer, "/api/v1/coverage", target)
    assert answer["view_model"] == "sector" and answer["ratio"] == pytest.approx(1, abs=1e-3)
    assert [(entry["id"], entry["clipped"]) for entry in answer["cameras"]] == [(camera.id, False)]


# --- places ----------------------------------------------------------------------------------------


def test_a_place_behind_the_building_measures_uncovered(client, session, town, clipped):
    editor = factories.headers_for(session, town, "editor")
    place = local_box(HIDDEN, 5)
    body = {"name": "Cortile", "category": "park", "geometry": geojson(place)}
    response = client.post("/api/v1/places", json=body, headers=editor)
    assert response.status_code == 201, response.get_data(as_text=True)
    latest = response.json["properties"]["latest"]
    assert (latest["ratio"], latest["camera_count"]) == (0, 0)
    session.expire_all()
    logged = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "place.measure")).one()
    assert json.loads(logged.details)["view_model"] == "visible_area"


# --- interventions and the brief -------------------------------------------------------------------


def plan(session, editor, name: str, target) -> Intervention:
    """A planned event over one `target`, created (and its snapshot taken) by `editor`."""
    values = {
        "title": f"Presidio {name}",
        "kind": "event",
        "status": "planned",
        "reason": REASON,
        "window_start": datetime(2026, 11, 20, 17, 0, tzinfo=UTC),
        "window_end": datetime(2026, 11, 20, 21, 0, tzinfo=UTC),
        "targets": [{"name": name, "geometry": target, "buffer_m": 0}],
    }
    intervention = plans.create_intervention(session, actor_for(session, editor), values)
    session.commit()
    return intervention


def test_snapshot_and_brief_measure_and_state_the_visible_area(client, session, town, clipped):
    camera, visible = clipped
    editor = factories.user(session, town, "editor")
    target = local_box((0, 35), 15)  # half of it in the shadow
    intervention = plan(session, editor, "Cortile", target)
    snapshot = session.get(Intervention, intervention.id).snapshot
    [measured] = snapshot["targets"]
    assert measured["coverage"]["view_model"] == "visible_area"
    assert measured["coverage"]["covered_m2"] == pytest.approx(
        utm(visible.intersection(target)).area, rel=5e-3
    )
    [entry] = snapshot["cameras"]
    assert (
        entry["id"] == camera.id
        and shape(entry["fov_visible"]).symmetric_difference(visible).area < 1e-3 * visible.area
    )
    assert snapshot["totals"]["view_model"] == "visible_area"
    headers = factories.auth(factories.token(session, editor))
    page = client.get(f"/api/v1/interventions/{intervention.id}/brief", headers=headers)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    html = page.get_data(as_text=True)
    assert "conta solo l'area visibile" in html and "contorno tratteggiato" in html
    assert 'class="fov-sector"' in html and 'class="fov"' in html  # the sector outlined, the area filled

    layers = client.get(f"/api/v1/interventions/{intervention.id}/map", headers=headers).json["features"]
    [sector] = [f for f in layers if f["properties"]["layer"] == "fov"]
    [seen] = [f for f in layers if f["properties"]["layer"] == "visible"]
    assert sector["properties"] == {"layer": "fov", "camera_id": camera.id, "clipped": True}
    assert seen["properties"] == {"layer": "visible", "camera_id": camera.id}
    assert shape(seen["geometry"]).symmetric_difference(visible).area < 1e-3 * visible.area
    assert shape(sector["geometry"]).symmetric_difference(to_shape(camera.fov)).area < 1e-9


def test_an_unclipped_cameras_map_layer_is_its_sector_alone(client, session, town):
    camera = north_camera(session, town)
    editor = factories.user(session, town, "editor")
    intervention = plan(session, editor, "Piazza", local_box((0, 35), 15))
    headers = factories.auth(factories.token(session, editor))
    layers = client.get(f"/api/v1/interventions/{intervention.id}/map", headers=headers).json["features"]
    assert [f["properties"] for f in layers if f["properties"]["layer"] in ("fov", "visible")] == [
        {"layer": "fov", "camera_id": camera.id, "clipped": False}
    ]
    page = client.get(f"/api/v1/interventions/{intervention.id}/brief", headers=headers)
    assert 'class="fov-sector"' not in page.get_data(as_text=True)


# --- patrol suggestions over the gaps --------------------------------------------------------------


def add_building(session, organisation, footprint, height_m: float | None = 12.0) -> None:
    session.add(
        Obstacle(
            organisation_id=organisation.id,
            kind="building",
            geometry=WKTElement(footprint.wkt, srid=4326),
            height_m=height_m,
            source="test",
        )
    )
    session.commit()


def test_suggestions_see_past_the_obstacles_the_caller_reads(client, session, town, viewer):
    """A suggestion never stands inside a building, and what it adds leaves the building out."""
    target = local_box((0, 0), 60)
    building = local_box((-35, 0), 25)  # the west part of the target, 50 m x 50 m
    add_building(session, town, building)
    answer = post(client, viewer, "/api/v1/coverage", target, suggestions=3, suggestion_range_m=30)
    assert answer["ratio"] == 0 and answer["suggestions"]
    open_ground = utm(target.difference(building))
    for suggestion in answer["suggestions"]:
        point = shape(suggestion["geometry"])
        assert not building.covers(point)
        disc = utm(point).buffer(30)
        assert suggestion["added_m2"] <= disc.intersection(open_ground).area * 1.01
    assert any(suggestion["clipped"] for suggestion in answer["suggestions"])
    assert sum(s["added_m2"] for s in answer["suggestions"]) <= open_ground.area * 1.01


def test_suggestions_ignore_obstacles_of_layers_the_caller_cannot_read(client, session, town, viewer):
    stranger = factories.org(session, "visible-stranger")
    add_building(session, stranger, local_box((-35, 0), 25))
    answer = post(client, viewer, "/api/v1/coverage", local_box((0, 0), 60), suggestions=3)
    assert not any(suggestion["clipped"] for suggestion in answer["suggestions"])


def test_a_readers_recomputed_snapshot_keeps_the_visible_area(session, town, clipped):
    """A reader who may not read one camera gets figures recomputed from the stored visible areas."""
    camera, visible = clipped
    region = factories.org(session, "visible-region")
    factories.camera(session, region, *lonlat(0, 80), bearing_deg=180, range_m=40, visibility="private")
    admin = factories.user(session, region, "admin")
    target = local_box((0, 35), 15)
    values = {
        "title": "Presidio cortile",
        "kind": "event",
        "status": "planned",
        "reason": REASON,
        "window_start": datetime(2026, 11, 20, 17, 0, tzinfo=UTC),
        "window_end": datetime(2026, 11, 20, 21, 0, tzinfo=UTC),
        "targets": [{"name": "Cortile", "geometry": target, "buffer_m": 0}],
    }
    intervention = plans.create_intervention(session, actor_for(session, admin), values)
    session.commit()
    assert len(intervention.snapshot["cameras"]) == 2
    reader = actor_for(session, factories.user(session, town, "viewer"))
    filtered = intervention_snapshot.filter_snapshot(session, intervention.snapshot, reader, intervention)
    assert [entry["id"] for entry in filtered["cameras"]] == [camera.id]
    [measured] = filtered["targets"]
    assert measured["coverage"]["view_model"] == "visible_area"
    assert measured["coverage"]["covered_m2"] == pytest.approx(
        utm(visible.intersection(target)).area, rel=5e-3
    )
    assert filtered["totals"]["view_model"] == "visible_area"
