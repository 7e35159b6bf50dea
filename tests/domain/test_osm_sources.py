"""OpenStreetMap files in (issue 17): .osm XML, .osm.pbf, raw Overpass JSON, GDAL/ogr2ogr GeoJSON.

Pure Python, no database. The fixtures are made to look like real extracts: `monaco.osm` as osmium
writes an extract of Monaco (surveillance nodes tagged in every way the OSM wiki and real mappers
use, the untagged nodes of a way, a way and a relation tagged man_made=surveillance, a bench), and
`swiss_overpass.json` as Overpass answers `[out:json]` for Swiss surveillance nodes, with the messy
directions real data holds. The .osm.pbf is written from the XML by pyosmium and the GeoJSON by
GDAL's own OSM driver (pyogrio), inside the tests: the bytes are those tools' own.
"""

from __future__ import annotations

import functools
import json
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import osmium
import pyogrio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observo.domain import import_formats
from observo.domain.import_rows import FileSummary, ImportOptions, ParsedRow, parse_rows
from observo.domain.osm_files import parse_other_tags
from observo.errors import FieldIssue, InvalidInput
from observo.schemas.camera import CameraFeatureInput

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "osm"
MONACO = FIXTURES / "monaco.osm"
SWISS = FIXTURES / "swiss_overpass.json"
# Tags GDAL's default osmconf.ini drops (its `ignore` list): a GeoJSON made by ogr2ogr never has them.
GDAL_IGNORED = ("note", "source", "fixme")


def read(data: bytes, file_format: str, owner: str | None = None) -> tuple[list[ParsedRow], FileSummary]:
    summary = FileSummary(file_format)
    rows = list(parse_rows(data, file_format, ImportOptions(owner=owner), summary))
    return rows, summary


def refused(data: bytes, file_format: str) -> FieldIssue:
    with pytest.raises(InvalidInput) as caught:
        read(data, file_format)
    (issue,) = caught.value.issues
    assert issue.detail == caught.value.detail or caught.value.detail.endswith(issue.detail)
    return issue


def xml_tags() -> dict[int, dict[str, str]]:
    """Every tag of every node of monaco.osm, read with ElementTree (not with the reader under test)."""
    root = ET.parse(MONACO).getroot()
    return {
        int(node.get("id", "0")): {t.get("k", ""): t.get("v", "") for t in node} for node in root.iter("node")
    }


def pbf_from_xml(tmp_path: Path) -> bytes:
    """monaco.osm rewritten as .osm.pbf by pyosmium."""
    target = tmp_path / "monaco.osm.pbf"
    writer = osmium.SimpleWriter(str(target))
    for item in osmium.FileProcessor(str(MONACO)):
        {"n": writer.add_node, "w": writer.add_way, "r": writer.add_relation}[item.type_str()](item)
    writer.close()
    return target.read_bytes()


def gdal_geojson_from_xml(tmp_path: Path) -> bytes:
    """monaco.osm's points layer as ogr2ogr writes it to GeoJSON (GDAL's OSM driver, then GeoJSON)."""
    meta, _fids, geometry, fields = pyogrio.raw.read(str(MONACO), layer="points")
    target = tmp_path / "monaco_points.geojson"
    pyogrio.raw.write(
        str(target),
        geometry,
        fields,
        meta["fields"],
        driver="GeoJSON",
        geometry_type="Point",
        crs=meta["crs"],
    )
    return target.read_bytes()


def heads(rows: list[ParsedRow]) -> list[tuple[Any, ...]]:
    """(row, osm_id, coordinates, bearing, hfov, direction_unknown, site_ref) of each accepted head."""
    return [
        (
            parsed.row,
            parsed.feature["properties"]["osm_id"],
            parsed.feature["geometry"]["coordinates"],
            parsed.feature["properties"].get("bearing_deg"),
            parsed.feature["properties"].get("hfov_deg"),
            parsed.feature["properties"].get("direction_unknown"),
            parsed.feature["properties"].get("site_ref"),
        )
        for parsed in rows
        if parsed.feature is not None
    ]


