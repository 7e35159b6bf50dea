"""OpenStreetMap export (issue 7, issue 17): one node per device, written back tag for tag.

Pure Python. A node goes in through the import's own mapping (`cameras_from_osm`), becomes cameras
as the registry stores them (the defaults of a new camera, the field of view resolved by
`domain.fov`, every tag kept in `source_tags`), and must come out of `osm_node` with the same id and
the same tags; a camera whose fields changed since must come out with those tags rewritten and the
others untouched.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from observo.domain import fov
from observo.domain.camera_rules import CREATE_DEFAULTS
from observo.domain.osm_export import (
    group_nodes,
    node_key,
    osm_node,
    osm_tags_from_camera,
    osm_tags_from_site,
)
from observo.domain.osm_tags import cameras_from_osm, to_camera_feature
from observo.errors import InvalidInput

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "osm"
TURIN = [7.6869, 45.0703]

# Nodes shaped like Overpass answers in Italian and Swiss cities (tags and values from the OSM wiki's
# man_made=surveillance, camera:*, contact:* and addr:* pages).
TAGGED_NODES = {
    "node/3001": {  # unmapped tags of every kind, written back verbatim
        "man_made": "surveillance",
        "surveillance:type": "camera",
        "camera:type": "fixed",
        "camera:direction": "135",
        "operator": "Polizia Locale di Torino",
        "contact:phone": "+39 011 011 1234",
        "contact:email": "videosorveglianza@comune.torino.example",
        "description": "Telecamera del varco di via Po",
        "note": "verificata dal marciapiede",
        "source": "survey",
        "wikidata": "Q495",
    },
    "node/3002": {  # `direction` instead of camera:direction, a range of 270 degrees
        "man_made": "surveillance",
        "surveillance:type": "camera",
        "direction": "190-100",
    },
    "node/3003": {  # a value outside Observo's vocabulary, mapped to the nearest, raw kept
        "man_made": "surveillance",
        "camera:type": "dome",
        "camera:mount": "roof",
        "surveillance:zone": "traffic",
        "height": "12 m",
    },
    "node/3004": {  # ANPR written as OSM has it, compass points, no type: fixed by default
        "man_made": "surveillance",
        "surveillance:type": "ANPR",
        "camera:direction": "W;E",
        "camera:mount": "pole",
        "ref": "ZTL-12",
        "start_date": "2018-03-01",
    },
    "node/3005": {  # nearest values, an address in parts, a partial date, a decimal comma
        "man_made": "surveillance",
        "surveillance": "webcam",
        "camera:type": "360",
        "level": "-1",
        "addr:street": "Via Roma",
        "addr:housenumber": "12",
        "addr:city": "Torino",
        "start_date": "2019",
        "height": "5,5",
    },
    "node/3006": {  # words and negative degrees, more heads than directions, indoor
        "man_made": "surveillance",
        "surveillance:type": "camera",
        "camera:count": "3",
        "camera:direction": "north;-90",
        "indoor": "yes",
    },
}


def fixture_nodes() -> dict[str, dict[str, Any]]:
    """Every node of the GeoJSON fixtures under tests/fixtures/osm the import accepts, by OSM id."""
    nodes = {}
    for path in sorted(FIXTURES.glob("*.geojson")):
        for feature in json.loads(path.read_text(encoding="utf-8")).get("features", []):
            try:
                cameras_from_osm(feature)
            except InvalidInput:  # the malformed fixtures: a refused node is never exported
                continue
            nodes[str(feature["id"])] = feature
    return nodes


def tags_of(feature: Mapping[str, Any]) -> dict[str, str]:
    """A node's tags as it came: flat (overpass-turbo) or under `tags` (osmtogeojson), no @ metadata."""
    properties = feature["properties"]
    tags = properties["tags"] if isinstance(properties.get("tags"), Mapping) else properties
    return {key: str(value) for key, value in tags.items() if not key.startswith("@")}


