"""Which reader a file needs: a format name, else the file name or media type, else the content.

Files arrive named as their owners named them, or as an upload without a useful media type: the
content decides where the name says nothing (a GeoPackage is an SQLite file, a zipped Shapefile a
ZIP archive holding a .shp, a KMZ one holding a .kml, an Overpass answer JSON with `elements`...).
Text in UTF-16 (Excel's "Unicode text") is looked at decoded. Observo's own GeoJSON export is
GeoJSON even when its cameras keep OpenStreetMap tags (`man_made` in `source_tags`).
"""

from __future__ import annotations

import io
import re
import zipfile

from observo.domain import import_text
from observo.domain.import_rows import FORMATS
from observo.errors import FieldIssue, InvalidInput

_SNIFF = 1_000_000  # bytes looked at: enough for any header, cheap on a large file
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".osm": "osm_xml",
    ".pbf": "osm_pbf",
    ".zip": "shapefile",
    ".gpkg": "gpkg",
    ".kml": "kml",
    ".kmz": "kml",
}
_MEDIA_TYPES = {
    "text/csv": "csv",
    "text/tab-separated-values": "csv",
    "application/vnd.openstreetmap.data+xml": "osm_xml",
    "application/x-osm+xml": "osm_xml",
    "application/x-protobuf": "osm_pbf",
    "application/zip": "shapefile",
    "application/x-zip-compressed": "shapefile",
    "application/geopackage+sqlite3": "gpkg",
    "application/vnd.google-earth.kml+xml": "kml",
    "application/vnd.google-earth.kmz": "kml",
}
_JSON_HINTS = (".geojson", ".json", "application/geo+json", "application/json")
_OVERPASS = re.compile(r'"elements"\s*:\s*\[')
_OBSERVO_EXPORT = re.compile(r'"code"\s*:\s*"OBS-[0-9]')
_OSM_TAGS = re.compile(r'"man_made"\s*:|"surveillance:type"\s*:|"camera:direction"\s*:')
_ZIPS = (".zip", "application/zip", "application/x-zip-compressed")


def detect(data: bytes, name_or_format: str) -> str:
    hint = name_or_format.strip().lower()
    if hint in FORMATS:
        return hint
    if hint.endswith(_JSON_HINTS):
        return _json_kind(data)
    if hint.endswith(".osm.pbf"):
        return "osm_pbf"
    if hint.endswith(".shp"):
        detail = "a Shapefile is several files: send them in one .zip (.shp, .shx, .dbf and .prj)"
        raise InvalidInput(detail, [FieldIssue("/file", "unknown_format", detail)])
    if hint.endswith(_ZIPS) and data.startswith(b"PK\x03\x04"):
        return _zip_kind(data) or "shapefile"  # the Shapefile reader says what the zip lacks
    for ending, found in (*_EXTENSIONS.items(), *_MEDIA_TYPES.items()):
        if hint.endswith(ending):
            return found
    found = _from_content(data)
    if found is None:
        detail = (
            f"unknown file format {name_or_format!r}: send CSV, GeoJSON, OpenStreetMap (.osm, .osm.pbf, "
            "Overpass JSON), a zipped Shapefile, a GeoPackage or KML, or name the format"
        )
        raise InvalidInput(detail, [FieldIssue("/file", "unknown_format", detail)])
    return found


def _json_kind(data: bytes) -> str:
    head = _head_text(data)
    if _OVERPASS.search(head):
        return "overpass"
    if _OBSERVO_EXPORT.search(head):
        return "geojson"  # ours: OSM tags it keeps are in source_tags, not the Feature's own
    return "osm" if _OSM_TAGS.search(head) else "geojson"


def _head_text(data: bytes) -> str:
    """The start of a text file as text (UTF-16 decoded), for the patterns above."""
    head = data[:_SNIFF]
    return head.decode(import_text.sniffed_encoding(head) or "latin-1", errors="ignore")


def _zip_kind(data: bytes) -> str | None:
    """A ZIP holding a .shp is a Shapefile; one holding a .kml (and no .shp) a KMZ."""
    try:
        names = [name.lower() for name in zipfile.ZipFile(io.BytesIO(data)).namelist()]
    except zipfile.BadZipFile:
        return None
    if any(name.endswith(".shp") for name in names):
        return "shapefile"
    return "kml" if any(name.endswith(".kml") for name in names) else None


def _from_content(data: bytes) -> str | None:
    head = data[:_SNIFF]
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if b"OSMHeader" in head[:64]:
        return "osm_pbf"
    encoding = import_text.sniffed_encoding(head)
    text = head.decode(encoding or "latin-1", errors="ignore").lstrip("\ufeff \t\r\n")
    if text.startswith(("{", "[")):
        return _json_kind(data)
    if text.startswith("<"):
        if "<osm" in text[:4096]:
            return "osm_xml"
        if "<kml" in text[:4096]:
            return "kml"
        return None
    if (encoding is not None or b"\x00" not in head[:4096]) and text.strip():
        return "csv"  # text: delimited, the CSV reader says so if it is not
    return None