def warning_codes(rows: list[ParsedRow], prefix: str = "") -> list[tuple[int, str, str]]:
    return [
        (parsed.row, warning.pointer.removeprefix(prefix), warning.code)
        for parsed in rows
        for warning in parsed.warnings
    ]


# --- Monaco, .osm XML ----------------------------------------------------------------------------

MONACO_HEADS = [
    (1, 1001, [7.4246158, 43.7384176], 135.0, None, None, None),
    (2, 1002, [7.4268702, 43.7396213], None, None, None, "osm:node/1002"),  # camera:count=2, domes
    (2, 1002, [7.4268702, 43.7396213], None, None, None, "osm:node/1002"),
    (3, 1003, [7.4213005, 43.735202], 135.0, None, None, None),  # SE
    (4, 1004, [7.4166427, 43.7300841], 330.0, None, None, None),  # -30
    (5, 1005, [7.4308779, 43.7440511], None, None, True, None),  # fixed, no direction
    (6, 1006, [7.4289917, 43.7425803], None, None, None, None),  # camera:type=360: panorama
]
MONACO_WARNINGS = [
    (2, "/camera:count", "heads_from_count"),
    (3, "/camera:type", "value_mapped"),
    (3, "/camera:mount", "value_mapped"),
    (3, "/surveillance", "value_mapped"),
    (4, "/camera:mount", "value_mapped"),
    (4, "/surveillance", "value_mapped"),
    (4, "/camera:direction", "direction_normalised"),
    (5, "/surveillance", "value_mapped"),
    (5, "/camera:direction", "direction_unknown"),
    (6, "/camera:type", "value_mapped"),
    (6, "/surveillance:zone", "value_mapped"),
]
MONACO_MAPPED = {
    "surveillance:type": "surveillance_type",
    "camera:type": "camera_type",
    "camera:mount": "mount",
    "surveillance": "area_class",
    "surveillance:zone": "zone",
    "height": "height_m",
    "start_date": "installed_on",
    "name": "name",
    "operator": "operator_name",
    "addr:street": "address",
    "addr:housenumber": "address",
    "addr:postcode": "address",
    "addr:city": "address",
    "camera:direction": "bearing_deg",
    "level": "level",
    "indoor": "indoor",
    "ref": "ref",
}
MONACO_KEPT = {  # per row (a head keeps its node's tags)
    "description": 2,
    "surveillance": 2,  # webcam, guard: no area class holds them
    "contact:phone": 1,
    "contact:email": 1,
    "note": 1,
    "website": 1,
    "source": 1,
    "fixme": 1,
}
MONACO_FILE_WARNINGS = [
    FieldIssue(
        "/file",
        "not_a_node",
        "1 way and 1 relation tagged man_made=surveillance skipped: a camera is a node (map each camera "
        "as a node to import it)",
    ),
    FieldIssue(
        "/file",
        "not_surveillance",
        "5 elements without man_made=surveillance skipped (the nodes of ways, other features)",
    ),
]


def test_monaco_xml_heads_positions_and_directions() -> None:
    rows, _summary = read(MONACO.read_bytes(), "osm_xml")
    assert heads(rows) == MONACO_HEADS
    assert all(not parsed.issues for parsed in rows)


def test_monaco_xml_fully_tagged_node() -> None:
    rows, _summary = read(MONACO.read_bytes(), "osm_xml", owner="comune-monaco")
    assert rows[0].feature == {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [7.4246158, 43.7384176]},
        "properties": {
            "name": "Place d'Armes",
            "surveillance_type": "camera",
            "camera_type": "fixed",
            "mount": "pole",
            "area_class": "public",
            "zone": "town",
            "height_m": 6.0,
            "installed_on": "2021-06-01",
            "operator_name": "Direction de la Sûreté Publique",
            "address": "Boulevard Albert 1er 4, 98000 Monaco",
            "source": "osm_import",
            "osm_id": 1001,
            "licence": "ODbL-1.0",
            "source_tags": xml_tags()[1001],
            "bearing_deg": 135.0,
            "records": False,
            "owner": "comune-monaco",
        },
    }
    assert rows[0].feature["properties"]["source_tags"]["description"] == 'Caméra du marché, "côté port"'


