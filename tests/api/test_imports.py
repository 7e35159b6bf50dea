"""POST /api/v1/imports: CSV (Italian headers, `;`, BOM, decimal comma), GeoJSON and OSM GeoJSON;
all rows or none, dry runs, idempotent re-imports, job status and permissions, on both databases."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from geoalchemy2.shape import to_shape

from observo.models import AuditEntry, Camera, ImportJob
from tests import factories

OSM_FIXTURES = Path(__file__).parent.parent / "fixtures" / "osm"
HEADER = (
    "nome;tipo;titolare;direzione;angolo;portata;altezza;longitudine;latitudine;indirizzo;stato;"
    "visibilità;conservazione_ore;riferimento"
)
GOOD_ROWS = (
    "Varco Nord;fixed;torino;90,5;60;80,5;4,2;7,6869;45,0703;Via Roma 1;active;public;168;TO-1",
    "Piazza;dome;torino;;;;3;7,6879;45,0713;Piazza Castello;planned;private;72;TO-2",
)
# A retention beyond a year (8760 hours): refused by the camera schema, whatever the reader.
BAD_ROW = "Rotto;fixed;torino;40;60;80;4;7,6889;45,0723;Via Po;active;public;9000;TO-3"
ZERO = {"created": 0, "updated": 0, "unchanged": 0, "decommissioned": 0, "skipped": 0, "errors": 0}


def counts(body, **expected):
    """The counts of an import document but `warnings` (the readers' own business), as expected."""
    found = {name: value for name, value in body["counts"].items() if name != "warnings"}
    assert found == {**ZERO, **expected}, body
    return True


def csv_file(*rows: str) -> bytes:
    return ("\ufeff" + "\r\n".join((HEADER, *rows)) + "\r\n").encode("utf-8")


def osm_node(node_id: int, lon: float = factories.TURIN[0], lat: float = factories.TURIN[1], **tags: str):
    """A node as overpass-turbo exports it (tags flat in the properties); `camera_direction` and the
    like stand for `camera:direction`."""
    named = {
        key.replace("camera_", "camera:").replace("surveillance_", "surveillance:"): v
        for key, v in tags.items()
    }
    properties = {
        "@id": f"node/{node_id}",
        "man_made": "surveillance",
        "surveillance:type": "camera",
        **named,
    }
    return {
        "type": "Feature",
        "id": f"node/{node_id}",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


@pytest.fixture
def world(session):
    return make_world(session)


def make_world(session):
    """torino (an editor, a viewer) and asti (an editor), neither seeing the other."""
    torino = factories.org(session, "torino")
    asti = factories.org(session, "asti")
    return {
        "torino": torino,
        "editor": factories.headers_for(session, torino, "editor"),
        "viewer": factories.headers_for(session, torino, "viewer"),
        "asti_editor": factories.headers_for(session, asti, "editor"),
    }


def upload(client, headers, data: bytes, name: str = "cameras.csv", query: str = "", **extra):
    files = {"file": (io.BytesIO(data), name)}
    return client.post(
        f"/api/v1/imports{query}",
        data=files,
        headers={**headers, **extra},
        content_type="multipart/form-data",
    )


def cameras(session, **where):
    stmt = sa.select(Camera).filter_by(**where).order_by(Camera.id).execution_options(populate_existing=True)
    return list(session.scalars(stmt))


def test_a_valid_csv_imports_exactly(client, session, world):
    response = upload(client, world["editor"], csv_file(*GOOD_ROWS))
    assert response.status_code == 201, response.json
    body = response.json
    assert counts(body, created=2)
    assert body["status"] == "succeeded" and body["errors"] == [] and body["already_imported"] is False
    first, second = cameras(session, owner_id=world["torino"].id)
    assert (first.name, first.ref, first.camera_type, first.source) == (
        "Varco Nord",
        "TO-1",
        "fixed",
        "csv_import",
    )
    assert (first.bearing_deg, first.hfov_deg, first.range_m, first.height_m) == (90.5, 60.0, 80.5, 4.2)
    assert (first.address, first.status, first.visibility, first.retention_hours) == (
        "Via Roma 1",
        "active",
        "public",
        168,
    )
    point = to_shape(first.location)
    assert (point.x, point.y) == pytest.approx((7.6869, 45.0703))
    assert (second.camera_type, second.status, second.visibility, second.hfov_deg) == (
        "dome",
        "planned",
        "private",
        360.0,
    )
    job = session.get(ImportJob, body["id"])
    assert (job.status, job.created, job.format) == ("succeeded", 2, "csv")
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "import.run"))
    assert json.loads(entry.details)["created"] == 2
    assert client.get(f"/api/v1/imports/{body['id']}", headers=world["editor"]).json["counts"]["created"] == 2


