"""The visible part of a field of view, against exact cases and a ray-casting oracle.

The oracle shares nothing with the module but `fov.sector`: its own PROJ transformer (from_crs),
rays cast with shapely from the camera across the sector, each ray's hidden stretches taken from
its intersections with the obstacles, and the visible area approximated by the fan of the rays'
visible stretches.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
import shapely.affinity
from hypothesis import given, note, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from observo.domain.fov import sector
from observo.domain.visibility import APEX_CLEARANCE_M, sees, visible_area

LON, LAT = 7.6869, 45.0703  # Turin


class Frame:
    """Camera-centred AEQD metres <-> EPSG:4326, built independently of fov.LocalFrame."""

    def __init__(self, lon: float, lat: float) -> None:
        self._t = Transformer.from_crs(
            "EPSG:4326", f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m", always_xy=True
        )

    def local(self, geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, lambda c: np.column_stack(self._t.transform(c[:, 0], c[:, 1])))

    def lonlat(self, geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(
            geometry, lambda c: np.column_stack(self._t.transform(c[:, 0], c[:, 1], direction="INVERSE"))
        )


FRAME = Frame(LON, LAT)


def east_north(x: float, y: float) -> Point:
    """The EPSG:4326 point x metres east and y metres north of the camera."""
    return FRAME.lonlat(Point(x, y))


def local_area(geometry: BaseGeometry, frame: Frame = FRAME) -> float:
    return frame.local(geometry).area


# --- the oracle ----------------------------------------------------------------------------------


def fan(
    local_sector: Polygon,
    obstacles: list[tuple[BaseGeometry, float | None]],
    camera_height: float | None,
    rays: int,
) -> np.ndarray:
    """Thin wedges (local metres) along ``rays`` rays across the sector, each covering the stretches
    of its middle ray that the camera sees: the ray is cut where it enters a blocking obstacle;
    entering a lower one (heights known) at distance a and leaving it at b hides [a, b * h_c / (h_c - h_o)];
    obstacles within 0.5 m of the camera are ignored."""
    coords = shapely.get_coordinates(local_sector)
    reach = float(np.max(np.hypot(coords[:, 0], coords[:, 1])))
    far = 2 * reach + 10
    if shapely.Point(0, 0).within(local_sector):  # a full circle: no apex
        first, width = 0.0, 2 * math.pi
    else:
        # The angular extent of the sector seen from its apex (compass angles, radians).
        angles = np.arctan2(coords[:, 0], coords[:, 1])
        angles = angles[np.hypot(coords[:, 0], coords[:, 1]) > 1e-6]
        centre = math.atan2(np.mean(np.sin(angles)), np.mean(np.cos(angles)))
        offsets = (angles - centre + math.pi) % (2 * math.pi) - math.pi
        first, width = centre + offsets.min(), offsets.max() - offsets.min()
    step = width / rays
    middle = first + (np.arange(rays) + 0.5) * step
    lines = shapely.linestrings(
        np.stack([np.zeros((rays, 2)), far * np.column_stack([np.sin(middle), np.cos(middle)])], axis=1)
    )
    inside = [stretches(shapely.intersection(lines, local_sector))]
    hidden: list[list[list[tuple[float, float]]]] = []
    for obstacle, height in obstacles:
        if not APEX_CLEARANCE_M <= obstacle.distance(Point(0, 0)) <= reach:
            continue  # its own wall, or beyond the sector
        lower = camera_height is not None and height is not None and 0 < height < camera_height
        k = camera_height / (camera_height - height) if lower else math.inf
        hidden.append(
            [
                [(a, b * k if lower else far) for a, b in pieces]
                for pieces in stretches(shapely.intersection(lines, obstacle))
            ]
        )
    wedges = []
    for ray in range(rays):
        seen = subtract(inside[0][ray], [piece for obstacle in hidden for piece in obstacle[ray]])
        left, right = middle[ray] - step / 2, middle[ray] + step / 2
        for r1, r2 in seen:
            wedges.append(
                [
                    (r1 * math.sin(left), r1 * math.cos(left)),
                    (r2 * math.sin(left), r2 * math.cos(left)),
                    (r2 * math.sin(right), r2 * math.cos(right)),
                    (r1 * math.sin(right), r1 * math.cos(right)),
                ]
            )
    return np.array([Polygon(w) for w in wedges], dtype=object)


def stretches(pieces: np.ndarray) -> list[list[tuple[float, float]]]:
    """For each ray's intersection with something, its (near, far) distances from the camera."""
    out: list[list[tuple[float, float]]] = [[] for _ in pieces]
    parts, owner = shapely.get_parts(pieces, return_index=True)
    for part, ray in zip(parts, owner, strict=True):
        if part.is_empty:
            continue
        distance = np.hypot(*shapely.get_coordinates(part).T)
        out[ray].append((float(distance.min()), float(distance.max())))
    return out


