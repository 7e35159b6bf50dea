"""Obstacle files -> building footprints and walls in WGS84, with every problem of the file at once.

The registry's import machinery reads the files: `import_formats` names the format, `import_text`
the encoding, `import_crs` reprojects (a file's own CRS, else the one named, else plausible degrees),
`import_gdal` opens Shapefiles, GeoPackages and KML, `osm_files` OpenStreetMap's XML, PBF and
Overpass JSON. What is an obstacle and how tall: `domain/obstacles.py`.

- GeoJSON (any CRS its legacy `crs` member or the person names), Shapefile, GeoPackage, KML: every
  layer with areas or lines is read (a layer of points is named in a warning).
- OpenStreetMap: closed ways tagged `building=*` and `type=multipolygon` relations tagged
  `building=*` (rings assembled from their member ways), ways tagged `barrier=wall`. Positions come
  from the file's nodes (`(._;>;); out;`, JOSM, osmium) or from Overpass's `out geom`.

Each geometry is checked by `domain/geometry.py` after reprojection (inside the extent, valid,
at most `max_vertices` positions): nothing is repaired. Problems refuse the file (`issues`); values
read by interpretation (a height that is not a number) are `warnings`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from observo.domain import import_gdal, import_text, osm_files
from observo.domain import obstacles as rules
from observo.domain.geometry import MAX_ISSUES, Extent, parse_geometry
from observo.domain.import_crs import Positions
from observo.domain.import_formats import detect
from observo.domain.import_geojson import json_document, legacy_crs
from observo.domain.import_rows import FileSummary, ImportOptions
from observo.domain.osm_files import OsmElement
from observo.errors import FieldIssue, InvalidGeometry, InvalidInput

FORMATS = ("geojson", "osm", "overpass", "osm_xml", "osm_pbf", "shapefile", "gpkg", "kml")
_GDAL = ("shapefile", "gpkg", "kml")


@dataclass(frozen=True)
class ObstacleRecord:
    kind: str  # vocabulary.OBSTACLE_KINDS
    geometry: BaseGeometry  # EPSG:4326
    height_m: float | None
    source_ref: str | None  # way/123, relation/4, a feature's id


@dataclass
class ObstacleFile:
    format: str
    crs: str | None = None
    records: list[ObstacleRecord] = field(default_factory=list)
    issues: list[FieldIssue] = field(default_factory=list)  # refuse the file
    warnings: list[FieldIssue] = field(default_factory=list)
    skipped: int = 0  # features or elements that are not obstacles
    problems: int = 0  # issues found, of which the first MAX_ISSUES are kept

    def count(self, kind: str) -> int:
        return sum(record.kind == kind for record in self.records)


@dataclass(frozen=True)
class Limits:
    extent: Extent
    max_vertices: int


def read_obstacles(data: bytes, name_or_format: str, limits: Limits, crs: str | None = None) -> ObstacleFile:
    """Every obstacle of the file, or its problems; InvalidInput when the file cannot be read at all."""
    file_format = detect(data, name_or_format)
    if file_format not in FORMATS:
        detail = (
            f"a {file_format} file has no shapes: send GeoJSON, OpenStreetMap, a Shapefile, GeoPackage or KML"
        )
        raise InvalidInput(detail, [FieldIssue("/file", "unknown_format", detail)])
    found = ObstacleFile(file_format)
    summary = FileSummary(file_format)
    options = ImportOptions(crs=crs)
    if file_format in _GDAL:
        _read_gdal(data, file_format, options, summary, found, limits)
    elif file_format in ("osm_xml", "osm_pbf"):
        _read_osm(_elements(data, file_format), found, limits)
    else:
        document = json_document(import_text.read(data, options, summary))
        if isinstance(document, dict) and "elements" in document:
            found.format = "overpass"
            elements, remark = osm_files.overpass_elements(document)
            if remark is not None:  # a timeout or out of memory: the extract may lack buildings
                detail = f"the Overpass answer says: {remark[:300]} (the extract may be incomplete)"
                summary.warnings.append(FieldIssue("/remark", "overpass_remark", detail))
            raw = (osm_files.overpass_element(e, i) for i, e in enumerate(elements) if isinstance(e, dict))
            _read_osm(raw, found, limits)
        else:
            found.format = "geojson"
            _read_geojson(document, options, summary, found, limits)
    found.crs = "EPSG:4326" if found.format in ("osm_xml", "osm_pbf", "overpass") else summary.crs
    found.warnings[:0] = summary.warnings
    found.problems = len(found.issues)
    del found.issues[MAX_ISSUES:]  # the detail of the refusal still gives the total
    if not found.records and not found.issues:
        detail = "the file holds no building footprint (areas, building=*) and no wall (lines, barrier=wall)"
        found.issues.append(FieldIssue("/file", "no_obstacles", detail))
    return found


# --- GeoJSON and GIS layers -----------------------------------------------------------------------------


def _read_geojson(
    document: Any, options: ImportOptions, summary: FileSummary, found: ObstacleFile, limits: Limits
) -> None:
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list) or document.get("type") != "FeatureCollection":
        detail = "expected a GeoJSON FeatureCollection or an Overpass JSON answer (elements)"
        raise InvalidInput(detail, [FieldIssue("/type", "invalid_type", detail)])
    positions = Positions(summary, legacy_crs(document.get("crs")), options.crs, warn_assumed=False)
    for index, feature in enumerate(features):
        pointer = f"/features/{index}"
        if not isinstance(feature, dict) or not isinstance(feature.get("properties") or {}, dict):
            found.issues.append(FieldIssue(pointer, "invalid_type", "expected a Feature with properties"))
            continue
        try:
            geometry = shape(feature["geometry"]) if feature.get("geometry") else None
        except (
            AttributeError,
            KeyError,
            TypeError,
            ValueError,
            IndexError,
            shapely.errors.ShapelyError,
        ) as exc:
            detail = f"the geometry cannot be read: {str(exc)[:200]}"
            found.issues.append(FieldIssue(f"{pointer}/geometry", "invalid_geometry", detail))
            continue
        ref = feature.get("id")
        properties = feature.get("properties") or {}
        _add(
            found,
            pointer,
            geometry,
            properties,
            positions.to_wgs84,
            limits,
            None if ref is None else str(ref),
        )


def _read_gdal(
    data: bytes,
    file_format: str,
    options: ImportOptions,
    summary: FileSummary,
    found: ObstacleFile,
    limits: Limits,
) -> None:
    if file_format == "shapefile":
        data, summary.encoding = import_gdal.shapefile_zip(data)
    for layer, _kind in import_gdal.list_layers(data, file_format):
        meta, geometries, fields = import_gdal.read_layer(data, layer, file_format)
        shapes = [None if raw is None else shapely.from_wkb(raw) for raw in geometries]
        if shapes and all(s is None or s.geom_type in ("Point", "MultiPoint") for s in shapes):
            detail = f"layer {layer!r} holds points, not areas or lines: not read"
            summary.warnings.append(FieldIssue("/file", "layers_ignored", detail))
            continue
        crs = "EPSG:4326" if file_format == "kml" else meta.get("crs")
        positions = Positions(summary, crs, options.crs, warn_assumed=True)
        names = [str(name) for name in meta["fields"]]
        for offset, geometry in enumerate(shapes):
            properties = {name: import_gdal.python_value(fields[i][offset]) for i, name in enumerate(names)}
            pointer = f"/layers/{layer}/features/{offset}"
            _add(found, pointer, geometry, properties, positions.to_wgs84, limits, f"{layer}/{offset + 1}")


def _add(
    found: ObstacleFile,
    pointer: str,
    geometry: BaseGeometry | None,
    properties: Mapping[str, Any],
    to_wgs84: Callable[[float, float], tuple[float, float]],
    limits: Limits,
    source_ref: str | None,
) -> None:
    if geometry is None or geometry.is_empty:
        found.issues.append(FieldIssue(f"{pointer}/geometry", "no_geometry", "the feature has no geometry"))
        return
    geometry = shapely.force_2d(geometry)
    kind = rules.kind_of(properties, geometry.geom_type)
    if kind is None:
        if geometry.geom_type in (*rules.AREAS, *rules.LINES):
            found.skipped += 1  # tagged as something else (a road, a park): not an obstacle
            return
        detail = f"a {geometry.geom_type} is not an obstacle: buildings are areas, walls lines"
        found.issues.append(FieldIssue(f"{pointer}/geometry", "unsupported_geometry", detail))
        return
    try:
        moved = shapely.transform(geometry, lambda xy: np.array([to_wgs84(x, y) for x, y in xy]))
    except ValueError as exc:  # outside the CRS's area; a file without a CRS is refused whole
        found.issues.append(FieldIssue(f"{pointer}/geometry", "invalid_position", str(exc)))
        return
    _checked(
        found, pointer, kind, moved, rules.height_of(properties, f"{pointer}/properties"), limits, source_ref
    )


def _checked(
    found: ObstacleFile,
    pointer: str,
    kind: str,
    geometry: BaseGeometry,
    height: tuple[float | None, list[FieldIssue]],
    limits: Limits,
    source_ref: str | None,
) -> None:
    """The geometry through domain/geometry.py's rules (a MultiLineString one line at a time)."""
    parts = list(geometry.geoms) if isinstance(geometry, MultiLineString) else [geometry]
    allowed = (
        ("LineString",)
        if isinstance(geometry, MultiLineString)
        else ("Polygon", "MultiPolygon", "LineString")
    )
    checked = []
    for number, part in enumerate(parts):
        try:
            checked.append(
                parse_geometry(
                    json.loads(shapely.to_geojson(part)),
                    allowed,
                    max_vertices=limits.max_vertices,
                    extent=limits.extent,
                )
            )
        except InvalidGeometry as exc:
            where = f"{pointer}/geometry" + (f"/{number}" if len(parts) > 1 else "")
            found.issues.extend(issue.under(where) for issue in exc.issues)
    if len(checked) != len(parts):
        return
    result = MultiLineString(checked) if isinstance(geometry, MultiLineString) else checked[0]
    if kind == "building" and (span := rules.span_m(result.bounds)) > rules.MAX_BUILDING_SPAN_M:
        detail = (
            f"a building {span:.0f} m across is not a footprint (at most {rules.MAX_BUILDING_SPAN_M:.0f} m): "
            "a boundary or a land-use area tagged as a building?"
        )
        found.issues.append(FieldIssue(f"{pointer}/geometry", "too_large", detail))
        return
    metres, warnings = height
    found.warnings.extend(warnings)
    found.records.append(ObstacleRecord(kind, result, metres, source_ref))


