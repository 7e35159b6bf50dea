"""How an imported row finds the camera it updates (`key`), and what a keyless row warns about; a key
never reaches, nor reveals, a camera of an owner the caller may not write for. On both databases."""

from __future__ import annotations

import re

import pytest
from geoalchemy2.shape import to_shape

from tests import factories
from tests.api.test_imports import cameras, collection, counts, make_world, osm_node
from tests.api.test_imports import upload as upload_file


def upload(client, headers, data: bytes, name: str = "cameras.csv", query: str = "", **extra):
    # These tests read the report's messages as the service writes them: in English (the answer's
    # Italian is tests/api/test_import_messages_language.py's).
    return upload_file(client, headers, data, name, query, **{"Accept-Language": "en", **extra})

LON, LAT = factories.TURIN
METRE_LON = 1 / 78_850  # degrees of longitude per metre at Turin's latitude (45.07 N)


@pytest.fixture
def world(session):
    found = make_world(session)
    found["hidden"] = factories.org(session, "town-c")  # torino neither sees nor writes for it
    return found


def export_row(camera, **changes):
    """A Feature of Observo's own GeoJSON export of `camera` (server-set fields included)."""
    point = to_shape(camera.location)
    properties = {
        "code": camera.code,
        "version": camera.version,
        "name": camera.name,
        "owner": camera.owner.slug,
        "camera_type": camera.camera_type,
        "bearing_deg": camera.bearing_deg,
        "range_m": camera.range_m,
        "records": camera.records,
        "retention_hours": camera.retention_hours,
        "source": camera.source,
        "created_at": camera.created_at.isoformat(),
        **changes,
    }
    return {
        "type": "Feature",
        "id": camera.id,
        "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
        "properties": properties,
    }


def codes(body, kind="warnings"):
    return [(item["row"], item["field"], item["code"]) for item in body[kind]]


# --- auto: ref, OSM node, Observo id ------------------------------------------------------------------


def test_an_export_of_this_registry_goes_back_by_its_id(client, session, world):
    camera = factories.camera(session, world["torino"], name="Varco")
    data = collection(export_row(camera, name="Varco rinominato"))
    response = upload(client, world["editor"], data, "export.geojson")
    assert response.status_code == 201, response.json
    assert counts(response.json, updated=1)
    assert response.json["rows"][0]["camera_id"] == camera.id
    assert response.json["rows"][0]["changes"] == {"name": {"old": "Varco", "new": "Varco rinominato"}}
    (renamed,) = cameras(session)
    assert (renamed.id, renamed.name, renamed.version) == (camera.id, "Varco rinominato", 2)
    again = upload(client, world["editor"], collection(export_row(renamed)), "export2.geojson")
    assert counts(again.json, unchanged=1)


def test_an_id_naming_no_camera_of_the_owner_is_a_new_camera_and_reveals_nothing(client, session, world):
    """The id of town-c's camera (hidden), and an id no camera has: the same words, nothing touched."""
    hidden = factories.camera(session, world["hidden"], name="Nascosta", visibility="private")
    mine = factories.camera(session, world["torino"], name="Mia")
    bodies = []
    for camera_id in (hidden.id, hidden.id + 1000):
        row = export_row(mine, name="Nuova")
        row["id"], row["properties"]["code"] = camera_id, f"OBS-{camera_id:06d}"
        response = upload(client, world["editor"], collection(row), f"e{camera_id}.geojson", "?dry_run=1")
        assert response.status_code == 201 and counts(response.json, created=1)
        bodies.append(response.json)
    notes = [[w for w in body["warnings"] if w["code"] == "unknown_id"] for body in bodies]
    assert [len(found) for found in notes] == [1, 1]
    texts = [re.sub(r"\d+", "N", found[0]["message"]) for found in notes]
    assert texts[0] == texts[1] and "Nascosta" not in texts[0]
    assert [(c.id, c.name, c.version) for c in cameras(session)] == [
        (hidden.id, "Nascosta", 1),
        (mine.id, "Mia", 1),
    ]


def test_two_osm_nodes_sharing_a_ref_are_two_cameras(client, session, world):
    nodes = [
        osm_node(501, LON, LAT, ref="ZTL-1", camera_type="fixed", camera_direction="90"),
        osm_node(502, LON + 0.001, LAT, ref="ZTL-1", camera_type="fixed", camera_direction="270"),
    ]
    first = upload(client, world["editor"], collection(*nodes), "ztl.geojson", "?owner=torino")
    assert first.status_code == 201, first.json
    assert counts(first.json, created=2)
    assert (3, "ref", "ref_in_use") not in codes(first.json)  # rows are records 1 and 2
    assert (2, "ref", "ref_in_use") in codes(first.json)
    by_node = {camera.osm_id: camera for camera in cameras(session)}
    assert (by_node[501].ref, by_node[502].ref) == ("ZTL-1", None)
    assert by_node[502].source_tags["ref"] == "ZTL-1"  # the tag itself is kept
    nodes[1]["properties"]["camera:direction"] = "280"
    second = upload(client, world["editor"], collection(*nodes), "ztl.geojson", "?owner=torino")
    assert counts(second.json, updated=1, unchanged=1)
    assert {c.osm_id: c.bearing_deg for c in cameras(session)} == {501: 90.0, 502: 280.0}


