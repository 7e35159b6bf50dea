"""Import throughput on SpatiaLite and PostGIS: the import as it is, against a bare bulk loop and against
the row loop as it was before (issue 17, section 5).

    .venv/bin/python -m benchmarks.import_speed [ROWS] [--paths bulk,current,row] [--row-rows N]
        [--databases spatialite,postgis] [--verify]

Generates a CSV of ROWS cameras (default 100,000; Italian headers, `;`, decimal commas, as
`benchmarks/import_rows.py`), then for each database and path, in a process of its own and on a fresh
database of its own (SpatiaLite in a temporary folder; PostGIS as `observo_import_speed_<name>_<pid>`
on the local server, dropped after), times the import from the file's bytes to COMMIT (audit entries
numbered and sealed included) and prints rows per second and the process's peak memory:

- current: `services.imports.import_cameras` as it is: the row loop with its new cameras kept back and
  written a batch at a time (`bulk_cameras.DeferredCreates`), refs looked up a batch at a time;
- row: `import_cameras` running `RowAtATimeRun`, the row loop as it was: a camera at a time through
  `create_camera`, the camera API's whole schema, a query a ref;
- bulk: a bare loop (`bulk_import` below): rows parsed by `import_rows.parse_rows`, validated by
  `bulk_cameras.load_feature`, owners checked and refs looked up a batch at a time, cameras written by
  `bulk_cameras.BulkCameras`; all or nothing, without the report's details: the floor of this design.

`--row-rows` times the row-at-a-time path on fewer rows (it takes several minutes per 100,000 rows);
`--verify` checks the audit chain after each run. Targets (issue 17): >= 1,000 rows/s on SpatiaLite
and >= 2,000 rows/s on PostGIS for a 100,000-row file.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import multiprocessing
import os
import resource
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import flask_migrate
import sqlalchemy as sa
from flask import Flask
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from benchmarks.import_rows import generate
from observo.app import create_app
from observo.domain import import_rows
from observo.domain.permissions import SYSTEM, Actor
from observo.errors import FieldIssue, InvalidInput, ObservoError
from observo.extensions import db
from observo.models import Camera
from observo.schemas.camera import CameraFeatureInput
from observo.schemas.validation import issues_from_messages
from observo.services import audit, bulk_cameras, import_run, imports, organisations
from observo.services.cameras import CameraWrite, create_camera
from observo.settings import Settings

POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class BulkReport:
    created: int = 0
    existing: int = 0
    problems: list[tuple[int, FieldIssue]] = field(default_factory=list)


def bulk_import(session: Session, actor: Actor, data: bytes, owner: str | None) -> BulkReport:
    """All or nothing, as `import_cameras`: rows parsed, validated, deduplicated by natural key (ref),
    their owners checked and keys looked up a batch at a time, new cameras created in bulk."""
    report = BulkReport()
    writer = bulk_cameras.BulkCameras(session, actor)
    parsed_rows = import_rows.parse_rows(
        data, "csv", import_rows.ImportOptions(owner=owner), import_rows.FileSummary("csv")
    )
    seen: set[tuple[str, str]] = set()
    batch: list[bulk_cameras.BulkRow] = []
    savepoint = session.begin_nested()
    for parsed in parsed_rows:
        if parsed.issues or parsed.feature is None:
            report.problems.extend((parsed.row, issue) for issue in parsed.issues)
            continue
        try:
            loaded = bulk_cameras.load_feature(parsed.feature)
        except ValidationError as exc:
            report.problems.extend((parsed.row, issue) for issue in issues_from_messages(exc.messages))
            continue
        write = CameraWrite(location=loaded["geometry"], attrs=loaded["properties"])
        key = (write.attrs["owner"], write.attrs.get("ref"))
        if key[1] is not None and key in seen:
            report.problems.append(
                (parsed.row, FieldIssue("", "duplicate_key", f"an earlier row has {key[1]}"))
            )
            continue
        seen.add(key)
        batch.append(bulk_cameras.BulkRow(parsed.row, write))
        if len(batch) >= bulk_cameras.BATCH_ROWS:
            _write_batch(session, writer, batch, report)
            batch = []
    _write_batch(session, writer, batch, report)
    if report.problems:
        savepoint.rollback()
        raise InvalidInput(f"{len(report.problems)} problems: nothing was imported")
    savepoint.commit()
    return report


def _write_batch(
    session: Session, writer: bulk_cameras.BulkCameras, batch: list[bulk_cameras.BulkRow], report: BulkReport
) -> None:
    """Owners first (a row naming one the caller may not write for learns nothing of its cameras),
    then one look-up per owner for the batch's refs, then the new cameras in one go."""
    owned: dict[int, list[bulk_cameras.BulkRow]] = {}
    for item in batch:
        try:
            owned.setdefault(writer.writable_owner_id(item.write.attrs["owner"]), []).append(item)
        except ObservoError as error:
            report.problems.extend((item.row, issue) for issue in bulk_cameras.issues_of(error))
    new = []
    for owner_id, items in owned.items():
        refs = [item.write.attrs["ref"] for item in items if item.write.attrs.get("ref")]
        existing = bulk_cameras.cameras_by_ref(session, owner_id, refs)
        report.existing += sum(1 for item in items if item.write.attrs.get("ref") in existing)
        new.extend(item for item in items if item.write.attrs.get("ref") not in existing)
    outcome = writer.create(new)
    report.created += len(outcome.created)
    report.problems.extend((row, issue) for row, issues in outcome.refused for issue in issues)
    session.expunge_all()  # as the current path does every 500 rows: memory stays flat


