"""Generated building footprints around the demo towns' squares (issue 20): NOT real buildings.

The demo cameras' fields of view are clipped by buildings (docs/visibility.md). Real footprints
(OpenStreetMap, the regional DBT) are not shipped with the demo, so these are made up, plausibly:
around each town a street grid at a seeded angle, blocks of 40-70 m between streets 9-15 m wide,
each block a ring of terraced buildings 12-16 m deep around a courtyard (or one row when the block
is shallow), 8-24 m of frontage each, 9-21 m high (3 to 7 storeys) or of unknown height (about one
in three, as in OpenStreetMap). The grid covers the places that have cameras and the town centre.

Left open, so that the cameras see what they are there for:

- each place's square (a rectangle along the grid around its centre; a park's or a castle's
  grounds reach past its farthest camera, with the castle itself standing in the middle);
- each camera's line of sight to the point it looks at (the street it looks down), a few metres
  wide, and a few metres around the camera itself (no camera stands in or against a building
  facing it);
- the spots the private sites' cameras watch (the pavement in front of a shop).

So the cameras see their square or street, and the buildings across it or beside it clip the rest
of their sectors: some cameras are clipped, others (looking across a square, along a wide street,
or short-ranged) are not. Deterministic: each town draws from its own ``random.Random`` seeded by
its slug, the output never depends on iteration order or on ``PYTHONHASHSEED``.

Pure data: ``demo_building_layers()`` gives one GeoJSON FeatureCollection per town, which the demo
seeding (``services/demo.py``) imports as that municipality's obstacle layer ``SOURCE``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from functools import cache, partial

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry

from observo.demo.territory_build import build
from observo.demo.territory_places import PLACES, PRIVATE_SITES, TOWNS
from observo.domain.fov import LocalFrame

Box = tuple[float, float, float, float]  # min x, min y, max x, max y in metres
SEED = "observo-demo-buildings-2026"
SOURCE = "demo-edifici"  # the obstacle layer's source name, per municipality

BLOCK_M = (40.0, 70.0)  # block length between two streets
STREET_M = (9.0, 15.0)  # street width, facade to facade
DEPTH_M = (12.0, 16.0)  # a terraced building's depth from its facade
FRONT_M = (8.0, 24.0)  # a building's frontage on its street
STOREYS = (3, 7)  # x 3 m: 9-21 m
UNKNOWN_HEIGHT = 0.35  # share of buildings whose height is not known
GAP = 0.08  # share of plots left empty (a yard, a car park, a passage)
SQUARE_HALF_M = (16.0, 26.0)  # a square's half sides, along the grid
GROUNDS_MARGIN_M = 12.0  # a park's or castle's grounds reach this far past its farthest camera
CASTLE_HALF_M = (22.0, 16.0)  # half sides of the castle in the middle of its grounds
CASTLE_HEIGHT_M = 21.0  # known: a castle is the landmark every camera around it faces
AROUND_SITE_M = 70.0  # the grid reaches this far past a place's farthest camera
AROUND_CENTRE_M = 160.0  # ... and this far around the town centre
SIGHT_HALF_M = 3.5  # half width of a camera's line of sight kept open
CAMERA_CLEAR_M = 3.0  # no building this close to a camera
FRONT_CLEAR_M = 6.0  # a private site's watched spot: open this far around


def demo_building_layers() -> dict[str, dict]:
    """Town slug -> GeoJSON FeatureCollection of its generated buildings (same output each call).

    Each Feature is a Polygon in EPSG:4326 with ``id`` ``<CODE>-E<n>`` and, when the height is known,
    ``properties.height`` in metres.
    """
    return {slug: _collection(slug) for slug in TOWNS}


@cache
def _collection(slug: str) -> dict:
    frame = LocalFrame(*TOWNS[slug]["centre"])
    footprints, heights = _town_buildings(slug, frame)
    shapes = shapely.set_precision(frame.to_lonlat(footprints), 1e-7)
    code = TOWNS[slug]["code"]
    features = []
    for number, (shape, height) in enumerate(zip(shapes, heights, strict=True), start=1):
        properties = {} if height is None else {"height": height}
        features.append(
            {
                "type": "Feature",
                "id": f"{code}-E{number}",
                "properties": properties,
                "geometry": mapping(shape),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _town_buildings(slug: str, frame: LocalFrame) -> tuple[np.ndarray, list[float | None]]:
    """The town's footprints in metres around its centre, and their heights (None: unknown).

    The grid is laid out along the axes, and everything it must avoid turned by -angle onto it;
    the footprints kept are turned back at the end.
    """
    rng = random.Random(f"{SEED}:{slug}")
    angle = rng.uniform(0.0, 90.0)  # the grid's streets, degrees anticlockwise from east
    sites = [site for site in [*PLACES, *PRIVATE_SITES] if site["town"] == slug]
    cameras = [(record, place) for record, place in _cameras() if place["town"] == slug]
    level = partial(_turn, angle=-angle)
    area = level(_built_area(frame, sites))
    spots = shapely.union_all([_local(frame, (record["lon"], record["lat"])) for record, _place in cameras])
    castles = [level(_castle(frame, site, spots)) for site in sites if _is_castle(site)]
    open_space = shapely.union_all(
        [
            *(level(_square(frame, site, rng)) for site in sites if "owner" not in site),
            *(
                level(_local(frame, site["centre"]).buffer(FRONT_CLEAR_M))
                for site in sites
                if "owner" in site
            ),
            *(level(_sight(frame, record, place)) for record, place in cameras),
        ]
    )
    taken = shapely.union_all([open_space, *castles])
    plots = list(_plots(area, rng))
    # Drawn for every plot, kept or not: the next plot's draws never depend on what is left out.
    draws = [
        (rng.random(), None if rng.random() < UNKNOWN_HEIGHT else 3.0 * rng.randint(*STOREYS)) for _ in plots
    ]
    boxes = shapely.box(*np.array(plots).T) if plots else np.array([], dtype=object)
    keep = (
        np.array([gap >= GAP for gap, _height in draws], dtype=bool)
        & ~shapely.intersects(taken, boxes)
        & shapely.contains_xy(area, *shapely.get_coordinates(shapely.centroid(boxes)).T)
    )
    footprints = np.concatenate([np.array(castles, dtype=object), boxes[keep]])
    heights = [CASTLE_HEIGHT_M] * len(castles) + [
        height for (_gap, height), kept in zip(draws, keep, strict=True) if kept
    ]
    return _turn(footprints, angle), heights


def _turn(geometries: np.ndarray, angle: float) -> np.ndarray:
    """The geometries turned by `angle` degrees anticlockwise about the origin."""
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return shapely.transform(geometries, lambda xy: xy @ np.array([[cos, sin], [-sin, cos]]))


@cache
def _cameras() -> list[tuple[dict, dict]]:
    return build()


def _local(frame: LocalFrame, lonlat: tuple[float, float]) -> Point:
    return frame.to_local(Point(lonlat))


def _built_area(frame: LocalFrame, sites: list[dict]) -> BaseGeometry:
    """Where the grid is built: around the town centre and each site's cameras."""
    discs = [Point(0.0, 0.0).buffer(AROUND_CENTRE_M)]
    discs.extend(_local(frame, site["centre"]).buffer(_reach(site) + AROUND_SITE_M) for site in sites)
    return shapely.union_all(discs)


