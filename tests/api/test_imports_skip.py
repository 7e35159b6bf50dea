"""Skip mode (`skip_invalid`): the valid rows written and the refused ones reported, in one transaction
and one audit entry; the default still writes nothing when any row is refused; a file whose every row is
refused writes nothing in either mode and says so. On both databases."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from observo.models import AuditEntry, ImportJob
from tests.api.test_imports import BAD_ROW, GOOD_ROWS, cameras, counts, csv_file, make_world, upload


@pytest.fixture
def world(session):
    return make_world(session)


def entries(session, action: str) -> list[AuditEntry]:
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_skip_mode_writes_the_valid_rows_and_reports_the_refused(client, session, world):
    data = csv_file(GOOD_ROWS[0], BAD_ROW, GOOD_ROWS[1])
    response = upload(client, world["editor"], data, query="?skip_invalid=true")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "succeeded" and body["skip_invalid"] is True
    assert counts(body, created=2, skipped=1, errors=1)
    assert [(p["row"], p["field"], p["code"]) for p in body["errors"]] == [
        (3, "retention_hours", "out_of_range")
    ]
    assert [camera.ref for camera in cameras(session)] == ["TO-1", "TO-2"]
    (entry,) = entries(session, "import.run")
    details = json.loads(entry.details)
    assert (details["created"], details["skipped"], details["errors"], details["skip_invalid"]) == (
        2,
        1,
        1,
        True,
    )
    assert details["warnings"] == body["counts"]["warnings"]
    assert entry.object_id == str(body["id"]) and entry.result_count == 2
    job = session.get(ImportJob, body["id"])
    assert (job.skip_invalid, job.skipped, job.created, job.errors) == (True, 1, 2, 1)


def test_without_skip_mode_one_refused_row_writes_nothing(client, session, world):
    response = upload(client, world["editor"], csv_file(GOOD_ROWS[0], BAD_ROW, GOOD_ROWS[1]))
    assert response.status_code == 422
    assert [(i["pointer"], i["code"]) for i in response.json["errors"]] == [
        ("/rows/3/retention_hours", "out_of_range")
    ]
    assert "skip_invalid" in response.json["detail"]  # says how to import the valid rows anyway
    assert cameras(session) == [] and entries(session, "import.run") == []


def test_skip_mode_dry_run_says_what_would_be_written(client, session, world):
    data = csv_file(GOOD_ROWS[0], BAD_ROW)
    response = upload(client, world["editor"], data, query="?skip_invalid=1&dry_run=1")
    assert response.status_code == 201
    assert response.json["status"] == "validated" and counts(response.json, created=1, skipped=1, errors=1)
    assert cameras(session) == []


def test_a_row_the_database_refuses_is_skipped_too(client, session, world):
    """Two rows with the same ref: the second is refused after the first was written (savepoint)."""
    duplicate = GOOD_ROWS[1].replace("TO-2", "TO-1")
    response = upload(client, world["editor"], csv_file(GOOD_ROWS[0], duplicate), query="?skip_invalid=yes")
    assert response.status_code == 201, response.json
    assert counts(response.json, created=1, skipped=1, errors=1)
    assert response.json["errors"][0]["code"] == "duplicate_key"
    (camera,) = cameras(session)
    assert camera.name == "Varco Nord"


@pytest.mark.parametrize("skip", [False, True])
def test_a_file_whose_every_row_is_refused_writes_nothing_and_says_so(client, session, world, skip):
    data = csv_file(BAD_ROW, BAD_ROW.replace("TO-3", "TO-4"))
    query = "?skip_invalid=true" if skip else ""
    real = upload(client, world["editor"], data, query=query)
    assert real.status_code == 422
    assert real.json["detail"].startswith("tutte le righe sono state rifiutate (2 righe, 2 problemi)")
    assert [i["pointer"] for i in real.json["errors"]] == [
        "/rows/2/retention_hours",
        "/rows/3/retention_hours",
    ]
    assert cameras(session) == [] and entries(session, "import.run") == []
    dry = upload(client, world["editor"], data, query=(query or "?") + "&dry_run=1")
    assert dry.status_code == 201 and dry.json["status"] == "invalid"
    assert counts(dry.json, errors=2, skipped=2 if skip else 0)
