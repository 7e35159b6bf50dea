"""OpenStreetMap tag mapping (issue 7): every direction form, every tag, malformed input, round trips.

Pure Python: no database, no application. The fixtures under tests/fixtures/osm are GeoJSON as
overpass-turbo (flat tags, ``@id``) and osmtogeojson (tags under ``properties.tags``) export them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observo.domain import vocabulary as v
from observo.domain.osm_export import osm_tags_from_camera
from observo.domain.osm_tags import (
    ATTRIBUTION,
    COMPASS,
    MAX_DIRECTIONS,
    NON_SCHEMA_KEYS,
    DirectionReading,
    cameras_from_osm,
    parse_direction,
    to_camera_feature,
)
from observo.errors import FieldIssue, InvalidInput
from observo.schemas.camera import CameraFeatureInput

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "osm"
LON, LAT = 7.6869, 45.0703
POINTER = "/properties/camera:direction"


def load(name: str) -> dict[str, dict[str, Any]]:
    """The fixture's features by their OSM id."""
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return {feature["id"]: feature for feature in data["features"]}


def feature(tags: dict[str, Any], osm_id: Any = "node/42") -> dict[str, Any]:
    properties = {"@id": osm_id, "man_made": "surveillance", **tags}
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [LON, LAT]},
        "properties": properties,
    }


def one(tags: dict[str, Any]) -> dict[str, Any]:
    """The single camera of a node with these tags (a direction is added unless given)."""
    cameras = cameras_from_osm(feature({"camera:direction": "90", **tags}))
    assert len(cameras) == 1
    return cameras[0]


def issues_of(call: Any, *args: Any) -> list[FieldIssue]:
    with pytest.raises(InvalidInput) as caught:
        call(*args)
    assert caught.value.detail  # a message for the row report, never empty
    return caught.value.issues


def readings(value: str) -> list[tuple[float, float | None]]:
    return [(r.bearing_deg, r.hfov_deg) for r in parse_direction({"camera:direction": value})]


# --- direction: every accepted form ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("90", [(90.0, None)]),
        ("90.5", [(90.5, None)]),
        ("0", [(0.0, None)]),
        ("360", [(0.0, None)]),  # 360 is north again
        ("359.99", [(359.99, None)]),
        ("007", [(7.0, None)]),
        ("  45\t", [(45.0, None)]),
    ],
)
def test_direction_in_degrees(value: str, expected: list) -> None:
    assert readings(value) == expected


@pytest.mark.parametrize(("point", "bearing"), list(COMPASS.items()))
def test_sixteen_compass_points_any_case(point: str, bearing: float) -> None:
    assert readings(point) == [(bearing, None)]
    assert readings(point.lower()) == [(bearing, None)]
    assert readings(point.capitalize()) == [(bearing, None)]


def test_compass_table_is_the_sixteen_points_clockwise_from_north() -> None:
    assert len(COMPASS) == 16
    assert (COMPASS["N"], COMPASS["E"], COMPASS["S"], COMPASS["W"]) == (0, 90, 180, 270)
    assert (COMPASS["NNE"], COMPASS["WNW"], COMPASS["NNW"]) == (22.5, 292.5, 337.5)


@pytest.mark.parametrize(
    ("value", "bearing", "hfov"),
    [
        ("60-120", 90.0, 60.0),
        ("300-60", 0.0, 120.0),  # crosses north: the clockwise arc from 300 to 60
        ("350-10", 0.0, 20.0),
        ("60-300", 180.0, 240.0),  # clockwise, so the long way round
        ("270-0", 315.0, 90.0),
        ("0-360", 180.0, 360.0),  # all round
        ("NW-NE", 0.0, 90.0),
        ("N-E", 45.0, 90.0),
        ("sse-ssw", 180.0, 45.0),
        ("N-90", 45.0, 90.0),
        ("300 - 60", 0.0, 120.0),
        ("10.5-20.5", 15.5, 10.0),
    ],
)
def test_clockwise_ranges(value: str, bearing: float, hfov: float) -> None:
    assert readings(value) == [(pytest.approx(bearing), pytest.approx(hfov))]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("80;200;320", [(80.0, None), (200.0, None), (320.0, None)]),
        (" 80 ; 200 ", [(80.0, None), (200.0, None)]),
        ("N;90-180;sw", [(0.0, None), (135.0, 90.0), (225.0, None)]),
    ],
)
def test_several_directions(value: str, expected: list) -> None:
    assert readings(value) == expected


