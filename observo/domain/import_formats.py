"""Which reader a file needs: a format name, else the file name or media type, else the content.

Files arrive named as their owners named them, or as an upload without a useful media type: the
content decides where the name says nothing (a GeoPackage is an SQLite file, a zipped Shapefile a
ZIP archive, an Overpass answer JSON with `elements`...).
"""

from __future__ import annotations

import re

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
_OVERPASS = re.compile(rb'"elements"\s*:\s*\[')


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
    head = data[:_SNIFF]
    if _OVERPASS.search(head):
        return "overpass"
    return "osm" if b"man_made" in head else "geojson"


def _from_content(data: bytes) -> str | None:
    head = data[:_SNIFF]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith(b"PK\x03\x04"):
        return "kml" if b"doc.kml" in head[:4096] else "shapefile"
    if b"OSMHeader" in head[:64]:
        return "osm_pbf"
    if stripped.startswith((b"{", b"[")):
        return _json_kind(data)
    if stripped.startswith(b"<"):
        if b"<osm" in head[:4096]:
            return "osm_xml"
        if b"<kml" in head[:4096]:
            return "kml"
        return None
    if b"\x00" not in head[:4096] and head.strip():
        return "csv"  # text: delimited, the CSV reader says so if it is not
    return None
