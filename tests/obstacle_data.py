"""Small obstacle files for the tests: an OSM XML extract, an Overpass `out geom` answer and a GeoJSON in
UTM 32N (EPSG:32632), near Piazza Castello; and what each should become, built with shapely."""

from __future__ import annotations

import json

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Polygon, box

from tests.factories import TURIN

TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32632", always_xy=True)
TO_LONLAT = Transformer.from_crs("EPSG:32632", "EPSG:4326", always_xy=True)
LON, LAT = TURIN

# Nodes (id -> lon, lat): a square house (way 10), a courtyard block as a multipolygon whose outer ring
# is split in two ways (21, 22) with an inner courtyard (way 23), a wall (way 11).
_NODES = {
    1: (LON, LAT),
    2: (LON + 0.0005, LAT),
    3: (LON + 0.0005, LAT + 0.0004),
    4: (LON, LAT + 0.0004),
    5: (LON + 0.0010, LAT),
    6: (LON + 0.0015, LAT + 0.0002),
    31: (LON + 0.0020, LAT),
    32: (LON + 0.0030, LAT),
    33: (LON + 0.0030, LAT + 0.0010),
    34: (LON + 0.0020, LAT + 0.0010),
    41: (LON + 0.0023, LAT + 0.0003),
    42: (LON + 0.0027, LAT + 0.0003),
    43: (LON + 0.0027, LAT + 0.0007),
    44: (LON + 0.0023, LAT + 0.0007),
}
HOUSE = Polygon([_NODES[n] for n in (1, 2, 3, 4, 1)])
WALL = LineString([_NODES[5], _NODES[6]])
BLOCK = Polygon([_NODES[n] for n in (31, 32, 33, 34, 31)], [[_NODES[n] for n in (41, 42, 43, 44, 41)]])


def _way(way_id: int, refs: tuple[int, ...], tags: dict[str, str]) -> str:
    nds = "".join(f'<nd ref="{ref}"/>' for ref in refs)
    return f'<way id="{way_id}">{nds}{_tags(tags)}</way>'


def _tags(tags: dict[str, str]) -> str:
    return "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())


def osm_xml(*, house_height: str = "12,5 m", with_wall: bool = True, drop_node: int | None = None) -> bytes:
    nodes = "".join(
        f'<node id="{n}" lon="{lon}" lat="{lat}"/>' for n, (lon, lat) in _NODES.items() if n != drop_node
    )
    parts = [
        nodes,
        f'<node id="99" lon="{LON}" lat="{LAT}">{_tags({"amenity": "bench"})}</node>',
        _way(10, (1, 2, 3, 4, 1), {"building": "house", "height": house_height}),
        _way(12, (1, 5), {"highway": "footway"}),
        _way(21, (31, 32, 33), {}),
        _way(22, (33, 34, 31), {}),
        _way(23, (41, 42, 43, 44, 41), {}),
        '<relation id="20"><member type="way" ref="21" role="outer"/><member type="way" ref="22" '
        'role="outer"/><member type="way" ref="23" role="inner"/>'
        + _tags({"type": "multipolygon", "building": "apartments", "building:levels": "4"})
        + "</relation>",
    ]
    if with_wall:
        parts.append(_way(11, (5, 6), {"barrier": "wall", "height": "2"}))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">' + "".join(parts) + "</osm>"
    ).encode()


def overpass_json() -> bytes:
    """Overpass `[out:json]; way[building](...); out geom;`: the house only, its positions inline."""
    geometry = [{"lat": lat, "lon": lon} for lon, lat in HOUSE.exterior.coords]
    element = {
        "type": "way",
        "id": 10,
        "nodes": [1, 2, 3, 4, 1],
        "geometry": geometry,
        "tags": {"building": "yes", "building:levels": "3"},
    }
    return json.dumps({"version": 0.6, "elements": [element]}).encode()


def utm(lon: float, lat: float) -> tuple[float, float]:
    return TO_UTM.transform(lon, lat)


def utm_geojson(*features: dict) -> bytes:
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32632"}},
        "features": list(features),
    }
    return json.dumps(collection).encode()


def utm_square(x: float, y: float, side: float) -> dict:
    ring = [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(geometry: dict | None, fid: str | None = None, **properties: object) -> dict:
    found = {"type": "Feature", "properties": properties, "geometry": geometry}
    return found if fid is None else {**found, "id": fid}


X0, Y0 = utm(LON + 0.004, LAT)  # 300 m east of the OSM extract


def bad_geojson() -> bytes:
    """A good square, a bow tie (self-intersection) and a feature without geometry, in UTM 32N."""
    bow_tie = [[X0, Y0], [X0 + 10, Y0 + 10], [X0 + 10, Y0], [X0, Y0 + 10], [X0, Y0]]
    return utm_geojson(
        feature(utm_square(X0, Y0, 20)),
        feature({"type": "Polygon", "coordinates": [bow_tie]}),
        feature(None),
    )


def city_geojson(*, height: str = "12 m") -> bytes:
    """Two buildings (20 m and 10 m squares) and a wall, in UTM 32N, as a regional DBT might export them."""
    return utm_geojson(
        feature(utm_square(X0, Y0, 20), "b1", height=height),
        feature(utm_square(X0 + 40, Y0, 10), "b2", **{"building:levels": 2}),
        feature({"type": "LineString", "coordinates": [[X0, Y0 - 10], [X0 + 50, Y0 - 10]]}, "w1"),
    )


def utm_to_lonlat(geometry):
    return shapely.transform(geometry, lambda xy: np.column_stack(TO_LONLAT.transform(xy[:, 0], xy[:, 1])))


def city_shapes() -> list:
    """The city file's shapes in lon/lat, reprojected by pyproj independently of the service."""
    return [
        utm_to_lonlat(box(X0, Y0, X0 + 20, Y0 + 20)),
        utm_to_lonlat(box(X0 + 40, Y0, X0 + 50, Y0 + 10)),
        utm_to_lonlat(LineString([(X0, Y0 - 10), (X0 + 50, Y0 - 10)])),
    ]