def test_readings_are_direction_readings() -> None:
    assert parse_direction({"camera:direction": "300-60"}) == [DirectionReading(0.0, 120.0)]


def test_no_direction_tag_gives_no_reading() -> None:
    assert parse_direction({"man_made": "surveillance"}) == []


def test_a_number_value_from_hand_made_geojson_is_read_as_its_text() -> None:
    assert parse_direction({"camera:direction": 90}) == [DirectionReading(90.0)]


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"camera:direction": "10", "direction": "20", "surveillance:direction": "30"}, 10.0),
        ({"direction": "20", "surveillance:direction": "30"}, 20.0),
        ({"surveillance:direction": "30"}, 30.0),
    ],
)
def test_direction_fallback_order(tags: dict[str, str], expected: float) -> None:
    assert parse_direction(tags) == [DirectionReading(expected)]


def test_the_first_direction_key_present_wins_even_when_bad() -> None:
    """A bad camera:direction is reported, not silently replaced by a fallback that may disagree."""
    (issue,) = issues_of(parse_direction, {"camera:direction": "abc", "direction": "20"})
    assert issue.pointer == POINTER


@pytest.mark.parametrize("key", ["direction", "surveillance:direction"])
def test_a_bad_fallback_is_reported_at_its_own_key(key: str) -> None:
    (issue,) = issues_of(parse_direction, {key: "abc"})
    assert issue == FieldIssue(f"/properties/{key}", "invalid_direction", issue.detail)


# --- direction: every malformed form ------------------------------------------------------------

MALFORMED = [
    ("", "empty value"),
    ("   ", "empty value"),
    ("abc", "not a direction"),
    ("400", "more than 360"),
    ("360.5", "more than 360"),
    ("-5", "negative"),
    ("N-", "has no end"),
    ("1;;2", "empty value"),
    ("80;", "empty value"),
    ("NaN", "not a direction"),
    ("inf", "not a direction"),
    ("Infinity", "not a direction"),
    ("1e2", "not a direction"),
    ("90,5", "not a direction"),
    ("90°", "not a direction"),
    ("٩٠", "not a direction"),  # Arabic-Indic digits: float() would take them
    ("NNNE", "not a direction"),
    ("ſ", "not a direction"),  # its upper case is "S"
    ("90-90", "zero width"),
    ("N-N", "zero width"),
    ("90-90.5", "narrower than 1 degree"),
    ("300--60", "negative"),
    ("10-20-30", "not a direction"),
    ("-", "not a direction"),
    ("9" * 400, "not a direction"),  # no float overflow to infinity
    ("1000000000000", "not a direction"),
]


@pytest.mark.parametrize(("value", "reason"), MALFORMED)
def test_malformed_direction_is_a_clear_field_issue(value: str, reason: str) -> None:
    (issue,) = issues_of(parse_direction, {"camera:direction": value})
    assert (issue.pointer, issue.code) == (POINTER, "invalid_direction")
    assert reason in issue.detail
    assert issue.detail.startswith("camera:direction=")
    assert len(issue.detail) < 250  # the value is quoted cut short, whatever its length


def test_each_bad_value_of_a_list_is_one_issue() -> None:
    issues = issues_of(parse_direction, {"camera:direction": "80;abc;400;200"})
    assert [issue.code for issue in issues] == ["invalid_direction"] * 2
    assert "'abc'" in issues[0].detail and "'400'" in issues[1].detail


