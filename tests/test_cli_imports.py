"""`observo import FILE`: all rows or none; the report on stderr (`row N: field: message`); exit 1."""

from __future__ import annotations

import sqlalchemy as sa

from observo.cli import main
from observo.models import AuditEntry, Camera
from tests import factories
from tests.api.test_imports import BAD_ROW, GOOD_ROWS, OSM_FIXTURES, csv_file


def _run(app, *args):
    return app.test_cli_runner().invoke(main, ["import", *map(str, args)])


def _count(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Camera))


def test_imports_a_csv_and_a_repeat_is_a_no_op(app, session, tmp_path):
    factories.org(session, "torino")
    path = tmp_path / "telecamere.csv"
    path.write_bytes(csv_file(*GOOD_ROWS))
    result = _run(app, path)
    assert result.exit_code == 0, result.stderr
    assert "2 created, 0 updated, 0 unchanged, 0 decommissioned, 0 skipped, 0 errors" in result.stderr
    assert _count(session) == 2
    assert session.scalar(
        sa.select(AuditEntry.actor_label).where(AuditEntry.action == "import.run")
    ).startswith("cli:")
    again = _run(app, path)
    assert again.exit_code == 0 and "already imported" in again.stderr
    assert _count(session) == 2


def test_a_bad_row_is_reported_and_nothing_is_written(app, session, tmp_path):
    factories.org(session, "torino")
    path = tmp_path / "telecamere.csv"
    path.write_bytes(csv_file(GOOD_ROWS[0], BAD_ROW))
    for args in ((path,), (path, "--dry-run")):
        result = _run(app, *args)
        assert result.exit_code == 1
        assert "row 3: retention_hours: " in result.stderr
        assert "nothing" in result.stderr
    assert _count(session) == 0


def test_osm_geojson_takes_the_owner_from_org(app, session, tmp_path):
    torino = factories.org(session, "torino")
    result = _run(app, OSM_FIXTURES / "overpass_turbo.geojson", "--org", "torino")
    assert result.exit_code == 0, result.stderr
    owners = set(session.scalars(sa.select(Camera.owner_id).where(Camera.osm_id == 1006)))
    assert owners == {torino.id}
    assert _count(session) == 15  # 12 nodes, one with three heads and one with two


def test_a_dry_run_writes_nothing(app, session, tmp_path):
    factories.org(session, "torino")
    path = tmp_path / "telecamere.csv"
    path.write_bytes(csv_file(*GOOD_ROWS))
    result = _run(app, path, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "dry run: 2 created" in result.stderr
    assert _count(session) == 0