def subtract(keep: list[tuple[float, float]], drop: list[tuple[float, float]]) -> list[tuple[float, float]]:
    result = list(keep)
    for a, b in drop:
        result = [
            piece
            for r1, r2 in result
            for piece in ((r1, min(r2, a)), (max(r1, b), r2))
            if piece[1] > piece[0]
        ]
    return result


def mismatch(visible_local: BaseGeometry, wedges: np.ndarray) -> float:
    """Area of the symmetric difference of the visible area and the fan (wedges do not overlap)."""
    common = float(np.sum(shapely.area(shapely.intersection(visible_local, wedges)))) if len(wedges) else 0.0
    return visible_local.area + float(np.sum(shapely.area(wedges))) - 2 * common


# --- exact cases ---------------------------------------------------------------------------------


def wall(y: float) -> BaseGeometry:
    """A wall 200 m long running east-west, y metres north of the camera."""
    return FRAME.lonlat(LineString([(-100, y), (100, y)]))


def test_a_wall_across_the_view_leaves_only_the_near_part() -> None:
    fov = sector(LON, LAT, 0, 60, 100)
    visible = visible_area(LON, LAT, fov, [(wall(20), None)])
    # The triangle apex - wall: 20 m deep, 2 * 20 * tan(30°) wide.
    assert local_area(visible) == pytest.approx(20 * 20 * math.tan(math.radians(30)), rel=1e-6)
    assert visible.covers(east_north(0, 19.5)) and not visible.intersects(east_north(0, 20.5))
    assert visible.is_valid and isinstance(visible, Polygon)


def test_points_either_side_of_a_wall() -> None:
    obstacles = [(wall(20), None)]
    assert sees(LON, LAT, east_north(3, 19.5), obstacles)
    assert not sees(LON, LAT, east_north(3, 20.5), obstacles)
    assert not sees(LON, LAT, east_north(-40, 60), obstacles)
    assert sees(LON, LAT, east_north(-40, -60), obstacles)  # the wall is north, this is south
    # Past the wall's end the sight line goes round it.
    assert sees(LON, LAT, east_north(300, 40), obstacles)  # crosses y = 20 at x = 150


def test_sees_checks_the_sector_when_given() -> None:
    fov = sector(LON, LAT, 0, 60, 100)
    assert sees(LON, LAT, east_north(0, 50), [], sector=fov)
    assert not sees(LON, LAT, east_north(50, 0), [], sector=fov)
    assert not sees(LON, LAT, east_north(0, 50), [(wall(20), None)], sector=fov)


def test_an_obstacle_behind_the_camera_changes_nothing() -> None:
    fov = sector(LON, LAT, 0, 60, 100)
    building = FRAME.lonlat(Polygon([(-20, -30), (20, -30), (20, -5), (-20, -5)]))
    assert visible_area(LON, LAT, fov, [(building, None), (wall(-10), 3.0)], 8.0) is fov
    assert visible_area(LON, LAT, fov, []) is fov
    assert visible_area(LON, LAT, fov, [(wall(150), None)]) is fov  # beyond the range


def test_a_low_wall_hides_only_its_shadow() -> None:
    fov = sector(LON, LAT, 0, 60, 100)
    # Camera 6 m up, wall 2 m high at 20 m: the sight line over the top meets the ground at
    # 20 * 6 / (6 - 2) = 30 m, i.e. 20 * 2 / (6 - 2) = 10 m beyond the wall.
    obstacles = [(wall(20), 2.0)]
    visible = visible_area(LON, LAT, fov, obstacles, camera_height_m=6.0)
    band = FRAME.lonlat(Polygon([(-100, 20), (100, 20), (100, 30), (-100, 30)]))
    assert local_area(fov) - local_area(visible) == pytest.approx(
        local_area(fov.intersection(band)), rel=1e-4
    )
    for y, seen in ((19, True), (21, False), (29, False), (31, True), (90, True)):
        assert sees(LON, LAT, east_north(0, y), obstacles, 6.0) is seen, y
        assert visible.covers(east_north(0, y)) is seen, y
    # As high as the camera, or a height unknown: blocks to the end of the range.
    for camera_height, wall_height in ((6.0, 6.0), (6.0, 9.0), (None, 2.0), (6.0, None)):
        blocked = visible_area(LON, LAT, fov, [(wall(20), wall_height)], camera_height)
        assert not blocked.intersects(east_north(0, 90)), (camera_height, wall_height)
        assert not sees(LON, LAT, east_north(0, 90), [(wall(20), wall_height)], camera_height)