def node(osm_id: str, tags: Mapping[str, str]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": osm_id,
        "geometry": {"type": "Point", "coordinates": TURIN},
        "properties": {"@id": osm_id, **tags},
    }


def stored(source: Mapping[str, Any], first_id: int = 100) -> list[dict[str, Any]]:
    """The camera Features the registry holds after importing `source` (as the service stores them)."""
    features = []
    for number, camera in enumerate(cameras_from_osm(source)):
        body, extras = to_camera_feature(camera)
        properties = {**CREATE_DEFAULTS, "records": False, **body["properties"]}
        properties.setdefault("operator_name", extras.get("operator_name"))
        properties.setdefault("source_tags", tags_of(source))
        properties.setdefault("licence", "ODbL-1.0")
        lon, lat = body["geometry"]["coordinates"]
        resolved = fov.resolve_fov(
            fov.Optics(
                lon,
                lat,
                properties["camera_type"],
                properties["surveillance_type"],
                properties.get("bearing_deg"),
                properties.get("hfov_deg"),
                properties.get("tilt_deg"),
                properties.get("range_m"),
                properties.get("height_m"),
                bool(properties.get("direction_unknown")),
            )
        )
        properties.update(hfov_deg=resolved.hfov_deg, range_m=resolved.range_m, owner="comune-torino")
        if properties.get("bearing_deg") is not None or resolved.hfov_deg >= 360:
            properties["direction_unknown"] = False
        properties.setdefault("direction_unknown", False)
        features.append(
            {
                "type": "Feature",
                "id": first_id + number,
                "geometry": body["geometry"],
                "properties": properties,
            }
        )
    return features


def exported(features: list[dict[str, Any]]) -> dict[str, Any]:
    (one,) = list(group_nodes(features))
    return osm_node(one)


@pytest.mark.parametrize("osm_id", sorted(fixture_nodes()))
def test_every_fixture_node_comes_back_with_its_id_and_the_same_tags(osm_id: str) -> None:
    source = fixture_nodes()[osm_id]
    out = exported(stored(source))
    assert out["id"] == osm_id and out["properties"]["@id"] == osm_id
    assert out["geometry"] == source["geometry"]
    tags = {key: value for key, value in out["properties"].items() if key != "@id"}
    assert tags == tags_of(source)


def test_the_fixtures_hold_the_nodes_the_issue_names() -> None:
    nodes = fixture_nodes()
    assert len(nodes) >= 12
    assert any(";" in tags_of(feature).get("camera:direction", "") for feature in nodes.values())
    assert any("direction" in tags_of(feature) for feature in nodes.values())


@pytest.mark.parametrize("osm_id", sorted(TAGGED_NODES))
def test_unmapped_tags_ranges_keys_and_raw_values_come_back(osm_id: str) -> None:
    source = node(osm_id, TAGGED_NODES[osm_id])
    out = exported(stored(source))
    assert out["id"] == osm_id
    assert {key: value for key, value in out["properties"].items() if key != "@id"} == TAGGED_NODES[osm_id]


def test_no_default_is_written_as_if_it_were_mapped() -> None:
    source = node("node/3010", {"man_made": "surveillance", "camera:direction": "90"})
    features = stored(source)
    properties = features[0]["properties"]
    assert (properties["camera_type"], properties["surveillance_type"]) == ("fixed", "camera")  # defaults
    assert exported(features)["properties"] == {
        "@id": "node/3010",
        "man_made": "surveillance",
        "camera:direction": "90",
    }


def test_a_changed_direction_is_written_under_the_key_that_came_in() -> None:
    features = stored(node("node/3002", TAGGED_NODES["node/3002"]))
    features[0]["properties"]["bearing_deg"] = 10.0  # turned; still 270 degrees wide
    tags = exported(features)["properties"]
    assert tags["direction"] == "235-145" and "camera:direction" not in tags
    again = cameras_from_osm(node("node/3002", tags))
    assert (again[0]["bearing_deg"], again[0]["hfov_deg"]) == (10.0, 270.0)


