"""Where a patrol or the mobile office would add most watch over a target's gaps (suggestions only).

A greedy placement of virtual 360-degree viewpoints of range R: each step takes, among candidate
positions, the one whose disc covers the most still-uncovered area, then removes that disc from the
gaps. Candidates are a grid of spacing R/2 over the gaps plus a point inside each gap, so a small
gap is never missed between grid nodes. Greedy placement is within 1 - 1/e of the best for this
kind of coverage problem, and it is explainable to the officer: "here you add most".

In a wide gap many positions add a whole disc. Among those (within 1 % of the best gain) the one
deepest inside the gap wins, i.e. farthest from any camera's view and from the target's edge: the
darkest spot, not the first grid node in reading order.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Suggestion:
    """A virtual viewpoint in local metres and the uncovered area it would add."""

    x: float
    y: float
    range_m: float
    added_m2: float


def suggest(uncovered: BaseGeometry, count: int, range_m: float) -> list[Suggestion]:
    """Up to `count` viewpoints, best first, each counted against what the earlier ones already add."""
    remaining = uncovered
    suggestions: list[Suggestion] = []
    for _ in range(count):
        if remaining.is_empty or remaining.area < MIN_ADDED_M2:
            break
        points = _candidates(remaining, range_m)
        discs = shapely.buffer(points, range_m, quad_segs=DISC_QUAD_SEGMENTS)
        best = _best(points, discs, remaining.simplify(RANKING_TOLERANCE_M))
        gain = discs[best].intersection(remaining).area
        if gain < MIN_ADDED_M2:
            break
        suggestions.append(Suggestion(points[best].x, points[best].y, range_m, gain))
        remaining = remaining.difference(discs[best])
    return suggestions


def _best(points: np.ndarray, discs: np.ndarray, rough: BaseGeometry) -> int:
    """The candidate adding most; among near-ties, the one deepest inside the gaps."""
    gains = shapely.area(shapely.intersection(discs, rough))
    tied = np.flatnonzero(gains >= gains.max() * (1 - TIE_FRACTION))
    depth = shapely.distance(points[tied], rough.boundary)
    return int(tied[int(np.argmax(depth))])


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
