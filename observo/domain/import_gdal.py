"""GIS files (a zipped Shapefile, GeoPackage, KML or KMZ) -> rows, read through GDAL (pyogrio).

What municipal GIS offices keep: layers in the CRS of the regional cartography, attribute tables
with truncated DBF names (`DIREZIONE`, `ANGOLO`). Files are read from memory (no temporary files).

- Shapefile: a .zip holding .shp, .shx, .dbf and (better) .prj; a .cpg names the DBF's encoding.
  Files in a folder of the zip are read too (the zip is repacked flat, size-checked first).
- Layers: the first point layer is read; the others are named in a `layers_ignored` warning. A KML
  is one document whose folders GDAL reads as layers: every folder with points is read (the folder
  is kept in `source_tags` as `folder` when there are several), a folder without any is named in
  the warning. KML's presentation fields (tessellate, extrude, icon...) are not camera data.
- CRS: the file's own, reprojected to WGS84 (`import_crs`); a file without one is read in the CRS
  the person names, else as WGS84 when its coordinates are plausible degrees (a warning says so).
- Attributes go through `import_columns` like CSV columns; a KML placemark's name, description
  and ExtendedData are attributes like the others.
"""

from __future__ import annotations

import io
import math
import posixpath
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyogrio
import shapely
from pyogrio import raw
from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError

from observo.domain.import_columns import Columns
from observo.domain.import_crs import Positions
from observo.domain.import_rows import FileSummary, ImportOptions, ParsedRow
from observo.errors import FieldIssue, InvalidInput

SOURCE = "csv_import"  # the source value of rows imported from a file (vocabulary.SOURCES)
MAX_UNZIPPED = 512 * 1024 * 1024  # bytes a zipped Shapefile may hold once unpacked
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
KML_PRESENTATION = frozenset({"altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon"})
_NAMES = {"shapefile": "Shapefile", "gpkg": "GeoPackage", "kml": "KML"}
_VSI_PATH = re.compile(r"'?/vsi[^\s']*'?")
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
)
_GDAL_ERRORS = (DataSourceError, DataLayerError, FieldError, GeometryError)


def rows(data: bytes, file_format: str, options: ImportOptions, summary: FileSummary) -> Iterator[ParsedRow]:
    if file_format == "shapefile":
        data, summary.encoding = shapefile_zip(data)
    listed = _list_layers(data, file_format)
    layers = _chosen(listed, file_format)
    if file_format != "kml" and len(listed) > 1:
        others = ", ".join(f"{name} ({kind})" for name, kind in listed if name != layers[0])
        detail = f"read layer {layers[0]!r}, the first point layer; not read: {others}"
        summary.warnings.append(FieldIssue("/file", "layers_ignored", detail))
    read = [(layer, *_read(data, layer, file_format)) for layer in layers]
    if file_format == "kml":
        read = _kml_folders_with_points(read, summary)
    for layer, meta, geometries, fields in read:
        if summary.encoding is None:
            summary.encoding = meta.get("encoding")
        yield from _layer_rows(
            layer, meta, geometries, fields, file_format, options, summary, folder=len(read) > 1
        )
    if summary.records == 0:
        summary.warnings.append(FieldIssue("/file", "no_rows", "0 rows: the layer has no features"))


def shapefile_zip(data: bytes) -> tuple[bytes, str | None]:
    """The zip repacked flat with only Shapefile parts (GDAL reads a zip's root), and the .cpg."""
    try:
        return _repacked(zipfile.ZipFile(io.BytesIO(data)))
    except _ZIP_ERRORS as exc:  # a damaged or encrypted archive, a compression zipfile lacks
        raise _invalid("/file", "malformed_file", f"not a readable zip file ({exc})") from exc


def _repacked(archive: zipfile.ZipFile) -> tuple[bytes, str | None]:
    members = [info for info in archive.infolist() if info.filename.lower().endswith(SHAPEFILE_PARTS)]
    if not any(info.filename.lower().endswith(".shp") for info in members):
        found = ", ".join(info.filename for info in archive.infolist()[:10]) or "nothing"
        detail = f"the zip holds no .shp file (it holds {found}): zip the .shp, .shx, .dbf and .prj together"
        raise _invalid("/file", "no_layer", detail)
    if sum(info.file_size for info in members) > MAX_UNZIPPED:
        raise _invalid("/file", "too_large", f"the Shapefile is over {MAX_UNZIPPED // 2**20} MB unpacked")
    flat = io.BytesIO()
    encoding = None
    with zipfile.ZipFile(flat, "w") as repacked:
        for info in members:
            stem, ending = posixpath.splitext(info.filename)
            name = stem.replace("/", "_") + ending.lower()  # folders flattened, names kept apart
            content = archive.read(info)
            repacked.writestr(name, content)
            if ending.lower() == ".cpg" and encoding is None:
                encoding = content.decode("ascii", errors="replace").strip() or None
    return flat.getvalue(), encoding