def test_only_the_changed_tags_are_rewritten() -> None:
    features = stored(node("node/3003", TAGGED_NODES["node/3003"]))
    features[0]["properties"]["height_m"] = 9.5
    tags = exported(features)["properties"]
    assert tags == {"@id": "node/3003", **TAGGED_NODES["node/3003"], "height": "9.5"}
    assert tags["camera:mount"] == "roof"  # still what the source said: the mount did not change

    features[0]["properties"]["mount"] = "wall"
    assert exported(features)["properties"]["camera:mount"] == "wall"


def test_a_tag_the_import_derived_is_written_once_its_meaning_would_change() -> None:
    """A dome without camera:type nor direction: given a direction, it would read back as fixed."""
    features = stored(node("node/3011", {"man_made": "surveillance", "surveillance:type": "camera"}))
    assert features[0]["properties"]["camera_type"] == "dome"
    features[0]["properties"].update(bearing_deg=45.0, hfov_deg=90.0)
    tags = exported(features)["properties"]
    assert (tags["camera:type"], tags["camera:direction"]) == ("dome", "0-90")
    (again,) = cameras_from_osm(node("node/3011", tags))
    assert (again["camera_type"], again["bearing_deg"], again["hfov_deg"]) == ("dome", 45.0, 90.0)


def test_an_edited_head_of_a_multi_head_node_keeps_the_other_tags() -> None:
    features = stored(node("node/3004", TAGGED_NODES["node/3004"]))
    assert [head["properties"]["ref"] for head in features] == ["ZTL-12/1", "ZTL-12/2"]
    features[1]["properties"]["bearing_deg"] = 100.0
    tags = exported(features)["properties"]
    assert tags == {"@id": "node/3004", **TAGGED_NODES["node/3004"], "camera:direction": "270;100"}


def test_a_changed_address_replaces_its_parts_with_addr_full() -> None:
    features = stored(node("node/3005", TAGGED_NODES["node/3005"]))
    features[0]["properties"]["address"] = "Via Roma 14, Torino"
    tags = exported(features)["properties"]
    assert tags["addr:full"] == "Via Roma 14, Torino"
    assert not any(key.startswith("addr:") and key != "addr:full" for key in tags)
    assert (tags["level"], tags["surveillance"], tags["camera:type"]) == ("-1", "webcam", "360")


def test_a_turned_head_of_a_counted_node_keeps_the_count() -> None:
    features = stored(node("node/3006", TAGGED_NODES["node/3006"]))
    assert [head["properties"].get("bearing_deg") for head in features] == [0.0, 270.0, None]
    features[0]["properties"]["bearing_deg"] = 10.0
    tags = exported(features)["properties"]
    assert (tags["camera:direction"], tags["camera:count"], tags["indoor"]) == ("10;270", "3", "yes")


def test_a_head_without_direction_is_counted() -> None:
    features = stored(node("node/3004", TAGGED_NODES["node/3004"]))
    features[1]["properties"].update(bearing_deg=None, direction_unknown=True)
    tags = exported(features)["properties"]
    assert (tags["camera:direction"], tags["camera:count"]) == ("270", "2")