def test_too_many_directions_on_one_node() -> None:
    value = ";".join(["10"] * (MAX_DIRECTIONS + 1))
    (issue,) = issues_of(parse_direction, {"camera:direction": value})
    assert issue.code == "too_many_directions"
    assert len(parse_direction({"camera:direction": ";".join(["10"] * MAX_DIRECTIONS)})) == MAX_DIRECTIONS


@pytest.mark.parametrize("value", [None, True, ["90"], {"a": 1}])
def test_a_direction_that_is_not_text_is_an_issue(value: Any) -> None:
    (issue,) = issues_of(parse_direction, {"camera:direction": value})
    assert (issue.pointer, issue.code) == (POINTER, "invalid_direction")


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("0123456789.-;, NESWnesw\t٩e+xI"), max_size=30) | st.text(max_size=30)
)
def test_any_text_gives_readings_in_range_or_invalid_input(value: str) -> None:
    try:
        result = parse_direction({"camera:direction": value})
    except InvalidInput as exc:
        assert exc.issues and all(issue.pointer == POINTER for issue in exc.issues)
        return
    for reading in result:
        assert 0 <= reading.bearing_deg < 360 and math.isfinite(reading.bearing_deg)
        assert reading.hfov_deg is None or 1 <= reading.hfov_deg <= 360


# --- cameras_from_osm: fixtures ------------------------------------------------------------------

EXPECTED_OVERPASS = {
    "node/1001": [(90.0, None)],
    "node/1002": [(90.5, None)],
    "node/1003": [(45.0, None)],
    "node/1004": [(0.0, 120.0)],
    "node/1005": [(0.0, 90.0)],
    "node/1006": [(80.0, None), (200.0, None), (320.0, None)],
    "node/1007": [(135.0, None)],
    "node/1008": [(225.0, None)],
    "node/1009": [(10.0, None), (190.0, None)],
    "node/1010": [(None, None)],
    "node/1011": [(180.0, None)],
    "node/1012": [(0.0, None)],
}


@pytest.mark.parametrize("osm_id", sorted(EXPECTED_OVERPASS))
def test_overpass_turbo_fixture_maps_every_direction_form(osm_id: str) -> None:
    source = load("overpass_turbo.geojson")[osm_id]
    cameras = cameras_from_osm(source)
    assert [(c.get("bearing_deg"), c.get("hfov_deg")) for c in cameras] == EXPECTED_OVERPASS[osm_id]
    number = int(osm_id.split("/")[1])
    for camera in cameras:
        assert camera["osm_id"] == number
        assert camera["source"] == "osm_import"
        assert camera["attribution"] == ATTRIBUTION == "© OpenStreetMap contributors, ODbL 1.0"
        assert camera["geometry"] == source["geometry"]
    site_refs = {camera.get("site_ref") for camera in cameras}
    assert site_refs == ({f"osm:{osm_id}"} if len(cameras) > 1 else {None})


def test_fully_tagged_node_maps_every_tag() -> None:
    camera = cameras_from_osm(load("overpass_turbo.geojson")["node/1012"])[0]
    assert {key: value for key, value in camera.items() if key not in NON_SCHEMA_KEYS} == {
        "name": "Piazza Castello nord",
        "ref": "PC-01",
        "surveillance_type": "camera",
        "camera_type": "panning",
        "mount": "pole",
        "bearing_deg": 0.0,
        "tilt_deg": 20.0,
        "height_m": 6.5,
        "area_class": "public",
        "zone": "town",
        "installed_on": "2019-05-12",
        "last_verified_on": "2024-03-01",
        "source": "osm_import",
        "osm_id": 1012,
    }
    assert camera["operator_name"] == "Comune di Torino"


def test_osmtogeojson_nested_tags_and_id() -> None:
    (camera,) = cameras_from_osm(load("osmtogeojson_nested.geojson")["node/2001"])
    assert camera["osm_id"] == 2001
    assert camera["surveillance_type"] == "alpr"
    assert camera["bearing_deg"] == 247.5
    assert (camera["mount"], camera["zone"], camera["height_m"]) == ("traffic_signal", "traffic", 5.0)
    assert camera["name"] == "Telecamera OSM node/2001"


