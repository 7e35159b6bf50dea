"""POST /api/v1/imports with a file above OBSERVO_IMPORT_BACKGROUND_BYTES, on both databases, with the real
runner thread: the caller and the owner checked at once (403/422, nothing queued), then 202 with the
job's URL; GET shows it queued or running with its progress, then its report; one job row per upload,
its audit entry carrying the submitting request's id. Every wait is on a condition, with a guard
against a hang only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from observo.extensions import db
from observo.models import AuditEntry, Camera, ImportJob
from tests import factories
from tests.conftest import app_on_own_database
from tests.jobs.test_background_imports import municipal_csv, wait_for

THRESHOLD = 600  # bytes: a few CSV lines run in the request, a dozen in the background


@pytest.fixture(scope="module")
def world(dialect: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    tmp = tmp_path_factory.mktemp(f"background_api_{dialect}")
    with app_on_own_database(dialect, tmp, "background_api", import_background_bytes=THRESHOLD) as app:
        with app.app_context():
            torino = factories.org(db.session, "bga-torino")
            milano = factories.org(db.session, "bga-milano")
            headers = SimpleNamespace(
                editor=factories.headers_for(db.session, torino, "editor"),
                other_editor=factories.headers_for(db.session, torino, "editor"),
                viewer=factories.headers_for(db.session, torino, "viewer"),
                milano_editor=factories.headers_for(db.session, milano, "editor"),
            )
            ids = SimpleNamespace(torino=torino.id, milano=milano.id)
            db.session.remove()
        yield SimpleNamespace(app=app, headers=headers, **vars(ids))


def post(client: FlaskClient, headers: dict[str, str], data: bytes, **query: Any) -> Any:
    query = {"owner": "bga-torino", **query}
    return client.post(
        "/api/v1/imports", query_string=query, data=data, headers={**headers, "Content-Type": "text/csv"}
    )


def finished(client: FlaskClient, headers: dict[str, str], url: str) -> dict[str, Any] | None:
    document = client.get(url, headers=headers).get_json()
    return document if document["status"] not in ("queued", "running") else None


def count(world: SimpleNamespace, model: Any, *where: Any) -> int:
    with world.app.app_context(), db.engine.connect() as connection:  # committed rows only
        return connection.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()


def big_csv(prefix: str, rows: int = 40, **kwargs: Any) -> bytes:
    data = municipal_csv(rows, prefix, owner="bga-torino", **kwargs)
    assert len(data) > THRESHOLD
    return data


def test_a_large_file_answers_202_then_its_report_when_done(world):
    client = world.app.test_client()
    before = count(world, Camera, Camera.owner_id == world.torino)
    response = post(client, world.headers.editor, big_csv("BIG"), **{"map": "riferimento=ref"})
    assert response.status_code == 202, response.get_data(as_text=True)
    queued = response.get_json()
    url = response.headers["Location"]
    assert url.endswith(f"/api/v1/imports/{queued['id']}")
    assert queued["status"] in ("queued", "running", "succeeded")
    assert queued["progress"]["rows_total"] >= 40 and queued["failure"] is None

    done = wait_for(lambda: finished(client, world.headers.editor, url), "the import to finish")
    assert done["status"] == "succeeded", done
    assert done["counts"]["created"] == 40 and done["counts"]["errors"] == 0
    assert done["progress"] == {"rows_done": 40, "rows_total": 40}
    assert done["filename"] is None and done["finished_at"] is not None
    assert [row["action"] for row in done["rows"]] == ["create"] * 40
    assert all(isinstance(row["camera_id"], int) for row in done["rows"])
    assert count(world, Camera, Camera.owner_id == world.torino) == before + 40
    # one job row for the upload (the run fills the queued one), and its audit entry names it
    assert count(world, ImportJob, ImportJob.sha256 == queued["sha256"]) == 1
    with world.app.app_context():
        entry = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "import.run", AuditEntry.object_id == str(queued["id"])
            )
        ).one()
        assert entry.request_id == response.headers["X-Request-ID"]
        assert json.loads(entry.details)["created"] == 40
        db.session.remove()

    # the same file again: the earlier import is answered, nothing is written twice
    again = post(client, world.headers.editor, big_csv("BIG"), **{"map": "riferimento=ref"})
    assert again.status_code == 202
    replay = wait_for(lambda: finished(client, world.headers.editor, again.headers["Location"]), "the replay")
    assert replay["status"] == "succeeded" and replay["counts"]["created"] == 40
    assert count(world, Camera, Camera.owner_id == world.torino) == before + 40


def test_a_small_file_is_still_imported_within_the_request(world):
    client = world.app.test_client()
    data = municipal_csv(2, "SMALL", owner="bga-torino")
    assert len(data) <= THRESHOLD
    response = post(client, world.headers.editor, data)
    assert response.status_code == 201 and response.get_json()["status"] == "succeeded"


@pytest.mark.parametrize(
    ("who", "owner", "status"),
    [
        ("viewer", "bga-torino", 403),  # viewers do not import
        ("milano_editor", "bga-torino", 422),  # an owner it may not see: as an unknown one
        ("editor", "no-such-municipality", 422),
    ],
)
def test_refusals_come_at_once_and_queue_nothing(world, who, owner, status):
    client = world.app.test_client()
    jobs = count(world, ImportJob)
    response = post(client, getattr(world.headers, who), big_csv("NO"), owner=owner)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert count(world, ImportJob) == jobs


def test_a_bad_row_ends_the_job_invalid_with_its_report_and_nothing_written(world):
    client = world.app.test_client()
    before = count(world, Camera, Camera.owner_id == world.torino)
    response = post(client, world.headers.editor, big_csv("BAD", bad_row=7))
    assert response.status_code == 202
    done = wait_for(lambda: finished(client, world.headers.editor, response.headers["Location"]), "the job")
    assert done["status"] == "invalid" and done["counts"]["errors"] == 1
    assert done["errors"][0]["row"] == 9 and done["errors"][0]["field"] == "retention_hours"
    assert count(world, Camera, Camera.owner_id == world.torino) == before


def test_a_dry_run_in_the_background_validates_and_writes_nothing(world):
    client = world.app.test_client()
    before = count(world, Camera, Camera.owner_id == world.torino)
    response = post(client, world.headers.editor, big_csv("DRY"), dry_run="true")
    assert response.status_code == 202
    done = wait_for(lambda: finished(client, world.headers.editor, response.headers["Location"]), "the job")
    assert done["status"] == "validated" and done["dry_run"] and done["counts"]["created"] == 40
    assert all(row["camera_id"] is None for row in done["rows"])
    assert count(world, Camera, Camera.owner_id == world.torino) == before


def test_the_same_idempotency_key_answers_the_same_job(world):
    client = world.app.test_client()
    headers = {**world.headers.editor, "Idempotency-Key": "bga-upload-1"}
    first = post(client, headers, big_csv("IDEM"))
    second = post(client, headers, big_csv("IDEM"))
    assert first.status_code == 202 and second.status_code == 200
    assert second.get_json()["id"] == first.get_json()["id"]
    wait_for(lambda: finished(client, world.headers.editor, first.headers["Location"]), "the job")


def test_a_job_is_read_by_its_owners_editors_and_hidden_from_others(world):
    client = world.app.test_client()
    response = post(client, world.headers.editor, big_csv("SEEN"))
    url = response.headers["Location"]
    wait_for(lambda: finished(client, world.headers.editor, url), "the job")
    assert client.get(url, headers=world.headers.other_editor).status_code == 200
    hidden = client.get(url, headers=world.headers.milano_editor)
    missing = client.get("/api/v1/imports/987654", headers=world.headers.milano_editor)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json()["detail"].replace(url.rsplit("/", 1)[1], "N") == missing.get_json()[
        "detail"
    ].replace("987654", "N")
    assert client.get(url, headers=world.headers.viewer).status_code == 404
