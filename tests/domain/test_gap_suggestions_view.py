"""Patrol suggestions whose own view obstacles clip (domain.gap_suggestions with a `view`)."""

from __future__ import annotations

import shapely
from shapely.geometry import box

from observo.domain.gap_suggestions import suggest

GAP = box(0, 0, 120, 60)
BUILDING = box(0, 0, 60, 60)  # the west half: nothing to see from, nothing seen in it


def behind_nothing(x: float, y: float, disc):
    return disc


def blocked_by_building(x: float, y: float, disc):
    """A stand-in for domain.visibility: inside the building nothing, outside the disc minus it."""
    if BUILDING.covers(shapely.Point(x, y)):
        return shapely.Polygon()
    return disc.difference(BUILDING)


def test_a_view_that_hides_nothing_places_as_without_one():
    plain = suggest(GAP, 3, 20)
    viewed = suggest(GAP, 3, 20, behind_nothing)
    assert [(s.x, s.y) for s in viewed] == [(s.x, s.y) for s in plain]
    assert [s.added_m2 for s in viewed] == [s.added_m2 for s in plain]
    assert not any(s.clipped for s in viewed)


def test_clipped_suggestions_stand_outside_and_count_only_what_they_see():
    remaining = GAP
    for suggestion in suggest(GAP, 4, 20, blocked_by_building):
        point = shapely.Point(suggestion.x, suggestion.y)
        assert not BUILDING.covers(point)
        seen = blocked_by_building(suggestion.x, suggestion.y, point.buffer(20, quad_segs=16))
        assert abs(suggestion.added_m2 - seen.intersection(remaining).area) < 1e-6
        assert suggestion.clipped == (point.distance(BUILDING) < 20)
        remaining = remaining.difference(seen)