@pytest.mark.parametrize(
    ("osm_id", "expected"),
    [
        (
            1002,
            {
                "camera_type": "dome",
                "mount": "ceiling",
                "area_class": "indoor",
                "indoor": True,
                "level": "-1",
            },
        ),
        (1003, {"camera_type": "fixed", "mount": "building", "area_class": None, "surveillance_type": None}),
        (
            1004,
            {"camera_type": "fixed", "mount": "pole", "area_class": "public", "surveillance_type": "alpr"},
        ),
        (1005, {"camera_type": "fixed", "area_class": None, "surveillance_type": "camera"}),
        (1006, {"camera_type": "panorama", "mount": "wall", "zone": "other", "area_class": "outdoor"}),
    ],
)
def test_monaco_values_outside_the_vocabulary(osm_id: int, expected: dict[str, Any]) -> None:
    rows, _summary = read(MONACO.read_bytes(), "osm_xml")
    properties = next(p.feature["properties"] for p in rows if p.feature["properties"]["osm_id"] == osm_id)
    assert {key: properties.get(key) for key in expected} == expected
    assert properties["source_tags"] == xml_tags()[osm_id]  # the raw values stay


def test_monaco_xml_warnings_once_per_node() -> None:
    rows, _summary = read(MONACO.read_bytes(), "osm_xml")
    assert warning_codes(rows) == MONACO_WARNINGS
    webcam = rows[3].warnings[0]
    assert webcam.detail == (
        "camera:type='webcam' is not one of Observo's values (dome, fixed, panning, panorama, thermal): "
        "read as fixed; tag kept as it came"
    )
    assert rows[2].warnings == []  # the second head of node 1002: its node's warnings are on the first


def test_monaco_xml_summary() -> None:
    _rows, summary = read(MONACO.read_bytes(), "osm_xml")
    assert (summary.records, summary.encoding, summary.crs) == (6, "UTF-8", "EPSG:4326")
    assert summary.mapped == MONACO_MAPPED
    assert dict(summary.kept) == MONACO_KEPT
    assert summary.warnings == MONACO_FILE_WARNINGS


# --- the same extract as .osm.pbf and as GDAL GeoJSON ---------------------------------------------


def test_pbf_reads_as_the_xml(tmp_path: Path) -> None:
    data = pbf_from_xml(tmp_path)
    assert import_formats.detect(data, "upload") == "osm_pbf"
    rows, summary = read(data, "osm_pbf")
    xml_rows, xml_summary = read(MONACO.read_bytes(), "osm_xml")
    assert [(p.row, p.feature, p.issues, p.warnings) for p in rows] == [
        (p.row, p.feature, p.issues, p.warnings) for p in xml_rows
    ]
    assert (summary.records, summary.mapped, summary.kept) == (6, MONACO_MAPPED, xml_summary.kept)
    assert summary.warnings == MONACO_FILE_WARNINGS
    assert summary.encoding is None  # binary


def test_gdal_geojson_reads_as_the_xml_less_what_gdal_dropped(tmp_path: Path) -> None:
    data = gdal_geojson_from_xml(tmp_path)
    assert b'"other_tags": "\\"surveillance\\"=>' in data  # GDAL's own packing
    assert import_formats.detect(data, "monaco_points.geojson") == "osm"
    rows, summary = read(data, "osm")
    assert heads(rows) == MONACO_HEADS
    assert warning_codes(rows, "/properties") == MONACO_WARNINGS
    for parsed in rows:
        properties = parsed.feature["properties"]
        expected = {k: v for k, v in xml_tags()[properties["osm_id"]].items() if k not in GDAL_IGNORED}
        assert properties["source_tags"] == expected  # escaped quotes unescaped, nulls absent
    xml_rows, _ = read(MONACO.read_bytes(), "osm_xml")
    for parsed, xml_row in zip(rows, xml_rows, strict=True):
        without_tags = {k: v for k, v in parsed.feature["properties"].items() if k != "source_tags"}
        assert without_tags == {k: v for k, v in xml_row.feature["properties"].items() if k != "source_tags"}
    assert summary.records == 6
    assert dict(summary.kept) == {k: n for k, n in MONACO_KEPT.items() if k not in GDAL_IGNORED}
    # the points layer holds no ways; the bench is a node with tags GDAL finds significant
    assert summary.warnings == [
        FieldIssue(
            "/file",
            "not_surveillance",
            "1 element without man_made=surveillance skipped (the nodes of ways, other features)",
        )
    ]