MALFORMED_FIXTURE = {
    **{f"node/{3000 + index}": [(POINTER, "invalid_direction")] for index in range(10)},
    "node/3100": [
        ("/properties/camera:type", "invalid_value"),
        ("/properties/height", "invalid_number"),
        ("/properties/camera:angle", "out_of_range"),
        ("/properties/start_date", "invalid_date"),
    ],
    "way/3101": [("/properties/@id", "unsupported_osm_type")],
    "node/3102": [("/properties/man_made", "not_surveillance")],
}


@pytest.mark.parametrize("osm_id", sorted(MALFORMED_FIXTURE))
def test_malformed_fixture_gives_row_issues_never_a_crash(osm_id: str) -> None:
    issues = issues_of(cameras_from_osm, load("malformed.geojson")[osm_id])
    assert sorted((issue.pointer, issue.code) for issue in issues) == sorted(MALFORMED_FIXTURE[osm_id])
    assert all(issue.detail for issue in issues)


def test_every_bad_tag_is_reported_once_in_one_error() -> None:
    tags = {
        "camera:direction": "abc",
        "height": "-1",
        "camera:angle": "x",
        "check_date": "2024-02-30",
        "surveillance": "private",
        "surveillance:type": "guard",
        "name": "n" * 201,
    }
    issues = issues_of(cameras_from_osm, feature(tags))
    pointers = sorted(issue.pointer.removeprefix("/properties/") for issue in issues)
    assert pointers == sorted(tags)


def test_issues_point_into_nested_tags() -> None:
    source = {
        "type": "Feature",
        "id": "node/7",
        "geometry": {"type": "Point", "coordinates": [LON, LAT]},
        "properties": {"tags": {"man_made": "surveillance", "camera:direction": "N-", "height": "x"}},
    }
    issues = issues_of(cameras_from_osm, source)
    assert sorted(issue.pointer for issue in issues) == [
        "/properties/tags/camera:direction",
        "/properties/tags/height",
    ]


# --- cameras_from_osm: ids, geometry, envelope ---------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [
        ("@id", "node/123", 123),
        ("@id", " node/123 ", 123),
        ("@id", 123, 123),
        ("@id", "123", 123),
        ("feature", "node/5", 5),
        ("feature", 5, 5),
    ],
)
def test_osm_id_forms(where: str, value: Any, expected: int) -> None:
    source = feature({"camera:direction": "90"})
    del source["properties"]["@id"]
    if where == "@id":
        source["properties"]["@id"] = value
    else:
        source["id"] = value
    assert cameras_from_osm(source)[0]["osm_id"] == expected


def test_osm_id_from_properties_id_and_type() -> None:
    source = feature({"camera:direction": "90", "type": "node", "id": 77})
    del source["properties"]["@id"]
    assert cameras_from_osm(source)[0]["osm_id"] == 77
    source["properties"]["type"] = "way"
    (issue,) = issues_of(cameras_from_osm, source)
    assert (issue.pointer, issue.code) == ("/properties/id", "unsupported_osm_type")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("way/12", "unsupported_osm_type"),
        ("relation/12", "unsupported_osm_type"),
        ("node/0", "invalid_osm_id"),
        ("node/abc", "invalid_osm_id"),
        ("n123", "invalid_osm_id"),
        (-3, "invalid_osm_id"),
        (1.5, "invalid_osm_id"),
        (True, "invalid_osm_id"),
        ("9" * 30, "invalid_osm_id"),
    ],
)
def test_bad_osm_ids(value: Any, code: str) -> None:
    (issue,) = issues_of(cameras_from_osm, feature({"camera:direction": "90"}, osm_id=value))
    assert (issue.pointer, issue.code) == ("/properties/@id", code)


