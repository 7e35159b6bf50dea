"""The heads of a re-imported OpenStreetMap node matched to the cameras already registered for it.

A node's `camera:direction=0;120;240` is three cameras. When the node comes back with other
directions, each new head takes the registered head whose bearing is closest (so a direction edited
from 120 to 125 updates that camera), registered heads left over are decommissioned, and new heads
left over are created. Decommissioned heads of the node are matched last, so a direction that comes
back revives its old camera (and its history) instead of registering a second one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

RETIRED_PENALTY = 1000.0  # more than any angle: a live head always wins over a decommissioned one


@dataclass(frozen=True)
class Head:
    bearing_deg: float | None
    retired: bool = False


def angle_between(a: float | None, b: float | None) -> float:
    """Degrees between two bearings (0-180); an unknown bearing is as far as can be from a known one."""
    if a is None or b is None:
        return 0.0 if a is None and b is None else 180.0
    difference = abs(a - b) % 360
    return min(difference, 360 - difference)


def match_heads(new: Sequence[float | None], old: Sequence[Head]) -> tuple[list[int | None], list[int]]:
    """For each new bearing, the index of the old head it takes (or None); and the live old heads left.

    Greedy on the closest pairs first: with at most 16 heads a node, the optimum in practice.
    """
    pairs = sorted(
        (angle_between(bearing, head.bearing_deg) + (RETIRED_PENALTY if head.retired else 0.0), i, j)
        for i, bearing in enumerate(new)
        for j, head in enumerate(old)
    )
    taken: list[int | None] = [None] * len(new)
    used: set[int] = set()
    for _cost, i, j in pairs:
        if taken[i] is None and j not in used:
            taken[i] = j
            used.add(j)
    left = [j for j, head in enumerate(old) if j not in used and not head.retired]
    return taken, left
