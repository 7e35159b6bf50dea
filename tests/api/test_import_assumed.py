"""What a file does not say never overwrites what the registry knows (issue 17): a reader's assumed
values (records=false, a fixed camera, the source, a generated name) make new cameras only. Both
databases, through the API as an officer uploads."""

from __future__ import annotations

import pytest

from tests import factories
from tests.api.test_imports import cameras, collection, make_world, osm_node, upload


@pytest.fixture
def world(session):
    return make_world(session)


def test_a_csv_row_without_recording_data_keeps_the_recording_camera(client, session, world):
    camera = factories.camera(
        session,
        world["torino"],
        name="Varco Nord",
        ref="TO-1",
        records=True,
        retention_hours=72,
        source="census",
    )
    lon, lat = factories.TURIN
    data = f"nome;riferimento;direzione;longitudine;latitudine\nVarco Nord;TO-1;90;{lon};{lat}\n".encode()
    response = upload(client, world["editor"], data, "varchi.csv", "?owner=torino")
    assert response.status_code == 201, response.json
    assert response.json["counts"]["unchanged"] == 1, response.json
    (kept,) = cameras(session, owner_id=world["torino"].id)
    assert (kept.id, kept.records, kept.retention_hours, kept.source, kept.camera_type) == (
        camera.id,
        True,
        72,
        "census",
        camera.camera_type,
    )


def test_a_new_row_gets_the_assumed_values(client, session, world):
    lon, lat = factories.TURIN
    data = f"nome;riferimento;longitudine;latitudine\nVarco Sud;TO-2;{lon};{lat}\n".encode()
    response = upload(client, world["editor"], data, "varchi.csv", "?owner=torino")
    assert response.status_code == 201, response.json
    (created,) = cameras(session, owner_id=world["torino"].id)
    assert (created.records, created.camera_type, created.source, created.direction_unknown) == (
        False,
        "fixed",
        "csv_import",
        True,
    )


def test_an_osm_node_without_camera_type_keeps_the_type_the_police_surveyed(client, session, world):
    first = upload(
        client,
        world["editor"],
        collection(osm_node(501, camera_direction="90")),
        "n.geojson",
        "?owner=torino",
    )
    assert first.status_code == 201, first.json
    (camera,) = cameras(session, owner_id=world["torino"].id)
    headers = {**world["editor"], "If-Match": f'"{camera.id}.{camera.version}"'}
    surveyed = {
        "properties": {"camera_type": "panning", "records": True, "retention_hours": 48, "name": "Via Po"}
    }
    assert client.patch(f"/api/v1/cameras/{camera.id}", json=surveyed, headers=headers).status_code == 200

    again = upload(
        client,
        world["editor"],
        collection(osm_node(501, camera_direction="90", note="x")),
        "n2.geojson",
        "?owner=torino",
    )
    assert again.status_code == 201, again.json
    (after,) = cameras(session, owner_id=world["torino"].id)
    assert (after.camera_type, after.records, after.retention_hours, after.name) == (
        "panning",
        True,
        48,
        "Via Po",
    )
    assert after.source_tags["note"] == "x"  # what the node does say is taken
