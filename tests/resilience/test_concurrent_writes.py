"""Concurrent writes through the production server (gunicorn, several worker processes), on both
databases: of many PATCHes sent with one ETag exactly one lands, and of many uploads of one file
exactly one imports it; the others are refused (412) or answered with the earlier import.

Each round releases its clients together (a barrier across processes) and checks the outcome
through the API and the database: whatever the interleaving, only one outcome is correct.
"""

from __future__ import annotations

import hashlib
import json
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask

from benchmarks.servers import Server
from observo.extensions import db
from observo.models import AuditEntry, Camera, ImportJob
from tests import factories, servers
from tests.conftest import DIALECTS, drop_postgis_database, fresh_postgis_database, make_app
from tests.resilience.clients import Answer, Call, Clients

CLIENTS = 12  # 4 gunicorn workers x 3 threads: every request is being served at once
PATCH_ROUNDS = 4
IMPORT_ROUNDS = 3  # per variant: without a key, with one, a dry run with one
IMPORT_ROWS = 5
PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class Registry:
    """A served database with one editor (and its token) and one camera."""

    dialect: str
    app: Flask  # the test's own view of the database, for checks
    server: Server
    base_url: str
    token: str
    camera_id: int
    owner_id: int

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}

    def scalar(self, statement: sa.Select) -> Any:
        with self.app.app_context():
            return db.session.scalar(statement)


def _database(dialect: str, tmp: Path) -> tuple[str, str | None]:
    """(URL, PostgreSQL database to drop afterwards or None)."""
    if dialect == "spatialite":
        return f"sqlite:///{tmp}/observo.sqlite", None
    name = f"observo_resilience_{uuid.uuid4().hex[:12]}"
    return fresh_postgis_database(name), name


def _seed(app: Flask) -> tuple[str, int, int]:
    """(token, camera id, owner id), committed through the services."""
    with app.app_context():
        flask_migrate.upgrade()
        owner = factories.org(db.session, "torino")
        clear = factories.token(db.session, factories.user(db.session, owner, "editor"))
        camera = factories.camera(db.session, owner, status="active")
        return clear, camera.id, owner.id


@pytest.fixture(scope="module", params=DIALECTS)
def registry(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    dialect = request.param
    tmp = tmp_path_factory.mktemp(f"resilience-{dialect}")
    with ExitStack() as cleanup:  # undone in reverse: server, connections, database
        url, pg_name = _database(dialect, tmp)
        if pg_name is not None:
            cleanup.callback(drop_postgis_database, pg_name)
        app = make_app(url, tmp / "checks")
        cleanup.callback(_dispose, app)
        token, camera_id, owner_id = _seed(app)
        server = cleanup.enter_context(servers.gunicorn(url, tmp / "instance"))
        yield Registry(dialect, app, server, server.base_url, token, camera_id, owner_id)


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def clients() -> Iterator[Clients]:
    pool = Clients(CLIENTS)
    yield pool
    pool.close()


def _get(registry: Registry, path: str) -> tuple[dict[str, Any], str | None]:
    """(JSON body, ETag) of a GET from the test process."""
    request = urllib.request.Request(registry.base_url + path, headers=registry.headers())
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read()), response.headers.get("ETag")


def _explain(registry: Registry, answers: list[Answer]) -> str:
    seen = [(answer.status, answer.body[:300].decode(errors="replace")) for answer in answers]
    return f"{registry.dialect}: {seen}\n--- server log ---\n{servers.log_tail(registry.server)}"


def _patch_call(registry: Registry, etag: str, name: str, status: str) -> Call:
    body = {"properties": {"name": name, "status": status}}
    headers = registry.headers(**{"If-Match": etag, "Content-Type": "application/merge-patch+json"})
    url = f"{registry.base_url}/api/v1/cameras/{registry.camera_id}"
    return Call("PATCH", url, json.dumps(body).encode(), headers)


def _updates_logged(registry: Registry) -> int:
    where = (AuditEntry.action == "camera.update", AuditEntry.object_id == str(registry.camera_id))
    return int(registry.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(*where)))


