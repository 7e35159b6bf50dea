"""Rows of an import file -> camera API Features (pure parsing: no Flask, no database).

This module is the contract between the file readers and the import service (docs/importing.md):

- `detect_format` names the format from a format name, a file name or a media type, then the
  content;
- `parse_rows` yields one `ParsedRow` per camera, in file order, and fills a `FileSummary` as it goes
  (columns or tags kept, ignored, the encoding and CRS it read...).

A `ParsedRow` carries a camera API Feature (checked afterwards by the API's own input schema, so an
import accepts exactly what `POST /cameras` accepts), the problems that refuse the row, and the
warnings of values it accepted by interpreting them (a compass word, an OSM value outside Observo's
vocabulary mapped to the nearest, a read-only column ignored...). Each format has its own reader
module: `import_csv` (and the column mapping shared by every tabular source, `import_columns`),
`import_geojson`, `import_gdal` (Shapefile, GeoPackage, KML), `import_osm` (OSM-tagged GeoJSON,
Overpass JSON, .osm XML and .osm.pbf).

What a Feature's properties may hold beyond the camera's own fields, for the service:
- `source_tags`: the source's tags or columns no field holds, verbatim. For OpenStreetMap rows, every
  tag of the node as it came (the mapped ones too), so that an export writes the node back tag for tag.
- `operator_name`: the operator as the source names it; the service links it to an organisation the
  caller may name when one matches.
- `licence`: the licence of the source's data (`ODbL-1.0` for OpenStreetMap).
- `direction_unknown`: true for a head that does not see all round and whose direction the source
  does not give (registered, covering nothing, instead of refused).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from observo.errors import FieldIssue, InvalidInput

# Properties a reader may fill in when the file does not state them (ParsedRow.assumed).
ASSUMABLE = ("records", "camera_type", "source", "name", "direction_unknown")
# Format names, as the API's `format` parameter and the CLI's --format take them.
FORMATS = ("csv", "geojson", "osm", "overpass", "osm_xml", "osm_pbf", "shapefile", "gpkg", "kml")
KEYS = ("auto", "ref", "osm_id", "code", "position")


@dataclass(frozen=True)
class ImportOptions:
    """What the person importing said about the file (all optional)."""

    owner: str | None = None  # owner of rows that name none
    column_map: dict[str, str] = field(default_factory=dict)  # source column -> camera property
    crs: str | None = None  # CRS of x/y columns or of a file that does not say its own
    key: str = "auto"  # how a row finds the camera it updates (KEYS; docs/importing.md)
    skip_invalid: bool = False  # write the valid rows, report the refused ones
    encoding: str | None = None  # forced text encoding (else detected)


@dataclass
class ParsedRow:
    """One camera of the file. `feature` is None when the row could not become a Feature."""

    row: int  # CSV line number (the header is 1), else 1-based position of the record in the file
    feature: dict[str, Any] | None
    issues: list[FieldIssue] = field(default_factory=list)  # refuse the row
    warnings: list[FieldIssue] = field(default_factory=list)  # accepted, interpreted: said in the report
    # Properties the reader filled in because the file does not say them (records=false, a fixed
    # camera, the source, a generated name, direction unknown): they make a new camera, but never
    # overwrite what the registry already knows of one the row updates.
    assumed: frozenset[str] = frozenset()


@dataclass
class FileSummary:
    """What the readers learnt about the file as a whole, for the report."""

    format: str
    encoding: str | None = None
    crs: str | None = None
    records: int = 0  # records read (an OSM node with three directions is one record, three rows)
    kept: Counter[str] = field(default_factory=Counter)  # unmapped tag/column -> rows keeping it
    ignored: Counter[str] = field(default_factory=Counter)  # column -> rows where it was dropped
    mapped: dict[str, str] = field(default_factory=dict)  # source column -> camera property used
    warnings: list[FieldIssue] = field(default_factory=list)  # about the file ("0 rows"...)

    def document(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "encoding": self.encoding,
            "crs": self.crs,
            "records": self.records,
            "columns": dict(self.mapped),
            "kept_unmapped": dict(self.kept.most_common()),
            "ignored": dict(self.ignored.most_common()),
        }


def detect_format(data: bytes, name_or_format: str) -> str:
    """A format of FORMATS from a format name, a file name or a media type, then the content."""
    from observo.domain import import_formats

    return import_formats.detect(data, name_or_format)


def parse_rows(
    data: bytes, file_format: str, options: ImportOptions, summary: FileSummary
) -> Iterator[ParsedRow]:
    """The rows of the file in order; `options.owner` fills rows that name none."""
    from observo.domain import import_csv, import_gdal, import_geojson, import_osm

    readers = {
        "csv": import_csv.rows,
        "geojson": import_geojson.rows,
        "shapefile": import_gdal.rows,
        "gpkg": import_gdal.rows,
        "kml": import_gdal.rows,
    }
    reader = readers.get(file_format, import_osm.rows)
    if file_format not in FORMATS:
        raise InvalidInput(f"unknown format {file_format!r}", [FieldIssue("/format", "unknown_format", "")])
    yield from reader(data, file_format, options, summary)
