"""The audit log is append-only in the database, its keyed chain exposes tampering behind our back, and
entries are chained when their transaction commits (attacks with direct database access:
tests/security/test_audit_tamper.py)."""

from __future__ import annotations

import hashlib
import hmac
import json
import shlex
from collections.abc import Iterator
from pathlib import Path

import pysqlite3.dbapi2 as pysqlite3
import pytest
import sqlalchemy as sa
from flask import Flask
from shapely.geometry import Point, box

from observo.cli import main
from observo.domain.permissions import SYSTEM
from observo.extensions import db
from observo.models import AuditChainHead, AuditEntry
from observo.models.audit import GENESIS_HASH
from observo.services import audit
from tests.conftest import app_on_own_database, own_database_name


def _append(session, count: int) -> list[AuditEntry]:
    """`count` entries, committed: they are numbered and chained when their transaction commits."""
    entries = [
        audit.record(session, SYSTEM, "test.action", reason=f"case {n}", details={"n": n})
        for n in range(count)
    ]
    session.commit()
    return entries


def _last_id(session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


def instance_keys(app: Flask) -> dict[str, bytes]:
    """The keys of the app's generated key file, read here independently of the application."""
    lines = (Path(app.instance_path) / "audit_key").read_text().split("\n")
    return {key_id: bytes.fromhex(key) for key_id, key in (line.split() for line in lines if line.strip())}


def test_entries_chain_each_to_the_previous(app, session):
    first_id = _last_id(session) + 1
    entries = _append(session, 3)
    assert [entry.id for entry in entries] == [first_id, first_id + 1, first_id + 2]
    for previous, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == previous.hash
    # The hash is HMAC-SHA-256, under the key of the instance's key file, over the canonical JSON of
    # the entry's fields (its key id included), computed independently here.
    keys = instance_keys(app)
    assert entries[0].key_id == list(keys)[-1]
    document = {
        column: getattr(entries[0], column)
        for column in (c.key for c in AuditEntry.__table__.columns)
        if column not in ("hash", "at")
    }
    document["at"] = entries[0].at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert entries[0].hash == hmac.new(keys[entries[0].key_id], text.encode(), hashlib.sha256).hexdigest()
    # The shared test database's checkpoints record entries other tests rolled back: none here.
    assert audit.verify(session, checkpoint_dirs=[]).intact


def test_an_entry_is_chained_only_when_its_transaction_commits(session):
    entry = audit.record(session, SYSTEM, "test.action")
    assert entry.id is None and entry.hash is None  # nothing holds the chain meanwhile
    head = session.scalar(sa.select(AuditChainHead.last_id))
    session.flush()
    assert session.scalar(sa.select(AuditChainHead.last_id)) == head
    session.commit()
    assert entry.id == head + 1


def test_entries_vanish_with_the_transaction_or_savepoint_they_were_recorded_in(session):
    start = _last_id(session)
    audit.record(session, SYSTEM, "test.undone")
    session.rollback()
    audit.record(session, SYSTEM, "test.kept", details={"n": 1})
    with pytest.raises(RuntimeError), session.begin_nested():
        audit.record(session, SYSTEM, "test.undone")
        raise RuntimeError("the savepoint is rolled back")
    with session.begin_nested():
        audit.record(session, SYSTEM, "test.kept", details={"n": 2})
    session.commit()
    logged = session.scalars(sa.select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id))
    assert [(entry.action, entry.details) for entry in logged] == [
        ("test.kept", '{"n":1}'),
        ("test.kept", '{"n":2}'),
    ]


def test_the_geometry_hash_is_the_sha256_of_the_2d_wkb(session):
    area = box(7.68, 45.06, 7.69, 45.07)
    entry = audit.record(session, SYSTEM, "test.area", geometry=area)
    assert entry.geometry_hash == hashlib.sha256(area.wkb).hexdigest()
    same_shape_with_z = audit.record(session, SYSTEM, "test.area", geometry=Point(7.68, 45.06, 300))
    session.commit()
    assert same_shape_with_z.geometry_hash == hashlib.sha256(Point(7.68, 45.06).wkb).hexdigest()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET reason = 'rewritten' WHERE id = :id",
        "DELETE FROM audit_entries WHERE id = :id",
    ],
)
def test_the_database_refuses_to_change_or_remove_an_entry(session, statement):
    entry = _append(session, 1)[0]
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), session.begin_nested():
        session.execute(sa.text(statement), {"id": entry.id})
    session.expire_all()
    assert session.get(AuditEntry, entry.id).reason == "case 0"


def test_the_database_refuses_to_empty_the_log(session, dialect):
    _append(session, 1)
    # SQLite has no TRUNCATE: its "DELETE FROM t" without WHERE (the truncate optimisation) still
    # fires the row triggers when they exist.
    statement = "TRUNCATE audit_entries" if dialect == "postgis" else "DELETE FROM audit_entries"
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), session.begin_nested():
        session.execute(sa.text(statement))
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) >= 1


