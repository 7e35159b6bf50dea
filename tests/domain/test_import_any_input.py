"""Whatever bytes arrive, the tabular and GIS readers answer with rows or a file-level InvalidInput
(a clear 422), never another exception (a 500): CSV text built from the pieces municipal files are
made of, JSON shaped like GeoJSON, and corrupted GIS files."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from observo.domain.import_rows import FileSummary, ImportOptions, ParsedRow, parse_rows
from observo.errors import InvalidInput
from tests.domain.test_import_csv import FIXTURES
from tests.fuzzing import fuzz_settings

HEADERS = [
    "nome",
    "tipo",
    "direzione",
    "angolo",
    "lon",
    "lat",
    "x",
    "y",
    "stato",
    "id",
    "code",
    "WKT",
    "",
    "note",
]
CELLS = st.one_of(
    st.sampled_from(
        ["", "fissa", "dome", "NE", "-45", "90,5", "45,07", "7.68", "OBS-000001", "POINT (7 45)", "'=1"]
    ),
    st.text(max_size=12),
    st.floats(allow_nan=True).map(str),
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])


def outcome(data: bytes, file_format: str, **options) -> list[ParsedRow] | None:
    summary = FileSummary(file_format)
    try:
        rows = list(parse_rows(data, file_format, ImportOptions(owner="torino", **options), summary))
    except InvalidInput:
        return None
    for row in rows:
        assert row.feature is not None or row.issues, row
        json.dumps(row.feature, allow_nan=False)  # the API reads it as JSON: no NaN, no infinity
    json.dumps(summary.document())
    return rows


def _csv(header, rows, delimiter, encoding) -> bytes:
    lines = [delimiter.join(header), *(delimiter.join(row) for row in rows)]
    return "\r\n".join(lines).encode(encoding, errors="replace")


@fuzz_settings(200)
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    rows=st.lists(st.lists(CELLS, max_size=9), max_size=4),
    delimiter=st.sampled_from([";", ",", "\t", "|"]),
    encoding=ENCODINGS,
    crs=st.sampled_from([None, "EPSG:3003", "4326"]),
)
def test_any_csv_is_read_or_refused(header, rows, delimiter, encoding, crs):
    outcome(_csv(header, rows, delimiter, encoding), "csv", crs=crs)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
GEOMETRIES = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries(
        {"type": st.sampled_from(["Point", "MultiPoint", "LineString"]), "coordinates": JSON_VALUES}
    ),
    st.builds(
        lambda x, y: {"type": "Point", "coordinates": [x, y]}, st.floats(-1e7, 1e7), st.floats(-1e7, 1e7)
    ),
)


@fuzz_settings(200)
@given(
    features=st.lists(
        st.fixed_dictionaries(
            {"type": st.just("Feature"), "geometry": GEOMETRIES},
            optional={
                "properties": st.dictionaries(st.sampled_from(HEADERS), JSON_VALUES),
                "id": JSON_VALUES,
            },
        ),
        max_size=4,
    ),
    crs=JSON_VALUES,
)
def test_any_geojson_is_read_or_refused(features, crs):
    document = {"type": "FeatureCollection", "crs": crs, "features": features}
    outcome(json.dumps(document).encode(), "geojson")


@fuzz_settings(60)
@given(cut=st.integers(0, 4000), flip=st.integers(0, 4000), byte=st.integers(0, 255))
def test_corrupted_gis_files_are_read_or_refused(cut, flip, byte):
    for name, file_format in (("comune.kml", "kml"), ("roma_ztl.geojson", "geojson")):
        data = bytearray((FIXTURES / name).read_bytes())
        if data:
            data[flip % len(data)] = byte
        outcome(bytes(data[: max(cut, 1)]), file_format)