def test_comma_delimited_english_headers(client, session, world):
    data = (
        b"name,camera_type,owner,lon,lat,ref,range_m,retention_hours\n"
        b"A,dome,torino,7.6869,45.0703,E-1,50,24\n"
    )
    response = upload(client, world["editor"], data)
    assert response.status_code == 201, response.json["errors"]
    (created,) = cameras(session, ref="E-1")
    assert (created.name, created.range_m) == ("A", 50.0)


def test_one_bad_row_imports_nothing_and_the_dry_run_reports_it(client, session, world):
    data = csv_file(GOOD_ROWS[0], BAD_ROW, GOOD_ROWS[1])
    dry = upload(client, world["editor"], data, query="?dry_run=true")
    assert dry.status_code == 201, dry.json
    assert dry.json["status"] == "invalid" and counts(dry.json, created=2, errors=1)
    assert dry.json["errors"] == [
        {
            "row": 3,
            "field": "retention_hours",
            "code": "out_of_range",
            "message": dry.json["errors"][0]["message"],
        }
    ]
    assert cameras(session) == []
    real = upload(client, world["editor"], data)
    assert real.status_code == 422
    assert real.mimetype == "application/problem+json"
    assert [issue["pointer"] for issue in real.json["errors"]] == ["/rows/3/retention_hours"]
    assert "non è stato importato nulla" in real.json["detail"]  # Italian first (Accept-Language)
    assert cameras(session) == []
    assert (
        session.scalar(sa.select(sa.func.count()).select_from(ImportJob).where(ImportJob.dry_run.is_(False)))
        == 0
    )


def test_a_dry_run_of_a_good_file_writes_nothing(client, session, world):
    response = upload(client, world["editor"], csv_file(*GOOD_ROWS), query="?dry_run=1")
    assert response.status_code == 201
    assert response.json["status"] == "validated" and response.json["counts"]["created"] == 2
    assert cameras(session) == []


def test_the_dry_run_reports_duplicate_keys_and_numbers_the_database_cannot_hold(client, session, world):
    duplicate = GOOD_ROWS[1].replace("TO-2", "TO-1")
    response = upload(client, world["editor"], csv_file(GOOD_ROWS[0], duplicate), query="?dry_run=1")
    assert response.json["counts"]["errors"] == 1
    assert response.json["errors"][0]["row"] == 3 and response.json["errors"][0]["code"] == "duplicate_key"
    huge = (
        b"name,camera_type,owner,lon,lat,osm_id,records\n"
        b"A,dome,torino,7.6869,45.0703,99999999999999999999,no\n"
    )
    refused = upload(client, world["editor"], huge, query="?dry_run=1")
    assert refused.status_code == 201, refused.json
    # Beyond BIGINT: refused before the database would (as a 500 on the API), by the reader or the schema.
    found = [(e["row"], e["field"]) for e in refused.json["errors"]]
    assert found == [(2, "osm_id")] and refused.json["errors"][0]["code"] != "conflict"
    assert cameras(session) == []


def test_reimporting_is_a_no_op_and_an_edited_file_updates_by_ref(client, session, world):
    assert upload(client, world["editor"], csv_file(*GOOD_ROWS)).status_code == 201
    again = upload(client, world["editor"], csv_file(*GOOD_ROWS))
    assert again.status_code == 200 and again.json["already_imported"] is True
    assert len(cameras(session)) == 2
    edited = GOOD_ROWS[0].replace("Varco Nord", "Varco Nord bis")
    response = upload(client, world["editor"], csv_file(edited, GOOD_ROWS[1]))
    assert counts(response.json, updated=1, unchanged=1)
    renamed, untouched = cameras(session)
    assert (renamed.name, renamed.version, untouched.version) == ("Varco Nord bis", 2, 1)


def test_an_idempotency_key_returns_the_stored_result(client, session, world):
    first = upload(
        client, world["editor"], csv_file(*GOOD_ROWS), query="?dry_run=1", **{"Idempotency-Key": "k1"}
    )
    second = upload(
        client, world["editor"], csv_file(GOOD_ROWS[0]), query="?dry_run=1", **{"Idempotency-Key": "k1"}
    )
    assert second.status_code == 200 and second.json["id"] == first.json["id"]


def test_geojson_import_as_raw_body(client, session, world):
    collection = {
        "type": "FeatureCollection",
        "features": [
            factories.feature("torino", ref="G-1", name="Geo"),
            factories.feature("torino", ref="G-2"),
        ],
    }
    response = client.post(
        "/api/v1/imports",
        data=json.dumps(collection),
        headers={**world["editor"], "Content-Type": "application/geo+json"},
    )
    assert response.status_code == 201, response.json
    assert response.json["format"] == "geojson" and response.json["counts"]["created"] == 2
    assert cameras(session, ref="G-1")[0].name == "Geo"