# --- OpenStreetMap -----------------------------------------------------------------------------------------


def _elements(data: bytes, file_format: str) -> Iterator[OsmElement]:
    return osm_files.pbf_elements(data) if file_format == "osm_pbf" else osm_files.xml_elements(data)


def _read_osm(elements: Iterator[OsmElement], found: ObstacleFile, limits: Limits) -> None:
    nodes: dict[int, tuple[float, float]] = {}
    ways: dict[int, OsmElement] = {}
    wanted: list[OsmElement] = []
    for element in elements:
        if element.deleted:
            continue
        if element.kind == "node" and element.lon is not None and element.lat is not None:
            nodes[element.osm_id] = (element.lon, element.lat)
        elif element.kind == "way":
            ways[element.osm_id] = element
        if element.kind in ("way", "relation") and rules.osm_kind(element.tags) is not None:
            wanted.append(element)
        elif element.tags:
            found.skipped += 1  # roads, points of interest...: untagged nodes and ways are parts
    for element in wanted:
        pointer = f"/{element.label}"
        try:
            kind, geometry = _osm_shape(element, nodes, ways)
        except ValueError as exc:
            found.issues.append(FieldIssue(pointer, "invalid_geometry", f"{element.label}: {exc}"))
            continue
        if kind is None:
            found.skipped += 1
            continue
        height = rules.height_of(element.tags, f"{pointer}/tags")
        _checked(found, pointer, kind, geometry, height, limits, element.label)


