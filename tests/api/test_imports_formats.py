"""Every format the readers take, end to end through the API (and the CLI) with their real output: the
file imports, its report carries the file's summary, the same upload replays the job, and a dry run of
the same file again never doubles the registry in silence (each row unchanged, or a new camera with a
`possible_duplicate` warning). On both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import factories
from tests.api.test_imports import cameras, make_world, upload
from tests.domain.test_import_gdal import shapefile_zip
from tests.domain.test_osm_sources import gdal_geojson_from_xml, pbf_from_xml
from tests.test_cli_imports import _run

FIXTURES = Path(__file__).parent.parent / "fixtures"
FILES = {
    "monaco.osm": ("osm/monaco.osm", "osm_xml"),
    "swiss_overpass.json": ("osm/swiss_overpass.json", "overpass"),
    "overpass_turbo.geojson": ("osm/overpass_turbo.geojson", "osm"),
    "comune.kml": ("imports/comune.kml", "kml"),
    "comune_cp1252.csv": ("imports/comune_cp1252.csv", "csv"),
    "excel_unicode.txt": ("imports/excel_unicode.txt", "csv"),
    "roma_ztl.geojson": ("imports/roma_ztl.geojson", "geojson"),
    "spreadsheet_mangled.csv": ("imports/spreadsheet_mangled.csv", "csv"),
    "monaco.osm.pbf": (pbf_from_xml, "osm_pbf"),
    "monaco_points.geojson": (gdal_geojson_from_xml, "osm"),
    "telecamere.zip": (lambda tmp: shapefile_zip(tmp / "shp", "EPSG:3003"), "shapefile"),
}


@pytest.fixture
def world(session):
    return make_world(session)


def file_bytes(name: str, tmp_path: Path) -> bytes:
    source, _format = FILES[name]
    return source(tmp_path) if callable(source) else (FIXTURES / source).read_bytes()


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_format_imports_replays_and_is_never_doubled_silently(client, session, world, tmp_path, name):
    data = file_bytes(name, tmp_path)
    query = "?owner=torino&skip_invalid=1"  # Swiss data has rows to refuse: the others have none
    first = upload(client, world["editor"], data, name, query)
    assert first.status_code == 201, first.json
    body = first.json
    assert body["format"] == FILES[name][1] and body["file"]["format"] == FILES[name][1]
    assert body["counts"]["created"] >= 2 and body["counts"]["created"] == len(cameras(session))
    assert (body["counts"]["skipped"] > 0) == (name == "swiss_overpass.json")
    assert body["file"]["records"] >= 2 and body["file"]["crs"]
    assert body["by_code"]["warnings"] == {
        code: sum(1 for w in body["warnings"] if w["code"] == code) for code in body["by_code"]["warnings"]
    }

    replay = upload(client, world["editor"], data, name, query)
    assert replay.status_code == 200 and replay.json["id"] == body["id"]

    again = upload(client, world["editor"], data, name, query + "&dry_run=1").json
    assert again["counts"]["updated"] == 0 and again["counts"]["errors"] == body["counts"]["errors"]
    warned = {(w["row"], w["code"]) for w in again["warnings"]}
    for row in again["rows"]:
        assert row["action"] == "unchanged" or (row["row"], "possible_duplicate") in warned, row
    assert len(cameras(session)) == body["counts"]["created"]


@pytest.mark.parametrize("name", ["monaco.osm.pbf", "telecamere.zip", "comune_cp1252.csv"])
def test_the_cli_reads_them_by_their_names(app, session, tmp_path, name):
    factories.org(session, "torino")
    path = tmp_path / name
    path.write_bytes(file_bytes(name, tmp_path))
    result = _run(app, path, "--org", "torino")
    assert result.exit_code == 0, result.stderr
    assert f"file: {FILES[name][1]}, " in result.stderr and " 0 errors" in result.stderr
    assert len(cameras(session)) >= 2