def test_osm_fixtures_map_every_direction_form(client, session, world):
    data = (OSM_FIXTURES / "overpass_turbo.geojson").read_bytes()
    response = upload(client, world["editor"], data, name="overpass.geojson", query="?owner=torino")
    assert response.status_code == 201, response.json.get("errors")
    assert response.json["format"] == "osm"
    by_node = {}
    for camera in cameras(session, owner_id=world["torino"].id):
        by_node.setdefault(camera.osm_id, []).append(camera)
    assert all(camera.source == "osm_import" for found in by_node.values() for camera in found)
    assert by_node[1001][0].bearing_deg == 90.0 and by_node[1002][0].bearing_deg == 90.5
    assert by_node[1003][0].bearing_deg == 45.0 and by_node[1008][0].bearing_deg == 225.0
    assert (by_node[1004][0].bearing_deg, by_node[1004][0].hfov_deg) == (0.0, 120.0)
    assert (by_node[1005][0].bearing_deg, by_node[1005][0].hfov_deg) == (0.0, 90.0)
    assert by_node[1007][0].bearing_deg == 135.0
    heads = sorted(by_node[1006], key=lambda camera: camera.bearing_deg)
    assert [camera.bearing_deg for camera in heads] == [80.0, 200.0, 320.0]
    assert {camera.site_ref for camera in heads} == {"osm:node/1006"}
    assert sorted(camera.bearing_deg for camera in by_node[1009]) == [10.0, 190.0]
    assert by_node[1010][0].camera_type == "dome"
    nested = upload(
        client,
        world["editor"],
        (OSM_FIXTURES / "osmtogeojson_nested.geojson").read_bytes(),
        name="n.geojson",
        query="?owner=torino",
    )
    assert nested.json["counts"]["created"] == 1 and cameras(session, osm_id=2001)[0].bearing_deg == 247.5


def test_an_osm_reimport_updates_by_osm_id_without_duplicating(client, session, world):
    data = json.loads((OSM_FIXTURES / "overpass_turbo.geojson").read_text())
    first = upload(
        client, world["editor"], json.dumps(data).encode(), name="o.geojson", query="?owner=torino"
    )
    total = first.json["counts"]["created"]
    data["features"][0]["properties"]["camera:direction"] = "95"
    second = upload(
        client, world["editor"], json.dumps(data).encode(), name="o.geojson", query="?owner=torino"
    )
    assert counts(second.json, updated=1, unchanged=total - 1)
    assert cameras(session, osm_id=1001)[0].bearing_deg == 95.0
    assert len(cameras(session)) == total


def test_malformed_osm_features_are_row_errors(client, session, world):
    data = (OSM_FIXTURES / "malformed.geojson").read_bytes()
    response = upload(client, world["editor"], data, name="bad.geojson", query="?owner=torino&dry_run=1")
    assert response.status_code == 201
    rows = {problem["row"] for problem in response.json["errors"]}
    # Each refused feature is a row of the report (what the OSM reader refuses is its own business).
    assert len(rows) >= 5 and response.json["counts"]["errors"] >= len(rows)
    assert response.json["status"] == "invalid"
    assert cameras(session) == []


def test_permissions(client, session, world):
    anonymous = upload(client, {}, csv_file(*GOOD_ROWS))
    assert anonymous.status_code == 401
    assert upload(client, world["viewer"], csv_file(*GOOD_ROWS)).status_code == 403
    # a viewer may not check a file either, in any mode
    for query in ("?dry_run=1", "?skip_invalid=1", "?dry_run=1&key=position&owner=torino"):
        refused = upload(client, world["viewer"], csv_file(*GOOD_ROWS), query=query)
        assert refused.status_code == 403 and refused.mimetype == "application/problem+json", query
    # asti may not see torino: naming it is an unknown organisation (tests/security/test_org_references.py)
    hidden = upload(client, world["asti_editor"], csv_file(*GOOD_ROWS), query="?owner=torino")
    assert hidden.status_code == 422 and hidden.json["errors"][0]["code"] == "unknown_organisation"
    foreign = upload(client, world["asti_editor"], csv_file(*GOOD_ROWS))
    assert foreign.status_code == 422 and foreign.json["errors"][0]["code"] == "unknown_organisation"
    job = upload(client, world["editor"], csv_file(*GOOD_ROWS)).json["id"]
    assert client.get(f"/api/v1/imports/{job}", headers=world["asti_editor"]).status_code == 404
    assert client.get(f"/api/v1/imports/{job}", headers=world["viewer"]).status_code == 404
    assert client.get(f"/api/v1/imports/{job}", headers=world["editor"]).status_code == 200
