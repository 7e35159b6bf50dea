"""New cameras of an import are kept back and written a batch at a time (services/import_run.py); with
batches of two records, every boundary is met: a later row finding a camera still kept back (by ref, by
OSM node, by position), a camera the database refuses when its batch is written, report entries and
audit entries naming the cameras really written. On both databases."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from observo.models import AuditEntry
from observo.services.import_run import ImportRun
from tests import factories
from tests.api.test_imports import cameras, collection, counts, make_world, osm_node
from tests.api.test_imports import upload as upload_file


def upload(client, headers, data: bytes, name: str = "cameras.csv", query: str = "", **extra):
    # These tests read the report's messages as the service writes them: in English (the answer's
    # Italian is tests/api/test_import_messages_language.py's).
    return upload_file(client, headers, data, name, query, **{"Accept-Language": "en", **extra})

HEADER = "nome;tipo;titolare;direzione;portata;longitudine;latitudine;conservazione_ore;riferimento"


@pytest.fixture
def world(session, monkeypatch):
    monkeypatch.setattr(ImportRun, "batch_rows", 2)
    return make_world(session)


def csv(*rows: str) -> bytes:
    return ("\n".join((HEADER, *rows)) + "\n").encode()


def row(n: int, ref: str = "", lon: str = "7,6869", lat: str = "45,0703", name: str = "") -> str:
    return f"{name or f'Varco {n}'};fixed;torino;{n * 10 % 360};50;{lon};{lat};168;{ref}"


def test_report_entries_name_the_cameras_written(client, session, world):
    data = csv(*(row(n, f"B-{n}", lon=f"7,68{n:02d}") for n in range(7)))
    response = upload(client, world["editor"], data)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert counts(body, created=7)
    written = cameras(session, owner_id=world["torino"].id)
    assert [item["camera_id"] for item in body["rows"]] == [camera.id for camera in written]
    assert [camera.ref for camera in written] == [f"B-{n}" for n in range(7)]
    entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "camera.create")).all()
    assert sorted(int(entry.object_id) for entry in entries) == [camera.id for camera in written]


def test_a_ref_repeated_across_batches_is_refused_naming_the_first_row(client, session, world):
    data = csv(row(1, "R-1"), row(2, "R-2"), row(3, "R-3"), row(4, "R-4"), row(5, "R-1"), row(6, "R-6"))
    response = upload(client, world["editor"], data, query="?skip_invalid=true")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert counts(body, created=5, skipped=1, errors=1)
    [error] = body["errors"]
    assert error["row"] == 6 and error["code"] == "duplicate_key" and "row 2" in error["message"]
    refs = [camera.ref for camera in cameras(session, owner_id=world["torino"].id)]
    assert refs == ["R-1", "R-2", "R-3", "R-4", "R-6"]


def test_a_ref_repeated_within_a_batch_updates_nothing_twice(client, session, world):
    data = csv(row(1, "S-1"), row(2, "S-1"))
    response = upload(client, world["editor"], data, query="?skip_invalid=true")
    body = response.get_json()
    assert counts(body, created=1, skipped=1, errors=1)
    assert body["errors"][0]["row"] == 3 and "row 2" in body["errors"][0]["message"]


def test_key_position_finds_a_camera_kept_back_at_the_same_spot(client, session, world):
    rows = [row(n, name="Incrocio", lon="7,6869", lat="45,0703") for n in (1, 2)]
    rows += [row(3, name="Altro", lon="7,7000", lat="45,0800")]
    response = upload(client, world["editor"], csv(*rows), query="?key=position&skip_invalid=true")
    body = response.get_json()
    assert counts(body, created=2, skipped=1, errors=1), body
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["code"] == "duplicate_key"


def test_a_camera_the_database_refuses_at_its_batch_makes_its_row_refused(client, session, world):
    """key=position does not look the ref up: the owner's camera elsewhere holding it makes the
    database refuse the new one when its batch is written; skip mode keeps the rest."""
    factories.camera(session, world["torino"], 7.60, 45.00, ref="HELD", name="Lontana")
    data = csv(row(1, "P-1", lon="7,6801"), row(2, "HELD", lon="7,6802"), row(3, "P-3", lon="7,6803"))
    response = upload(client, world["editor"], data, query="?key=position&skip_invalid=true")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert counts(body, created=2, skipped=1, errors=1)
    [error] = body["errors"]
    assert error["row"] == 3 and error["code"] == "conflict"
    assert error["message"].startswith("refused by the database: ")
    written = [camera for camera in cameras(session, owner_id=world["torino"].id) if camera.ref != "HELD"]
    assert [camera.ref for camera in written] == ["P-1", "P-3"]
    assert [item["camera_id"] for item in body["rows"]] == [camera.id for camera in written]
    assert [item["row"] for item in body["rows"]] == [2, 4]
    details = json.loads(
        session.scalars(sa.select(AuditEntry.details).where(AuditEntry.action == "import.run")).one()
    )
    assert details["created"] == 2 and details["skipped"] == 1


def test_all_or_nothing_still_writes_nothing_when_the_database_refuses_a_row(client, session, world):
    factories.camera(session, world["torino"], 7.60, 45.00, ref="HELD", name="Lontana")
    data = csv(row(1, "Q-1", lon="7,6801"), row(2, "HELD", lon="7,6802"), row(3, "Q-3", lon="7,6803"))
    response = upload(client, world["editor"], data, query="?key=position")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["pointer"].startswith("/rows/3/")
    assert [camera.ref for camera in cameras(session, owner_id=world["torino"].id)] == ["HELD"]


def test_an_osm_node_met_again_after_its_heads_were_kept_back(client, session, world):
    """The same node twice in one file: the second meets the first's heads, written first."""
    node = osm_node(901, camera_direction="90;180")
    again = osm_node(901, camera_direction="90")
    other = osm_node(902, lon=7.70, camera_direction="45")
    response = upload(
        client,
        world["editor"],
        collection(node, other, again),
        "nodes.geojson",
        "?owner=torino&skip_invalid=true",
    )
    assert response.status_code == 201, json.dumps(response.get_json())
    body = response.get_json()
    assert body["counts"]["created"] == 3
    assert body["errors"] and body["errors"][0]["code"] == "duplicate_key"
    assert "already imported OSM node 901" in body["errors"][0]["message"]
    assert len(cameras(session, owner_id=world["torino"].id, osm_id=901)) == 2
