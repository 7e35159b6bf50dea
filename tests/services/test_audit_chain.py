"""The audit log is append-only in the database and its hash chain exposes tampering behind our back."""

from __future__ import annotations

import hashlib
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
from observo.models import AuditEntry
from observo.models.audit import GENESIS_HASH
from observo.services import audit
from tests.conftest import app_on_own_database, own_database_name


def _append(session, count: int) -> list[AuditEntry]:
    return [
        audit.record(session, SYSTEM, "test.action", reason=f"case {n}", details={"n": n})
        for n in range(count)
    ]


def test_entries_chain_each_to_the_previous(session):
    first_id = session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0))) + 1
    entries = _append(session, 3)
    assert [entry.id for entry in entries] == [first_id, first_id + 1, first_id + 2]
    for previous, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == previous.hash
    # The hash is SHA-256 over the canonical JSON of the entry's fields, computed independently here.
    document = {
        column: getattr(entries[0], column)
        for column in (c.key for c in AuditEntry.__table__.columns)
        if column not in ("hash", "at")
    }
    document["at"] = entries[0].at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert entries[0].hash == hashlib.sha256(text.encode()).hexdigest()
    assert audit.verify(session).intact


def test_the_geometry_hash_is_the_sha256_of_the_2d_wkb(session):
    area = box(7.68, 45.06, 7.69, 45.07)
    entry = audit.record(session, SYSTEM, "test.area", geometry=area)
    assert entry.geometry_hash == hashlib.sha256(area.wkb).hexdigest()
    same_shape_with_z = audit.record(session, SYSTEM, "test.area", geometry=Point(7.68, 45.06, 300))
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
        (["DELETE FROM audit_entries WHERE id = 5"], 5, "head records 5"),
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


def test_export_writes_json_lines_that_recheck_and_is_itself_logged(filled_app, tmp_path):
    target = tmp_path / "audit.jsonl"
    result = filled_app.test_cli_runner().invoke(
        main, ["audit", "export", "--since", "2000-01-01", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [line["id"] for line in lines] == [1, 2, 3, 4, 5]
    previous = GENESIS_HASH
    for line in lines:  # the chain can be rechecked from the export alone
        document = {**line, "details": json.dumps(line["details"], sort_keys=True, separators=(",", ":"))}
        del document["hash"]
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert line["prev_hash"] == previous
        assert hashlib.sha256(text.encode()).hexdigest() == line["hash"]
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
