"""The part of a camera's field of view that buildings and walls leave visible (docs/visibility.md).

Everything is computed in the camera's local azimuthal equidistant frame (`fov.LocalFrame`: metres,
camera at the origin, distances from it true). In that frame the ground an obstacle edge hides is
exact and cheap: seen from the apex, a point q of the edge hides the points t*q for 1 <= t <= k, so
the whole edge p1-p2 hides the quadrilateral p1, p2, k*p2, k*p1 (a radial scaling maps a segment to
a segment). ``k`` is:

- for an obstacle that blocks the view to the end of the range (its height or the camera's unknown,
  or it is at least as high as the camera): large enough that the scaled edge k*p1-k*p2 lies beyond
  the range, i.e. k = reach / (distance from the camera to the edge's line segment);
- for an obstacle of height h_o lower than the camera's h_c (both known): the line of sight from
  the camera's eye over the obstacle's top at ground distance d meets the ground at distance D with
  h_c / D = (h_c - h_o) / d (similar triangles), so D = d * h_c / (h_c - h_o): k = h_c / (h_c - h_o)
  for every point of the edge, and the hidden ground beyond the edge is d * h_o / (h_c - h_o) long.

A polygon's footprint is never visible ground. A high polygon's shadow is the union of the shadows
of its edges that face the camera (any sight line into it enters through one); a low polygon's is
its footprint plus the shadows of its edges facing away (the roof's far edge hides the most).
Lines (walls) cast the shadows of all their segments. The visible area is the sector minus the
union of the shadows.

The camera's own building: the camera hangs on a facade, and as digitised its point often falls a
few centimetres inside the footprint, or just outside. An obstacle that contains the camera or comes
within `APEX_CLEARANCE_M` of it is ignored (it would otherwise blank the whole view).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from observo.domain.fov import LocalFrame

# Obstacles this close to the camera (or containing it) are the wall it is mounted on.
APEX_CLEARANCE_M = 0.5
# Blocking shadows end this far beyond the sector's reach, so no shadow edge lies on its arc.
_BEYOND_REACH = 1.01
_BEYOND_REACH_M = 1.0
# Precision of the overlay in local metres.
GRID_M = 1e-3

Obstacle = tuple[BaseGeometry, float | None]


def visible_area(
    camera_lon: float,
    camera_lat: float,
    sector: Polygon,
    obstacles: Sequence[Obstacle],
    camera_height_m: float | None = None,
) -> Polygon | MultiPolygon:
    """The part of ``sector`` (EPSG:4326) seen from the camera past ``obstacles``.

    ``obstacles`` are EPSG:4326 polygons and lines (multi-parts too; points are ignored) with their
    height in metres or None. Returns ``sector`` itself when no shadow falls on it, else the
    remainder in EPSG:4326 (possibly empty or in several parts).
    """
    if not obstacles:
        return sector
    frame = LocalFrame(camera_lon, camera_lat)
    local_sector = frame.to_local(sector)
    reach = float(np.max(np.hypot(*shapely.get_coordinates(local_sector).T), initial=0.0))
    shadows = _shadows(frame, obstacles, camera_height_m, reach)
    if len(shadows):
        # Only shadows that fall on the sector can change it (behind the camera, most do not).
        shapely.prepare(local_sector)
        shadows = shadows[shapely.intersects(local_sector, shadows)]
    if not len(shadows):
        return sector
    # The difference is snap-rounded to a millimetre: adjacent shadows share sides that floating
    # point makes almost, not exactly, collinear, and an exact overlay leaves zero-area slivers
    # (invalid once back in degrees). Snapping the union as well costs 3x for nothing more.
    hidden = shapely.union_all(shadows)
    return _polygonal(frame.to_lonlat(shapely.difference(local_sector, hidden, grid_size=GRID_M)))


def sees(
    camera_lon: float,
    camera_lat: float,
    point: Point,
    obstacles: Sequence[Obstacle],
    camera_height_m: float | None = None,
    sector: Polygon | None = None,
) -> bool:
    """Whether the line of sight from the camera to ``point`` (EPSG:4326) reaches the ground there.

    The same model as `visible_area`, tested along the one sight line: ``point`` is hidden when it
    lies inside a polygon obstacle, or between a crossing of an obstacle's outline at distance d
    and distance k * d (k as in the module's docstring; no end for a blocking obstacle). With a
    ``sector``, a point outside it is not seen either.
    """
    if sector is not None and not sector.covers(point):
        return False
    frame = LocalFrame(camera_lon, camera_lat)
    target = frame.to_local(point)
    distance = math.hypot(target.x, target.y)
    geometries, heights = _parts(obstacles)
    if not len(geometries):
        return True
    local = frame.to_local(geometries)
    origin = Point(0.0, 0.0)
    keep = shapely.distance(local, origin) >= APEX_CLEARANCE_M
    sight = shapely.LineString([(0.0, 0.0), (target.x, target.y)])
    for geometry, height in zip(local[keep], heights[keep], strict=True):
        areal = shapely.get_dimensions(geometry) == 2
        if areal and geometry.covers(target):
            return False
        crossing = sight.intersection(geometry.boundary if areal else geometry)
        if crossing.is_empty:
            continue
        k = _height_factor(camera_height_m, height)
        # The farthest crossing hides the most: up to k times its distance.
        farthest = float(np.max(np.hypot(*shapely.get_coordinates(crossing).T)))
        if k is None or distance <= k * farthest:
            return False
    return True


def _shadows(
    frame: LocalFrame, obstacles: Sequence[Obstacle], camera_height_m: float | None, reach: float
) -> np.ndarray:
    """The ground each obstacle hides within ``reach`` of the camera, as local polygons."""
    geometries, heights = _parts(obstacles)
    if not len(geometries):
        return geometries
    local = frame.to_local(geometries)
    distances = shapely.distance(local, Point(0.0, 0.0))
    keep = (distances >= APEX_CLEARANCE_M) & (distances < reach)
    local, heights = local[keep], heights[keep]
    if not len(local):
        return local
    factors = np.array([_height_factor(camera_height_m, height) or np.inf for height in heights])
    areal = shapely.get_dimensions(local) == 2
    blocking = np.isinf(factors)
    # Exterior rings counter-clockwise, holes clockwise: the material is on each edge's left.
    rings = shapely.get_rings(shapely.orient_polygons(local[areal]), return_index=True)
    lines = [rings[0], local[~areal]]
    owners = [np.flatnonzero(areal)[rings[1]], np.flatnonzero(~areal)]
    coords, line_index = shapely.get_coordinates(np.concatenate(lines), return_index=True)
    owner = np.concatenate(owners)[line_index]
    # Segment i runs from coords[i] to coords[i + 1] within one line.
    same_line = line_index[:-1] == line_index[1:]
    start, end, owner = coords[:-1][same_line], coords[1:][same_line], owner[:-1][same_line]
    # > 0: the camera is on the edge's left, the material's side: the edge faces away from it.
    cross = start[:, 0] * end[:, 1] - start[:, 1] * end[:, 0]
    wanted = ~areal[owner] | np.where(blocking[owner], cross < 0, cross > 0)
    wanted &= np.abs(cross) > 1e-12  # an edge in line with the camera hides nothing
    start, end, owner = start[wanted], end[wanted], owner[wanted]
    gap = _segment_distance(start, end)
    outer = reach * _BEYOND_REACH + _BEYOND_REACH_M
    near = gap < reach
    start, end, owner, gap = start[near], end[near], owner[near], gap[near]
    scale = np.minimum(factors[owner], outer / gap)[:, None]
    quads = np.stack([start, end, end * scale, start * scale, start], axis=1)
    shadows = shapely.polygons(quads)
    footprints = local[areal & ~blocking]
    return np.concatenate([shadows, footprints])


def _parts(obstacles: Sequence[Obstacle]) -> tuple[np.ndarray, np.ndarray]:
    """Single polygons and lines of the obstacles, each with its height (NaN: unknown)."""
    geometries = np.array([geometry for geometry, _ in obstacles], dtype=object)
    heights = np.array([np.nan if height is None else height for _, height in obstacles], dtype=float)
    parts, index = shapely.get_parts(geometries, return_index=True)
    useful = (shapely.get_dimensions(parts) >= 1) & ~shapely.is_empty(parts)
    return parts[useful], heights[index[useful]]


def _height_factor(camera_height_m: float | None, obstacle_height_m: float | None) -> float | None:
    """How many times its own distance an obstacle's edge hides the ground to; None: to the end.

    Only an obstacle known to be lower than a camera of known height lets the view pass over it.
    Heights that are not positive finite numbers (NaN too) count as unknown.
    """
    if camera_height_m is None or obstacle_height_m is None:
        return None
    if not (math.isfinite(camera_height_m) and math.isfinite(obstacle_height_m)):
        return None
    if not 0 < obstacle_height_m < camera_height_m:
        return None
    return camera_height_m / (camera_height_m - obstacle_height_m)


def _segment_distance(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Distance from the origin to each segment start-end."""
    direction = end - start
    length2 = np.einsum("ij,ij->i", direction, direction)
    t = np.clip(-np.einsum("ij,ij->i", start, direction) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    closest = start + t[:, None] * direction
    return np.hypot(closest[:, 0], closest[:, 1])


def _polygonal(geometry: BaseGeometry) -> Polygon | MultiPolygon:
    """The areal part of a difference (GEOS may return a collection with stray lines)."""
    if isinstance(geometry, (Polygon, MultiPolygon)):
        return geometry
    polygons = [
        part for part in shapely.get_parts(geometry) if isinstance(part, Polygon) and not part.is_empty
    ]
    if not polygons:
        return Polygon()
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