def test_missing_osm_id_is_required() -> None:
    source = feature({"camera:direction": "90"})
    del source["properties"]["@id"]
    (issue,) = issues_of(cameras_from_osm, source)
    assert (issue.pointer, issue.code) == ("/id", "required")


@pytest.mark.parametrize(
    ("geometry", "pointer"),
    [
        (None, "/geometry"),
        ({"type": "LineString", "coordinates": [[7, 45], [8, 45]]}, "/geometry/type"),
        ({"type": "Point", "coordinates": [7.0, 95.0]}, "/geometry/coordinates"),
        ({"type": "Point", "coordinates": [float("nan"), 45.0]}, "/geometry/coordinates/0"),
    ],
)
def test_bad_geometry_is_an_issue(geometry: Any, pointer: str) -> None:
    source = feature({"camera:direction": "90"})
    source["geometry"] = geometry
    issues = issues_of(cameras_from_osm, source)
    assert pointer in [issue.pointer for issue in issues]


@pytest.mark.parametrize("source", [None, "node/1", [], {"type": "Feature"}, {"properties": "x"}])
def test_not_a_feature_is_invalid_input(source: Any) -> None:
    (issue,) = issues_of(cameras_from_osm, source)
    assert issue.code == "invalid_type"


@pytest.mark.parametrize("value", [None, "street_lamp", "Surveillance"])
def test_man_made_surveillance_is_required(value: Any) -> None:
    source = feature({"camera:direction": "90", "man_made": value})
    (issue,) = issues_of(cameras_from_osm, source)
    assert (issue.pointer, issue.code) == ("/properties/man_made", "not_surveillance")


# --- cameras_from_osm: every tag -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("camera", "camera"), ("ALPR", "alpr"), ("ANPR", "alpr"), ("alpr", "alpr"), ("anpr", "alpr")],
)
def test_surveillance_type(value: str, expected: str) -> None:
    assert one({"surveillance:type": value})["surveillance_type"] == expected


def test_surveillance_type_absent_is_left_to_the_default() -> None:
    assert "surveillance_type" not in one({})


@pytest.mark.parametrize("value", ["guard", "outpost", ""])
def test_surveillance_type_not_a_camera(value: str) -> None:
    (issue,) = issues_of(cameras_from_osm, feature({"camera:direction": "90", "surveillance:type": value}))
    assert (issue.pointer, issue.code) == ("/properties/surveillance:type", "invalid_value")


@pytest.mark.parametrize("value", [*v.CAMERA_TYPES, "Fixed", "DOME"])
def test_camera_type(value: str) -> None:
    assert one({"camera:type": value})["camera_type"] == value.lower()


def test_camera_type_ptz_is_panning() -> None:
    assert one({"camera:type": "ptz"})["camera_type"] == "panning"


def test_unknown_camera_type_is_an_issue() -> None:
    (issue,) = issues_of(cameras_from_osm, feature({"camera:direction": "90", "camera:type": "fisheye"}))
    assert (issue.pointer, issue.code) == ("/properties/camera:type", "invalid_value")
    assert "dome" in issue.detail and "fixed" in issue.detail


def test_camera_type_defaults() -> None:
    """Fixed when the node says where it looks; dome (all round) when it does not."""
    assert one({})["camera_type"] == "fixed"
    (dome,) = cameras_from_osm(feature({}))
    assert dome["camera_type"] == "dome" and "bearing_deg" not in dome


@pytest.mark.parametrize("tags", [{"camera:type": "fixed"}, {"surveillance:type": "ALPR"}])
def test_a_fixed_camera_or_plate_reader_needs_a_direction(tags: dict[str, str]) -> None:
    (issue,) = issues_of(cameras_from_osm, feature(tags))
    assert (issue.pointer, issue.code) == ("/properties/camera:direction", "required")