def _list_layers(data: bytes, file_format: str) -> list[tuple[str, str]]:
    """(name, geometry type) of every layer."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # "non conformant file extension": in memory
            return [(str(name), str(kind)) for name, kind in pyogrio.list_layers(data)]
    except _GDAL_ERRORS as exc:
        detail = f"GDAL cannot read this {_NAMES.get(file_format, file_format)} file: {_first_line(exc)}"
        raise _invalid("/file", "malformed_file", detail) from exc


def _chosen(listed: list[tuple[str, str]], file_format: str) -> list[str]:
    """The layers read: a KML's folders, else the first point layer."""
    if file_format == "kml":
        return [name for name, _kind in listed]  # folders: the ones without points are said later
    points = [name for name, kind in listed if "point" in kind.lower()]
    if not points:
        found = ", ".join(f"{name} ({kind})" for name, kind in listed) or "none"
        detail = f"the file has no point layer (layers: {found}): cameras are points"
        raise _invalid("/file", "no_layer", detail)
    return points[:1]


def _kml_folders_with_points(read: list[Any], summary: FileSummary) -> list[Any]:
    """A KML's folders holding points; the others (a ZTL perimeter...) named in a warning."""
    kept = []
    for layer, meta, geometries, fields in read:
        kinds = {_kind(geometry) for geometry in geometries}
        if kinds & {"Point", "MultiPoint"}:
            kept.append((layer, meta, geometries, fields))
            continue
        count = len(geometries)
        detail = f"KML folder {layer!r} holds no points ({count} placemark{'s' * (count != 1)}): not read"
        summary.warnings.append(FieldIssue("/file", "layers_ignored", detail))
    return kept


def _layer_rows(
    layer: str,
    meta: dict[str, Any],
    geometries: Any,
    fields: list[Any],
    file_format: str,
    options: ImportOptions,
    summary: FileSummary,
    *,
    folder: bool,
) -> Iterator[ParsedRow]:
    kinds = [_kind(geometry) for geometry in geometries]
    before = summary.records
    names = [str(name) for name in meta["fields"]]
    keep = [
        index for index, name in enumerate(names) if not (file_format == "kml" and name in KML_PRESENTATION)
    ]
    columns = Columns(
        [names[index] for index in keep],
        options,
        summary,
        coordinates_from_columns=False,
        default_source=SOURCE,
        cut_names=file_format == "shapefile",
    )
    crs = "EPSG:4326" if file_format == "kml" else meta.get("crs")
    positions = Positions(summary, crs, options.crs, warn_assumed=True)
    for offset, geometry in enumerate(geometries):
        row = before + offset + 1
        summary.records += 1
        values = [_python(fields[index][offset]) for index in keep]
        warnings_: list[FieldIssue] = []
        try:
            position = positions.to_wgs84(*_point(geometry, kinds[offset], warnings_))
        except ValueError as exc:
            yield ParsedRow(row, None, [FieldIssue("/geometry", "invalid_geometry", str(exc))])
            continue
        parsed = columns.rows(row, values, position=position, file_format=file_format)
        parsed[0].warnings[:0] = warnings_
        for one in parsed:
            if folder and one.feature is not None:
                one.feature["properties"].setdefault("source_tags", {}).setdefault("folder", layer)
        if folder:
            summary.kept["folder"] += 1
        yield from parsed


def _read(data: bytes, layer: str, file_format: str) -> tuple[dict[str, Any], Any, list[Any]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            meta, _fids, geometries, fields = raw.read(data, layer=layer, datetime_as_string=True)
    except _GDAL_ERRORS as exc:
        detail = f"GDAL cannot read layer {layer!r}: {_first_line(exc)}"
        raise _invalid("/file", "malformed_file", detail) from exc
    return meta, geometries, fields


def _kind(geometry: Any) -> str | None:
    return None if geometry is None else shapely.from_wkb(geometry).geom_type


def _point(geometry: Any, kind: str | None, warnings_: list[FieldIssue]) -> tuple[float, float]:
    if geometry is None:
        raise ValueError("the feature has no geometry: a camera needs a point")
    shape = shapely.from_wkb(geometry)
    if kind == "MultiPoint" and len(shape.geoms) == 1:
        warnings_.append(
            FieldIssue("/geometry", "point_taken", "a MultiPoint of one point: read as that point")
        )
        shape = shape.geoms[0]
    elif kind != "Point":
        shown = f"a MultiPoint of {len(shape.geoms)} points" if kind == "MultiPoint" else f"a {kind}"
        raise ValueError(f"{shown} is not a camera position: only points are cameras")
    if shape.is_empty:
        raise ValueError("an empty point is not a camera position")
    return float(shape.x), float(shape.y)


def _python(value: Any) -> Any:
    """A GDAL attribute as a plain value: numpy numbers unwrapped, NaN (a null real) None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def _first_line(exc: Exception) -> str:
    """GDAL's message without the in-memory path pyogrio gave the file."""
    text = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
    return _VSI_PATH.sub("the file", text)


def _invalid(pointer: str, code: str, detail: str) -> InvalidInput:
    return InvalidInput(detail, [FieldIssue(pointer, code, detail)])


# For the obstacle layers' reader (domain/obstacle_files.py), which reads every layer of areas or lines.
list_layers = _list_layers
read_layer = _read
python_value = _python
