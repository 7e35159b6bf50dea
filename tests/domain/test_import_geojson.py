"""GeoJSON that is not OpenStreetMap's: a city's ZTL gate cameras with Italian property names, files in
the CRS of Italian cartography (the legacy `crs` member), empty collections and geometries that are
not points."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from observo.domain import import_geojson
from observo.domain.import_rows import FileSummary, ImportOptions, ParsedRow
from observo.errors import FieldIssue, InvalidInput
from tests import factories
from tests.domain.test_import_csv import MOLE, MOLE_IN, RECORDS_ASSUMED, metres_from, point

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"


def parse(document: Any, **options: Any) -> tuple[list[ParsedRow], FileSummary]:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    summary = FileSummary("geojson")
    return list(import_geojson.rows(data, "geojson", ImportOptions(**options), summary)), summary


def collection(*features: Any, **members: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", **members, "features": list(features)}


def camera(geometry: Any, **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"nome": "Varco", "tipo": "dome", **properties},
        "geometry": geometry,
    }


def test_rome_ztl_gates_with_italian_properties_import_without_renaming():
    rows, summary = parse((FIXTURES / "roma_ztl.geojson").read_bytes(), owner="roma")
    common = {"owner": "roma", "source": "csv_import", "records": False}
    timetable = "lun-ven 6:30-18:00; sab 14:00-18:00"

    def mapped(column: str, prop: str, written: str, value: str) -> FieldIssue:
        return FieldIssue(f"/{column}", "value_mapped", f"{prop}: read {written!r} as {value!r}")

    fixed = mapped("TIPOLOGIA", "camera_type", "Telecamera fissa", "fixed")
    assert [(row.row, row.feature, row.issues, row.warnings) for row in rows] == [
        (
            1,
            {
                "type": "Feature",
                "geometry": point(12.47672, 41.91064),
                "properties": {
                    "ref": "1",
                    "name": "Via del Corso (Piazza del Popolo)",
                    "camera_type": "fixed",
                    "status": "active",
                    **common,
                    "source_tags": {"ZTL": "Centro Storico", "ORARIO": timetable},
                    "bearing_deg": 180.0,
                },
            },
            [],
            [fixed, mapped("STATO", "status", "attivo", "active")],
        ),
        (
            2,
            {
                "type": "Feature",
                "geometry": point(12.47521, 41.90927),
                "properties": {
                    "ref": "2",
                    "name": "Via di Ripetta",
                    "camera_type": "fixed",
                    "status": "active",
                    **common,
                    "source_tags": {
                        "ZTL": "Centro Storico",
                        "ORARIO": timetable,
                        "NOTE": "corsia preferenziale",
                    },
                    "bearing_deg": 135.0,
                },
            },
            [],
            [
                fixed,
                mapped("STATO", "status", "attivo", "active"),
                FieldIssue("/DIREZIONE", "direction_normalised", "DIREZIONE: read 'sud-est' as 135 degrees"),
            ],
        ),
        (
            3,
            {
                "type": "Feature",
                "geometry": point(12.47789, 41.90951),
                "properties": {
                    "ref": "3",
                    "name": "Via del Babuino",
                    "status": "active",
                    **common,
                    "source_tags": {
                        "ZTL": "Centro Storico",
                        "TIPOLOGIA": "varco elettronico",
                        "ORARIO": timetable,
                    },
                    "camera_type": "fixed",
                    "direction_unknown": True,
                },
            },
            [],
            [
                FieldIssue(
                    "/TIPOLOGIA",
                    "value_mapped",
                    "camera_type: 'varco elettronico' is not one of dome, fixed, panning, panorama, thermal: "
                    "left out, the value kept",
                ),
                mapped("STATO", "status", "in funzione", "active"),
                FieldIssue("/TIPOLOGIA", "type_assumed", "TIPOLOGIA: no camera type given: a fixed camera"),
                FieldIssue(
                    "/DIREZIONE",
                    "direction_unknown",
                    "a fixed camera without a direction: registered with its direction unknown (it covers "
                    "nothing until a bearing is given)",
                ),
            ],
        ),
        (
            4,
            {
                "type": "Feature",
                "geometry": point(12.47302, 41.88943),
                "properties": {
                    "ref": "4",
                    "name": "Lungotevere Sanzio",
                    "camera_type": "fixed",
                    "status": "faulty",
                    **common,
                    "source_tags": {"ZTL": "Trastevere", "ORARIO": "ven-sab 21:30-03:00"},
                    "bearing_deg": 205.0,
                },
            },
            [],
            [
                FieldIssue("/geometry", "point_taken", "a MultiPoint of one point: read as that Point"),
                fixed,
                mapped("STATO", "status", "guasto", "faulty"),
            ],
        ),
    ]
    assert summary.document() == {
        "format": "geojson",
        "encoding": "UTF-8",
        "crs": "EPSG:4326",  # the file's OGC CRS84
        "records": 4,
        "columns": {
            "ID_VARCO": "ref",
            "VARCO": "name",
            "TIPOLOGIA": "camera_type",
            "STATO": "status",
            "DIREZIONE": "bearing_deg",
        },
        "kept_unmapped": {"ZTL": 4, "ORARIO": 4, "NOTE": 1, "TIPOLOGIA": 1},
        "ignored": {},
    }
    assert summary.warnings == [RECORDS_ASSUMED]


@pytest.mark.parametrize(
    "member",
    [
        {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3003"}},
        {"type": "name", "properties": {"name": "EPSG:3003"}},
        {"type": "EPSG", "properties": {"code": 3003}},
    ],
)
def test_the_legacy_crs_member_is_honoured(member):
    x, y = MOLE_IN["EPSG:3003"]
    rows, summary = parse(
        collection(camera({"type": "Point", "coordinates": [x, y]}), crs=member), owner="torino"
    )
    assert metres_from(rows[0].feature["geometry"]["coordinates"], MOLE) < 1.0
    assert (summary.crs, summary.warnings) == ("EPSG:3003", [RECORDS_ASSUMED])


def test_projected_coordinates_without_a_crs_ask_for_one():
    x, y = MOLE_IN["EPSG:32632"]
    with pytest.raises(InvalidInput) as refused:
        parse(collection(camera({"type": "Point", "coordinates": [x, y]})))
    assert refused.value.issues[0].code == "crs_required"
    rows, summary = parse(collection(camera({"type": "Point", "coordinates": [x, y]})), crs="EPSG:32632")
    assert metres_from(rows[0].feature["geometry"]["coordinates"], MOLE) < 1.0


def test_an_empty_feature_collection_is_a_no_rows_warning():
    rows, summary = parse(collection())
    assert rows == []
    assert summary.warnings == [FieldIssue("/features", "no_rows", "0 rows: the FeatureCollection is empty")]


@pytest.mark.parametrize(
    ("geometry", "detail"),
    [
        (
            {"type": "LineString", "coordinates": [[7.6, 45.0], [7.7, 45.1]]},
            "a LineString is not a camera position: only Point features are cameras",
        ),
        (
            {"type": "MultiPoint", "coordinates": [[7.6, 45.0], [7.7, 45.1]]},
            "a MultiPoint of 2 points is not a camera position: only Point features are cameras",
        ),
        (None, "the feature has no geometry: a camera needs a Point"),
        ({"type": "Point", "coordinates": ["7.6", 45.0]}, "the coordinates ['7.6', 45.0] are not numbers"),
    ],
)
def test_what_is_not_a_point_refuses_its_row(geometry, detail):
    rows, _summary = parse(
        collection(camera({"type": "Point", "coordinates": [7.68, 45.07]}), camera(geometry))
    )
    assert rows[0].issues == []
    assert (rows[1].row, rows[1].feature, rows[1].issues) == (
        2,
        None,
        [FieldIssue("/geometry", "invalid_geometry", detail)],
    )


def test_api_shaped_features_import_as_before():
    features = [factories.feature("torino", ref="G-1", name="Geo"), factories.feature("torino", ref="G-2")]
    rows, summary = parse(collection(*features))
    assert [row.feature for row in rows] == [
        {**feature, "properties": {**feature["properties"], "source": "csv_import"}} for feature in features
    ]
    assert all(row.issues == [] and row.warnings == [] for row in rows)
    assert summary.kept == {} and summary.warnings == []


def test_a_foreign_feature_id_is_kept_not_used_as_observo_s():
    feature = {**camera({"type": "Point", "coordinates": [7.68, 45.07]}), "id": "varco.12"}
    rows, _summary = parse(collection(feature), owner="torino")
    assert "id" not in rows[0].feature
    assert rows[0].feature["properties"]["source_tags"] == {"id": "varco.12"}


def test_a_file_that_is_not_a_feature_collection_says_so():
    with pytest.raises(InvalidInput) as refused:
        parse({"type": "Topology"})
    assert refused.value.issues == [
        FieldIssue("/type", "invalid_type", "expected a GeoJSON FeatureCollection")
    ]