def test_gdal_lines_and_multipolygons_are_not_cameras() -> None:
    line = {"type": "LineString", "coordinates": [[7.42, 43.73], [7.43, 43.74]]}
    polygon = {
        "type": "MultiPolygon",
        "coordinates": [[[[7.42, 43.73], [7.43, 43.73], [7.43, 43.74], [7.42, 43.73]]]],
    }
    features = [
        {
            "type": "Feature",
            "properties": {"osm_id": "3001", "man_made": "surveillance", "other_tags": None},
            "geometry": line,
        },
        {
            "type": "Feature",
            "properties": {
                "osm_id": None,
                "osm_way_id": "3002",
                "man_made": "surveillance",
                "other_tags": None,
            },
            "geometry": polygon,
        },
        {
            "type": "Feature",
            "properties": {
                "osm_id": "4001",
                "osm_way_id": None,
                "man_made": "surveillance",
                "other_tags": None,
            },
            "geometry": polygon,
        },
    ]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    rows, summary = read(data, "osm")
    assert rows == []
    assert [w.code for w in summary.warnings] == ["not_a_node", "no_rows"]
    assert summary.warnings[0].detail.startswith("2 ways and 1 relation tagged man_made=surveillance skipped")


def test_gdal_other_tags_that_cannot_be_read_refuse_the_row() -> None:
    feature = {
        "type": "Feature",
        "properties": {"osm_id": "7", "man_made": "surveillance", "other_tags": '"camera:direction"=>"90'},
        "geometry": {"type": "Point", "coordinates": [7.42, 43.73]},
    }
    rows, _summary = read(json.dumps({"type": "FeatureCollection", "features": [feature]}).encode(), "osm")
    (parsed,) = rows
    assert parsed.feature is None
    assert parsed.issues == [
        FieldIssue(
            "/properties/other_tags",
            "invalid_other_tags",
            "other_tags: a quote opened at character 21 is never closed",
        )
    ]


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("", {}),
        ('"a"=>"b"', {"a": "b"}),
        ('"a"=>"b","c:d"=>"e f"', {"a": "b", "c:d": "e f"}),
        ('"a" => "b", "c" => ""', {"a": "b", "c": ""}),
        (r'"description"=>"say \"hi\""', {"description": 'say "hi"'}),
        (r'"path"=>"C:\\cams"', {"path": "C:\\cams"}),
        ('"note"=>"a=>b, \\"c\\"=>d"', {"note": 'a=>b, "c"=>d'}),
        ('"name"=>"Caffè, piazza"', {"name": "Caffè, piazza"}),
    ],
)
def test_parse_other_tags(text: str, tags: dict[str, str]) -> None:
    assert parse_other_tags(text) == tags


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a=>b", 'expected a quoted "key" or "value" at character 1'),
        ('"a"="b"', "expected => after 'a' at character 4"),
        ('"a"=>"b" "c"=>"d"', "expected a comma at character 10"),
        ('"a"=>"b', "a quote opened at character 6 is never closed"),
        ('"a"=>', 'expected a quoted "key" or "value" at character 6'),
        (5, 'expected text like "k"=>"v", not int'),
    ],
)
def test_parse_other_tags_says_where_it_stops(text: Any, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        parse_other_tags(text)


def _pack(tags: dict[str, str]) -> str:
    """As GDAL packs tags: quotes and backslashes escaped."""

    def quote(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return ",".join(f"{quote(key)}=>{quote(value)}" for key, value in tags.items())


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=20), st.text(max_size=40), max_size=8))
def test_other_tags_round_trip(tags: dict[str, str]) -> None:
    assert parse_other_tags(_pack(tags)) == tags


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from('"\\=>, ab'), max_size=30) | st.text(max_size=30))
def test_any_other_tags_text_parses_or_raises_value_error(text: str) -> None:
    try:
        tags = parse_other_tags(text)
    except ValueError as exc:
        assert str(exc)
        return
    assert all(isinstance(key, str) and isinstance(value, str) for key, value in tags.items())


