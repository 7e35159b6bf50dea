"""Matching a re-imported OSM node's directions to its registered heads (pure: no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from observo.services.import_heads import Head, angle_between, match_heads


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (0, 0, 0),
        (10, 350, 20),
        (350, 10, 20),
        (90, 270, 180),
        (0, 359.5, 0.5),
        (None, None, 0),
        (None, 90, 180),
    ],
)
def test_angle_between(a, b, expected):
    assert angle_between(a, b) == pytest.approx(expected)


def test_an_edited_direction_takes_its_closest_head_and_a_dropped_one_is_left():
    taken, left = match_heads([0.0, 125.0], [Head(0.0), Head(120.0), Head(240.0)])
    assert taken == [0, 1] and left == [2]


def test_a_new_direction_takes_no_head():
    taken, left = match_heads([0.0, 90.0, 180.0], [Head(0.0)])
    assert taken.count(None) == 2 and taken[0] == 0 and left == []


def test_a_live_head_wins_over_a_decommissioned_one_and_those_are_never_left():
    old = [Head(240.0, retired=True), Head(200.0)]
    assert match_heads([240.0], old) == ([1], [])
    # live heads are taken first; the retired one is revived for the direction left over
    assert match_heads([240.0, 10.0], old) == ([1, 0], [])


@given(
    st.lists(st.one_of(st.none(), st.floats(0, 359.99)), max_size=16),
    st.lists(st.builds(Head, st.one_of(st.none(), st.floats(0, 359.99)), st.booleans()), max_size=16),
)
def test_every_head_is_taken_once_or_left(new, old):
    taken, left = match_heads(new, old)
    chosen = [j for j in taken if j is not None]
    assert len(chosen) == len(set(chosen)) == min(len(new), len(old))
    assert set(left) == {j for j, head in enumerate(old) if j not in chosen and not head.retired}
