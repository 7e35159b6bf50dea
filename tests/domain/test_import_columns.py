"""import_columns and import_values: the header variants, the values people write, and Observo's own
exports (CSV and GeoJSON, written by the product's own writers) going back in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from observo.domain import import_columns, import_values
from observo.domain.import_columns import Columns
from observo.domain.import_rows import FileSummary, ImportOptions, parse_rows
from observo.domain.permissions import Actor
from observo.errors import FieldIssue
from observo.rendering.csv_export import rows_of
from observo.schemas.camera import READ_ONLY_PROPERTIES, CameraAttributes, CameraFeatureInput

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"
EDITOR = Actor(user_id=1, label="editor@example.org", organisation_id=1, role="editor")
FOV = {
    "type": "Polygon",
    "coordinates": [[[7.6869, 45.0703], [7.6879, 45.0703], [7.6874, 45.0709], [7.6869, 45.0703]]],
}
# A camera as the police output (GET /cameras) gives it: every property but the contacts.
EXPORTED = {
    "name": "=Varco Nord",  # a formula to a spreadsheet: the CSV writer protects it
    "ref": "-7",
    "source": "osm_import",
    "osm_id": 123,
    "site_ref": None,
    "licence": "ODbL-1.0",
    "source_tags": {"man_made": "surveillance", "camera:direction": "90", "operator": "Iren"},
    "address": "Via Roma 1",
    "municipality": "001272",
    "indoor": False,
    "level": "-1",
    "mount": "pole",
    "height_m": 4.2,
    "surveillance_type": "camera",
    "camera_type": "fixed",
    "area_class": "public",
    "zone": "traffic",
    "make": None,
    "model": None,
    "bearing_deg": 90.0,
    "direction_unknown": False,
    "hfov_deg": 60.0,
    "tilt_deg": 15.0,
    "range_m": 30.0,
    "fov": FOV,
    "fov_method": "computed",
    "owner": "torino",
    "operator": None,
    "operator_name": "Iren",
    "data_controller": None,
    "purpose": "traffic",
    "legal_basis": None,
    "retention_hours": 168,
    "signage": "present",
    "signage_checked_on": "2024-03-01",
    "status": "active",
    "records": True,
    "live_link": False,
    "night_vision": None,
    "resolution": "1080p",
    "installed_on": None,
    "last_verified_on": None,
    "verification": "surveyed",
    "temporary": False,
    "valid_from": None,
    "valid_until": None,
    "visibility": "shared",
    "code": "OBS-000042",
    "range_derived": True,
    "version": 3,
    "created_at": "2024-01-01T10:00:00+00:00",
    "updated_at": "2024-02-01T10:00:00+00:00",
}
# What goes back in: the writable properties the export holds a value for; the range derived
# from height and tilt is left to the server again.
WRITABLE_BACK = {
    name: value
    for name, value in EXPORTED.items()
    if value is not None and name not in (*READ_ONLY_PROPERTIES, "fov", "range_m")
}
READ_ONLY_WARNING = "set by Observo, ignored: code, range_derived, version, created_at, updated_at"


def exported_feature(**changes: Any) -> dict[str, Any]:
    properties = {**EXPORTED, **changes}
    return {
        "type": "Feature",
        "id": 42,
        "geometry": {"type": "Point", "coordinates": [7.6869, 45.0703]},
        "properties": properties,
    }


def parse(data: bytes, file_format: str, **options: Any):
    summary = FileSummary(file_format)
    return list(parse_rows(data, file_format, ImportOptions(**options), summary)), summary


def accepted_by_the_api(feature: dict[str, Any]) -> dict[str, Any]:
    """The Feature as POST /cameras loads it (the service pops the id, the key, first)."""
    return CameraFeatureInput().load({name: value for name, value in feature.items() if name != "id"})


def test_the_writable_properties_are_the_api_s():
    assert tuple(CameraAttributes().fields) == import_columns.PROPERTIES
    assert import_columns.READ_ONLY == READ_ONLY_PROPERTIES


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Latitudine", "lat"),
        ("LATITUDE", "lat"),
        ("lng", "lon"),
        ("Long", "lon"),
        ("Coord_X", "x"),
        ("Raggio", "range_m"),
        ("radius", "range_m"),
        ("Angolo Visuale", "hfov_deg"),
        ("angle-of-view", "hfov_deg"),
        ("FOV", "fov"),  # Observo's polygon, or an angle when the cell is a number
        ("apertura", "hfov_deg"),
        ("Direzione", "bearing_deg"),
        ("AZIMUT", "bearing_deg"),
        ("azimuth", "bearing_deg"),
        ("Orientamento", "bearing_deg"),
        ("camera:direction", "bearing_deg"),
        ("Visibilita", "visibility"),
        ("visibilità", "visibility"),
        ("Altezza (m)", "height_m"),
        ("Camera Type", "camera_type"),
        ("bearing_deg", "bearing_deg"),
        ("@id", "osm_id"),
        ("id", "id"),  # Observo's id: the key only in a row of an Observo export
        ("Gestore", "operator_name"),
        ("note", None),
        ("", None),
    ],
)
def test_header_variants_without_renaming(header, target):
    columns = Columns(
        [header], ImportOptions(), FileSummary("geojson"), coordinates_from_columns=False, default_source=None
    )
    expected = None if target in ("lat", "lon", "x") else target  # a geometry gives the position here
    assert columns.targets == [expected]


@pytest.mark.parametrize(
    ("prop", "written", "value", "note"),
    [
        ("camera_type", "fixed", "fixed", None),
        ("camera_type", "Fixed", "fixed", None),  # case is not a change
        ("camera_type", "PTZ", "panning", "camera_type: read 'PTZ' as 'panning'"),
        ("camera_type", "Panoramica", "panorama", "camera_type: read 'Panoramica' as 'panorama'"),
        ("camera_type", "telecamera dome", "dome", "camera_type: read 'telecamera dome' as 'dome'"),
        ("status", "Dismessa", "decommissioned", "status: read 'Dismessa' as 'decommissioned'"),
        ("status", "non attiva", "inactive", "status: read 'non attiva' as 'inactive'"),
        ("visibility", "Riservata", "private", "visibility: read 'Riservata' as 'private'"),
        ("surveillance_type", "lettura targhe", "alpr", "surveillance_type: read 'lettura targhe' as 'alpr'"),
        ("mount", "su palo", "pole", "mount: read 'su palo' as 'pole'"),
        ("purpose", "ZTL", "ztl_access", "purpose: read 'ZTL' as 'ztl_access'"),
        ("records", "Sì", True, None),
        ("records", "falso", False, None),
        ("records", 1, True, None),
        ("range_m", "1.234,5", 1234.5, None),
        ("range_m", "1,234.5", 1234.5, None),
        ("range_m", "1.234", 1.234, None),
        ("lon", "7,683", 7.683, None),
        ("x", "1.396.123,45", 1396123.45, None),
        ("x", "1 396 123", 1396123.0, None),
        ("range_m", "40 metri", 40.0, None),
        ("hfov_deg", "90°", 90.0, None),
        ("hfov_deg", 75, 75.0, None),
        ("retention_hours", "168,0", 168, None),
        ("osm_id", "node/123", 123, None),
        ("installed_on", "2021-03-04 00:00:00", "2021-03-04", None),
        ("installed_on", "25/12/2020", "2020-12-25", "read '25/12/2020' as day/month/year: 2020-12-25"),
        ("installed_on", "12/25/2020", "2020-12-25", "read '12/25/2020' as month/day/year: 2020-12-25"),
        ("municipality", "001272", "001272", None),
        ("ref", 12.0, "12", None),  # a GIS file's real field
        ("operator", "polizia-locale", "polizia-locale", None),
    ],
)
def test_values_people_write(prop, written, value, note):
    read = import_values.convert(prop, written)
    assert (read.value, read.note, read.keep_raw) == (value, note, False)


def test_every_vocabulary_value_reads_as_itself():
    for prop, values in import_values.VOCABULARIES.items():
        for value in values:
            assert import_values.convert(prop, value) == import_values.Value(value), (prop, value)


def test_values_outside_the_vocabulary():
    assert import_values.convert("mount", "tetto") == import_values.Value(
        "other",
        "mount: 'tetto' is not one of building, ceiling, gantry, other, pole, street_lamp, traffic_signal, "
        "wall: "
        "recorded as 'other', the value kept",
        keep_raw=True,
    )
    unknown_type = import_values.convert("camera_type", "varco")
    assert (unknown_type.value, unknown_type.keep_raw, unknown_type.target) == (None, True, "")
    assert import_values.convert("camera_type", "non brandeggiabile").target == ""  # a negation: not read
    named = import_values.convert("municipality", "Torino")
    assert (named.value, named.keep_raw, named.target) == (None, True, "")
    assert import_values.convert("operator", "Polizia Locale").target == "operator_name"
    for prop, written in (("status", "boh"), ("visibility", "a tutti"), ("records", "forse")):
        with pytest.raises(ValueError):
            import_values.convert(prop, written)
    for written in ("nan", "inf", "1e400", "12..5", "1.2.3", "1,2,3", "31/02/2021"):
        with pytest.raises(ValueError):
            import_values.convert("installed_on" if "/" in written else "range_m", written)


def test_observo_csv_export_goes_back_in():
    text = "".join(rows_of(EDITOR, [exported_feature()]))
    (row,), summary = parse(text.encode(), "csv")
    assert row.issues == []
    assert row.feature == {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [7.6869, 45.0703]},
        "properties": WRITABLE_BACK,
        "id": 42,
    }
    assert row.warnings == [FieldIssue("", "read_only_ignored", READ_ONLY_WARNING + ", fov_wkt, range_m")]
    assert summary.ignored == dict.fromkeys(
        ("code", "range_derived", "version", "created_at", "updated_at", "fov_wkt", "range_m"), 1
    )
    assert summary.kept == {} and summary.warnings == []
    loaded = accepted_by_the_api(row.feature)
    assert loaded["properties"]["source_tags"] == EXPORTED["source_tags"]


def test_observo_geojson_export_goes_back_in():
    collection = {"type": "FeatureCollection", "features": [exported_feature()]}
    (row,), summary = parse(json.dumps(collection).encode(), "geojson")
    assert (row.feature["id"], row.feature["properties"]) == (42, WRITABLE_BACK)
    assert row.warnings == [FieldIssue("", "read_only_ignored", READ_ONLY_WARNING + ", fov, range_m")]
    accepted_by_the_api(row.feature)


def test_a_drawn_field_of_view_and_a_given_range_go_back_in():
    feature = exported_feature(fov_method="drawn", range_derived=False, fov_method_extra=None)
    del feature["properties"]["fov_method_extra"]
    text = "".join(rows_of(EDITOR, [feature]))
    (from_csv,), _summary = parse(text.encode(), "csv")
    collection = {"type": "FeatureCollection", "features": [feature]}
    (from_geojson,), _summary = parse(json.dumps(collection).encode(), "geojson")
    for row in (from_csv, from_geojson):
        assert row.feature["properties"]["fov"] == FOV
        assert row.feature["properties"]["range_m"] == 30.0
        assert row.warnings == [FieldIssue("", "read_only_ignored", READ_ONLY_WARNING)]
        assert accepted_by_the_api(row.feature)["properties"]["fov_method"] == "drawn"


def test_an_occluded_view_is_computed_again():
    collection = {"type": "FeatureCollection", "features": [exported_feature(fov_method="occluded")]}
    (row,), _summary = parse(json.dumps(collection).encode(), "geojson")
    assert "fov_method" not in row.feature["properties"]
    assert row.warnings[0].detail == (
        "set by Observo, ignored: fov_method, code, range_derived, version, created_at, updated_at, fov, "
        "range_m"
    )


def test_read_only_names_in_another_source_s_file_are_its_own_columns():
    data = b"id;code;version;name;camera_type;lon;lat\n7;TLC-7;2;Varco;dome;7.68;45.07\n"
    (row,), summary = parse(data, "csv", owner="torino")
    assert "id" not in row.feature and row.warnings == []
    assert row.feature["properties"]["source_tags"] == {"id": "7", "code": "TLC-7", "version": "2"}
    assert summary.kept == {"id": 1, "code": 1, "version": 1}


def test_a_source_tags_column_that_is_not_json_refuses_its_row():
    data = b"name;camera_type;lon;lat;source_tags\nA;dome;7.68;45.07;a=b\n"
    (row,), _summary = parse(data, "csv", owner="torino")
    assert row.issues == [
        FieldIssue(
            "/source_tags", "invalid_value", 'source_tags: expected a JSON object of tags ({"key": "value"})'
        )
    ]


@pytest.mark.parametrize(
    ("name", "file_format"),
    [
        ("finnish_city.csv", "csv"),
        ("comune_cp1252.csv", "csv"),
        ("spreadsheet_mangled.csv", "csv"),
        ("excel_unicode.txt", "csv"),
        ("roma_ztl.geojson", "geojson"),
        ("comune.kml", "kml"),
    ],
)
def test_every_row_of_the_fixtures_is_what_post_cameras_accepts(name, file_format):
    rows, _summary = parse((FIXTURES / name).read_bytes(), file_format, owner="torino")
    assert rows and all(row.issues == [] for row in rows)
    for row in rows:
        # Positions are checked against the configured extent (Italy by default): the properties here.
        accepted_by_the_api({**row.feature, "geometry": {"type": "Point", "coordinates": [7.6869, 45.0703]}})