@pytest.mark.parametrize("camera_type", ["dome", "panorama", "panning"])
def test_all_round_heads_need_no_direction(camera_type: str) -> None:
    (camera,) = cameras_from_osm(feature({"camera:type": camera_type}))
    assert camera["camera_type"] == camera_type


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(mount, mount) for mount in v.MOUNTS],
        ("traffic_signals", "traffic_signal"),
        ("Wall", "wall"),
        ("tree", "other"),
        ("wall;pole", "other"),
    ],
)
def test_camera_mount(value: str, expected: str) -> None:
    assert one({"camera:mount": value})["mount"] == expected


@pytest.mark.parametrize(
    ("value", "area_class", "indoor"),
    [("public", "public", None), ("outdoor", "outdoor", None), ("indoor", "indoor", True)],
)
def test_surveillance_area_class(value: str, area_class: str, indoor: bool | None) -> None:
    camera = one({"surveillance": value})
    assert (camera["area_class"], camera.get("indoor")) == (area_class, indoor)


def test_surveillance_yes_states_no_area_class() -> None:
    assert "area_class" not in one({"surveillance": "yes"})


def test_unknown_surveillance_is_an_issue() -> None:
    (issue,) = issues_of(cameras_from_osm, feature({"camera:direction": "90", "surveillance": "private"}))
    assert (issue.pointer, issue.code) == ("/properties/surveillance", "invalid_value")


@pytest.mark.parametrize(
    ("value", "expected"),
    [*[(zone, zone) for zone in v.ZONES], ("corridor", "other"), ("Traffic", "traffic")],
)
def test_surveillance_zone(value: str, expected: str) -> None:
    assert one({"surveillance:zone": value})["zone"] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), ("5 m", 5.0), ("5m", 5.0), ("5.5", 5.5), (" 12.25 m ", 12.25), ("0", 0.0)],
)
def test_height(value: str, expected: float) -> None:
    assert one({"height": value})["height_m"] == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("five", "invalid_number"),
        ("5 ft", "invalid_number"),
        ("16'", "invalid_number"),
        ("5,5", "invalid_number"),
        ("-1", "invalid_number"),
        ("NaN", "invalid_number"),
        ("inf", "invalid_number"),
        ("301", "out_of_range"),
        ("", "invalid_value"),
    ],
)
def test_bad_height(value: str, code: str) -> None:
    (issue,) = issues_of(cameras_from_osm, feature({"camera:direction": "90", "height": value}))
    assert (issue.pointer, issue.code) == ("/properties/height", code)


@pytest.mark.parametrize(("value", "expected"), [("15", 15.0), ("-10", -10.0), ("+5.5", 5.5), ("90", 90.0)])
def test_camera_angle_is_tilt(value: str, expected: float) -> None:
    camera = one({"camera:angle": value})
    assert camera["tilt_deg"] == expected
    assert "hfov_deg" not in camera  # never the horizontal width


@pytest.mark.parametrize(
    ("value", "code"), [("95", "out_of_range"), ("-91", "out_of_range"), ("abc", "invalid_number")]
)
def test_bad_camera_angle(value: str, code: str) -> None:
    (issue,) = issues_of(cameras_from_osm, feature({"camera:direction": "90", "camera:angle": value}))
    assert (issue.pointer, issue.code) == ("/properties/camera:angle", code)


def test_dates() -> None:
    camera = one({"start_date": "2019-05-12", "check_date": " 2024-03-01 "})
    assert (camera["installed_on"], camera["last_verified_on"]) == ("2019-05-12", "2024-03-01")


@pytest.mark.parametrize(
    "value", ["2019", "2019-05", "~2019", "before 2019", "2019-02-30", "20190512", "12/05/2019"]
)
@pytest.mark.parametrize("key", ["start_date", "check_date"])
def test_bad_dates(key: str, value: str) -> None:
    (issue,) = issues_of(cameras_from_osm, feature({"camera:direction": "90", key: value}))
    assert (issue.pointer, issue.code) == (f"/properties/{key}", "invalid_date")


def test_name_ref_and_operator() -> None:
    camera = one({"name": " Via Roma 1 ", "ref": "VR-1", "operator": "Comune di Torino"})
    assert (camera["name"], camera["ref"], camera["operator_name"]) == (
        "Via Roma 1",
        "VR-1",
        "Comune di Torino",
    )
    assert "operator" not in camera  # the API's operator is an organisation slug, resolved by the importer