def _reach(site: dict) -> float:
    """How far from its centre the site's farthest camera stands."""
    return max(distance for _kind, _azimuth, distance, _opts in site["cams"])


def _is_grounds(site: dict) -> bool:
    return site["zone"] in ("park", "building") and "owner" not in site


def _is_castle(site: dict) -> bool:
    return site["zone"] == "building" and "owner" not in site


def _square(frame: LocalFrame, site: dict, rng: random.Random) -> Polygon:
    """The open square around a place's centre, along the grid; a park's or castle's grounds."""
    centre = _local(frame, site["centre"])
    if _is_grounds(site):
        half_x = half_y = _reach(site) + GROUNDS_MARGIN_M
    else:
        half_x, half_y = rng.uniform(*SQUARE_HALF_M), rng.uniform(*SQUARE_HALF_M)
    return box(centre.x - half_x, centre.y - half_y, centre.x + half_x, centre.y + half_y)


def _castle(frame: LocalFrame, site: dict, spots: BaseGeometry) -> Polygon:
    """The castle in the middle of its grounds, smaller where a camera stands close to it."""
    centre = _local(frame, site["centre"])
    half_x, half_y = CASTLE_HALF_M
    while True:
        castle = box(centre.x - half_x, centre.y - half_y, centre.x + half_x, centre.y + half_y)
        if castle.distance(spots) >= CAMERA_CLEAR_M:
            return castle
        half_x, half_y = 0.9 * half_x, 0.9 * half_y


