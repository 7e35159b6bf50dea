"""`observo import FILE`: all rows or none (or --skip-invalid); the options the API takes; the report on
stderr (`row N: field: message [code]`, warnings, changes, the file's summary) or --json; exit 1 when
nothing was written for the rows' problems, 2 for a bad option. On both databases."""

from __future__ import annotations

import json

import sqlalchemy as sa

from observo.cli import main
from observo.models import AuditEntry, Camera
from tests import factories
from tests.api.test_imports import BAD_ROW, GOOD_ROWS, OSM_FIXTURES, collection, csv_file, osm_node


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


# --- options -------------------------------------------------------------------------------------------

MUNICIPAL = (
    "nome;tipo;titolare;direzione;ampiezza;longitudine;latitudine;riferimento;conservazione_ore\r\n"
    "Varco Università;fixed;torino;nord;45;7,6869;45,0703;W-1;24\r\n"
).encode("cp1252")


def test_options_as_the_api_takes_them(app, session, tmp_path):
    factories.org(session, "torino")
    path = tmp_path / "elenco.dat"
    path.write_bytes(MUNICIPAL)
    args = (
        path,
        "--format",
        "csv",
        "--encoding",
        "windows-1252",
        "--map",
        "ampiezza=hfov_deg",
        "--key",
        "ref",
    )
    result = _run(app, *args)
    assert result.exit_code == 0, result.stderr
    (camera,) = session.scalars(sa.select(Camera))
    assert (camera.name, camera.hfov_deg, camera.bearing_deg) == ("Varco Università", 45.0, 0.0)
    assert "ampiezza -> hfov_deg" in result.stderr  # the columns as read
    assert "row 2: direzione: warning: " in result.stderr and "[direction_normalised]" in result.stderr


def test_every_format_name_is_an_option():
    from observo.cli.imports import import_command
    from observo.domain.import_rows import FORMATS, KEYS

    params = {param.name: param for param in import_command.params}
    assert tuple(params["file_format"].type.choices) == FORMATS
    assert tuple(params["key"].type.choices) == KEYS


def test_bad_options_are_usage_errors_naming_them(app, session, tmp_path):
    factories.org(session, "torino")
    path = tmp_path / "elenco.csv"
    path.write_bytes(MUNICIPAL)
    for args, named in (
        (("--map", "angolo"), "--map: map 'angolo' is not source=property"),
        (("--map", "angolo=colour"), "--map: map 'angolo=colour': 'colour' is not a camera property"),
        (("--crs", "EPSG:999999"), "--crs: unknown CRS"),
        (("--encoding", "klingon"), "--encoding: encoding 'klingon' is unknown"),
        (("--format", "xls"), "Invalid value for '--format'"),
        (("--key", "name"), "Invalid value for '--key'"),
    ):
        result = _run(app, path, *args)
        assert result.exit_code == 2, (args, result.stderr)
        assert named in result.stderr, (args, result.stderr)
    assert _count(session) == 0


# --- skip mode, the report ------------------------------------------------------------------------------


def test_skip_invalid_writes_the_valid_rows(app, session, tmp_path):
    factories.org(session, "torino")
    path = tmp_path / "telecamere.csv"
    path.write_bytes(csv_file(GOOD_ROWS[0], BAD_ROW, GOOD_ROWS[1]))
    result = _run(app, path, "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert "row 3: retention_hours: " in result.stderr and "[out_of_range]" in result.stderr
    assert "2 created, 0 updated, 0 unchanged, 0 decommissioned, 1 skipped, 1 errors" in result.stderr
    assert _count(session) == 2
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "import.run"))
    assert json.loads(entry.details)["skipped"] == 1


def test_a_file_whose_every_row_is_refused_says_so(app, session, tmp_path):
    factories.org(session, "torino")
    path = tmp_path / "telecamere.csv"
    path.write_bytes(csv_file(BAD_ROW))
    for args in ((), ("--skip-invalid",)):
        result = _run(app, path, *args)
        assert result.exit_code == 1
        assert "error: every row was refused (1 rows, 1 problems): nothing was imported" in result.stderr
    assert _count(session) == 0


def test_the_dry_run_shows_each_change_and_the_json_document(app, session, tmp_path):
    torino = factories.org(session, "torino")
    camera = factories.camera(session, torino, name="Varco Nord", ref="TO-1", source="csv_import")
    path = tmp_path / "telecamere.csv"
    path.write_bytes(csv_file(GOOD_ROWS[0]))
    result = _run(app, path, "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert f"row 2: update camera {camera.id}: " in result.stderr
    assert "bearing_deg 90.0 -> 90.5" in result.stderr and "moved " not in result.stderr  # same spot
    document = json.loads(result.stdout)
    assert document["status"] == "validated" and document["counts"]["updated"] == 1
    assert document["rows"][0]["changes"]["bearing_deg"] == {"old": 90.0, "new": 90.5}
    assert document["file"]["columns"]["direzione"] == "bearing_deg"


def test_a_file_without_rows_says_so(app, session, tmp_path):
    factories.org(session, "torino")
    path = tmp_path / "vuoto.csv"
    path.write_bytes(csv_file())
    result = _run(app, path)
    assert result.exit_code == 0, result.stderr
    assert "file: warning: " in result.stderr and "[no_rows]" in result.stderr
    assert "0 created" in result.stderr


# --- keys -----------------------------------------------------------------------------------------------


def test_a_changed_osm_node_replaces_its_heads(app, session, tmp_path):
    torino = factories.org(session, "torino")
    path = tmp_path / "nodo.geojson"
    path.write_bytes(collection(osm_node(77, camera_type="fixed", camera_direction="0;120;240")))
    assert _run(app, path, "--org", "torino").exit_code == 0
    path.write_bytes(collection(osm_node(77, camera_type="fixed", camera_direction="0;125")))
    result = _run(app, path, "--org", "torino", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["decommissioned"] == 1
    assert "decommission camera " in result.stderr and '"active" -> "decommissioned"' in result.stderr
    statuses = sorted(session.scalars(sa.select(Camera.status).where(Camera.owner_id == torino.id)))
    assert statuses == ["active", "active", "decommissioned"]


def test_key_position_and_the_possible_duplicate_warning(app, session, tmp_path):
    torino = factories.org(session, "torino")
    camera = factories.camera(
        session,
        torino,
        name="Varco",
        camera_type="dome",
        source="csv_import",
        records=False,
        retention_hours=None,
    )
    path = tmp_path / "senza_ref.csv"
    path.write_bytes(b"nome;tipo;titolare;longitudine;latitudine\nVarco;dome;torino;7,6869;45,0703\n")
    dry = _run(app, path, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert (
        f"camera {camera.id} ('Varco') is 0.0 m away" in dry.stderr and "[possible_duplicate]" in dry.stderr
    )
    matched = _run(app, path, "--key", "position")
    assert matched.exit_code == 0, matched.stderr
    assert "0 created, 0 updated, 1 unchanged" in matched.stderr and _count(session) == 1