def test_generated_name_when_none_is_tagged() -> None:
    assert one({})["name"] == "Telecamera OSM node/42"
    assert one({"name": "  "})["name"] == "Telecamera OSM node/42"


@pytest.mark.parametrize(("key", "size"), [("name", 200), ("ref", 100), ("operator", 200)])
def test_too_long_text(key: str, size: int) -> None:
    assert one({key: "x" * size})
    (issue,) = issues_of(cameras_from_osm, feature({"camera:direction": "90", key: "x" * (size + 1)}))
    assert (issue.pointer, issue.code) == (f"/properties/{key}", "too_long")


def test_unrelated_tags_and_overpass_metadata_are_ignored() -> None:
    camera = one({"@timestamp": "2024-01-01", "@version": 3, "wikidata": "Q1", "lit": "yes"})
    assert not {"@timestamp", "@version", "wikidata", "lit"} & set(camera)


def test_numbers_as_tag_values_are_accepted() -> None:
    camera = one({"height": 5, "camera:angle": 10.5})
    assert (camera["height_m"], camera["tilt_deg"]) == (5.0, 10.5)


# --- several directions -> several cameras -------------------------------------------------------


def test_several_directions_make_cameras_sharing_site_ref() -> None:
    cameras = cameras_from_osm(
        feature({"camera:direction": "80;200-260;320", "ref": "A7", "name": "Incrocio"})
    )
    assert [(c["bearing_deg"], c.get("hfov_deg")) for c in cameras] == [
        (80.0, None),
        (230.0, 60.0),
        (320.0, None),
    ]
    assert {c["site_ref"] for c in cameras} == {"osm:node/42"}
    assert [c["ref"] for c in cameras] == ["A7/1", "A7/2", "A7/3"]  # (owner, ref) stays unique
    assert {c["name"] for c in cameras} == {"Incrocio"}
    assert {c["osm_id"] for c in cameras} == {42}


def test_several_directions_without_ref_get_no_ref() -> None:
    cameras = cameras_from_osm(feature({"camera:direction": "N;S"}))
    assert all("ref" not in camera for camera in cameras)


# --- the API contract ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["overpass_turbo.geojson", "osmtogeojson_nested.geojson"])
def test_every_camera_loads_with_the_camera_api_schema(name: str) -> None:
    """Property names and types are the camera API's: the importer can send them as they are."""
    for source in load(name).values():
        for camera in cameras_from_osm(source):
            body, extras = to_camera_feature(camera)
            assert set(extras) <= set(NON_SCHEMA_KEYS) and extras["attribution"] == ATTRIBUTION
            body["properties"].update(owner="comune-torino", retention_hours=168)
            loaded = CameraFeatureInput().load(body)
            assert loaded["geometry"].coords[0] == tuple(camera["geometry"]["coordinates"])
            assert loaded["properties"]["osm_id"] == camera["osm_id"]


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "camera:direction",
                "direction",
                "surveillance:direction",
                "camera:type",
                "camera:mount",
                "surveillance",
                "surveillance:type",
                "surveillance:zone",
                "height",
                "camera:angle",
                "start_date",
                "check_date",
                "name",
                "ref",
                "operator",
                "@id",
            ]
        ),
        st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.none(), st.booleans()),
    )
)
def test_any_tags_map_or_fail_cleanly(tags: dict[str, Any]) -> None:
    source = feature({"@id": "node/1", **tags})
    try:
        cameras = cameras_from_osm(source)
    except InvalidInput as exc:
        assert exc.issues and all(issue.pointer.startswith("/") and issue.detail for issue in exc.issues)
        return
    for camera in cameras:
        body, _ = to_camera_feature(camera)
        body["properties"].update(owner="comune-torino", retention_hours=24)
        CameraFeatureInput().load(body)
        osm_tags_from_camera(camera)