def _sight(frame: LocalFrame, record: dict, place: dict) -> BaseGeometry:
    """A camera's spot and its line of sight to the point it looks at."""
    camera = _local(frame, (record["lon"], record["lat"]))
    aim = _local(frame, place["aim"])
    spot = camera.buffer(CAMERA_CLEAR_M)
    if camera.distance(aim) < 0.5:
        return spot
    return spot.union(LineString([camera, aim]).buffer(SIGHT_HALF_M, cap_style="flat"))


def _plots(area: BaseGeometry, rng: random.Random) -> Iterator[Box]:
    """The buildings of every block of the grid that meets `area`, in a fixed order."""
    x0, y0, x1, y1 = area.bounds
    columns = list(_blocks(x0, x1, rng))
    rows = list(_blocks(y0, y1, rng))
    for left, right in columns:
        for bottom, top in rows:
            if area.intersects(box(left, bottom, right, top)):
                yield from _block_plots(left, bottom, right, top, rng)


def _blocks(start: float, end: float, rng: random.Random) -> Iterator[tuple[float, float]]:
    """(from, to) of the blocks along one axis, streets between them."""
    position = start - rng.uniform(0.0, BLOCK_M[1])
    while position < end:
        length = rng.uniform(*BLOCK_M)
        yield position, position + length
        position += length + rng.uniform(*STREET_M)


def _block_plots(left: float, bottom: float, right: float, top: float, rng: random.Random) -> Iterator[Box]:
    """Terraced buildings along the block's long sides (and its ends), a courtyard in the middle."""
    width, height = right - left, top - bottom
    along_x = width >= height
    length, breadth = (width, height) if along_x else (height, width)
    depth = rng.uniform(*DEPTH_M)
    rows = [(0.0, breadth)] if breadth < 2 * depth + 8.0 else [(0.0, depth), (breadth - depth, breadth)]
    pieces: list[tuple[float, float, float, float]] = []  # (along from, along to, across from, across to)
    for across_from, across_to in rows:
        pieces.extend((a, b, across_from, across_to) for a, b in _frontages(0.0, length, rng))
    if len(rows) == 2:  # the block's ends close the courtyard
        for a, b in ((0.0, depth), (length - depth, length)):
            pieces.append((a, b, depth, breadth - depth))
    for a, b, c, d in pieces:
        if along_x:
            yield left + a, bottom + c, left + b, bottom + d
        else:
            yield left + c, bottom + a, left + d, bottom + b


def _frontages(start: float, end: float, rng: random.Random) -> Iterator[tuple[float, float]]:
    position = start
    while end - position > FRONT_M[1]:
        width = rng.uniform(FRONT_M[0], min(FRONT_M[1], end - position - FRONT_M[0]))  # none left too narrow
        yield position, position + width
        position += width
    yield position, end
