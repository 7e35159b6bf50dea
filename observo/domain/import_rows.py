"""Rows of an import file -> camera API Features (pure parsing: no Flask, no database).

Each row comes out as ``(row, feature, issues)``: ``row`` is the CSV line number (the header is
line 1) or the 1-based position of the GeoJSON feature; ``feature`` is None when the row cannot be
turned into a Feature at all, and ``issues`` then say why. Values are checked afterwards by the
camera API's own input schema, so an import accepts exactly what ``POST /cameras`` accepts.

CSV columns are the camera property names plus ``lon`` and ``lat``; Italian headers are accepted
(``HEADERS``). The delimiter (``;`` or ``,``) is read from the header line; a UTF-8 BOM is
dropped; numeric cells may use a decimal comma; empty cells are left out; ``source`` defaults to
``csv_import``. OSM cameras are imported with ``records=false`` unless stated: OSM does not say
whether a camera records, and a recording camera would need a retention we cannot know.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from observo.domain import json_limits
from observo.domain.osm_tags import cameras_from_osm, to_camera_feature
from observo.domain.text_input import NUL, NUL_DETAIL, nul_pointer
from observo.errors import FieldIssue, InvalidInput

FORMATS = ("csv", "geojson", "osm")
Row = tuple[int, dict[str, Any] | None, list[FieldIssue]]

HEADERS = {
    "nome": "name",
    "tipo": "camera_type",
    "titolare": "owner",
    "gestore": "operator",
    "direzione": "bearing_deg",
    "angolo": "hfov_deg",
    "inclinazione": "tilt_deg",
    "portata": "range_m",
    "altezza": "height_m",
    "longitudine": "lon",
    "latitudine": "lat",
    "indirizzo": "address",
    "comune": "municipality",
    "stato": "status",
    "visibilità": "visibility",
    "visibilita": "visibility",
    "conservazione_ore": "retention_hours",
    "riferimento": "ref",
    "fonte": "source",
    "marca": "make",
    "modello": "model",
    "installata_il": "installed_on",
    "registra": "records",
    "finalità": "purpose",
    "finalita": "purpose",
}
FLOATS = ("bearing_deg", "hfov_deg", "tilt_deg", "range_m", "height_m", "lon", "lat")
INTEGERS = ("retention_hours", "osm_id")
BOOLEANS = ("indoor", "records", "live_link", "night_vision", "temporary")
_TRUE = ("true", "1", "yes", "si", "sì", "vero")
_FALSE = ("false", "0", "no", "falso")


def detect_format(data: bytes, name_or_format: str) -> str:
    """`csv`, `geojson` or `osm` from a format name, a file name or a media type (then the content)."""
    hint = name_or_format.lower()
    if hint in FORMATS:
        return hint
    if hint.endswith((".csv", "text/csv")):
        return "csv"
    if hint.endswith((".geojson", ".json", "geo+json", "/json")):
        return "osm" if b"man_made" in data[:1_000_000] else "geojson"
    raise InvalidInput(
        f"unknown file format {name_or_format!r}: send .csv, .geojson or .json",
        [FieldIssue("/file", "unknown_format", "expected CSV or GeoJSON")],
    )


def parse_rows(data: bytes, file_format: str, owner: str | None) -> Iterator[Row]:
    """The rows of the file in order; `owner` fills rows that name none."""
    if file_format == "csv":
        yield from csv_rows(data, owner)
    else:
        yield from geojson_rows(data, owner, osm=file_format == "osm")


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        detail = f"the file is not UTF-8 (byte {exc.start})"
        raise InvalidInput(detail, [FieldIssue("/file", "invalid_encoding", detail)]) from exc
    if NUL in text:
        detail = f"the file contains a NUL character (character {text.index(NUL)}): not a text file"
        raise InvalidInput(detail, [FieldIssue("/file", "nul_character", detail)])
    return text


def csv_rows(data: bytes, owner: str | None) -> Iterator[Row]:
    """Stream the CSV: one row at a time, whatever the size of the file."""
    stream = io.StringIO(_decode(data), newline="")
    header_line = stream.readline()
    stream.seek(0)
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(stream, delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise InvalidInput("the file is empty", [FieldIssue("/file", "empty", "no header line")])
    names = [HEADERS.get(cell.strip().lower(), cell.strip().lower()) for cell in header]
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        yield _csv_row(reader.line_num, names, cells, owner)


def _csv_row(row: int, names: list[str], cells: list[str], owner: str | None) -> Row:
    if len(cells) != len(names):
        detail = f"{len(cells)} cells for {len(names)} columns"
        return row, None, [FieldIssue("", "wrong_cell_count", detail)]
    values: dict[str, Any] = {}
    issues: list[FieldIssue] = []
    for name, cell in zip(names, cells, strict=True):
        text = cell.strip()
        if text:
            try:
                values[name] = _cell(name, text)
            except ValueError as exc:
                issues.append(FieldIssue(f"/{name}", "invalid_type", str(exc)))
    lon, lat = values.pop("lon", None), values.pop("lat", None)
    if lon is None or lat is None:
        issues.append(FieldIssue("/lon" if lon is None else "/lat", "required", "lon and lat are required"))
    if owner and "owner" not in values:
        values["owner"] = owner
    values.setdefault("source", "csv_import")
    geometry = {"type": "Point", "coordinates": [lon, lat]}
    return row, {"type": "Feature", "geometry": geometry, "properties": values}, issues


def _cell(name: str, text: str) -> Any:
    """A cell as the JSON value the API expects (a decimal comma is a decimal point)."""
    if name in FLOATS:
        try:
            return float(text.replace(",", "."))
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
    if name in INTEGERS:
        if not text.lstrip("-").isdigit():
            raise ValueError(f"{text!r} is not a whole number")
        return int(text)
    if name in BOOLEANS:
        if text.lower() in _TRUE + _FALSE:
            return text.lower() in _TRUE
        raise ValueError(f"{text!r} is not yes/no (true/false, sì/no)")
    return text


def geojson_rows(data: bytes, owner: str | None, *, osm: bool) -> Iterator[Row]:
    try:
        document = json_limits.loads(_decode(data))  # bounded depth and numbers: never a 500
    except json.JSONDecodeError as exc:
        issue = FieldIssue("/file", "malformed_json", str(exc))
        raise InvalidInput(f"malformed JSON: {exc}", [issue]) from exc
    if (pointer := nul_pointer(document)) is not None:  # a \u0000 escape decodes to NUL
        raise InvalidInput(NUL_DETAIL, [FieldIssue(pointer, "nul_character", NUL_DETAIL)])
    is_collection = isinstance(document, dict) and document.get("type") == "FeatureCollection"
    features = document.get("features") if is_collection else None
    if not isinstance(features, list):
        detail = "expected a GeoJSON FeatureCollection"
        raise InvalidInput(detail, [FieldIssue("/type", "invalid_type", detail)])
    for row, feature in enumerate(features, start=1):
        if osm:
            yield from _osm_rows(row, feature, owner)
        else:
            yield row, _with_owner(feature, owner), []


def _osm_rows(row: int, feature: Any, owner: str | None) -> Iterator[Row]:
    try:
        cameras = cameras_from_osm(feature)
    except InvalidInput as exc:
        yield row, None, exc.issues or [FieldIssue("", "invalid", exc.detail)]
        return
    for camera in cameras:
        converted, _extras = to_camera_feature(camera)
        converted["properties"].setdefault("records", False)  # OSM does not say; no retention to invent
        yield row, _with_owner(converted, owner), []


def _with_owner(feature: Any, owner: str | None) -> Any:
    if owner and isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
        feature["properties"].setdefault("owner", owner)
    return feature