# --- the row loop as it was before section 5: a camera at a time ---------------------------------------


class RowAtATimeRun(import_run.ImportRun):
    """`services.import_run.ImportRun` as it was before its new cameras were kept back: each created at
    once by `create_camera`, each row checked by the camera API's whole input schema, each ref looked up
    by a query of its own. Kept to measure the bulk path against, in the same run, and to check that it
    changes nothing (`benchmarks/import_wiring_check.py`)."""

    def _prefetch(self, chunk: Any) -> None:
        pass

    def _import_record(self, row: int, record: Any) -> None:
        self._check_and_write(row, record)  # nothing kept back

    def _apply(self, item: Any, owner_id: int, existing: Any, kind: str | None, written: Any) -> None:
        if existing is not None:
            super()._apply(item, owner_id, existing, kind, written)
            return
        if (kind is None or kind == "position") and item.write.location is not None:
            self._note_nearby(owner_id, item)
        camera = create_camera(self.session, self.actor, item.write)
        written.entries.append(("create", None if self.report.dry_run else camera.id, {}, None))
        written.cameras.add(camera.id)


_FULL_SCHEMA = CameraFeatureInput()


@contextlib.contextmanager
def row_at_a_time() -> Iterator[None]:
    """`imports.import_cameras` running `RowAtATimeRun` (and the whole schema) for a while."""
    load, run = import_run.load_feature, imports.ImportRun
    import_run.load_feature, imports.ImportRun = _FULL_SCHEMA.load, RowAtATimeRun  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        import_run.load_feature, imports.ImportRun = load, run  # type: ignore[misc]


# --- the runs ---------------------------------------------------------------------------------------


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def fresh_app(kind: str, tmp: str, name: str) -> Iterator[Flask]:
    """An app on a new database with the schema and the `bench` municipality; dropped after."""
    if kind == "spatialite":
        url = f"sqlite:///{tmp}/{name}.sqlite"
    else:
        database = f"observo_import_speed_{name}_{os.getpid()}"
        _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', f'CREATE DATABASE "{database}"')
        url = sa.make_url(POSTGRES_ADMIN_URL).set(database=database).render_as_string(hide_password=False)
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        engine.dispose()
    instance = os.path.join(tmp, f"instance_{name}")
    app = create_app(Settings(instance_path=instance, database_url=url, secret_key="bench"))
    try:
        with app.app_context():
            flask_migrate.upgrade()
            organisations.create_organisation(db.session, slug="bench", name="Bench", kind="municipality")
            db.session.commit()
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if kind == "postgis":
            _admin(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)')


def _admin(*statements: str) -> None:
    engine = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


def run(app: Flask, path: str, data: bytes, rows: int, verify: bool) -> dict[str, Any]:
    with app.app_context():
        started = time.perf_counter()
        request = imports.ImportRequest(
            data, "csv", "bench", options=import_rows.ImportOptions(owner="bench")
        )
        if path == "current":
            report: Any = imports.import_cameras(db.session, SYSTEM, request)
        elif path == "row":
            with row_at_a_time():
                report = imports.import_cameras(db.session, SYSTEM, request)
        else:
            report = bulk_import(db.session, SYSTEM, data, "bench")
        db.session.commit()
        seconds = time.perf_counter() - started
        written = db.session.scalar(sa.select(sa.func.count()).select_from(Camera))
        intact = audit.verify(db.session, checkpoint_dirs=[]).intact if verify else None
        db.session.remove()
    assert written == rows, f"{path}: {written} cameras written for {rows} rows ({report})"
    return {"seconds": seconds, "rows_per_s": rows / seconds, "peak_mib": peak_mib(), "audit_intact": intact}


def one_run(kind: str, path: str, rows: int, verify: bool, tmp: str) -> dict[str, Any]:
    """A run in a process of its own: its peak memory is its own, and nothing of the last run stays."""
    logging.disable(logging.INFO)  # the migrations' chatter
    data = generate(rows)
    with fresh_app(kind, tmp, f"{kind}_{path}") as app:
        return {**run(app, path, data, rows, verify), "mib": len(data) / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--row-rows", type=int, default=None, help="rows for the row-at-a-time path")
    parser.add_argument("--databases", default="spatialite,postgis")
    parser.add_argument("--paths", default="bulk,current,row")
    parser.add_argument("--verify", action="store_true", help="check the audit chain after each run")
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; cores: {os.cpu_count()}")
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp, spawn.Pool(1, maxtasksperchild=1) as pool:
        for kind in args.databases.split(","):
            for path in args.paths.split(","):
                rows = args.rows if path != "row" else (args.row_rows or args.rows)
                result = pool.apply(one_run, (kind, path, rows, args.verify, tmp))
                audit_note = (
                    ""
                    if result["audit_intact"] is None
                    else f", audit chain intact: {result['audit_intact']}"
                )
                print(
                    f"{kind:10} {path:7} {rows:>7} rows ({result['mib']:.1f} MiB) "
                    f"in {result['seconds']:7.1f} s: {result['rows_per_s']:6.0f} rows/s, "
                    f"peak RSS {result['peak_mib']:.0f} MiB{audit_note}, "
                    f"load average {os.getloadavg()[0]:.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