def test_a_low_building_hides_its_footprint_and_the_ground_behind_its_far_edge() -> None:
    fov = sector(LON, LAT, 0, 90, 100)
    building = FRAME.lonlat(Polygon([(-10, 20), (10, 20), (10, 30), (-10, 30)]))
    obstacles = [(building, 4.0)]
    # Far edge at 30 m, camera 8 m, roof 4 m: hidden to 30 * 8 / 4 = 60 m straight ahead.
    for y, seen in ((19, True), (25, False), (45, False), (59, False), (61, True)):
        assert sees(LON, LAT, east_north(0, y), obstacles, 8.0) is seen, y
        assert visible_area(LON, LAT, fov, obstacles, 8.0).covers(east_north(0, y)) is seen, y


def test_the_camera_s_own_building_is_ignored() -> None:
    fov = sector(LON, LAT, 0, 90, 60)
    # Mounted on the north facade, digitised 3 cm inside the building.
    own = FRAME.lonlat(Polygon([(-15, -20), (15, -20), (15, 0.03), (-15, 0.03)]))
    assert visible_area(LON, LAT, fov, [(own, None)]) is fov
    assert sees(LON, LAT, east_north(0, 30), [(own, None)])
    # 0.4 m away: still its own wall. 2 m away across a lane: a real obstacle, it hides the south.
    near = FRAME.lonlat(Polygon([(-15, -20), (15, -20), (15, -0.4), (-15, -0.4)]))
    assert visible_area(LON, LAT, fov, [(near, None)]) is fov
    across = FRAME.lonlat(Polygon([(-15, -20), (15, -20), (15, -2), (-15, -2)]))
    circle = sector(LON, LAT, None, 360, 60)
    visible = visible_area(LON, LAT, circle, [(across, None)])
    assert visible.covers(east_north(0, 30)) and not visible.intersects(east_north(0, -30))
    assert not sees(LON, LAT, east_north(0, -30), [(across, None)])


def test_a_pillar_splits_the_far_view() -> None:
    fov = sector(LON, LAT, 0, 60, 100)
    pillar = FRAME.lonlat(Point(0, 30).buffer(2))
    visible = visible_area(LON, LAT, fov, [(pillar, None)])
    assert visible.is_valid and visible.covers(east_north(0, 25))
    assert not visible.intersects(east_north(0, 80)) and visible.covers(east_north(10, 80))
    # The shadow is the wedge tangent to the pillar, out to the range.
    shadow = local_area(fov) - local_area(visible)
    # Tangents at half-angle asin(2 / 30); in front of the pillar the wedge holds the kite camera -
    # tangent points - centre less the pillar's near half (the disc sector between the tangents).
    half = math.asin(2 / 30)
    in_front = math.sqrt(30**2 - 2**2) * 2 - 2**2 * (math.pi - 2 * half) / 2
    expected = half * 100**2 - in_front
    assert shadow == pytest.approx(expected, rel=0.02)


def test_multi_part_obstacles_and_points() -> None:
    fov = sector(LON, LAT, 0, 60, 100)
    two = shapely.union(wall(20), FRAME.lonlat(Point(-30, -30).buffer(3)))
    visible = visible_area(LON, LAT, fov, [(two, None), (east_north(0, 10), None)])
    assert local_area(visible) == pytest.approx(20 * 20 * math.tan(math.radians(30)), rel=1e-6)


# --- random city blocks against the oracle -------------------------------------------------------

RAYS = 1440  # the fan's own error stays far below 1 % of the sector (see the test's docstring)