# --- Swiss extract, raw Overpass JSON ------------------------------------------------------------

UNKNOWN = (
    "a fixed camera without a direction: registered with its direction unknown (it covers only its own spot "
    "until the direction is surveyed)"
)
SWISS_HEADS = [
    (1, 5001, [8.5402212, 47.3769351], 0.0, None, None, None),  # north
    (2, 5002, [8.5388743, 47.3721005], 180.0, None, None, "osm:node/5002"),  # 180, 270
    (2, 5002, [8.5388743, 47.3721005], 270.0, None, None, "osm:node/5002"),
    (3, 5003, [6.1431577, 46.2043907], 15.0, None, None, None),  # 15°
    (4, 5004, [7.4474401, 46.9480896], 330.0, None, None, None),  # -30
    (5, 5005, [7.5885761, 47.5595986], 40.0, None, None, None),  # 400
    (7, 5007, [8.3093072, 47.0501682], None, None, True, None),  # fixed, camera:direction=""
    (8, 5008, [9.3767193, 47.4245113], 45.0, None, None, None),  # Nordost
    (10, 5010, [8.5500112, 47.3667414], 90.0, None, None, None),  # direction=90, ALPR
    (11, 5011, [7.1619719, 46.8064773], None, None, True, None),  # fixed, no direction tag
]


def test_swiss_overpass_messy_directions() -> None:
    rows, _summary = read(SWISS.read_bytes(), "overpass")
    assert heads(rows) == SWISS_HEADS
    assert [(p.row, w.pointer, w.code, w.detail) for p in rows for w in p.warnings] == [
        (
            1,
            "/elements/0/tags/camera:direction",
            "direction_normalised",
            "camera:direction='north': read 'north' as 0 degrees",
        ),
        (
            2,
            "/elements/1/tags/camera:direction",
            "direction_normalised",
            "camera:direction='180, 270': read ',' as a separator between directions (OpenStreetMap "
            "separates them with ';')",
        ),
        (
            3,
            "/elements/2/tags/camera:direction",
            "direction_normalised",
            "camera:direction='15°': read '15°' as 15 degrees",
        ),
        (
            4,
            "/elements/3/tags/camera:direction",
            "direction_normalised",
            "camera:direction='-30': read '-30' as 330 degrees (negative: counted back from north)",
        ),
        (
            5,
            "/elements/4/tags/camera:direction",
            "direction_normalised",
            "camera:direction='400': read '400' as 40 degrees (whole turns removed)",
        ),
        (
            7,
            "/elements/6/tags/camera:direction",
            "direction_unknown",
            UNKNOWN,
        ),
        (
            8,
            "/elements/7/tags/camera:direction",
            "direction_normalised",
            "camera:direction='Nordost': read 'Nordost' as 45 degrees",
        ),
        (
            11,
            "/elements/10/tags/camera:direction",
            "direction_unknown",
            UNKNOWN,
        ),
    ]


def test_swiss_overpass_refusals_point_at_the_tag() -> None:
    rows, _summary = read(SWISS.read_bytes(), "overpass")
    assert [(p.row, p.issues) for p in rows if p.feature is None] == [
        (
            6,
            [
                FieldIssue(
                    "/elements/5/tags/camera:direction",
                    "invalid_direction",
                    "camera:direction='NO': 'NO' is ambiguous: O is ovest (west) in Italian but Ost (east) "
                    "in German; write the degrees or the word (nord-ovest, north-east...)",
                )
            ],
        ),
        (
            9,
            [
                FieldIssue(
                    "/elements/8/tags/surveillance:type",
                    "not_a_camera",
                    "surveillance:type='guard' is a guard (a person), not a camera: Observo registers "
                    "cameras",
                )
            ],
        ),
    ]