def test_heads_are_grouped_by_node_then_site_then_alone() -> None:
    features = [
        *stored(node("node/3004", TAGGED_NODES["node/3004"]), first_id=1),
        {
            "type": "Feature",
            "id": 5,
            "geometry": {"type": "Point", "coordinates": TURIN},
            "properties": {
                "site_ref": "S",
                "owner": "a",
                "bearing_deg": 10.0,
                "camera_type": "fixed",
                "hfov_deg": 60.0,
            },
        },
        {
            "type": "Feature",
            "id": 6,
            "geometry": {"type": "Point", "coordinates": TURIN},
            "properties": {
                "site_ref": "S",
                "owner": "a",
                "bearing_deg": 20.0,
                "camera_type": "fixed",
                "hfov_deg": 60.0,
            },
        },
        {
            "type": "Feature",
            "id": 7,
            "geometry": {"type": "Point", "coordinates": TURIN},
            "properties": {"camera_type": "dome", "name": "Atrio"},
        },
    ]
    nodes = [osm_node(heads) for heads in group_nodes(features)]
    assert [one["id"] for one in nodes] == ["node/3004", "node/-5", "node/-7"]
    assert nodes[1]["properties"] == {
        "man_made": "surveillance",
        "camera:type": "fixed",
        "camera:direction": "10;20",
    }
    assert "@id" not in nodes[1]["properties"]  # not in OSM yet: an editor's new object
    assert node_key(features[0]) == node_key(features[1]) != node_key(features[2])


def test_tags_from_a_camera_not_from_osm() -> None:
    properties = {
        "name": "Varco ZTL",
        "ref": "Z-3",
        "source": "csv_import",
        "source_tags": {"quartiere": "Centro"},  # a municipal column, not an OSM tag
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
        "operator_name": "Comune di Torino",
        "level": "0",
        "address": "Via Po 2, Torino",
    }
    assert osm_tags_from_camera(properties) == {
        "man_made": "surveillance",
        "surveillance:type": "ALPR",
        "camera:type": "fixed",
        "camera:mount": "traffic_signals",
        "surveillance": "public",
        "camera:direction": "339.6-19.6",  # 40 degrees wide: a range, read back as such
        "height": "4",
        "camera:angle": "12.25",
        "start_date": "2021-01-31",
        "name": "Varco ZTL",
        "ref": "Z-3",
        "operator": "Comune di Torino",
        "level": "0",
        "addr:full": "Via Po 2, Torino",
    }


def test_export_leaves_out_what_osm_cannot_say() -> None:
    tags = osm_tags_from_camera(
        {"camera_type": "dome", "mount": "other", "osm_id": 9, "name": "Telecamera OpenStreetMap"}
    )
    assert tags == {"man_made": "surveillance", "camera:type": "dome"}  # no generated name, no "other"
    assert osm_tags_from_camera({"camera_type": "dome", "indoor": True})["surveillance"] == "indoor"
    assert (
        osm_tags_from_camera({"camera_type": "fixed", "bearing_deg": 90.0, "hfov_deg": 60.0})[
            "camera:direction"
        ]
        == "90"
    )  # the type's default width: a plain direction


def test_a_site_needs_heads_and_keeps_a_ref_it_did_not_number() -> None:
    heads = [
        {"camera_type": "fixed", "bearing_deg": 10.0, "ref": "X"},
        {"camera_type": "fixed", "bearing_deg": 20.0},
    ]
    assert osm_tags_from_site(heads)["ref"] == "X"
    assert osm_tags_from_site(heads)["camera:direction"] == "10;20"
    with pytest.raises(ValueError):
        osm_tags_from_site([])


@pytest.mark.parametrize("osm_id", sorted(fixture_nodes()))
def test_a_node_imported_before_cameras_kept_their_tags_keeps_its_meaning(osm_id: str) -> None:
    """Without source_tags the node is written from the fields: read back, it gives the same cameras."""
    source = fixture_nodes()[osm_id]
    features = stored(source)
    for feature in features:
        feature["properties"]["source_tags"] = None
    out = exported(features)
    before = [{**camera, "name": None, "source_tags": None} for camera in cameras_from_osm(source)]
    after = [{**camera, "name": None, "source_tags": None} for camera in cameras_from_osm(out)]
    for old, new in zip(before, after, strict=True):
        for camera in (old, new):  # a head of its type's default width is written without one
            camera["hfov_deg"] = camera.get("hfov_deg") or fov.default_hfov(camera["camera_type"])
        assert new == old
