"""Export writers: the cameras a caller may see, streamed batch by batch in GeoJSON, CSV, KML or
OpenStreetMap-tagged GeoJSON, each with the attribution its rows need (services.export_attribution).

Every writer starts from the same Features the API answers (the schema is the contract, per
audience), so an export can never show more than the caller's own reads would.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from sqlalchemy.orm import Session

from observo.domain.osm_export import group_nodes, osm_node
from observo.domain.permissions import Actor, sees_full_detail
from observo.rendering import csv_export
from observo.rendering.features import dumped_features, streamed_features
from observo.services import export_queries
from observo.services.export_attribution import Attribution
from observo.services.queries import CameraQuery

Features = Iterator[dict[str, Any]]
BATCH = 500


@dataclass(frozen=True)
class ExportFormat:
    media_type: str
    extension: str
    write: Callable[[Features, Attribution], Iterator[str]]
    by_node: bool = False  # the heads of one device must arrive together (one OSM node each)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _collection_head(attribution: Attribution, **members: str) -> str:
    """`{"type":"FeatureCollection",...,"features":[`: an `attribution` member only when owed."""
    head = {"type": "FeatureCollection", **members}
    if attribution:
        head["attribution"] = attribution.text
    return _json(head)[:-1] + ',"features":['


def geojson(items: Features, attribution: Attribution) -> Iterator[str]:
    yield _collection_head(attribution)
    for index, feature in enumerate(items):
        yield ("," if index else "") + _json(feature)
    yield "]}"


def osm_geojson(items: Features, attribution: Attribution) -> Iterator[str]:
    """GeoJSON as overpass-turbo writes it: one node per device, its OSM id, its OSM tags
    (domain.osm_export); the OSM attribution only when OSM rows are in it."""
    yield _collection_head(attribution, generator="Observo")
    for index, heads in enumerate(group_nodes(items)):
        yield ("," if index else "") + _json(osm_node(heads))
    yield "]}"


KML_PREFIX = "observo_"  # no KML element (nor GDAL field of one, such as `visibility`) starts so
SECTOR_STYLE = (
    '<Style id="sector"><LineStyle><color>ff0000cc</color><width>1</width></LineStyle>'
    "<PolyStyle><color>400000cc</color></PolyStyle></Style>"
)


VISIBLE_STYLE = (
    '<Style id="visible"><LineStyle><color>ff00aa00</color><width>1</width></LineStyle>'
    "<PolyStyle><color>6000aa00</color></PolyStyle></Style>"
)
_KML_GEOMETRIES = ("fov", "fov_visible")  # Placemarks of their own, not attributes


def kml(items: Features, attribution: Attribution) -> Iterator[str]:
    """KML that Google Earth, QGIS and GDAL all draw: a Folder of camera positions (Points) and a
    Folder of fields of view (Polygons), one Placemark each, never a MultiGeometry mixing the two
    (QGIS draws nothing of one). Properties are typed ExtendedData (a Schema, SchemaData) named
    `observo_<property>`: a camera's
    `visibility` named as is would be read as KML's own <visibility> (hidden placemarks). The
    attribution is the Document's description and atom:link rel="license" (KML 2.2).

    A third Folder, `visible areas`, holds what the cameras obstacles clip see (`fov_visible`: a
    Polygon, or a MultiGeometry of Polygons only), when there are any.

    Sectors and visible areas are kept in temporary files while the positions stream, so memory
    stays flat."""
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:atom="http://www.w3.org/2005/Atom"><Document>'
    )
    yield "<name>Observo</name>"
    if attribution:
        links = "".join(
            f'<atom:link rel="license" href={quoteattr(notice.url)}/>'
            for notice in attribution.notices
            if notice.url
        )
        yield f"{links}<description>{escape(attribution.text)}</description>"
    first = next(items, None)  # its properties name the Schema's fields (the same for every row)
    names = ["id", *(name for name in (first or {}).get("properties", {}) if name not in _KML_GEOMETRIES)]
    fields = "".join(f'<SimpleField type="string" name={quoteattr(KML_PREFIX + name)}/>' for name in names)
    yield f'<Schema name="camera" id="camera">{fields}</Schema>{SECTOR_STYLE}{VISIBLE_STYLE}'
    if first is not None:
        items = itertools.chain([first], items)
    yield '<Folder id="cameras"><name>cameras</name>'
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8") as sectors,
        tempfile.TemporaryFile("w+", encoding="utf-8") as visible,
    ):
        clipped = 0
        for feature in items:
            name, data = _kml_name(feature), _kml_data(feature)
            lon, lat = feature["geometry"]["coordinates"]
            camera_id = int(feature["id"])
            yield (
                f'<Placemark id="camera-{camera_id}"><name>{name}</name>{data}'
                f"<Point><coordinates>{lon},{lat}</coordinates></Point></Placemark>"
            )
            if fov := feature["properties"].get("fov"):
                sectors.write(_kml_area(f"fov-{camera_id}", name, "#sector", data, fov))
            if area := feature["properties"].get("fov_visible"):
                visible.write(_kml_area(f"visible-{camera_id}", name, "#visible", data, area))
                clipped += 1
        yield '</Folder><Folder id="fields-of-view"><name>fields of view</name>'
        yield from _copy(sectors)
        if clipped:  # what obstacles leave of the clipped sectors (docs/visibility.md)
            yield '</Folder><Folder id="visible-areas"><name>visible areas</name>'
            yield from _copy(visible)
    yield "</Folder></Document></kml>\n"


def _copy(scratch: Any) -> Iterator[str]:
    scratch.seek(0)
    while chunk := scratch.read(64 * 1024):
        yield chunk


def _kml_area(placemark_id: str, name: str, style: str, data: str, geometry: dict[str, Any]) -> str:
    """A Placemark of a GeoJSON Polygon or MultiPolygon (holes kept; several parts: a MultiGeometry)."""
    parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    polygons = "".join(_kml_polygon(rings) for rings in parts)
    shape = polygons if len(parts) == 1 else f"<MultiGeometry>{polygons}</MultiGeometry>"
    head = f'<Placemark id="{placemark_id}"><name>{name}</name><styleUrl>{style}</styleUrl>'
    return f"{head}{data}{shape}</Placemark>"


def _kml_polygon(rings: list) -> str:
    def ring(points: list) -> str:
        coordinates = " ".join(f"{x},{y}" for x, y in points)
        return f"<LinearRing><coordinates>{coordinates}</coordinates></LinearRing>"

    outer, *inner = rings
    holes = "".join(f"<innerBoundaryIs>{ring(points)}</innerBoundaryIs>" for points in inner)
    return f"<Polygon><outerBoundaryIs>{ring(outer)}</outerBoundaryIs>{holes}</Polygon>"


def _kml_name(feature: dict[str, Any]) -> str:
    return escape(str(feature["properties"].get("name", feature["id"])))


def _kml_data(feature: dict[str, Any]) -> str:
    """The camera's id and properties as typed ExtendedData (SchemaData: GDAL's KML driver reads no
    untyped <Data>); the id joins a sector to its camera in a GIS."""
    properties = {"id": feature["id"], **feature["properties"]}
    data = "".join(
        f"<SimpleData name={quoteattr(KML_PREFIX + str(name))}>{escape(_kml_value(value))}</SimpleData>"
        for name, value in properties.items()
        if name not in _KML_GEOMETRIES and value is not None
    )
    return f'<ExtendedData><SchemaData schemaUrl="#camera">{data}</SchemaData></ExtendedData>'


def _kml_value(value: Any) -> str:
    """Text of a Data value: an object (source_tags) as JSON, a boolean as true/false."""
    if isinstance(value, dict | list):
        return _json(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_rows(actor: Actor, session: Session) -> Callable[[Features, Attribution], Iterator[str]]:
    def write(items: Features, attribution: Attribution) -> Iterator[str]:
        lookup = csv_export.licence_lookup(session, actor, attribution)
        return csv_export.rows_of(actor, items, lookup, licence_column=True)

    return write


def export_format(name: str, actor: Actor, session: Session) -> ExportFormat:
    formats = {
        "geojson": ExportFormat("application/geo+json", "geojson", geojson),
        "csv": ExportFormat("text/csv", "csv", csv_rows(actor, session)),
        "kml": ExportFormat("application/vnd.google-earth.kml+xml", "kml", kml),
        "osm": ExportFormat("application/geo+json", "osm.geojson", osm_geojson, by_node=True),
    }
    return formats[name]


def export_features(
    session: Session, actor: Actor, query: CameraQuery, limit: int | None, offset: int, chosen: ExportFormat
) -> Features:
    """The Features of an export, streamed; by device for a format that wants it. The public audience
    sees no OSM id nor site: each of its cameras is a device of its own, in the usual order."""
    if not (chosen.by_node and sees_full_detail(actor)):
        return streamed_features(session, actor, query, limit, offset, BATCH)
    batches = export_queries.stream_node_hits(session, actor, query, limit, offset, BATCH)
    return (feature for hits in batches for feature in dumped_features(session, actor, hits))


FORMATS = ("geojson", "csv", "kml", "osm")
