"""The import's report: exact counts, each problem and warning as {row, field, code, message}, each row's
action, the file's summary (encoding, CRS, columns mapped, kept unmapped with counts, ignored, file
warnings such as "no rows"); kept on the job, read back alike, matching the declared schema; long lists
cut short with the number left out while the counts stay exact. On both databases."""

from __future__ import annotations

import jsonschema
import pytest

from observo.services.import_report import LIST_MAX
from tests.api.test_imports import (
    GOOD_ROWS,
    HEADER,
    cameras,
    collection,
    counts,
    csv_file,
    make_world,
    upload,
)
from tests.api.test_openapi import _openapi_to_jsonschema


@pytest.fixture
def world(session):
    return make_world(session)


def check_declared(client, body) -> None:
    spec = client.get("/api/v1/openapi.json").json
    schema = {**spec["components"]["schemas"]["ImportJobOutput"], "components": spec["components"]}
    jsonschema.validate(body, _openapi_to_jsonschema(schema))


def test_the_report_says_everything_and_reads_back_the_same(client, session, world):
    # An extra column no property takes ("nota"), kept on the camera; a direction in words.
    data = (
        "\ufeffnome;tipo;titolare;direzione;longitudine;latitudine;riferimento;conservazione_ore;nota\r\n"
        "Varco Nord;fixed;torino;nord;7,6869;45,0703;N-1;24;palo 3\r\n"
        "Varco Sud;fixed;torino;180;7,6879;45,0713;N-2;24;\r\n"
        "Rotto;fixed;torino;90;7,6889;45,0723;N-3;9000;palo 5\r\n"
    ).encode()
    response = upload(client, world["editor"], data, query="?skip_invalid=1")
    assert response.status_code == 201, response.json
    body = response.json
    check_declared(client, body)
    assert counts(body, created=2, skipped=1, errors=1)
    assert body["errors"] == [
        {
            "row": 4,
            "field": "retention_hours",
            "code": "out_of_range",
            "message": body["errors"][0]["message"],
        }
    ]
    warned = {(w["row"], w["field"], w["code"]) for w in body["warnings"]}
    assert (2, "direzione", "direction_normalised") in warned
    assert body["counts"]["warnings"] == len(body["warnings"])
    assert body["by_code"]["errors"] == {"out_of_range": 1}
    assert body["by_code"]["warnings"]["direction_normalised"] == 1
    file = body["file"]
    assert (file["format"], file["records"], file["crs"]) == ("csv", 3, "EPSG:4326")
    assert file["encoding"].lower().startswith("utf-8")
    assert file["columns"]["direzione"] == "bearing_deg" and file["columns"]["riferimento"] == "ref"
    assert file["kept_unmapped"] == {"nota": 2}
    north, south = cameras(session)
    assert north.source_tags == {"nota": "palo 3"} and north.bearing_deg == 0.0
    assert [(r["row"], r["action"]) for r in body["rows"]] == [(2, "create"), (3, "create")]
    assert {r["camera_id"] for r in body["rows"]} == {north.id, south.id}
    assert body["not_listed"] == {"errors": 0, "warnings": 0, "rows": 0}
    stored = client.get(f"/api/v1/imports/{body['id']}", headers=world["editor"])
    assert stored.status_code == 200
    assert stored.json == body


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("header_only.csv", (HEADER + "\r\n").encode()),
        ("empty.geojson", collection()),
    ],
)
def test_a_file_without_rows_is_a_warning_not_a_silent_success(client, session, world, name, data):
    response = upload(client, world["editor"], data, name, "?owner=torino")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "succeeded" and counts(body)
    assert [w["code"] for w in body["file"]["warnings"]] == ["no_rows"]
    assert body["file"]["records"] == 0


def test_long_lists_are_cut_short_and_the_counts_stay_exact(client, session, world):
    bad = [
        f"Rotto {n};fixed;torino;90;60;80;4;7,6869;45,0703;Via Po;active;public;9000;R-{n}"
        for n in range(LIST_MAX + 7)
    ]
    response = upload(client, world["editor"], csv_file(*bad, GOOD_ROWS[0]), query="?dry_run=1")
    assert response.status_code == 201
    body = response.json
    assert counts(body, created=1, errors=LIST_MAX + 7)
    assert len(body["errors"]) == LIST_MAX and body["not_listed"]["errors"] == 7
    assert body["by_code"]["errors"] == {"out_of_range": LIST_MAX + 7}
    assert body["errors"][0]["row"] == 2 and body["errors"][-1]["row"] == LIST_MAX + 1
    real = upload(client, world["editor"], csv_file(*bad))
    assert real.status_code == 422 and real.json["detail"].startswith(
        f"tutte le righe sono state rifiutate ({LIST_MAX + 7} righe"
    )
    assert len(real.json["errors"]) == LIST_MAX  # the problem document lists what the report lists
    assert cameras(session) == []