def test_osm_ids_of_another_owner_are_not_reached(client, session, world):
    hidden = factories.camera(session, world["hidden"], osm_id=777, name="Altrui", visibility="private")
    node = osm_node(777, LON, LAT, camera_type="dome")
    response = upload(client, world["editor"], collection(node), "n.geojson", "?owner=torino")
    assert counts(response.json, created=1)
    assert str(hidden.id) not in str(response.json["warnings"])
    stored = {(c.owner_id, c.osm_id, c.name, c.version) for c in cameras(session, osm_id=777)}
    assert (world["hidden"].id, 777, "Altrui", 1) in stored and len(stored) == 2


# --- forced keys -------------------------------------------------------------------------------------


def test_key_code_without_an_id_is_a_new_camera_with_a_note(client, session, world):
    data = b"nome;tipo;titolare;longitudine;latitudine\nSenza;dome;torino;7,6869;45,0703\n"
    response = upload(client, world["editor"], data, query="?key=code")
    assert counts(response.json, created=1)
    assert (2, "code", "no_key") in codes(response.json)


def test_key_ref_ignores_the_export_id(client, session, world):
    camera = factories.camera(session, world["torino"], name="Varco")
    response = upload(
        client, world["editor"], collection(export_row(camera, ref="NEW-1")), "e.geojson", "?key=ref"
    )
    assert counts(response.json, created=1)  # by ref NEW-1: nothing has it


def position_csv(*rows: tuple[str, float]) -> bytes:
    lines = ["nome;tipo;titolare;longitudine;latitudine"]
    lines += [f"{name};dome;torino;{lon:.8f};{LAT:.6f}" for name, lon in rows]
    return ("\n".join(lines) + "\n").encode()


def test_key_position_matches_the_same_name_within_five_metres(client, session, world):
    camera = factories.camera(session, world["torino"], name="Varco Nord", camera_type="dome")
    near_same = ("varco  NORD", LON + 3 * METRE_LON)  # 3 m east, the same name but for case and spaces
    response = upload(client, world["editor"], position_csv(near_same), query="?key=position&dry_run=1")
    assert counts(response.json, updated=1)
    (row,) = response.json["rows"]
    assert row["camera_id"] == camera.id and row["moved_m"] == pytest.approx(3.0, abs=0.05)
    far_same = ("Varco Nord", LON + 8 * METRE_LON)  # 8 m: beyond the tolerance
    near_other = ("Varco Sud", LON + 1 * METRE_LON)  # 1 m, another name
    response = upload(
        client, world["editor"], position_csv(far_same, near_other), query="?key=position&dry_run=1"
    )
    assert counts(response.json, created=2)
    duplicates = [w for w in response.json["warnings"] if w["code"] == "possible_duplicate"]
    assert [(w["row"], w["field"]) for w in duplicates] == [(2, "geometry"), (3, "geometry")]
    assert f"camera {camera.id} ('Varco Nord') is 8.0 m away" in duplicates[0]["message"]
    assert f"camera {camera.id} ('Varco Nord') is 1.0 m away" in duplicates[1]["message"]


def test_key_position_never_takes_nor_names_a_camera_of_another_owner(client, session, world):
    hidden = factories.camera(
        session, world["hidden"], name="Varco Nord", camera_type="dome", visibility="private"
    )
    response = upload(client, world["editor"], position_csv(("Varco Nord", LON)), query="?key=position")
    assert counts(response.json, created=1)
    assert [w for w in response.json["warnings"] if w["code"] == "possible_duplicate"] == []
    assert cameras(session, id=hidden.id)[0].version == 1


# --- rows without a key --------------------------------------------------------------------------------


def test_a_keyless_reimport_warns_of_each_camera_already_there(client, session, world):
    data = position_csv(("Uno", LON), ("Due", LON + 20 * METRE_LON))
    assert counts(upload(client, world["editor"], data).json, created=2)
    first, second = cameras(session)
    hidden = factories.camera(session, world["hidden"], LON, LAT, name="Uno", visibility="private")
    dry = upload(client, world["editor"], data, query="?dry_run=1")
    assert counts(dry.json, created=2)  # it would still create them: the warning is the point
    duplicates = [w for w in dry.json["warnings"] if w["code"] == "possible_duplicate"]
    assert [w["row"] for w in duplicates] == [2, 3]
    assert f"camera {first.id} ('Uno') is 0.0 m away" in duplicates[0]["message"]
    assert f"camera {second.id} ('Due') is 0.0 m away" in duplicates[1]["message"]
    assert f"camera {hidden.id} " not in str(dry.json)
    # rows of the file itself are not each other's duplicates
    fresh = upload(
        client,
        world["editor"],
        position_csv(("Tre", LON + 500 * METRE_LON), ("Quattro", LON + 500 * METRE_LON)),
    )
    assert [w for w in fresh.json["warnings"] if w["code"] == "possible_duplicate"] == []


def test_key_position_refuses_a_second_row_at_the_same_spot_under_the_same_name(client, session, world):
    data = position_csv(("Incrocio", LON), ("incrocio", LON + METRE_LON))
    response = upload(client, world["editor"], data, query="?key=position&dry_run=1")
    assert counts(response.json, created=1, errors=1)
    assert [(e["row"], e["code"]) for e in response.json["errors"]] == [(3, "duplicate_key")]
    assert "row 2 already imported the camera with this position" in response.json["errors"][0]["message"]