def test_swiss_overpass_summary() -> None:
    rows, summary = read(SWISS.read_bytes(), "overpass")
    assert (summary.records, summary.encoding) == (11, "UTF-8")
    assert rows[1].feature["properties"]["operator_name"] == "Stadtpolizei Zürich"
    assert dict(summary.kept) == {"note": 1}  # the blank camera:direction was read: it said nothing
    assert summary.mapped == {
        "surveillance:type": "surveillance_type",
        "camera:type": "camera_type",
        "surveillance": "area_class",
        "camera:direction": "bearing_deg",
        "camera:mount": "mount",
        "operator": "operator_name",
        "surveillance:zone": "zone",
        "direction": "bearing_deg",
    }
    assert summary.warnings == [
        FieldIssue(
            "/file",
            "not_a_node",
            "1 way tagged man_made=surveillance skipped: a camera is a node (map each camera as a node to "
            "import it)",
        ),
        FieldIssue(
            "/file",
            "not_surveillance",
            "1 element without man_made=surveillance skipped (the nodes of ways, other features)",
        ),
    ]


def test_overpass_json_sent_as_osm_geojson_is_still_read() -> None:
    data = SWISS.read_bytes()
    assert import_formats.detect(data, "export.json") == "overpass"
    as_osm, _ = read(data, "osm")
    as_overpass, _ = read(data, "overpass")
    assert [(p.row, p.feature, p.issues, p.warnings) for p in as_osm] == [
        (p.row, p.feature, p.issues, p.warnings) for p in as_overpass
    ]


def overpass(*elements: Any, **extra: Any) -> bytes:
    return json.dumps(
        {"version": 0.6, "generator": "Overpass API", **extra, "elements": list(elements)}
    ).encode()


NODE = {
    "type": "node",
    "id": 1,
    "lat": 47.37,
    "lon": 8.54,
    "tags": {"man_made": "surveillance", "camera:direction": "90"},
}


def test_an_overpass_remark_is_said() -> None:
    remark = 'runtime error: Query timed out in "query" at line 3 after 26 seconds.'
    rows, summary = read(overpass(NODE, remark=remark), "overpass")
    assert len(rows) == 1
    assert summary.warnings == [
        FieldIssue(
            "/remark",
            "overpass_remark",
            f"the Overpass answer says: {remark} (the extract may be incomplete: query again)",
        )
    ]


@pytest.mark.parametrize(
    ("element", "issue"),
    [
        (
            {**NODE, "lat": None},
            FieldIssue(
                "/elements/0/lat",
                "required",
                "the node has no lat (Overpass gives positions with `out body` or `out center`, not `out "
                "tags`)",
            ),
        ),
        (
            {**NODE, "lat": 91},
            FieldIssue("/elements/0/lat", "invalid_position", "lat=91 is not a latitude (-90 to 90)"),
        ),
        (
            {**NODE, "lon": "x"},
            FieldIssue("/elements/0/lon", "invalid_position", "lon='x' is not a longitude (-180 to 180)"),
        ),
        (
            {**NODE, "id": "n1"},
            FieldIssue("/elements/0/id", "invalid_osm_id", "'n1' is not an OSM id (a whole number)"),
        ),
        (
            {**NODE, "tags": {**NODE["tags"], "height": "tall"}},
            FieldIssue(
                "/elements/0/tags/height", "invalid_number", "height='tall' is not a number of metres"
            ),
        ),
        (
            "node",
            FieldIssue(
                "/elements/0", "invalid_type", "an Overpass element is an object with type, id and tags"
            ),
        ),
    ],
)
def test_a_bad_overpass_element_is_a_refused_row(element: Any, issue: FieldIssue) -> None:
    rows, summary = read(overpass(element), "overpass")
    assert [(p.row, p.feature, p.issues) for p in rows] == [(1, None, [issue])]
    assert summary.records == 1


