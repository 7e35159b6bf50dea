"""OpenStreetMap export tags (issue 7, issue 17): stored cameras -> tags, and tags -> cameras -> tags."""

from __future__ import annotations

import datetime as dt

import pytest

from observo.domain.osm_export import osm_tags_from_camera, osm_tags_from_site
from observo.domain.osm_tags import cameras_from_osm
from tests.domain.test_osm_tags import EXPECTED_OVERPASS, feature, load


def test_tags_from_a_stored_camera() -> None:
    properties = {
        "name": "Varco ZTL",
        "ref": "Z-3",
        "surveillance_type": "alpr",
        "camera_type": "fixed",
        "mount": "traffic_signal",
        "bearing_deg": 359.6,
        "hfov_deg": 40.0,
        "tilt_deg": 12.25,
        "height_m": 4.0,
        "area_class": "public",
        "zone": "other",
        "installed_on": dt.date(2021, 1, 31),
        "last_verified_on": None,
        "owner_name": "Comune di Torino",
    }
    assert osm_tags_from_camera(properties) == {
        "man_made": "surveillance",
        "surveillance:type": "ALPR",
        "camera:type": "fixed",
        "camera:mount": "traffic_signals",
        "surveillance": "public",
        "camera:direction": "0",
        "height": "4",
        "camera:angle": "12.25",
        "start_date": "2021-01-31",
        "name": "Varco ZTL",
        "ref": "Z-3",
        "operator": "Comune di Torino",
    }
    assert osm_tags_from_camera(properties, direction_ranges=True)["camera:direction"] == "340-20"


def test_export_leaves_out_what_osm_cannot_say() -> None:
    tags = osm_tags_from_camera(
        {"camera_type": "dome", "mount": "other", "osm_id": 9, "name": "Telecamera OSM node/9"}
    )
    assert tags == {"man_made": "surveillance", "camera:type": "dome"}  # no generated name, no "other"
    assert osm_tags_from_camera({"camera_type": "dome", "indoor": True})["surveillance"] == "indoor"


@pytest.mark.parametrize("osm_id", sorted(EXPECTED_OVERPASS))
def test_round_trip_keeps_the_meaning(osm_id: str) -> None:
    source = load("overpass_turbo.geojson")[osm_id]
    cameras = cameras_from_osm(source)
    exported = osm_tags_from_site(cameras, direction_ranges=True)
    again = cameras_from_osm({**source, "properties": {"@id": osm_id, **exported}})
    for before, after in zip(cameras, again, strict=True):  # directions come back in whole degrees
        assert after.pop("bearing_deg", None) == pytest.approx(before.pop("bearing_deg", None), abs=0.5)
        assert after == before


def test_round_trip_of_a_fully_tagged_node_gives_the_same_tags() -> None:
    source = load("overpass_turbo.geojson")["node/1012"]
    tags = {key: value for key, value in source["properties"].items() if not key.startswith("@")}
    (camera,) = cameras_from_osm(source)
    assert osm_tags_from_camera(camera) == {**tags, "height": "6.5"}  # "6.5 m" is written in metres, bare


def test_round_trip_of_a_multi_head_node() -> None:
    tags = {
        "camera:direction": "80;200;320",
        "ref": "TO-7",
        "camera:type": "fixed",
        "surveillance:type": "camera",
    }
    exported = osm_tags_from_site(cameras_from_osm(feature(tags)))
    assert exported == {"man_made": "surveillance", **tags}


def test_site_export_without_numbered_refs_keeps_the_ref_and_needs_heads() -> None:
    heads = [
        {"camera_type": "fixed", "bearing_deg": 10.0, "ref": "X"},
        {"camera_type": "fixed", "bearing_deg": 20.0},
    ]
    assert osm_tags_from_site(heads)["ref"] == "X"
    assert osm_tags_from_site(heads)["camera:direction"] == "10;20"
    with pytest.raises(ValueError):
        osm_tags_from_site([])


