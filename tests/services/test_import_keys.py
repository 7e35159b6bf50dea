"""Which key an imported row is matched by, and the Observo ids and names it compares (pure)."""

from __future__ import annotations

import pytest

from observo.services.import_keys import key_kind, observo_id, same_name

FULL = {"ref": "TO-1", "osm_id": 12}


@pytest.mark.parametrize(
    ("mode", "attrs", "camera_id", "from_osm", "expected"),
    [
        ("auto", FULL, 5, False, "ref"),
        ("auto", FULL, 5, True, "osm_id"),  # OSM rows: the node, whatever their ref
        ("auto", {"osm_id": 12}, 5, False, "code"),  # an export's row: its id first
        ("auto", {"osm_id": 12}, None, False, "osm_id"),
        ("auto", {}, None, False, None),
        ("ref", {"osm_id": 12}, 5, True, None),
        ("osm_id", FULL, 5, False, "osm_id"),
        ("code", FULL, 5, True, "code"),
        ("code", FULL, None, False, None),
        ("position", {}, None, False, "position"),
    ],
)
def test_key_kind(mode, attrs, camera_id, from_osm, expected):
    assert key_kind(mode, attrs, camera_id, from_osm) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (42, 42),
        ("42", 42),
        ("OBS-000042", 42),
        ("obs-42", 42),
        (0, None),
        (-3, None),
        (True, None),
        ("node/4", None),
        (None, None),
        (4.0, None),
    ],
)
def test_observo_id(raw, expected):
    assert observo_id(raw) == expected


def test_same_name():
    assert same_name("Varco  Nord", " varco nord")
    assert same_name(None, "Varco") and same_name("Varco", "")
    assert not same_name("Varco Nord", "Varco Sud")
