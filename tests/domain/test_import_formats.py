"""Which reader a file needs, from its name, its media type, else its content."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from observo.domain.import_rows import detect_format
from observo.errors import InvalidInput

FIXTURES = Path(__file__).parent.parent / "fixtures"


def zipped(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


GEOJSON = json.dumps({"type": "FeatureCollection", "features": []})
OBSERVO_EXPORT = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": 42,
                "geometry": {"type": "Point", "coordinates": [7.68, 45.07]},
                "properties": {
                    "name": "A",
                    "source_tags": {"man_made": "surveillance"},
                    "code": "OBS-000042",
                },
            }
        ],
    }
)


@pytest.mark.parametrize(
    ("data", "hint", "expected"),
    [
        ((FIXTURES / "imports" / "excel_unicode.txt").read_bytes(), "upload", "csv"),  # UTF-16, no name
        ((FIXTURES / "imports" / "excel_unicode.txt").read_bytes(), "telecamere.txt", "csv"),
        ("nome;tipo\nA;dome\n".encode("utf-16-le"), "", "csv"),  # UTF-16 without a mark
        ((FIXTURES / "imports" / "comune_cp1252.csv").read_bytes(), "", "csv"),
        (GEOJSON.encode("utf-16"), "", "geojson"),
        (OBSERVO_EXPORT.encode(), "cameras.geojson", "geojson"),  # OSM tags kept, still ours
        ((FIXTURES / "osm" / "overpass_turbo.geojson").read_bytes(), "export.geojson", "osm"),
        ((FIXTURES / "imports" / "roma_ztl.geojson").read_bytes(), "varchi.json", "geojson"),
        (zipped(**{"SIT/telecamere.shp": b"", "SIT/telecamere.dbf": b""}), "", "shapefile"),
        (zipped(**{"telecamere.shp": b"", "telecamere.dbf": b""}), "application/zip", "shapefile"),
        (zipped(**{"doc.kml": b"<kml/>", "files/icon.png": b""}), "", "kml"),
        (zipped(**{"telecamere.kml": b"<kml/>"}), "telecamere.zip", "kml"),  # a KMZ named .zip
        (zipped(**{"leggimi.txt": b""}), "dati.zip", "shapefile"),  # its reader says what is missing
        ((FIXTURES / "imports" / "comune.kml").read_bytes(), "", "kml"),
        (b"SQLite format 3\x00" + bytes(84), "", "gpkg"),
    ],
)
def test_detection(data, hint, expected):
    assert detect_format(data, hint) == expected


def test_binary_files_of_no_known_kind_are_refused():
    with pytest.raises(InvalidInput) as refused:
        detect_format(bytes(range(256)) * 4, "dati")
    assert refused.value.issues[0].code == "unknown_format"
    with pytest.raises(InvalidInput):
        detect_format(zipped(**{"leggimi.txt": b""}), "")
