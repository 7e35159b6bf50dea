"""The demo keeps the README's promise: sensitive places in every town (pure data, no database)."""

from observo.demo.territory_places import TOWNS
from observo.demo.territory_plans import SENSITIVE_PLACES, place_by_key


def test_every_demo_town_has_a_sensitive_place() -> None:
    towns = {place_by_key(key)["town"] for key, _category, _half in SENSITIVE_PLACES}
    assert towns == set(TOWNS)


def test_sensitive_places_are_distinct_camera_places() -> None:
    keys = [key for key, _category, _half in SENSITIVE_PLACES]
    assert len(keys) == len(set(keys))