# --- tampering with the stored file or database, outside the application, then `observo audit verify`


@pytest.fixture
def filled_app(dialect: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """An app on its own database holding five committed audit entries."""
    with app_on_own_database(dialect, tmp_path, own_database_name("audit_", request)) as application:
        with application.app_context():
            _append(db.session, 5)
            db.session.commit()
        yield application


def _behind_the_back(app: Flask, dialect: str, statements: list[str]) -> None:
    """Run SQL on a raw driver connection with the append-only guard lifted, as an intruder would."""
    with app.app_context():
        url = db.engine.url
        db.engine.dispose()
    if dialect == "spatialite":
        raw = pysqlite3.connect(url.database)
        raw.execute("DROP TRIGGER audit_entries_no_update")
        raw.execute("DROP TRIGGER audit_entries_no_delete")
        for statement in statements:
            raw.execute(statement)
        raw.commit()
        raw.close()
        return
    import psycopg

    with psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False)) as raw:
        raw.execute("ALTER TABLE audit_entries DISABLE TRIGGER USER")
        for statement in statements:
            raw.execute(statement)
        raw.execute("ALTER TABLE audit_entries ENABLE TRIGGER USER")


def _verify(app: Flask):
    return app.test_cli_runner().invoke(main, shlex.split("audit verify"))


def test_verify_passes_an_untouched_log(filled_app):
    result = _verify(filled_app)
    assert result.exit_code == 0, result.output
    assert "intact: 5 entries" in result.stdout


@pytest.mark.parametrize(
    ("statements", "broken_at", "problem"),
    [
        (["UPDATE audit_entries SET reason = 'nothing to see' WHERE id = 3"], 3, "altered"),
        (["UPDATE audit_entries SET actor_label = 'someone else' WHERE id = 1"], 1, "altered"),
        (["DELETE FROM audit_entries WHERE id = 2"], 2, "missing"),
        (["DELETE FROM audit_entries WHERE id = 5"], 5, "a checkpoint of"),
        # A forged entry with a self-consistent hash still does not follow its predecessor.
        ([f"UPDATE audit_entries SET prev_hash = '{GENESIS_HASH}' WHERE id = 4"], 4, "does not follow"),
    ],
)
def test_verify_reports_the_first_entry_changed_behind_its_back(
    filled_app, dialect, statements, broken_at, problem
):
    _behind_the_back(filled_app, dialect, statements)
    result = _verify(filled_app)
    assert result.exit_code == 1
    assert f"BROKEN at entry {broken_at}" in result.stderr
    assert problem in result.stderr
    with filled_app.app_context():
        report = audit.verify(db.session)
    assert (report.intact, report.broken_at) == (False, broken_at)


def test_without_checkpoints_the_head_row_still_catches_a_cut_it_does_not_follow(filled_app, dialect):
    _behind_the_back(filled_app, dialect, ["DELETE FROM audit_entries WHERE id = 5"])
    with filled_app.app_context():
        report = audit.verify(db.session, checkpoint_dirs=[])
    assert (report.broken_at, report.problem) == (5, "the log ends at entry 4 but its head records 5")


def test_export_writes_json_lines_that_recheck_and_is_itself_logged(filled_app, tmp_path):
    target = tmp_path / "audit.jsonl"
    result = filled_app.test_cli_runner().invoke(
        main, ["audit", "export", "--since", "2000-01-01", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [line["id"] for line in lines] == [1, 2, 3, 4, 5]
    previous, keys = GENESIS_HASH, instance_keys(filled_app)
    for line in lines:  # the chain can be rechecked from the export alone, with the key
        document = {**line, "details": json.dumps(line["details"], sort_keys=True, separators=(",", ":"))}
        del document["hash"]
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert line["prev_hash"] == previous
        assert hmac.new(keys[line["key_id"]], text.encode(), hashlib.sha256).hexdigest() == line["hash"]
        previous = line["hash"]
    with filled_app.app_context():
        logged = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "audit.export")).all()
    assert len(logged) == 1 and logged[0].result_count == 5
    assert logged[0].actor_label.startswith("cli:")


def test_export_refuses_a_bad_date_and_writes_nothing(filled_app, tmp_path):
    target = tmp_path / "audit.jsonl"
    result = filled_app.test_cli_runner().invoke(
        main, ["audit", "export", "--since", "yesterday", "--output", str(target)]
    )
    assert result.exit_code != 0
    assert "ISO 8601" in result.stderr
    assert not target.exists()


def test_a_checkpoint_that_cannot_be_written_leaves_the_entry_committed_and_says_so(
    dialect, tmp_path, request, caplog
):
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    name = own_database_name("audit_", request)
    with (
        app_on_own_database(dialect, tmp_path, name, audit_checkpoint_dir=blocked) as application,
        application.app_context(),
    ):
        _append(db.session, 1)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 1
    assert "cannot write the audit checkpoint of entry 1" in caplog.text