def _patch_round(registry: Registry, clients: Clients, round_no: int) -> None:
    path = f"/api/v1/cameras/{registry.camera_id}"
    before, etag = _get(registry, path)
    history = _get(registry, f"{path}/history")[0]["changes"]
    logged = _updates_logged(registry)
    status = "faulty" if before["properties"]["status"] == "active" else "active"
    names = [f"round {round_no} client {index}" for index in range(CLIENTS)]
    answers = clients.fire([_patch_call(registry, etag, name, status) for name in names])

    won = [answer for answer in answers if answer.status == 200]
    lost = [answer for answer in answers if answer.status != 200]
    assert len(won) == 1, _explain(registry, answers)
    assert {answer.status for answer in lost} == {412}, _explain(registry, answers)
    assert {answer.content_type for answer in lost} == {PROBLEM_JSON}
    assert {json.loads(answer.body)["status"] for answer in lost} == {412}

    winner = json.loads(won[0].body)
    final, final_etag = _get(registry, path)
    assert final == winner  # the stored state is the winner's, and only the winner's
    assert winner["properties"]["name"] in names and winner["properties"]["status"] == status
    assert winner["properties"]["version"] == before["properties"]["version"] + 1
    assert final_etag == won[0].etag != etag
    changes = _get(registry, f"{path}/history")[0]["changes"]
    assert changes[: len(history)] == history and len(changes) == len(history) + 1
    assert (changes[-1]["from_status"], changes[-1]["to_status"]) == (before["properties"]["status"], status)
    assert _updates_logged(registry) == logged + 1


def test_one_of_many_patches_with_the_same_etag_lands(registry: Registry, clients: Clients) -> None:
    for round_no in range(PATCH_ROUNDS):
        _patch_round(registry, clients, round_no)


def _csv(tag: str) -> bytes:
    lines = ["name,camera_type,owner,lon,lat,ref,range_m,retention_hours"]
    for row in range(IMPORT_ROWS):
        lon, lat = factories.TURIN[0] + row * 0.001, factories.TURIN[1] + row * 0.001
        lines.append(f"{tag} {row},dome,torino,{lon:.4f},{lat:.4f},{tag}-{row},50,24")
    return ("\n".join(lines) + "\n").encode()


def _cameras(registry: Registry) -> int:
    stmt = sa.select(sa.func.count()).select_from(Camera).where(Camera.owner_id == registry.owner_id)
    return int(registry.scalar(stmt))


def _jobs(registry: Registry, data: bytes) -> int:
    digest = hashlib.sha256(data).hexdigest()
    stmt = sa.select(sa.func.count()).select_from(ImportJob).where(ImportJob.sha256 == digest)
    return int(registry.scalar(stmt))


def _import_round(registry: Registry, clients: Clients, tag: str, key: str | None, dry_run: bool) -> None:
    data = _csv(tag)
    extra = {"Content-Type": "text/csv", **({"Idempotency-Key": key} if key else {})}
    url = f"{registry.base_url}/api/v1/imports{'?dry_run=1' if dry_run else ''}"
    call = Call("POST", url, data, registry.headers(**extra))
    cameras_before = _cameras(registry)
    answers = clients.fire([call] * CLIENTS)

    applied = [json.loads(answer.body) for answer in answers if answer.status == 201]
    replayed = [json.loads(answer.body) for answer in answers if answer.status == 200]
    assert len(applied) == 1 and len(replayed) == CLIENTS - 1, _explain(registry, answers)
    (job,) = applied
    assert (job["status"], job["already_imported"]) == ("validated" if dry_run else "succeeded", False)
    counts = {name: job["counts"][name] for name in ("created", "updated", "unchanged", "errors")}
    assert counts == {"created": IMPORT_ROWS, "updated": 0, "unchanged": 0, "errors": 0}
    assert {(answer["id"], answer["already_imported"]) for answer in replayed} == {(job["id"], True)}
    assert _cameras(registry) == cameras_before + (0 if dry_run else IMPORT_ROWS)
    assert _jobs(registry, data) == 1


# Without a key the file's digest makes a re-upload a no-op; with one, the key does (a dry run too).
@pytest.mark.parametrize(
    ("with_key", "dry_run"),
    [(False, False), (True, False), (True, True)],
    ids=["no-key", "same-key", "same-key-dry-run"],
)
def test_one_of_many_identical_imports_applies(
    registry: Registry, clients: Clients, with_key: bool, dry_run: bool
) -> None:
    for round_no in range(IMPORT_ROUNDS):
        tag = f"{'K' if with_key else 'F'}{'D' if dry_run else ''}{round_no}"
        key = f"import-{tag}-{uuid.uuid4().hex}" if with_key else None
        _import_round(registry, clients, tag, key, dry_run)