# --- empty files, malformed files -----------------------------------------------------------------

NO_ROWS = [FieldIssue("/file", "no_rows", "0 rows: the file has no node tagged man_made=surveillance")]


@pytest.mark.parametrize(
    ("data", "file_format"),
    [
        (b"<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\"/>", "osm_xml"),
        (overpass(), "overpass"),
        (b'{"type": "FeatureCollection", "features": []}', "osm"),
    ],
)
def test_an_empty_file_says_zero_rows(data: bytes, file_format: str) -> None:
    rows, summary = read(data, file_format)
    assert rows == [] and summary.warnings == NO_ROWS and summary.records == 0


def test_an_empty_pbf_says_zero_rows(tmp_path: Path) -> None:
    target = tmp_path / "empty.osm.pbf"
    osmium.SimpleWriter(str(target)).close()
    rows, summary = read(target.read_bytes(), "osm_pbf")
    assert rows == [] and summary.warnings == NO_ROWS


def test_malformed_xml_says_the_line() -> None:
    data = MONACO.read_bytes().replace(b'<tag k="level" v="-1"/>', b'<tag k="level" v="-1">')
    issue = refused(data, "osm_xml")
    assert (issue.pointer, issue.code) == ("/file", "malformed_xml")
    assert issue.detail == "malformed OSM XML at line 36, column 5: mismatched tag"  # at </node>


def test_xml_with_a_doctype_is_refused() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE osm [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n'
        b'<osm version="0.6"><node id="1" lat="1" lon="1"><tag k="man_made" v="&b;"/></node></osm>'
    )
    issue = refused(data, "osm_xml")
    assert issue == FieldIssue(
        "/file", "malformed_xml", "an .osm file has no DOCTYPE or entity declarations: remove them"
    )


def test_xml_that_is_not_osm_is_refused() -> None:
    issue = refused(b'<?xml version="1.0"?><kml><Placemark/></kml>', "osm_xml")
    assert issue == FieldIssue(
        "/file", "invalid_type", "expected an OpenStreetMap XML file (root <osm>), not <kml>"
    )


def test_josm_file_new_and_deleted_objects() -> None:
    """JOSM numbers new objects from -1 and keeps deleted ones with action="delete" until upload."""
    data = b"""<?xml version='1.0' encoding='UTF-8'?>
<osm version='0.6' upload='never' generator='JOSM'>
  <node id='-101' action='modify' visible='true' lat='45.0703' lon='7.6869'>
    <tag k='man_made' v='surveillance' />
  </node>
  <node id='77' action='delete' visible='true' version='2' lat='45.0704' lon='7.6870'>
    <tag k='man_made' v='surveillance' />
  </node>
  <node id='78' action='modify' visible='true' version='3' lat='45.0705' lon='7.6871'>
    <tag k='man_made' v='surveillance' />
    <tag k='camera:type' v='dome' />
  </node>
</osm>"""
    rows, summary = read(data, "osm_xml")
    assert [(p.row, p.feature is None) for p in rows] == [(1, True), (3, False)]
    (issue,) = rows[0].issues
    assert (issue.pointer, issue.code) == ("/id", "invalid_osm_id")
    assert issue.detail.startswith(
        "element id -101 is not in OpenStreetMap (JOSM numbers new objects from -1)"
    )
    assert rows[1].feature["properties"]["osm_id"] == 78
    assert summary.warnings == [FieldIssue("/file", "deleted", "1 element marked deleted skipped")]


@pytest.mark.parametrize("cut", [b"garbage", "header", "truncated"])
def test_a_damaged_pbf_is_a_clear_error(tmp_path: Path, cut: Any) -> None:
    data = pbf_from_xml(tmp_path)
    data = {b"garbage": b"garbage", "header": data[:50], "truncated": data[:-10]}[cut]
    issue = refused(data, "osm_pbf")
    assert (issue.pointer, issue.code) == ("/file", "malformed_pbf")
    assert issue.detail.startswith("the file is not a readable .osm.pbf")


