"""Export writers: the cameras a caller may see, streamed batch by batch in GeoJSON, CSV, KML or
OpenStreetMap-tagged GeoJSON.

Every writer starts from the same Features the API answers (the schema is the contract, per
audience), so an export can never show more than the caller's own reads would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from observo.api import csv_export
from observo.domain.osm_export import osm_tags_from_camera
from observo.domain.permissions import Actor

ODBL = "© OpenStreetMap contributors, ODbL 1.0 (cameras imported from OpenStreetMap)"

Features = Iterator[dict[str, Any]]


@dataclass(frozen=True)
class ExportFormat:
    media_type: str
    extension: str
    write: Callable[[Features], Iterator[str]]


def geojson(items: Features) -> Iterator[str]:
    yield '{"type":"FeatureCollection","features":['
    for index, feature in enumerate(items):
        yield ("," if index else "") + json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
    yield "]}"


def osm_geojson(items: Features) -> Iterator[str]:
    """GeoJSON whose properties are OpenStreetMap tags (man_made=surveillance...), as OSM tools read it."""
    attribution = json.dumps(ODBL, ensure_ascii=False)
    yield '{"type":"FeatureCollection","attribution":' + attribution + ',"features":['
    for index, feature in enumerate(items):
        tagged = {"type": "Feature", "id": feature["id"], "geometry": feature["geometry"]}
        tagged["properties"] = osm_tags_from_camera(feature["properties"])
        yield ("," if index else "") + json.dumps(tagged, ensure_ascii=False, separators=(",", ":"))
    yield "]}"


def kml(items: Features) -> Iterator[str]:
    """KML for Google Earth: one Placemark per camera, its position and (when shown) its field of view."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
    yield "<name>Observo</name>"
    for feature in items:
        yield _placemark(feature)
    yield "</Document></kml>\n"


def _placemark(feature: dict[str, Any]) -> str:
    properties = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"]
    shapes = [f"<Point><coordinates>{lon},{lat}</coordinates></Point>"]
    fov = properties.get("fov")
    if fov:
        ring = " ".join(f"{x},{y}" for x, y in fov["coordinates"][0])
        shapes.append(
            f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{ring}</coordinates>"
            "</LinearRing></outerBoundaryIs></Polygon>"
        )
    data = "".join(
        f'<Data name="{escape(str(name))}"><value>{escape(str(value))}</value></Data>'
        for name, value in properties.items()
        if name != "fov" and value is not None
    )
    name = escape(str(properties.get("name", feature["id"])))
    return (
        f'<Placemark id="camera-{int(feature["id"])}"><name>{name}</name><ExtendedData>{data}</ExtendedData>'
        f"<MultiGeometry>{''.join(shapes)}</MultiGeometry></Placemark>"
    )


def csv_rows(actor: Actor) -> Callable[[Features], Iterator[str]]:
    return lambda items: csv_export.rows_of(actor, items)


def export_format(name: str, actor: Actor) -> ExportFormat:
    formats = {
        "geojson": ExportFormat("application/geo+json", "geojson", geojson),
        "csv": ExportFormat("text/csv", "csv", csv_rows(actor)),
        "kml": ExportFormat("application/vnd.google-earth.kml+xml", "kml", kml),
        "osm": ExportFormat("application/geo+json", "osm.geojson", osm_geojson),
    }
    return formats[name]


FORMATS = ("geojson", "csv", "kml", "osm")
