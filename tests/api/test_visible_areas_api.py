"""The stored visible area in the API's output, on both databases: police and admin Features carry
`fov_visible` beside `fov` (null when no obstacle touches the sector), the same from the database's
JSON (PostGIS lists) as from the schema (single items); anonymous callers never see it; writes refuse
it; `camera-views` draws what the camera sees and says `clipped`; the CSV writes it as WKT."""

from __future__ import annotations

import csv
import io
import json

import pytest
from geoalchemy2.shape import to_shape
from shapely import wkt
from shapely.geometry import box, mapping, shape

from observo.domain.fov import LocalFrame
from observo.domain.permissions import SYSTEM
from observo.models import Camera
from observo.services import obstacles
from tests import factories
from tests.api.test_feature_rendering import _close

LON, LAT = factories.TURIN
FRAME = LocalFrame(LON, LAT)
ACROSS = FRAME.to_lonlat(box(30, -20, 45, 20))  # a building across the street, east of the camera
BBOX = "7.68,45.06,7.70,45.08"


@pytest.fixture
def world(session):
    town = factories.org(session, "torino")
    station = factories.org(session, "cc-torino", kind="carabinieri")
    region = factories.org(session, "regione", kind="public_body")
    clipped = factories.camera(
        session, town, LON, LAT, bearing_deg=90.0, range_m=100.0, visibility="public", height_m=6.0
    )
    clear = factories.camera(session, town, LON, LAT, bearing_deg=270.0, range_m=100.0, visibility="public")
    data = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": mapping(ACROSS)}],
    }
    obstacles.import_obstacles(
        session, SYSTEM, json.dumps(data).encode(), "b.geojson", "torino", source="dbt"
    )
    session.commit()
    headers = {
        "officer": factories.headers_for(session, town, "viewer"),
        "state_force": factories.headers_for(session, station, "viewer"),
        "admin": factories.headers_for(session, region, "admin"),
    }
    stored = to_shape(session.get(Camera, clipped.id).fov_visible)
    return {"clipped": clipped.id, "clear": clear.id, "headers": headers, "stored": stored}


@pytest.mark.parametrize("role", ["officer", "state_force", "admin"])
def test_police_and_admins_get_the_visible_area_beside_the_sector(client, world, role):
    headers = world["headers"][role]
    listed = client.get(f"/api/v1/cameras?bbox={BBOX}", headers=headers)
    assert listed.status_code == 200
    by_id = {feature["id"]: feature for feature in listed.json["features"]}
    assert set(by_id) == {world["clipped"], world["clear"]}
    for camera_id, feature in by_id.items():
        single = client.get(f"/api/v1/cameras/{camera_id}", headers=headers).json
        _close(feature, single)  # the database's JSON (PostGIS) equals the schema's
        names = list(single["properties"])
        assert "fov" in names and "fov_visible" in names
    assert by_id[world["clear"]]["properties"]["fov_visible"] is None
    visible = by_id[world["clipped"]]["properties"]["fov_visible"]
    assert visible["type"] in ("Polygon", "MultiPolygon")
    assert_close_area(shape(visible), world["stored"])
    assert shape(visible).area < shape(by_id[world["clipped"]]["properties"]["fov"]).area


def test_anonymous_callers_never_see_fields_of_view(client, world):
    listed = client.get(f"/api/v1/cameras?bbox={BBOX}")
    assert listed.status_code == 200 and len(listed.json["features"]) == 2
    for feature in listed.json["features"]:
        assert "fov_visible" not in feature["properties"] and "fov" not in feature["properties"]
        single = client.get(f"/api/v1/cameras/{feature['id']}").json
        assert "fov_visible" not in single["properties"] and "fov" not in single["properties"]
    ogc = client.get("/ogc/collections/cameras/items", query_string={"bbox": BBOX}).json
    assert all("fov_visible" not in feature["properties"] for feature in ogc["features"])
    assert "fov_visible" not in client.get(f"/api/v1/exports?f=csv&bbox={BBOX}").get_data(as_text=True)


def test_writes_refuse_the_visible_area_as_set_by_the_server(client, session, world):
    headers = factories.headers_for(session, session.get(Camera, world["clipped"]).owner, "editor")
    body = factories.feature("torino", fov_visible=mapping(ACROSS))
    refused = client.post("/api/v1/cameras", json=body, headers=headers)
    assert refused.status_code == 422
    assert any(
        issue["code"] == "read_only" and "fov_visible" in issue["pointer"] for issue in refused.json["errors"]
    )


def test_camera_views_draw_what_the_camera_sees(client, world):
    headers = world["headers"]["officer"]
    views = "/ogc/collections/camera-views/items"
    clipped = client.get(f"{views}/{world['clipped']}", headers=headers).json
    clear = client.get(f"{views}/{world['clear']}", headers=headers).json
    assert clipped["properties"]["clipped"] is True and clear["properties"]["clipped"] is False
    assert_close_area(shape(clipped["geometry"]), world["stored"])
    record = client.get(f"/api/v1/cameras/{world['clear']}", headers=headers).json
    assert clear["geometry"] == record["properties"]["fov"]
    listed = client.get(views, query_string={"bbox": BBOX}, headers=headers).json
    by_id = {feature["id"]: feature for feature in listed["features"]}
    _close(by_id[world["clipped"]], {k: v for k, v in clipped.items() if k != "links"})
    reprojected = client.get(
        f"{views}/{world['clipped']}",
        query_string={"crs": "http://www.opengis.net/def/crs/EPSG/0/32632"},
        headers=headers,
    )
    assert reprojected.status_code == 200
    assert shape(reprojected.json["geometry"]).area == pytest.approx(world_area_m2(world["stored"]), rel=1e-3)


def assert_close_area(geometry, stored) -> None:
    """Equal to the stored area but for the output's 7 decimals (~1 cm)."""
    assert geometry.symmetric_difference(stored).area < 1e-3 * stored.area


def world_area_m2(geometry) -> float:
    return FRAME.to_local(geometry).area


def test_csv_export_writes_the_visible_area_as_wkt(client, world):
    headers = world["headers"]["admin"]
    response = client.get(f"/api/v1/exports?f=csv&bbox={BBOX}&reason=verifica%20visuali", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    assert rows[world["clear"]]["fov_visible"] == ""
    assert_close_area(wkt.loads(rows[world["clipped"]]["fov_visible"]), world["stored"])