def _osm_shape(
    element: OsmElement, nodes: Mapping[int, tuple[float, float]], ways: Mapping[int, OsmElement]
) -> tuple[str | None, BaseGeometry]:
    """(kind, shape) of a tagged way or relation; ValueError says what is missing or wrong."""
    kind = rules.osm_kind(element.tags)
    if element.kind == "way":
        line = _way_positions(element, nodes)
        if kind == "wall":
            return kind, LineString(line)
        if len(line) < 4 or line[0] != line[-1]:
            raise ValueError("a building way must be closed (its last node is its first)")
        return kind, Polygon(line)
    if kind != "building" or str(element.tags.get("type", "")).strip() != "multipolygon":
        return None, Polygon()  # a relation that is not a building multipolygon: not an obstacle
    return kind, _multipolygon(element, nodes, ways)


def _way_positions(way: OsmElement, nodes: Mapping[int, tuple[float, float]]) -> list[tuple[float, float]]:
    if way.positions:
        return list(way.positions)
    missing = [ref for ref in way.refs if ref not in nodes]
    if missing or not way.refs:
        detail = f"node {missing[0]} is not in the file" if missing else "the way has no nodes in the file"
        raise ValueError(f"{detail}: export the ways with their nodes ((._;>;); out; or out geom)")
    return [nodes[ref] for ref in way.refs]


def _multipolygon(
    relation: OsmElement, nodes: Mapping[int, tuple[float, float]], ways: Mapping[int, OsmElement]
) -> BaseGeometry:
    """Outer rings minus inner rings, assembled from the member ways (split rings are joined)."""
    lines: dict[str, list[LineString]] = {"outer": [], "inner": []}
    for member in relation.members:
        if member.kind != "way":
            continue
        if member.positions:
            positions = list(member.positions)
        elif member.ref in ways:
            positions = _way_positions(ways[member.ref], nodes)
        else:
            raise ValueError(f"member way {member.ref} is not in the file: export the relation with its ways")
        lines["inner" if member.role == "inner" else "outer"].append(LineString(positions))
    outer, inner = (unary_union(shapely.polygonize(lines[role]).geoms) for role in ("outer", "inner"))
    if outer.is_empty:
        raise ValueError("its outer member ways do not close into rings")
    result = outer.difference(inner) if not inner.is_empty else outer
    if result.is_empty:
        raise ValueError("its rings enclose no area")
    return result