@st.composite
def blocks(draw: st.DrawFn) -> dict:
    """A street grid of buildings around a camera on a facade (or in the street), in local metres."""
    lon = draw(st.floats(6.6, 18.5))
    lat = draw(st.floats(36.7, 47.0))
    width = draw(st.floats(20, 60))
    depth = draw(st.floats(20, 60))
    street = draw(st.floats(6, 20))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    side = draw(st.sampled_from(["south", "east", "north", "west"]))
    along = draw(st.floats(0.05, 0.95))
    # Inside its own building (digitising), on it, 1 m out, mid-street.
    offset = draw(st.sampled_from([-0.05, 0.0, 0.2, 1.0, 3.0]))
    buildings: list[tuple[BaseGeometry, float | None]] = []
    for row in range(-3, 4):
        for column in range(-3, 4):
            x0, y0 = column * (width + street), row * (depth + street)
            cut = x0 + width * rng.uniform(0.3, 0.7)
            for left, right in ((x0, cut), (cut, x0 + width)):
                height = float(rng.uniform(3, 25)) if rng.random() < 0.5 else None
                buildings.append(
                    (Polygon([(left, y0), (right, y0), (right, y0 + depth), (left, y0 + depth)]), height)
                )
            if rng.random() < 0.3:
                wall_y = y0 - street * rng.uniform(0.2, 0.8)
                wall_x = x0 + width * rng.uniform(0, 0.5)
                line = LineString([(wall_x, wall_y), (wall_x + width * rng.uniform(0.2, 0.5), wall_y)])
                buildings.append((line, float(rng.uniform(1, 3)) if rng.random() < 0.7 else None))
    # The camera on a facade of the building south-west of the centre's cut.
    camera_x, camera_y = {
        "south": (along * width, -offset),
        "east": (width + offset, along * depth),
        "north": (along * width, depth + offset),
        "west": (-offset, along * depth),
    }[side]
    outward = {"south": 180.0, "east": 90.0, "north": 0.0, "west": 270.0}[side]
    # Everything moved so the camera is at the origin.
    moved = [(shapely.affinity.translate(shape, -camera_x, -camera_y), height) for shape, height in buildings]
    return {
        "lon": lon,
        "lat": lat,
        "obstacles": moved,
        "bearing": outward + draw(st.floats(-90, 90)),
        "hfov": draw(st.one_of(st.just(360.0), st.floats(5, 180))),
        "range": draw(st.floats(10, 150)),
        "camera_height": draw(st.one_of(st.none(), st.floats(2.5, 15))),
    }


@settings(max_examples=40, deadline=None)
@given(blocks())
def test_visible_area_matches_ray_casting(city: dict) -> None:
    """Within 1 % of the sector's area (symmetric difference).

    The fan's own error: along each ray its stretches are exact (shapely intersections); between
    rays, a shadow's side crossing a wedge off its middle makes the wedge wrong by at most half its
    width, so each shadow side costs at most 1/(2 * RAYS) of the sector's area (a fraction of that
    on average); with 2,880 rays, 1 % would take 57 shadow sides all at their worst.
    """
    frame = Frame(city["lon"], city["lat"])
    lonlat = [(frame.lonlat(shape), height) for shape, height in city["obstacles"]]
    fov = sector(city["lon"], city["lat"], city["bearing"], city["hfov"], city["range"])
    visible = visible_area(city["lon"], city["lat"], fov, lonlat, city["camera_height"])
    assert isinstance(visible, (Polygon, MultiPolygon)) and visible.is_valid
    local_sector = frame.local(fov)
    local_visible = frame.local(visible)
    wedges = fan(local_sector, city["obstacles"], city["camera_height"], RAYS)
    error = mismatch(local_visible, wedges) / local_sector.area
    note(f"visible {local_visible.area:.1f} m², sector {local_sector.area:.1f} m², error {error:.4%}")
    assert error < 0.01
    # sees() agrees with the area at points clear of its boundary.
    rng = np.random.default_rng(0)
    minx, miny, maxx, maxy = local_sector.bounds
    points = shapely.points(rng.uniform(minx, maxx, 60), rng.uniform(miny, maxy, 60))
    boundary = local_visible.boundary
    for point in points[shapely.within(points, local_sector)]:
        if boundary.distance(point) < 0.01:
            continue
        expected = local_visible.contains(point)
        assert sees(city["lon"], city["lat"], frame.lonlat(point), lonlat, city["camera_height"]) is expected
