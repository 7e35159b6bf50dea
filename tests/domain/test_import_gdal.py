"""GIS files as municipal GIS offices keep them, written here with pyogrio (GDAL): a zipped Shapefile
in Monte Mario / Gauss-Boaga with truncated DBF names and a Windows-1252 .cpg, GeoPackages in UTM
32N, a Shapefile without .prj, KML and KMZ (tests/fixtures/imports/comune.kml)."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from pyogrio import raw

from observo.domain import import_gdal
from observo.domain.import_rows import FileSummary, ImportOptions, ParsedRow
from observo.errors import FieldIssue, InvalidInput
from tests.domain.test_import_csv import MOLE, MOLE_IN, RECORDS_ASSUMED, metres_from, point

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"
# A Torino attribute table as a GIS office keeps it: DBF names in capitals, at most 10 characters.
ATTRIBUTES = {
    "CODICE": ["TO-GB-1", "TO-GB-2"],
    "DENOMINAZI": ["Mole Antonelliana", "Via Montebello, lato Università"],
    "TIPO": ["fissa", "dome"],
    "DIREZIONE": ["NNE", None],
    "ANGOLO": [62.5, None],
    "PORTATA": [35.0, None],
    "CONSERVAZI": [168, 168],
    "QUARTIERE": ["Vanchiglia", "Centro"],
}


def parse(data: bytes, file_format: str, **options: Any) -> tuple[list[ParsedRow], FileSummary]:
    summary = FileSummary(file_format)
    return list(import_gdal.rows(data, file_format, ImportOptions(**options), summary)), summary


def write(
    path: Path,
    driver: str,
    positions: list[tuple[float, float]],
    attributes: dict[str, list[Any]],
    crs: str | None,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    geometries: list[Any] | None = None,
) -> None:
    shapes = geometries or [shapely.Point(x, y) for x, y in positions]
    columns = [
        np.array(values, dtype=object if isinstance(values[0], str) else None)
        for values in attributes.values()
    ]
    kind = shapes[0].geom_type
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no CRS, on purpose; a GeoPackage's extension in memory
        raw.write(
            str(path),
            np.array([shapely.to_wkb(shape) for shape in shapes], dtype=object),
            columns,
            list(attributes),
            driver=driver,
            layer=layer,
            geometry_type=kind,
            crs=crs,
            encoding=encoding,
            append=path.exists(),
        )


def shapefile_zip(
    tmp_path: Path, crs: str | None, *, folder: str = "", keep=(".shp", ".shx", ".dbf", ".prj", ".cpg")
) -> bytes:
    tmp_path.mkdir(exist_ok=True)
    x, y = MOLE_IN.get(crs or "", MOLE)
    positions = [(x, y), (x + 150.0, y - 320.0) if crs else (x + 0.002, y - 0.003)]
    write(tmp_path / "telecamere.shp", "ESRI Shapefile", positions, ATTRIBUTES, crs, encoding="cp1252")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in sorted(tmp_path.glob("telecamere.*")):
            if part.suffix in keep:
                archive.write(part, folder + part.name)
    return buffer.getvalue()


def test_a_zipped_shapefile_in_gauss_boaga_from_a_folder_of_the_zip(tmp_path):
    data = shapefile_zip(tmp_path, "EPSG:3003", folder="SIT_videosorveglianza/")
    rows, summary = parse(data, "shapefile", owner="torino")
    first, second = rows
    assert metres_from(first.feature["geometry"]["coordinates"], MOLE) < 1.0
    assert first.feature["properties"] == {
        "ref": "TO-GB-1",
        "name": "Mole Antonelliana",
        "camera_type": "fixed",
        "hfov_deg": 62.5,
        "range_m": 35.0,
        "retention_hours": 168,
        "owner": "torino",
        "source": "csv_import",
        "source_tags": {"QUARTIERE": "Vanchiglia"},
        "bearing_deg": 22.5,
    }
    assert first.warnings == [FieldIssue("/TIPO", "value_mapped", "camera_type: read 'fissa' as 'fixed'")]
    assert second.feature["properties"]["name"] == "Via Montebello, lato Università"  # the .cpg's encoding
    assert (second.feature["properties"]["camera_type"], second.warnings) == ("dome", [])
    assert (summary.crs, summary.encoding, summary.records, summary.warnings) == (
        "EPSG:3003",
        "CP1252",
        2,
        [],
    )
    assert (
        summary.mapped
        == {
            "CODICE": "ref",
            "DENOMINAZI": "name",
            "TIPO": "camera_type",
            "DIREZIONE": "bearing_deg",
            "ANGOLO": "hfov_deg",
            "PORTATA": "range_m",
            "CONSERVAZI": "retention_hours",
        }
        or summary.mapped
    )


@pytest.mark.parametrize("crs", ["EPSG:32632", "EPSG:25832"])
def test_a_geopackage_in_utm_32n_reads_its_first_point_layer(tmp_path, crs):
    path = tmp_path / "videosorveglianza.gpkg"
    x, y = MOLE_IN[crs]
    line = shapely.LineString([(x, y), (x + 100, y + 100)])
    write(path, "GPKG", [], {"nome": ["Corso San Maurizio"]}, crs, layer="strade", geometries=[line])
    write(
        path, "GPKG", [(x, y)], {"nome": ["Mole"], "tipo": ["dome"], "registra": [0]}, crs, layer="telecamere"
    )
    write(path, "GPKG", [(x, y)], {"nome": ["Vecchia"], "tipo": ["dome"]}, crs, layer="dismesse")
    rows, summary = parse(path.read_bytes(), "gpkg", owner="torino")
    (row,) = rows
    assert metres_from(row.feature["geometry"]["coordinates"], MOLE) < 1.0
    assert row.feature["properties"] == {
        "name": "Mole",
        "camera_type": "dome",
        "records": False,
        "owner": "torino",
        "source": "csv_import",
    }
    assert (summary.crs, summary.encoding) == (crs, "UTF-8")
    assert summary.warnings == [
        FieldIssue(
            "/file",
            "layers_ignored",
            "read layer 'telecamere', the first point layer; not read: strade (LineString), dismesse (Point)",
        )
    ]


def test_a_shapefile_without_prj(tmp_path):
    rows, summary = parse(shapefile_zip(tmp_path / "deg", None), "shapefile", owner="torino")
    assert rows[0].feature["geometry"] == point(*MOLE)
    assert summary.crs == "EPSG:4326"
    assert (
        FieldIssue(
            "/crs",
            "crs_assumed",
            "the file does not say its CRS: its coordinates look like degrees, read as WGS84 (EPSG:4326)",
        )
        in summary.warnings
    )
    projected = shapefile_zip(tmp_path / "gb", "EPSG:3003", keep=(".shp", ".shx", ".dbf", ".cpg"))
    with pytest.raises(InvalidInput) as refused:
        parse(projected, "shapefile", owner="torino")
    assert refused.value.issues[0].code == "crs_required"
    assert "--crs" in refused.value.detail
    rows, summary = parse(projected, "shapefile", owner="torino", crs="EPSG:3003")
    assert metres_from(rows[0].feature["geometry"]["coordinates"], MOLE) < 1.0
    assert summary.encoding == "CP1252"


def test_a_kml_with_extended_data_and_a_folder_without_points():
    rows, summary = parse((FIXTURES / "comune.kml").read_bytes(), "kml", owner="torino")
    assert [(row.row, row.feature, row.issues, row.warnings) for row in rows] == [
        (
            1,
            {
                "type": "Feature",
                "geometry": point(7.69503, 45.06489),
                "properties": {
                    "name": "Piazza Vittorio Veneto",
                    "camera_type": "fixed",
                    "range_m": 45.0,
                    "operator_name": "Polizia Locale di Torino",
                    "owner": "torino",
                    "source": "csv_import",
                    "records": False,
                    "source_tags": {"description": "Lato Gran Madre, palo illuminazione"},
                    "bearing_deg": 112.5,
                },
            },
            [],
            [FieldIssue("/Tipo", "value_mapped", "camera_type: read 'fissa' as 'fixed'")],
        ),
        (
            2,
            {
                "type": "Feature",
                "geometry": point(7.6875, 45.0734),
                "properties": {
                    "name": "Giardini Reali",
                    "camera_type": "dome",
                    "operator_name": "polizia-locale-torino",
                    "owner": "torino",
                    "source": "csv_import",
                    "records": False,
                },
            },
            [],
            [],
        ),
    ]
    assert summary.document() == {
        "format": "kml",
        "encoding": "UTF-8",
        "crs": "EPSG:4326",
        "records": 2,
        "columns": {
            "Name": "name",
            "Tipo": "camera_type",
            "Direzione": "bearing_deg",
            "Portata": "range_m",
            "Gestore": "operator_name",
        },
        "kept_unmapped": {"description": 1},
        "ignored": {},
    }
    assert summary.warnings == [
        FieldIssue(
            "/file", "layers_ignored", "KML folder 'Perimetro ZTL' holds no points (1 placemark): not read"
        ),
        RECORDS_ASSUMED,
    ]


def test_a_kmz_reads_as_its_kml_and_several_folders_are_kept_apart():
    kml = (FIXTURES / "comune.kml").read_text()
    second = kml.replace("<name>Perimetro ZTL</name>", "<name>Varchi</name>").replace(
        "<LineString><coordinates>7.675,45.065 7.690,45.065 7.690,45.075</coordinates></LineString>",
        "<Point><coordinates>7.681,45.071</coordinates></Point>",
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("doc.kml", second)
        archive.writestr("files/icon.png", b"\x89PNG")
    rows, summary = parse(buffer.getvalue(), "kml", owner="torino")
    assert [(row.row, row.feature["properties"]["name"], row.issues) for row in rows] == [
        (1, "Piazza Vittorio Veneto", []),
        (2, "Giardini Reali", []),
        (3, "ZTL Centrale", []),
    ]
    assert [row.feature["properties"]["source_tags"]["folder"] for row in rows] == [
        "Telecamere",
        "Telecamere",
        "Varchi",
    ]
    assert summary.kept["folder"] == 3


def test_a_kml_line_among_points_refuses_its_row():
    kml = (
        (FIXTURES / "comune.kml")
        .read_text()
        .replace(
            "<Point><coordinates>7.68750,45.07340</coordinates></Point>",
            "<LineString><coordinates>7.6875,45.0734 7.688,45.074</coordinates></LineString>",
        )
    )
    rows, _summary = parse(kml.encode(), "kml", owner="torino")
    assert rows[1].issues == [
        FieldIssue(
            "/geometry", "invalid_geometry", "a LineString is not a camera position: only points are cameras"
        )
    ]


@pytest.mark.parametrize(
    ("data", "file_format", "code", "detail"),
    [
        (
            b"PK\x05\x06" + bytes(18),
            "shapefile",
            "no_layer",
            "the zip holds no .shp file (it holds nothing): zip the",
        ),
        (b"not a zip", "shapefile", "malformed_file", "not a readable zip file (File is not a zip file)"),
        (
            b"SQLite format 3\x00" + bytes(100),
            "gpkg",
            "malformed_file",
            "GDAL cannot read this GeoPackage file: ",
        ),
        (b"<kml><Document>", "kml", "malformed_file", "GDAL cannot read this KML file: "),
    ],
)
def test_unreadable_files_are_refused_with_what_is_wrong(data, file_format, code, detail):
    with pytest.raises(InvalidInput) as refused:
        parse(data, file_format)
    (issue,) = refused.value.issues
    assert (issue.pointer, issue.code) == ("/file", code)
    assert issue.detail.startswith(detail)
    assert "/vsi" not in issue.detail  # GDAL's in-memory path is not the user's file


def test_a_geopackage_without_a_point_layer_names_its_layers(tmp_path):
    path = tmp_path / "strade.gpkg"
    line = shapely.LineString([(7.6, 45.0), (7.7, 45.1)])
    write(path, "GPKG", [], {"nome": ["Via Po"]}, "EPSG:4326", layer="strade", geometries=[line])
    with pytest.raises(InvalidInput) as refused:
        parse(path.read_bytes(), "gpkg")
    assert refused.value.issues == [
        FieldIssue(
            "/file",
            "no_layer",
            "the file has no point layer (layers: strade (LineString)): cameras are points",
        )
    ]


def test_a_damaged_zip_is_refused(tmp_path):
    data = bytearray(shapefile_zip(tmp_path, "EPSG:3003"))
    data[data.index(b"telecamere.dbf") + 40] ^= 0xFF  # a byte of the first member's content: its CRC fails
    with pytest.raises(InvalidInput) as refused:
        parse(bytes(data), "shapefile")
    (issue,) = refused.value.issues
    assert (issue.code, issue.detail.startswith("not a readable zip file (")) == ("malformed_file", True)
