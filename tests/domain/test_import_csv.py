"""CSV files as municipalities and spreadsheets write them, read without renaming a column.

Fixtures (tests/fixtures/imports, the encoded ones written by make_fixtures.py): a Finnish city's
open-data list (English headers, extra columns), an Italian municipality's Windows-1252 list (`;`,
decimal commas, `direzione` as `nord`/`NE`/`180°`), a spreadsheet-mangled file (`sep=;`, BOM,
trailing empty columns) and Excel's UTF-16 "Unicode text".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyproj import Geod

from observo.domain import import_csv
from observo.domain.import_rows import FileSummary, ImportOptions, ParsedRow
from observo.errors import FieldIssue, InvalidInput

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"
# The Mole Antonelliana, Torino (WGS84), and the same point in the CRSs of Italian cartography,
# from the EPSG transformations (pyproj): Monte Mario / Gauss-Boaga Ovest, WGS84 / UTM 32N and
# ETRS89 / UTM 32N.
MOLE = (7.693250, 45.068992)
MOLE_IN = {
    "EPSG:3003": (1397157.38, 4991464.83),
    "EPSG:32632": (397131.79, 4991445.13),
    "EPSG:25832": (397131.79, 4991445.13),
}
RECORDS_ASSUMED = FieldIssue(
    "/records",
    "records_assumed",
    "rows that say neither whether the camera records (records, registra) nor for how long "
    "(retention_hours, conservazione_ore) are imported as not recording (records=false)",
)
DIRECTION_UNKNOWN = (
    "a fixed camera without a direction: registered with its direction unknown (it covers nothing until a "
    "bearing is given)"
)


def parse(data: bytes, **options: Any) -> tuple[list[ParsedRow], FileSummary]:
    summary = FileSummary("csv")
    return list(import_csv.rows(data, "csv", ImportOptions(**options), summary)), summary


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def metres_from(position: list[float], expected: tuple[float, float]) -> float:
    return Geod(ellps="WGS84").inv(position[0], position[1], expected[0], expected[1])[2]


def by_row(rows: list[ParsedRow]) -> list[tuple[int, Any, list[FieldIssue], list[FieldIssue]]]:
    return [(row.row, row.feature, row.issues, row.warnings) for row in rows]


def test_a_finnish_city_open_data_list_with_english_headers_and_extra_columns():
    rows, summary = parse((FIXTURES / "finnish_city.csv").read_bytes(), owner="helsinki")
    common = {"owner": "helsinki", "source": "csv_import", "records": False}
    tags = {"postal_code": "00100", "installation_year": "2020", "department": "City Traffic Services"}
    kamppi = {
        "name": "Kamppi bus terminal",
        "address": "Urho Kekkosen katu 1, level -1",
        "camera_type": "fixed",
        "hfov_deg": 70.0,
        "range_m": 40.0,
        **common,
        "source_tags": {"id": "103", **tags, "district": "Kamppi", "notes": "two heads on one pole"},
        "site_ref": "csv:4",
    }
    comma = FieldIssue(
        "/direction",
        "direction_normalised",
        "direction: read ',' as a separator between directions (OpenStreetMap separates them with ';')",
    )
    assert by_row(rows) == [
        (
            2,
            {
                "type": "Feature",
                "geometry": point(24.95286, 60.16774),
                "properties": {
                    "name": "Kauppatori North",
                    "address": "Pohjoisesplanadi 1",
                    "camera_type": "fixed",
                    "hfov_deg": 90.0,
                    "range_m": 60.0,
                    **common,
                    "source_tags": {
                        "id": "101",
                        "postal_code": "00170",
                        "district": "Kruununhaka",
                        "installation_year": "2016",
                        "department": "City Traffic Services",
                    },
                    "bearing_deg": 0.0,
                },
            },
            [],
            [],
        ),
        (
            3,
            {
                "type": "Feature",
                "geometry": point(24.94334, 60.17103),
                "properties": {
                    "name": "Rautatientori",
                    "address": "Kaivokatu 1",
                    "camera_type": "panning",
                    **common,
                    "source_tags": {
                        "id": "102",
                        "postal_code": "00100",
                        "district": "Kluuvi",
                        "installation_year": "2018",
                        "department": "City Security",
                        "notes": "covers the square",
                    },
                },
            },
            [],
            [FieldIssue("/camera_type", "value_mapped", "camera_type: read 'PTZ' as 'panning'")],
        ),
        (
            4,
            {
                "type": "Feature",
                "geometry": point(24.93178, 60.16898),
                "properties": {**kamppi, "bearing_deg": 90.0},
            },
            [],
            [comma],
        ),
        (
            4,
            {
                "type": "Feature",
                "geometry": point(24.93178, 60.16898),
                "properties": {**kamppi, "bearing_deg": 270.0},
            },
            [],
            [],
        ),
        (
            5,
            {
                "type": "Feature",
                "geometry": point(24.95106, 60.1792),
                "properties": {
                    "name": "Hakaniemi market",
                    "address": "Hämeentie 1",
                    "camera_type": "dome",
                    **common,
                    "source_tags": {
                        "id": "104",
                        "postal_code": "00530",
                        "district": "Hakaniemi",
                        "installation_year": "2021",
                        "department": "City Security",
                    },
                },
            },
            [],
            [],
        ),
        (
            6,
            {
                "type": "Feature",
                "geometry": point(24.93689, 60.17562),
                "properties": {
                    "name": "Töölönlahti park",
                    "address": "Mannerheimintie 13",
                    "camera_type": "fixed",
                    "hfov_deg": 60.0,
                    "range_m": 50.0,
                    **common,
                    "source_tags": {
                        "id": "105",
                        "postal_code": "00100",
                        "district": "Töölö",
                        "installation_year": "2022",
                        "department": "Parks Department",
                        "notes": "direction not surveyed",
                    },
                    "direction_unknown": True,
                },
            },
            [],
            [FieldIssue("/direction", "direction_unknown", DIRECTION_UNKNOWN)],
        ),
    ]
    assert summary.document() == {
        "format": "csv",
        "encoding": "UTF-8",
        "crs": "EPSG:4326",
        "records": 5,
        "columns": {
            "name": "name",
            "address": "address",
            "latitude": "lat",
            "longitude": "lon",
            "camera_type": "camera_type",
            "direction": "bearing_deg",
            "angle_of_view": "hfov_deg",
            "radius": "range_m",
        },
        "kept_unmapped": {
            "id": 5,
            "postal_code": 5,
            "district": 5,
            "installation_year": 5,
            "department": 5,
            "notes": 3,
        },
        "ignored": {},
    }
    assert summary.warnings == [RECORDS_ASSUMED]


def test_an_italian_municipal_list_in_windows_1252_with_decimal_commas_and_compass_words():
    rows, summary = parse((FIXTURES / "comune_cp1252.csv").read_bytes(), owner="torino")
    common = {"owner": "torino", "source": "csv_import"}

    def mapped(column: str, prop: str, written: str, value: str) -> FieldIssue:
        return FieldIssue(f"/{column}", "value_mapped", f"{prop}: read {written!r} as {value!r}")

    assert by_row(rows) == [
        (
            2,
            {
                "type": "Feature",
                "geometry": point(7.68264, 45.06807),
                "properties": {
                    "ref": "TLC-001",
                    "name": "Piazza San Carlo lato nord",
                    "camera_type": "fixed",
                    "address": "Piazza San Carlo",
                    "hfov_deg": 60.0,
                    "range_m": 40.0,
                    "height_m": 4.5,
                    "status": "active",
                    "visibility": "public",
                    "retention_hours": 168,
                    **common,
                    "source_tags": {"Località": "Centro"},
                    "bearing_deg": 0.0,
                },
            },
            [],
            [
                mapped("Tipologia", "camera_type", "Fissa", "fixed"),
                mapped("Stato", "status", "attiva", "active"),
                mapped("Visibilità", "visibility", "pubblica", "public"),
                FieldIssue("/Direzione", "direction_normalised", "Direzione: read 'nord' as 0 degrees"),
            ],
        ),
        (
            3,
            {
                "type": "Feature",
                "geometry": point(7.67833, 45.07312),
                "properties": {
                    "ref": "TLC-002",
                    "name": "Via Garibaldi angolo Via della Consolata",
                    "camera_type": "fixed",
                    "address": "Via Garibaldi 25",
                    "hfov_deg": 75.5,
                    "range_m": 35.0,
                    "height_m": 4.0,
                    "status": "active",
                    "visibility": "shared",
                    "retention_hours": 168,
                    **common,
                    "source_tags": {"Località": "Centro", "Note": "palo nuovo"},
                    "bearing_deg": 45.0,
                },
            },
            [],
            [
                mapped("Tipologia", "camera_type", "Fissa", "fixed"),
                mapped("Stato", "status", "attiva", "active"),
                mapped("Visibilità", "visibility", "condivisa", "shared"),
            ],
        ),
        (
            4,
            {
                "type": "Feature",
                "geometry": point(7.66702, 45.05201),
                "properties": {
                    "ref": "TLC-003",
                    "name": "Corso d’Italia",
                    "camera_type": "panning",
                    "address": "Corso d’Italia 10",
                    "height_m": 6.0,
                    "status": "faulty",
                    "visibility": "private",
                    "retention_hours": 72,
                    **common,
                    "source_tags": {"Località": "Crocetta", "Note": "in attesa di riparazione €"},
                    "bearing_deg": 180.0,
                },
            },
            [],
            [
                mapped("Tipologia", "camera_type", "Brandeggiabile", "panning"),
                mapped("Stato", "status", "guasta", "faulty"),
                mapped("Visibilità", "visibility", "privata", "private"),
                FieldIssue("/Direzione", "direction_normalised", "Direzione: read '180°' as 180 degrees"),
            ],
        ),
    ]
    assert summary.document()["encoding"] == "Windows-1252"
    assert summary.document()["columns"] == {
        "Codice": "ref",
        "Denominazione": "name",
        "Tipologia": "camera_type",
        "Indirizzo": "address",
        "Latitudine": "lat",
        "Longitudine": "lon",
        "Direzione": "bearing_deg",
        "Angolo visuale": "hfov_deg",
        "Raggio": "range_m",
        "Altezza (m)": "height_m",
        "Stato": "status",
        "Visibilità": "visibility",
        "Conservazione ore": "retention_hours",
    }
    assert summary.kept == {"Località": 3, "Note": 2} and summary.ignored == {}
    assert [warning.code for warning in summary.warnings] == ["encoding_detected"]


def test_a_spreadsheet_mangled_file_sep_line_bom_and_empty_columns():
    rows, summary = parse((FIXTURES / "spreadsheet_mangled.csv").read_bytes())
    common = {"owner": "torino", "source": "csv_import"}
    assert by_row(rows) == [
        (
            3,  # the line of the file: `sep=;` is line 1, the header line 2
            {
                "type": "Feature",
                "geometry": point(7.6833, 45.0776),
                "properties": {
                    "name": "Varco Porta Palazzo",
                    "camera_type": "fixed",
                    "owner": "torino",
                    "hfov_deg": 60.0,
                    "address": "Piazza della Repubblica",
                    "retention_hours": 168,
                    "ref": "PP-01",
                    "source": "csv_import",
                    "bearing_deg": 225.0,
                },
            },
            [],
            [
                FieldIssue("/tipo", "value_mapped", "camera_type: read 'fissa' as 'fixed'"),
                FieldIssue(
                    "/direzione", "direction_normalised", "direzione: read 'sud-ovest' as 225 degrees"
                ),
            ],
        ),
        (
            4,
            {
                "type": "Feature",
                "geometry": point(7.6841, 45.0781),
                "properties": {
                    "name": "Mercato coperto",
                    "camera_type": "dome",
                    **common,
                    "address": "Piazza della Repubblica 25",
                    "retention_hours": 72,
                    "ref": "PP-02",
                },
            },
            [],
            [],
        ),
    ]
    assert (summary.records, summary.kept, summary.ignored, summary.warnings) == (2, {}, {}, [])


def test_excel_unicode_text_is_utf16_and_tab_delimited():
    rows, summary = parse((FIXTURES / "excel_unicode.txt").read_bytes(), owner="torino")
    assert [row.feature for row in rows] == [
        {
            "type": "Feature",
            "geometry": point(7.69598, 45.05963),
            "properties": {
                "name": "Ponte Umberto I",
                "camera_type": "fixed",
                "ref": "PU-1",
                "owner": "torino",
                "source": "csv_import",
                "records": False,
                "source_tags": {"note": "sponda sinistra"},
                "bearing_deg": 270.0,
            },
        },
        {
            "type": "Feature",
            "geometry": point(7.69412, 45.0644),
            "properties": {
                "name": "Murazzi",
                "camera_type": "dome",
                "ref": "MU-1",
                "owner": "torino",
                "source": "csv_import",
                "records": False,
            },
        },
    ]
    assert (summary.encoding, summary.kept, summary.warnings) == ("UTF-16", {"note": 1}, [RECORDS_ASSUMED])


@pytest.mark.parametrize(
    ("sample", "delimiter"),
    [
        ("nome;direzione;lat;lon\nVarco;90,5;45,07;7,68\n", ";"),
        ('name,address,lat,lon\nA,"Via Roma, 1",45.07,7.68\n', ","),
        ('"name;x",address,lat\n"A;B",Via Po,45\n', ","),  # quoted delimiters do not count
        ("name\taddress\tlat\nA\tVia Po, 3\t45\n", "\t"),
        ("name|address|lat\nA|Via Po; 3|45\n", "|"),
        ("name\nA\n", ";"),  # one column: any delimiter reads it
    ],
)
def test_the_delimiter_is_sniffed_with_quotes_respected(sample, delimiter):
    assert import_csv.sniff(sample) == delimiter


def test_a_header_only_file_is_a_no_rows_warning_and_an_empty_file_an_error():
    rows, summary = parse(b"nome;tipo;longitudine;latitudine\r\n\r\n")
    assert rows == [] and summary.records == 0
    assert summary.warnings == [
        FieldIssue("/file", "no_rows", "0 rows: the file has a header and no data rows")
    ]
    with pytest.raises(InvalidInput) as empty:
        parse(b"\r\n\r\n")
    assert empty.value.issues == [FieldIssue("/file", "empty", "no header line")]


def test_a_file_without_position_columns_says_what_it_expected():
    with pytest.raises(InvalidInput) as refused:
        parse(b"nome;tipo;indirizzo\nA;fixed;Via Po\n")
    assert refused.value.issues[0].code == "no_position"
    assert refused.value.detail == (
        "no position columns: expected lon and lat (longitudine/latitudine, lng...), x and y with a CRS, or "
        "a WKT point; the file has 'nome', 'tipo', 'indirizzo'; the column map names yours (e.g. 'E=x')"
    )


def test_a_row_with_the_wrong_number_of_cells_is_refused_alone():
    data = b"name;camera_type;lon;lat;;\nA;dome;7.68;45.07;;\nB;dome;7.68\nC;dome;7.69;45.08;;oops\n"
    rows, summary = parse(data, owner="torino")
    assert [(row.row, row.feature is not None, row.issues) for row in rows] == [
        (2, True, []),
        (
            3,
            False,
            [
                FieldIssue(
                    "",
                    "wrong_cell_count",
                    "3 cells for 4 columns: is a delimiter (';') missing or extra, or a quote not closed?",
                )
            ],
        ),
        (
            4,
            False,
            [
                FieldIssue(
                    "",
                    "wrong_cell_count",
                    "6 cells for 4 columns: is a delimiter (';') missing or extra, or a quote not closed?",
                )
            ],
        ),
    ]
    assert summary.records == 3


def test_the_column_map_wins_over_guessing_and_ignores_columns():
    data = (
        b"nome_varco;apertura_gradi;angolo;E;N;tipo;uso_interno\n"
        b"Varco Dora;75;12;1397157,38;4991464,83;fissa;da verificare\n"
    )
    column_map = {
        "nome_varco": "name",
        "apertura_gradi": "hfov_deg",
        "angolo": "tilt_deg",
        "E": "x",
        "N": "y",
    }
    rows, summary = parse(
        data, owner="torino", crs="EPSG:3003", column_map={**column_map, "uso_interno": "-"}
    )
    (row,) = rows
    assert row.issues == []
    assert metres_from(row.feature["geometry"]["coordinates"], MOLE) < 1.0
    assert row.feature["properties"] == {
        "name": "Varco Dora",
        "hfov_deg": 75.0,
        "tilt_deg": 12.0,
        "camera_type": "fixed",
        "owner": "torino",
        "source": "csv_import",
        "records": False,
        "direction_unknown": True,
    }
    assert summary.mapped == {**column_map, "tipo": "camera_type"}
    assert summary.ignored == {"uso_interno": 1} and summary.kept == {}
    assert summary.crs == "EPSG:3003"
    assert FieldIssue(
        "/uso_interno", "column_ignored", "column 'uso_interno' ignored (the column map says '-')"
    ) in (summary.warnings)


@pytest.mark.parametrize(
    ("column_map", "pointer", "code", "detail"),
    [
        (
            {"angolo": "hfov"},
            "/column_map/angolo",
            "unknown_property",
            "column map angolo=hfov: 'hfov' is not a camera property; map a column to a property "
            "(name, camera_type, bearing_deg, hfov_deg, range_m...), to lon, lat, x, y or wkt (a WKT point), "
            "or to - to ignore it",
        ),
        (
            {"apertura": "hfov_deg"},
            "/column_map/apertura",
            "unknown_column",
            "column map apertura=hfov_deg: the file has no column 'apertura'",
        ),
        ({"angolo": "code"}, "/column_map/angolo", "unknown_property", None),  # read-only: not a target
    ],
)
def test_a_wrong_column_map_is_a_file_error(column_map, pointer, code, detail):
    with pytest.raises(InvalidInput) as refused:
        parse(b"nome;angolo;lon;lat\nA;60;7.68;45.07\n", column_map=column_map)
    (issue,) = refused.value.issues
    assert (issue.pointer, issue.code) == (pointer, code)
    assert detail is None or issue.detail == detail


@pytest.mark.parametrize("crs", list(MOLE_IN))
def test_projected_x_y_columns_are_reprojected_from_the_crs_named(crs):
    x, y = MOLE_IN[crs]
    data = f"name;camera_type;x;y\nMole;dome;{x};{y}\n".encode()
    rows, summary = parse(data, owner="torino", crs=crs.lower().replace("epsg:", ""))  # `32632` is enough
    assert metres_from(rows[0].feature["geometry"]["coordinates"], MOLE) < 1.0
    assert summary.crs == crs


def test_x_y_without_a_crs_are_degrees_only_when_they_look_like_degrees():
    rows, summary = parse(b"name;camera_type;x;y\nMole;dome;7,69325;45,068992\n", owner="torino")
    assert rows[0].feature["geometry"] == point(7.69325, 45.068992)
    assert summary.warnings == [
        RECORDS_ASSUMED,
        FieldIssue(
            "/crs",
            "crs_assumed",
            "the file does not say its CRS: its coordinates look like degrees, read as WGS84 (EPSG:4326)",
        ),
    ]
    with pytest.raises(InvalidInput) as refused:
        parse(b"name;camera_type;x;y\nMole;dome;1397157,38;4991464,83\n", owner="torino")
    assert refused.value.issues == [
        FieldIssue(
            "/crs",
            "crs_required",
            "the coordinates (1.39716e+06, 4.99146e+06) are not degrees and the file does not say its CRS: "
            "name the CRS of the coordinates (--crs, or the API's crs option), e.g. EPSG:3003 or EPSG:32632",
        )
    ]
    with pytest.raises(InvalidInput) as unknown:
        parse(b"name;x;y\nA;1;2\n", crs="EPSG:99999999")
    assert unknown.value.issues[0].pointer == "/crs" and unknown.value.issues[0].code == "unknown_crs"


def test_lon_lat_and_x_y_in_one_file():
    data = (
        b"name;camera_type;longitudine;latitudine;x_gb;y_gb\n"
        b"Mole;dome;7,69325;45,068992;1397157,38;4991464,83\n"
    )
    rows, summary = parse(data, owner="torino", column_map={"x_gb": "x", "y_gb": "y"})
    assert rows[0].feature["geometry"] == point(7.69325, 45.068992)  # degrees first: nothing to assume
    assert rows[0].feature["properties"]["source_tags"] == {"x_gb": "1397157,38", "y_gb": "4991464,83"}
    assert summary.mapped == {
        "name": "name",
        "camera_type": "camera_type",
        "longitudine": "lon",
        "latitudine": "lat",
    }
    rows, summary = parse(data, owner="torino", column_map={"x_gb": "x", "y_gb": "y"}, crs="EPSG:3003")
    assert metres_from(rows[0].feature["geometry"]["coordinates"], MOLE) < 1.0  # the CRS named is for x/y
    assert rows[0].feature["properties"]["source_tags"] == {
        "longitudine": "7,69325",
        "latitudine": "45,068992",
    }


def test_two_columns_for_one_property_use_the_first_and_keep_the_other():
    rows, summary = parse(b"nome;name;camera_type;lon;lat\nVarco;Gate;dome;7.68;45.07\n", owner="torino")
    properties = rows[0].feature["properties"]
    assert (properties["name"], properties["source_tags"]) == ("Gate", {"nome": "Varco"})  # its own name wins
    assert summary.warnings[0] == FieldIssue(
        "/nome",
        "column_duplicate",
        "columns 'name' and 'nome' both give name: 'name' used, 'nome' kept as it is (the column map "
        "chooses: 'nome'=name and 'name'=-)",
    )


def test_several_directions_make_heads_sharing_a_site():
    data = "riferimento;tipo;direzione;lon;lat;conservazione_ore\nTO-9;fissa;nord; sud-est;7.68;45.07;24\n"
    rows, _summary = parse(data.replace("nord; sud-est", '"nord; sud-est"').encode(), owner="torino")
    heads = [(row.feature["properties"]["ref"], row.feature["properties"]["site_ref"]) for row in rows]
    assert heads == [("TO-9/1", "TO-9"), ("TO-9/2", "TO-9")]
    assert [row.feature["properties"]["bearing_deg"] for row in rows] == [0.0, 135.0]
    assert [len(row.warnings) for row in rows] == [3, 0]  # the row's warnings once, with its first head


def test_cells_a_person_would_read():
    data = (
        "name;camera_type;lon;lat;portata;altezza;registra;installata_il;comune;montaggio;finalità;"
        "visione notturna;conservazione_ore\n"
        "A;dome;7,68;45,07;25 m;4,5 m;sì;04/03/2021;1272;a sbalzo;sicurezza urbana;no;72\n"
    ).encode()
    (row,), _summary = parse(data, owner="torino")
    assert row.issues == []
    properties = row.feature["properties"]
    assert (properties["range_m"], properties["height_m"], properties["records"]) == (25.0, 4.5, True)
    assert (properties["installed_on"], properties["municipality"]) == ("2021-03-04", "001272")
    assert (properties["mount"], properties["purpose"], properties["night_vision"]) == (
        "other",
        "urban_security",
        False,
    )
    assert properties["source_tags"] == {"montaggio": "a sbalzo"}  # `other` keeps what the file said
    assert [(warning.pointer, warning.detail) for warning in row.warnings] == [
        ("/installata_il", "read '04/03/2021' as day/month/year: 2021-03-04"),
        ("/comune", "municipality: read '1272' as ISTAT code 001272"),
        (
            "/montaggio",
            "mount: 'a sbalzo' is not one of building, ceiling, gantry, other, pole, street_lamp, "
            "traffic_signal, wall: recorded as 'other', the value kept",
        ),
        ("/finalità", "purpose: read 'sicurezza urbana' as 'urban_security'"),
    ]


def test_cells_nobody_could_read_refuse_their_row_naming_the_column():
    data = b"nome;tipo;direzione;portata;stato;lon;lat\nA;fissa;verso la piazza;tanti;boh;7,68;45,07\n"
    (row,), _summary = parse(data, owner="torino")
    assert row.feature is None
    assert [(issue.pointer, issue.code) for issue in row.issues] == [
        ("/portata", "invalid_value"),
        ("/stato", "invalid_value"),
        ("/direzione", "invalid_direction"),
    ]
    assert row.issues[0].detail == "portata: 'tanti' is not a number"
    assert row.issues[1].detail == (
        "stato: 'boh' is not a status: expected one of active, decommissioned, faulty, inactive, planned"
    )
    assert row.issues[2].detail.startswith(
        "direzione: 'verso la piazza' is not a direction; expected degrees"
    )


def test_cells_protected_by_observo_csv_export_get_their_text_back():
    data = b"name;camera_type;ref;level;lon;lat\n'=Varco;dome;'-12;'+1;7.68;45.07\n"
    (row,), _summary = parse(data, owner="torino")
    properties = row.feature["properties"]
    assert (properties["name"], properties["ref"], properties["level"]) == ("=Varco", "-12", "+1")


def test_a_title_above_the_table_is_skipped_and_said():
    data = (
        "Elenco impianti di videosorveglianza - aggiornamento 2024;;;;\r\n"
        ";;;;\r\n"
        "nome;tipo;longitudine;latitudine;note\r\n"
        "Piazza;dome;7,68;45,07;nuova\r\n"
    ).encode("cp1252")
    (row,), summary = parse(data, owner="torino")
    assert (row.row, row.feature["properties"]["name"], row.issues) == (4, "Piazza", [])
    assert summary.warnings[0] == FieldIssue(
        "/file",
        "title_skipped",
        "skipped 1 line(s) above the header: 'Elenco impianti di videosorveglianza - aggiornamento 2024'",
    )
    (row,), _summary = parse(b"Camera list\nname,camera_type,lon,lat\nA,dome,7.68,45.07\n", owner="torino")
    assert row.feature["geometry"] == point(7.68, 45.07)  # the title says nothing of the delimiter


def test_a_wkt_point_column_is_a_position():
    rows, summary = parse(b"name;camera_type;WKT\nA;dome;POINT (7.68 45.07)\nB;dome;POINT (7.69 45.06)\n")
    assert [row.feature["geometry"] for row in rows] == [point(7.68, 45.07), point(7.69, 45.06)]
    assert summary.mapped["WKT"] == "wkt" and summary.crs == "EPSG:4326"
    (row,), summary = parse(b'geometria,name,camera_type\n"SRID=3003;POINT (1397157.38 4991464.83)",A,dome\n')
    assert metres_from(row.feature["geometry"]["coordinates"], MOLE) < 1.0
    assert summary.crs == "EPSG:3003"
    (row,), _summary = parse(b'geom,name,camera_type\n"LINESTRING (7 45, 8 46)",A,dome\n')
    assert row.issues == [
        FieldIssue("/geom", "invalid_position", "geom: 'LINESTRING (7 45, 8 46)' is not a WKT point")
    ]


def test_northing_written_before_easting_is_read_the_other_way_round():
    # Helsinki's Kauppatori in ETRS-TM35FIN, as Finnish files write it: x is the northing.
    data = b"name;camera_type;x;y\nKauppatori;dome;6671852,94;386406,01\n"
    (row,), summary = parse(data, owner="helsinki", crs="EPSG:3067")
    assert metres_from(row.feature["geometry"]["coordinates"], (24.95286, 60.16774)) < 1.0
    assert summary.warnings[-1] == FieldIssue(
        "/crs",
        "axes_swapped",
        "the coordinates are northing, easting: (6.67185e+06, 386406) is outside the area of EPSG:3067 and "
        "read the other way round it is inside; every position is read that way",
    )


def test_an_owner_named_in_words_leaves_the_owner_to_the_import():
    data = b"nome;titolare;tipo;lon;lat\nA;Comune di Torino;dome;7.68;45.07\nB;asti;dome;7.68;45.07\n"
    first, second = parse(data, owner="torino")[0]
    assert first.feature["properties"]["owner"] == "torino"
    assert first.feature["properties"]["source_tags"] == {"titolare": "Comune di Torino"}
    detail = "titolare: 'Comune di Torino' is not an organisation: owner torino, the value kept"
    assert first.warnings == [FieldIssue("/titolare", "value_mapped", detail)]
    assert second.feature["properties"]["owner"] == "asti"  # a slug is an organisation: the service checks it


def test_a_wkt_point_that_is_not_a_number_refuses_its_row():
    (row,), _summary = parse(b"name;camera_type;wkt\nA;dome;POINT (nan 45)\n", owner="torino")
    assert row.issues == [FieldIssue("/wkt", "invalid_position", "(nan, 45.0) is not a position")]
