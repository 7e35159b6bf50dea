"""GET /api/v1/exports and `observo export`: what the caller may see, in four formats, audited."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry import LineString, Point, mapping, shape

from observo.cli import main
from observo.models import AuditEntry, Camera
from tests import factories

REASON = "PG-2026-0500 richiesta della Procura"
KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture
def world(session):
    town = factories.org(session, "export-town", public_precision_m=100)
    other = factories.org(session, "export-other")
    lon, lat = factories.TURIN
    cameras = {
        "public": factories.camera(session, town, lon, lat, visibility="public", name="Piazza <&> pubblica"),
        "shared": factories.camera(session, town, lon + 0.001, lat, visibility="shared"),
        "private": factories.camera(session, town, lon + 0.002, lat, visibility="private"),
        "elsewhere": factories.camera(session, other, lon, lat + 0.001, visibility="private"),
        "gone": factories.camera(
            session, town, lon, lat + 0.002, visibility="public", status="decommissioned"
        ),
    }
    return {"town": town, "cameras": cameras, "viewer": factories.headers_for(session, town, "viewer")}


def export(client, fmt: str, headers=None, **params):
    query = "&".join(f"{name}={value}" for name, value in {"f": fmt, **params}.items())
    return client.get(f"/api/v1/exports?{query}", headers=headers or {})


def ids_of(world, *names: str) -> set[int]:
    return {world["cameras"][name].id for name in names}


def test_anonymous_geojson_holds_public_cameras_only_at_generalised_positions(client, world):
    response = export(client, "geojson", owner="export-town")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert "attachment" in response.headers["Content-Disposition"]
    body = json.loads(response.data)
    assert {feature["id"] for feature in body["features"]} == ids_of(world, "public")
    feature = body["features"][0]
    assert "fov" not in feature["properties"] and "status" not in feature["properties"]
    exact = Point(factories.TURIN)
    assert shape(feature["geometry"]).distance(exact) > 0  # snapped to the owner's 100 m grid


def test_a_viewer_needs_a_reason_and_each_export_is_audited_before_streaming(client, session, world):
    refused = export(client, "csv", world["viewer"], owner="export-town")
    assert refused.status_code == 422 and refused.json["errors"][0]["pointer"] == "/reason"
    start = session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))
    response = export(client, "csv", world["viewer"], owner="export-town", reason=REASON)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {int(row["id"]) for row in rows} == ids_of(world, "public", "shared", "private")
    session.expire_all()
    entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.id > start)).all()
    assert [(e.action, e.reason, e.result_count) for e in entries] == [("export.csv", REASON, 3)]


def test_kml_has_a_position_and_a_sector_placemark_per_camera_in_two_folders(client, world):
    response = export(client, "kml", world["viewer"], owner="export-town", reason=REASON)
    assert response.mimetype == "application/vnd.google-earth.kml+xml"
    root = ET.fromstring(response.data)  # well formed, names escaped
    cameras, sectors = root.findall(f"{KML}Document/{KML}Folder")
    points = cameras.findall(f"{KML}Placemark")
    expected = ids_of(world, "public", "shared", "private")
    assert {int(p.get("id").removeprefix("camera-")) for p in points} == expected
    assert "Piazza <&> pubblica" in {p.findtext(f"{KML}name") for p in points}
    assert all(p.find(f"{KML}Point") is not None and p.find(f"{KML}Polygon") is None for p in points)
    polygons = sectors.findall(f"{KML}Placemark")
    assert {int(p.get("id").removeprefix("fov-")) for p in polygons} == expected  # the fields of view
    assert all(p.find(f"{KML}Polygon") is not None and p.find(f"{KML}Point") is None for p in polygons)
    assert not list(root.iter(f"{KML}MultiGeometry"))


def test_osm_export_carries_surveillance_tags_and_new_object_ids(client, world):
    response = export(client, "osm", world["viewer"], owner="export-town", reason=REASON)
    body = json.loads(response.data)
    assert "attribution" not in body  # no row came from OpenStreetMap: no ODbL claimed
    tags = {feature["id"]: feature["properties"] for feature in body["features"]}
    # Not in OSM: negative ids, as OSM editors number the objects they create.
    assert set(tags) == {f"node/-{camera_id}" for camera_id in ids_of(world, "public", "shared", "private")}
    for properties in tags.values():
        assert properties["man_made"] == "surveillance" and "@id" not in properties
        assert properties["camera:direction"] == "90"  # the factories' bearing, of the default width


@pytest.mark.parametrize("params", [{"f": "shp"}, {"f": "csv", "limit": "0"}, {"f": "csv", "colour": "red"}])
def test_bad_parameters_are_refused(client, world, params):
    query = "&".join(f"{name}={value}" for name, value in params.items())
    response = client.get(f"/api/v1/exports?{query}")
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"


def test_the_command_writes_the_whole_file_and_logs_it(app, session, world, tmp_path):
    output = tmp_path / "cameras.geojson"
    result = app.test_cli_runner().invoke(
        main, ["export", "--format", "geojson", "--owner", "export-town", "--output", str(output)]
    )
    assert result.exit_code == 0, result.stderr
    body = json.loads(output.read_text(encoding="utf-8"))
    assert {feature["id"] for feature in body["features"]} == ids_of(world, "public", "shared", "private")
    assert "3 cameras exported" in result.stderr
    session.expire_all()
    action = session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1))
    assert action == "export.geojson"


def test_kml_adds_a_folder_of_visible_areas_for_sectors_obstacles_clip(client, session, world, tmp_path):
    """A low wall across the shared camera's view hides a strip of it: its visible area is two parts
    (before and beyond the strip), written as one Placemark whose MultiGeometry holds both; GDAL reads
    the folder back as that geometry. Cameras nothing clips have no visible-area Placemark."""
    from observo.domain.fov import LocalFrame
    from observo.domain.permissions import SYSTEM
    from observo.services import obstacles
    from tests.api.test_exports_gdal import layer_as_geojson

    camera = world["cameras"]["shared"]
    point = to_shape(camera.location)
    frame = LocalFrame(point.x, point.y)
    wall = frame.to_lonlat(LineString([(20, -40), (20, 40)]))  # across the view (the camera looks east)
    layer = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"barrier": "wall", "height": "2"}, "geometry": mapping(wall)}
        ],
    }
    session.execute(sa.update(Camera).where(Camera.id == camera.id).values(height_m=6.0))
    session.commit()
    obstacles.import_obstacles(session, SYSTEM, json.dumps(layer).encode(), "muri.geojson", "export-town")
    session.commit()
    stored = to_shape(session.scalar(sa.select(Camera.fov_visible).where(Camera.id == camera.id)))
    assert stored.geom_type == "MultiPolygon" and len(stored.geoms) == 2

    response = export(client, "kml", world["viewer"], owner="export-town", reason=REASON)
    root = ET.fromstring(response.data)
    folders = root.findall(f"{KML}Document/{KML}Folder")
    assert [folder.get("id") for folder in folders] == ["cameras", "fields-of-view", "visible-areas"]
    clipped = session.scalars(
        sa.select(Camera.id).where(
            Camera.id.in_(ids_of(world, "public", "shared", "private")), Camera.fov_visible.is_not(None)
        )
    ).all()
    placemarks = {p.get("id"): p for p in folders[2].findall(f"{KML}Placemark")}
    assert camera.id in clipped and set(placemarks) == {f"visible-{camera_id}" for camera_id in clipped}
    placemark = placemarks[f"visible-{camera.id}"]
    assert placemark.findtext(f"{KML}styleUrl") == "#visible"
    assert len(placemark.findall(f"{KML}MultiGeometry/{KML}Polygon")) == 2
    names = {field.get("name") for field in root.iter(f"{KML}SimpleField")}
    assert "observo_fov_visible" not in names and "observo_fov" not in names  # geometries, not attributes

    written = tmp_path / "cameras.kml"
    written.write_bytes(response.data)
    features = layer_as_geojson(str(written), ["visible areas"], tmp_path, "KML")["features"]
    [read] = [f for f in features if f["properties"]["observo_id"] == str(camera.id)]
    # The export writes 7 decimals (about a centimetre): the same shape to that precision.
    assert shape(read["geometry"]).hausdorff_distance(stored) < 2e-7