def test_geojson_in_another_crs_is_refused() -> None:
    data = json.dumps(
        {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3003"}},
            "features": [],
        }
    ).encode()
    issue = refused(data, "osm")
    assert issue == FieldIssue(
        "/crs",
        "unsupported_crs",
        "the file's coordinates are in urn:ogc:def:crs:EPSG::3003: export OpenStreetMap data in WGS84 "
        "(EPSG:4326)",
    )


def test_a_geojson_entry_that_is_no_feature_is_a_refused_row() -> None:
    rows, _summary = read(b'{"type": "FeatureCollection", "features": [null]}', "osm")
    assert [(p.row, p.issues) for p in rows] == [
        (
            1,
            [
                FieldIssue(
                    "/properties", "invalid_type", "an OSM feature is a GeoJSON Feature with properties"
                )
            ],
        )
    ]


@pytest.mark.parametrize(
    ("data", "file_format"),
    [(b"[1, 2]", "overpass"), (b'{"elements": 5}', "overpass"), (b"{", "osm")],
)
def test_json_that_is_no_osm_data_is_refused(data: bytes, file_format: str) -> None:
    issue = refused(data, file_format)
    assert issue.code in ("invalid_type", "malformed_json")


@functools.cache
def _pbf_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return pbf_from_xml(Path(folder))


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["osm_xml", "overpass", "osm", "osm_pbf"]),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=5),
    st.floats(0.05, 1),
)
def test_any_damaged_file_gives_rows_or_invalid_input(
    file_format: str, changes: list[tuple[float, int]], kept: float
) -> None:
    """Bytes changed and the end cut off: rows, or one clear InvalidInput; never another exception."""
    data = bytearray(
        _pbf_bytes()
        if file_format == "osm_pbf"
        else (MONACO if file_format == "osm_xml" else SWISS).read_bytes()
    )
    for where, byte in changes:
        data[int(where * len(data))] = byte
    try:
        rows, _summary = read(bytes(data[: max(1, int(kept * len(data)))]), file_format)
    except InvalidInput as exc:
        assert exc.issues and exc.detail
        return
    assert all(parsed.feature is not None or parsed.issues for parsed in rows)


# --- the camera API accepts every row -----------------------------------------------------------


def test_every_row_of_every_source_loads_with_the_camera_api_schema(tmp_path: Path) -> None:
    sources = [
        (MONACO.read_bytes(), "osm_xml"),
        (SWISS.read_bytes(), "overpass"),
        (pbf_from_xml(tmp_path), "osm_pbf"),
        (gdal_geojson_from_xml(tmp_path), "osm"),
        *[(path.read_bytes(), "osm") for path in sorted(FIXTURES.glob("*.geojson"))],
    ]
    loaded = 0
    for data, file_format in sources:
        rows, _summary = read(data, file_format, owner="comune-monaco")
        for parsed in rows:
            if parsed.feature is None:
                continue
            parsed.feature["properties"]["retention_hours"] = 168
            result = CameraFeatureInput().load(parsed.feature)
            assert result["geometry"].coords[0] == tuple(parsed.feature["geometry"]["coordinates"])
            assert result["properties"]["licence"] == "ODbL-1.0"
            assert result["properties"]["records"] is False
            loaded += 1
    assert loaded > 40


def test_overpass_json_not_in_utf8_is_read_and_says_so() -> None:
    """An Overpass answer re-saved by a Windows editor: read as Windows-1252, with a warning, as CSV."""
    document = {
        "elements": [
            {
                "type": "node",
                "id": 77,
                "lat": 45.07,
                "lon": 7.68,
                "tags": {"man_made": "surveillance", "camera:direction": "90", "name": "Città"},
            }
        ]
    }
    data = json.dumps(document, ensure_ascii=False).encode("cp1252")
    rows, summary = read(data, "overpass", owner="torino")
    assert summary.encoding == "Windows-1252"
    assert [warning.code for warning in summary.warnings] == ["encoding_detected"]
    assert rows[0].feature["properties"]["name"] == "Città"
