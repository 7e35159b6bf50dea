"""Where a patrol or the mobile office would add most watch over a target's gaps (suggestions only).

A greedy placement of virtual 360-degree viewpoints of range R: each step takes, among candidate
positions, the one whose disc covers the most still-uncovered area, then removes that disc from the
gaps. Candidates are a grid of spacing R/2 over the gaps plus a point inside each gap, so a small
gap is never missed between grid nodes. Greedy placement is within 1 - 1/e of the best for this
kind of coverage problem, and it is explainable to the officer: "here you add most".

In a wide gap many positions add a whole disc. Among those (within 1 % of the best gain) the one
deepest inside the gap wins, i.e. farthest from any camera's view and from the target's edge: the
darkest spot, not the first grid node in reading order.

Obstacles hide part of a viewpoint's disc as they hide part of a camera's sector. Given `view` (the
visible part of a disc around a position, `domain.visibility` in the caller's hands), the discs are
ranked as above, then the `CLIPPED_SHORTLIST` best are clipped and the one whose visible part adds
most wins; what it adds, and what later steps still count as uncovered, is its visible part. A
position inside a building sees nothing (`view` returns an empty geometry).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

# Enough candidates to place well over a square kilometre, few enough to stay fast.
MAX_CANDIDATES = 600
# Candidates are ranked on the gaps simplified to this tolerance (metres); the chosen one's gain is exact.
RANKING_TOLERANCE_M = 1.0
# Gains within this fraction of the best count as ties, broken by depth inside the gap.
TIE_FRACTION = 0.01
# A viewpoint adding less than this is not worth suggesting.
MIN_ADDED_M2 = 1.0
DISC_QUAD_SEGMENTS = 16
# With obstacles: how many of the best-ranked discs are clipped to pick from (clipping costs ~1.5 ms).
CLIPPED_SHORTLIST = 8

# (x, y, disc) in local metres -> the part of `disc` seen from (x, y) past the obstacles.
View = Callable[[float, float, BaseGeometry], BaseGeometry]


@dataclass(frozen=True)
class Suggestion:
    """A virtual viewpoint in local metres and the uncovered area it would add."""

    x: float
    y: float
    range_m: float
    added_m2: float
    clipped: bool = False  # obstacles hide part of its disc: `added_m2` counts the visible part


def suggest(
    uncovered: BaseGeometry, count: int, range_m: float, view: View | None = None
) -> list[Suggestion]:
    """Up to `count` viewpoints, best first, each counted against what the earlier ones already add.

    `view`: the part of a disc a viewpoint sees past obstacles (None: the whole disc).
    """
    remaining = uncovered
    suggestions: list[Suggestion] = []
    for _ in range(count):
        if remaining.is_empty or remaining.area < MIN_ADDED_M2:
            break
        points = _candidates(remaining, range_m)
        discs = shapely.buffer(points, range_m, quad_segs=DISC_QUAD_SEGMENTS)
        rough = remaining.simplify(RANKING_TOLERANCE_M)
        if view is None:
            best = _best(points, discs, rough)
            seen, clipped = discs[best], False
        else:
            best, seen = _best_clipped(points, discs, rough, remaining, view)
            clipped = not seen.equals(discs[best])
        gain = seen.intersection(remaining).area
        if gain < MIN_ADDED_M2:
            break
        suggestions.append(Suggestion(points[best].x, points[best].y, range_m, gain, clipped))
        remaining = remaining.difference(seen)
    return suggestions


def _best(points: np.ndarray, discs: np.ndarray, rough: BaseGeometry) -> int:
    """The candidate adding most; among near-ties, the one deepest inside the gaps."""
    gains = shapely.area(shapely.intersection(discs, rough))
    tied = np.flatnonzero(gains >= gains.max() * (1 - TIE_FRACTION))
    depth = shapely.distance(points[tied], rough.boundary)
    return int(tied[int(np.argmax(depth))])


def _best_clipped(
    points: np.ndarray, discs: np.ndarray, rough: BaseGeometry, remaining: BaseGeometry, view: View
) -> tuple[int, BaseGeometry]:
    """Among the best-ranked discs, the one whose visible part adds most (ties: the better ranked)."""
    gains = shapely.area(shapely.intersection(discs, rough))
    depth = shapely.distance(points, rough.boundary)
    ranked = np.lexsort((-depth, -gains))[:CLIPPED_SHORTLIST]  # by gain, then deepest
    best, best_seen, best_gain = int(ranked[0]), shapely.Polygon(), -1.0
    for index in ranked:
        seen = view(points[index].x, points[index].y, discs[index])
        gain = seen.intersection(remaining).area
        if gain > best_gain:
            best, best_seen, best_gain = int(index), seen, gain
    return best, best_seen


def _candidates(remaining: BaseGeometry, range_m: float) -> np.ndarray:
    """Grid nodes inside the gaps (spacing R/2, coarser if needed) and one point inside each gap."""
    inside_each = [part.point_on_surface() for part in shapely.get_parts(remaining)]
    min_x, min_y, max_x, max_y = remaining.bounds
    step = range_m / 2
    while ((max_x - min_x) / step + 1) * ((max_y - min_y) / step + 1) > MAX_CANDIDATES:
        step *= 1.5
    xs, ys = np.meshgrid(np.arange(min_x, max_x + step, step), np.arange(min_y, max_y + step, step))
    grid = shapely.points(xs.ravel(), ys.ravel())
    shapely.prepare(remaining)
    grid = grid[shapely.contains(remaining, grid)]
    return np.concatenate([np.array(inside_each, dtype=object), grid])
