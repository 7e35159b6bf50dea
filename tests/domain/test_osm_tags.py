"""OpenStreetMap tag mapping (issue 7, issue 17): every tag, what is interpreted, malformed input.

Pure Python: no database, no application. The fixtures under tests/fixtures/osm are GeoJSON as
overpass-turbo (flat tags, ``@id``) and osmtogeojson (tags under ``properties.tags``) export them;
the direction values themselves are tested in test_directions.py, the file formats in
test_osm_sources.py.
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
    LICENCE,
    MAX_DIRECTIONS,
    NON_SCHEMA_KEYS,
    DirectionReading,
    cameras_from_osm,
    parse_direction,
    read_osm_feature,
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


def warnings_of(tags: dict[str, Any]) -> list[tuple[str, str]]:
    """(tag, code) of the warnings of a node with these tags (a direction is added unless given)."""
    result = read_osm_feature(feature({"camera:direction": "90", **tags}))
    return [(issue.pointer.removeprefix("/properties/"), issue.code) for issue in result.warnings]


def issues_of(call: Any, *args: Any) -> list[FieldIssue]:
    with pytest.raises(InvalidInput) as caught:
        call(*args)
    assert caught.value.detail  # a message for the row report, never empty
    return caught.value.issues


def readings(value: str) -> list[tuple[float, float | None]]:
    return [(r.bearing_deg, r.hfov_deg) for r in parse_direction({"camera:direction": value})]


# --- direction tags (the values themselves: tests/domain/test_directions.py) ---------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("90", [(90.0, None)]),
        ("360", [(0.0, None)]),
        ("NE", [(45.0, None)]),
        ("300-60", [(0.0, 120.0)]),
        ("N;90-180;sw", [(0.0, None), (135.0, 90.0), (225.0, None)]),
        ("north", [(0.0, None)]),
        ("180, 270", [(180.0, None), (270.0, None)]),
        ("15°", [(15.0, None)]),
        ("-30", [(330.0, None)]),
        ("400", [(40.0, None)]),
    ],
)
def test_direction_tag_is_read_by_the_shared_parser(value: str, expected: list) -> None:
    assert readings(value) == expected


def test_compass_table_is_the_sixteen_points_clockwise_from_north() -> None:
    assert len(COMPASS) == 16
    assert (COMPASS["N"], COMPASS["E"], COMPASS["S"], COMPASS["W"]) == (0, 90, 180, 270)
    assert (COMPASS["NNE"], COMPASS["WNW"], COMPASS["NNW"]) == (22.5, 292.5, 337.5)


def test_readings_are_direction_readings() -> None:
    assert parse_direction({"camera:direction": "300-60"}) == [DirectionReading(0.0, 120.0)]


@pytest.mark.parametrize(
    "tags", [{"man_made": "surveillance"}, {"camera:direction": ""}, {"direction": None}]
)
def test_no_direction_value_gives_no_reading(tags: dict[str, Any]) -> None:
    assert parse_direction(tags) == []


def test_a_number_value_from_hand_made_geojson_is_read_as_its_text() -> None:
    assert parse_direction({"camera:direction": 90}) == [DirectionReading(90.0)]


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"camera:direction": "10", "direction": "20", "surveillance:direction": "30"}, 10.0),
        ({"direction": "20", "surveillance:direction": "30"}, 20.0),
        ({"surveillance:direction": "30"}, 30.0),
        ({"camera:direction": " ", "direction": "20"}, 20.0),  # a blank value says nothing
    ],
)
def test_direction_fallback_order(tags: dict[str, str], expected: float) -> None:
    assert parse_direction(tags) == [DirectionReading(expected)]


def test_the_first_direction_key_with_a_value_wins_even_when_bad() -> None:
    """A bad camera:direction is reported, not silently replaced by a fallback that may disagree."""
    (issue,) = issues_of(parse_direction, {"camera:direction": "abc", "direction": "20"})
    assert issue.pointer == POINTER


@pytest.mark.parametrize("key", ["direction", "surveillance:direction"])
def test_a_bad_fallback_is_reported_at_its_own_key(key: str) -> None:
    (issue,) = issues_of(parse_direction, {key: "abc"})
    assert issue == FieldIssue(f"/properties/{key}", "invalid_direction", issue.detail)


MALFORMED = [
    ("abc", "'abc' is not a direction; expected degrees"),
    ("N-", "has no end"),
    ("NaN", "not a direction"),
    ("90-90", "zero width"),
    ("90-90.5", "narrower than 1 degree"),
    ("NO", "is ambiguous"),
    ("10-20-30", "not a direction"),
    ("9" * 400, "not a direction"),
]


@pytest.mark.parametrize(("value", "reason"), MALFORMED)
def test_malformed_direction_is_a_clear_field_issue(value: str, reason: str) -> None:
    (issue,) = issues_of(parse_direction, {"camera:direction": value})
    assert (issue.pointer, issue.code) == (POINTER, "invalid_direction")
    assert reason in issue.detail
    assert issue.detail.startswith("camera:direction=")
    assert len(issue.detail) < 400  # the value is quoted cut short, whatever its length


def test_bad_values_of_a_list_are_one_issue() -> None:
    (issue,) = issues_of(parse_direction, {"camera:direction": "80;abc;xyz;200"})
    assert issue.code == "invalid_direction"
    assert "'abc' is not a direction (and 1 more of the 4 values)" in issue.detail


def test_too_many_directions_on_one_node() -> None:
    value = ";".join(["10"] * (MAX_DIRECTIONS + 1))
    (issue,) = issues_of(parse_direction, {"camera:direction": value})
    assert (issue.pointer, issue.code) == (POINTER, "too_many_directions")
    assert len(parse_direction({"camera:direction": ";".join(["10"] * MAX_DIRECTIONS)})) == MAX_DIRECTIONS


@pytest.mark.parametrize("value", [True, ["90"], {"a": 1}])
def test_a_direction_that_is_not_text_is_an_issue(value: Any) -> None:
    (issue,) = issues_of(parse_direction, {"camera:direction": value})
    assert (issue.pointer, issue.code) == (POINTER, "invalid_direction")


def test_each_interpretation_is_a_direction_normalised_warning() -> None:
    result = read_osm_feature(feature({"camera:direction": "nord;-30"}))
    assert [(c["bearing_deg"], c.get("hfov_deg")) for c in result.cameras] == [(0.0, None), (330.0, None)]
    assert result.warnings == [
        FieldIssue(POINTER, "direction_normalised", "camera:direction='nord;-30': read 'nord' as 0 degrees"),
        FieldIssue(
            POINTER,
            "direction_normalised",
            "camera:direction='nord;-30': read '-30' as 330 degrees (negative: counted back from north)",
        ),
    ]
    assert result.mapped["camera:direction"] == "bearing_deg"


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("0123456789.-;, NESWOnesw\t٩e+xI°"), max_size=30) | st.text(max_size=30)
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
    source = load("overpass_turbo.geojson")["node/1012"]
    camera = cameras_from_osm(source)[0]
    tags = {key: value for key, value in source["properties"].items() if not key.startswith("@")}
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
        "operator_name": "Comune di Torino",
        "source": "osm_import",
        "osm_id": 1012,
        "licence": LICENCE,
        "source_tags": tags,  # every tag as it came, the mapped ones too
    }
    assert LICENCE == "ODbL-1.0"


def test_osmtogeojson_nested_tags_and_id() -> None:
    (camera,) = cameras_from_osm(load("osmtogeojson_nested.geojson")["node/2001"])
    assert camera["osm_id"] == 2001
    assert camera["surveillance_type"] == "alpr"
    assert camera["bearing_deg"] == 247.5
    assert (camera["mount"], camera["zone"], camera["height_m"]) == ("traffic_signal", "traffic", 5.0)
    assert camera["name"] == "Telecamera OpenStreetMap"


MALFORMED_FIXTURE = {
    **{f"node/{3000 + index}": [(POINTER, "invalid_direction")] for index in range(10)},
    "node/3100": [
        ("/properties/surveillance:type", "not_a_camera"),
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


def test_man_made_surveillance_in_any_case() -> None:
    assert one({"man_made": "Surveillance"})["bearing_deg"] == 90.0


@pytest.mark.parametrize("value", [None, "street_lamp", ""])
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


@pytest.mark.parametrize("value", ["guard", "outpost", "Guard"])
def test_surveillance_type_not_a_camera(value: str) -> None:
    (issue,) = issues_of(cameras_from_osm, feature({"camera:direction": "90", "surveillance:type": value}))
    assert (issue.pointer, issue.code) == ("/properties/surveillance:type", "not_a_camera")
    assert "not a camera" in issue.detail


@pytest.mark.parametrize(
    ("value", "expected"), [("webcam", "camera"), ("traffic", "camera"), ("cctv", "camera")]
)
def test_other_surveillance_types_are_cameras_with_a_warning(value: str, expected: str) -> None:
    assert one({"surveillance:type": value})["surveillance_type"] == expected
    assert warnings_of({"surveillance:type": value}) == [("surveillance:type", "value_mapped")]


@pytest.mark.parametrize("value", [*v.CAMERA_TYPES, "Fixed", "DOME"])
def test_camera_type(value: str) -> None:
    assert one({"camera:type": value})["camera_type"] == value.lower()


def test_camera_type_ptz_is_panning() -> None:
    assert one({"camera:type": "ptz"})["camera_type"] == "panning"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("360", "panorama"),
        ("fisheye", "panorama"),
        ("webcam", "fixed"),
        ("bullet", "fixed"),
        ("zoom", "fixed"),
    ],
)
def test_camera_types_outside_the_vocabulary_map_to_the_nearest(value: str, expected: str) -> None:
    result = read_osm_feature(feature({"camera:direction": "90", "camera:type": value}))
    (camera,) = result.cameras
    assert camera["camera_type"] == expected
    assert camera["source_tags"]["camera:type"] == value  # the raw value stays
    (warning,) = result.warnings
    assert (warning.pointer, warning.code) == ("/properties/camera:type", "value_mapped")
    assert f"read as {expected}" in warning.detail and "dome" in warning.detail and "fixed" in warning.detail


def test_camera_type_defaults() -> None:
    """Fixed when the node says where it looks; dome (all round) when it does not."""
    assert one({})["camera_type"] == "fixed"
    (dome,) = cameras_from_osm(feature({}))
    assert dome["camera_type"] == "dome" and "bearing_deg" not in dome


@pytest.mark.parametrize(
    ("tags", "what"),
    [
        ({"camera:type": "fixed"}, "a fixed camera"),
        ({"surveillance:type": "ALPR"}, "a plate reader"),
        ({"camera:type": "dome", "surveillance:type": "ANPR"}, "a plate reader"),
        ({"camera:type": "fixed", "camera:direction": ""}, "a fixed camera"),
    ],
)
def test_a_fixed_camera_or_plate_reader_without_direction_has_it_unknown(
    tags: dict[str, str], what: str
) -> None:
    result = read_osm_feature(feature(tags))
    (camera,) = result.cameras
    assert camera["direction_unknown"] is True
    assert "bearing_deg" not in camera and "hfov_deg" not in camera
    (warning,) = result.warnings
    assert (warning.pointer, warning.code) == ("/properties/camera:direction", "direction_unknown")
    assert warning.detail.startswith(f"{what} without a direction: registered with its direction unknown")


@pytest.mark.parametrize("camera_type", ["dome", "panorama", "panning"])
def test_all_round_heads_need_no_direction(camera_type: str) -> None:
    result = read_osm_feature(feature({"camera:type": camera_type}))
    (camera,) = result.cameras
    assert camera["camera_type"] == camera_type
    assert "direction_unknown" not in camera and result.warnings == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(mount, mount) for mount in v.MOUNTS],
        ("traffic_signals", "traffic_signal"),
        ("Wall", "wall"),
    ],
)
def test_camera_mount(value: str, expected: str) -> None:
    assert one({"camera:mount": value})["mount"] == expected
    assert warnings_of({"camera:mount": value}) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("roof", "building"),
        ("mast", "pole"),
        ("street_light", "street_lamp"),
        ("tree", "other"),
        ("wall;pole", "other"),
    ],
)
def test_camera_mounts_outside_the_vocabulary_map_with_a_warning(value: str, expected: str) -> None:
    assert one({"camera:mount": value})["mount"] == expected
    assert warnings_of({"camera:mount": value}) == [("camera:mount", "value_mapped")]


@pytest.mark.parametrize(
    ("value", "area_class", "indoor"),
    [("public", "public", None), ("outdoor", "outdoor", None), ("indoor", "indoor", True)],
)
def test_surveillance_area_class(value: str, area_class: str, indoor: bool | None) -> None:
    camera = one({"surveillance": value})
    assert (camera["area_class"], camera.get("indoor")) == (area_class, indoor)


def test_surveillance_yes_states_no_area_class() -> None:
    assert "area_class" not in one({"surveillance": "yes"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [("traffic", "public"), ("webcam", None), ("guard", None), ("private", None), ("outdoors", "outdoor")],
)
def test_surveillance_outside_the_vocabulary_maps_with_a_warning(value: str, expected: str | None) -> None:
    result = read_osm_feature(feature({"camera:direction": "90", "surveillance": value}))
    (camera,) = result.cameras
    assert camera.get("area_class") == expected
    assert camera["source_tags"]["surveillance"] == value
    (warning,) = result.warnings
    assert (warning.pointer, warning.code) == ("/properties/surveillance", "value_mapped")
    assert ("read as public" if expected == "public" else "") in warning.detail
    assert ("surveillance" in result.kept) is (expected is None)  # no field holds it: listed as kept


@pytest.mark.parametrize(
    ("value", "expected"),
    [*[(zone, zone) for zone in v.ZONES], ("Traffic", "traffic")],
)
def test_surveillance_zone(value: str, expected: str) -> None:
    assert one({"surveillance:zone": value})["zone"] == expected
    assert warnings_of({"surveillance:zone": value}) == []


@pytest.mark.parametrize(
    ("value", "expected"), [("area", "other"), ("corridor", "other"), ("road", "traffic")]
)
def test_surveillance_zones_outside_the_vocabulary_map_with_a_warning(value: str, expected: str) -> None:
    assert one({"surveillance:zone": value})["zone"] == expected
    assert warnings_of({"surveillance:zone": value}) == [("surveillance:zone", "value_mapped")]


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
        ("5 yards", "invalid_number"),
        ("-1", "invalid_number"),
        ("NaN", "invalid_number"),
        ("inf", "invalid_number"),
        ("301", "out_of_range"),
        ("1000 ft", "out_of_range"),
    ],
)
def test_bad_height(value: str, code: str) -> None:
    (issue,) = issues_of(cameras_from_osm, feature({"camera:direction": "90", "height": value}))
    assert (issue.pointer, issue.code) == ("/properties/height", code)


@pytest.mark.parametrize(
    ("value", "expected", "metres"),
    [
        ("5,5", "read as 5.5 metres", 5.5),
        ("16'", "read as 4.88 metres", 4.88),
        ("16 ft", "read as 4.88 metres", 4.88),
        ("16'4\"", "read as 4.98 metres", 4.98),
    ],
)
def test_height_with_a_decimal_comma_or_in_feet_is_converted_with_a_warning(
    value: str, expected: str, metres: float
) -> None:
    result = read_osm_feature(feature({"camera:direction": "90", "height": value}))
    assert result.cameras[0]["height_m"] == metres
    (warning,) = result.warnings
    assert (warning.pointer, warning.code) == ("/properties/height", "value_mapped")
    assert expected in warning.detail


def test_blank_values_say_nothing() -> None:
    camera = one({"height": "", "camera:type": " ", "surveillance:type": "", "name": ""})
    assert not {"height_m", "surveillance_type"} & set(camera)
    assert camera["camera_type"] == "fixed" and camera["name"] == "Telecamera OpenStreetMap"
    assert camera["source_tags"]["height"] == ""  # kept as it came


@pytest.mark.parametrize(
    ("value", "expected"), [("15", 15.0), ("-10", -10.0), ("+5.5", 5.5), ("90", 90.0), ("15°", 15.0)]
)
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


@pytest.mark.parametrize("value", ["2019", "2019-05", "~2019", "before 2019", "1990s", "2018..2019", "C19"])
@pytest.mark.parametrize(
    ("key", "name"), [("start_date", "installed_on"), ("check_date", "last_verified_on")]
)
def test_partial_dates_leave_the_day_empty_with_a_warning(key: str, name: str, value: str) -> None:
    result = read_osm_feature(feature({"camera:direction": "90", key: value}))
    (camera,) = result.cameras
    assert name not in camera and camera["source_tags"][key] == value
    (warning,) = result.warnings
    assert (warning.pointer, warning.code) == (f"/properties/{key}", "value_mapped")
    assert f"not a full date (YYYY-MM-DD): {name} left empty" in warning.detail
    assert key in result.kept


def test_a_timestamp_gives_its_day_with_a_warning() -> None:
    assert one({"check_date": "2024-03-01T10:15:00Z"})["last_verified_on"] == "2024-03-01"
    assert warnings_of({"check_date": "2024-03-01T10:15:00Z"}) == [("check_date", "value_mapped")]


@pytest.mark.parametrize("value", ["2019-02-30", "20190512", "12/05/2019", "yesterday", "2019-13"])
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
    assert one({})["name"] == "Telecamera OpenStreetMap"
    assert one({"name": "  "})["name"] == "Telecamera OpenStreetMap"


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
                "level",
                "indoor",
                "camera:count",
                "addr:street",
                "addr:housenumber",
                "addr:city",
                "description",
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


# --- issue 17: what a node says beyond the camera's optics ----------------------------------------


def test_level_and_operator() -> None:
    camera = one({"level": "-1", "operator": "Comune di Monaco"})
    assert (camera["level"], camera["operator_name"]) == ("-1", "Comune di Monaco")
    (issue,) = issues_of(cameras_from_osm, feature({"level": "x" * 17}))
    assert (issue.pointer, issue.code) == ("/properties/level", "too_long")


@pytest.mark.parametrize(
    ("tags", "address", "mapped"),
    [
        (
            {
                "addr:street": "Via Roma",
                "addr:housenumber": "12",
                "addr:postcode": "10121",
                "addr:city": "Torino",
            },
            "Via Roma 12, 10121 Torino",
            ["addr:street", "addr:housenumber", "addr:postcode", "addr:city"],
        ),
        ({"addr:street": "Boulevard Albert 1er"}, "Boulevard Albert 1er", ["addr:street"]),
        (
            {"addr:place": "Frazione Pieve", "addr:housenumber": "3"},
            "Frazione Pieve 3",
            ["addr:place", "addr:housenumber"],
        ),
        ({"addr:postcode": "98000", "addr:city": "Monaco"}, "98000 Monaco", ["addr:postcode", "addr:city"]),
        (
            {"addr:full": "Piazza Castello, Torino", "addr:street": "Piazza Castello"},
            "Piazza Castello, Torino",
            ["addr:full"],
        ),
    ],
)
def test_address_is_composed_as_italians_write_it(
    tags: dict[str, str], address: str, mapped: list[str]
) -> None:
    result = read_osm_feature(feature({"camera:direction": "90", **tags}))
    assert result.cameras[0]["address"] == address
    assert {key: value for key, value in result.mapped.items() if value == "address"} == dict.fromkeys(
        mapped, "address"
    )
    assert set(result.kept) == set(tags) - set(mapped)  # addr:street beside addr:full is kept, not lost


def test_address_parts_that_are_not_used_are_kept() -> None:
    result = read_osm_feature(
        feature(
            {"addr:street": "Via Po", "addr:country": "IT", "addr:province": "TO", "camera:direction": "90"}
        )
    )
    assert result.cameras[0]["address"] == "Via Po"
    assert result.kept == ["addr:country", "addr:province"]


@pytest.mark.parametrize(
    ("value", "indoor", "warned"),
    [("yes", True, False), ("no", False, False), ("room", True, True), ("maybe", None, True)],
)
def test_indoor_tag(value: str, indoor: bool | None, warned: bool) -> None:
    assert one({"indoor": value}).get("indoor") is indoor
    assert warnings_of({"indoor": value}) == ([("indoor", "value_mapped")] if warned else [])


def test_surveillance_indoor_says_indoor_unless_the_indoor_tag_says_otherwise() -> None:
    assert one({"surveillance": "indoor"})["indoor"] is True
    assert one({"surveillance": "indoor", "indoor": "no"})["indoor"] is False


def heads_of(tags: dict[str, Any]) -> tuple[list[tuple[Any, ...]], list[tuple[str, str]]]:
    """(bearing, hfov, direction_unknown, site_ref) of each head, and the (tag, code) of the warnings."""
    result = read_osm_feature(feature(tags))
    heads = [
        (c.get("bearing_deg"), c.get("hfov_deg"), c.get("direction_unknown"), c.get("site_ref"))
        for c in result.cameras
    ]
    warnings = [(issue.pointer.removeprefix("/properties/"), issue.code) for issue in result.warnings]
    return heads, warnings


SITE = "osm:node/42"


@pytest.mark.parametrize(
    ("tags", "heads", "warnings"),
    [
        (  # the count agrees with the directions: nothing to say
            {"camera:count": "2", "camera:direction": "90;270"},
            [(90.0, None, None, SITE), (270.0, None, None, SITE)],
            [],
        ),
        (  # two domes, no direction: two heads all round
            {"camera:count": "2", "camera:type": "dome"},
            [(None, None, None, SITE), (None, None, None, SITE)],
            [("camera:count", "heads_from_count")],
        ),
        (  # two fixed heads, no direction: both with their direction unknown
            {"camera:count": "2", "camera:type": "fixed"},
            [(None, None, True, SITE), (None, None, True, SITE)],
            [("camera:count", "heads_from_count"), ("camera:direction", "direction_unknown")],
        ),
        (  # more heads than directions: the missing ones without a direction
            {"camera:count": "3", "camera:direction": "90;270"},
            [(90.0, None, None, SITE), (270.0, None, None, SITE), (None, None, True, SITE)],
            [("camera:count", "heads_from_count"), ("camera:direction", "direction_unknown")],
        ),
        (  # more directions than heads: one head per direction
            {"camera:count": "1", "camera:direction": "90;270"},
            [(90.0, None, None, SITE), (270.0, None, None, SITE)],
            [("camera:count", "heads_from_count")],
        ),
        (  # an unreadable count: the directions decide
            {"camera:count": "two", "camera:direction": "90"},
            [(90.0, None, None, None)],
            [("camera:count", "heads_from_count")],
        ),
        (
            {"camera:count": "17", "camera:type": "dome"},
            [(None, None, None, None)],
            [("camera:count", "heads_from_count")],
        ),
        (
            {"camera:count": "0", "camera:type": "dome"},
            [(None, None, None, None)],
            [("camera:count", "heads_from_count")],
        ),
        ({"camera:count": "1", "camera:type": "dome"}, [(None, None, None, None)], []),
    ],
)
def test_camera_count_makes_heads_or_says_why_not(
    tags: dict[str, str], heads: list[tuple[Any, ...]], warnings: list[tuple[str, str]]
) -> None:
    assert heads_of(tags) == (heads, warnings)


def test_camera_count_warning_says_what_was_done() -> None:
    result = read_osm_feature(feature({"camera:count": "3", "camera:direction": "90;270"}))
    assert result.warnings[0].detail == "camera:count=3 but 2 directions: 3 heads, 1 without a direction"
    assert "camera:count" not in result.mapped and "camera:count" not in result.kept  # it makes heads


def test_every_tag_is_kept_verbatim_and_the_unmapped_ones_are_listed() -> None:
    tags = {
        "man_made": "surveillance",
        "surveillance": "public",
        "camera:direction": "north",
        "direction": "45",  # not the one read: kept
        "description": "Telecamera sul lampione",
        "note": "vista dal marciapiede",
        "contact:phone": "+377 93 15 28 00",
        "contact:email": "police@example.mc",
        "source": "survey",
        "fixme": "check the direction",
        "wikidata": "Q123",
    }
    result = read_osm_feature(feature(tags))
    (camera,) = result.cameras
    assert camera["source_tags"] == tags  # the mapped ones too, as they came ('north', not 0)
    assert camera["licence"] == "ODbL-1.0"
    assert result.kept == [
        "direction",
        "description",
        "note",
        "contact:phone",
        "contact:email",
        "source",
        "fixme",
        "wikidata",
    ]
    assert result.mapped == {"surveillance": "area_class", "camera:direction": "bearing_deg"}


def test_source_tags_of_hand_made_geojson_are_text() -> None:
    (camera,) = cameras_from_osm(
        feature({"camera:direction": 90, "height": 5.5, "lit": True, "x": None, "y": [1]})
    )
    assert camera["source_tags"] == {
        "man_made": "surveillance",
        "camera:direction": "90",
        "height": "5.5",
        "lit": "true",
        "y": "[1]",
    }  # a null is an absent tag (GDAL's empty columns)


def test_heads_have_their_own_copy_of_the_tags() -> None:
    first, second = cameras_from_osm(feature({"camera:direction": "N;S"}))
    assert first["source_tags"] == second["source_tags"] and first["source_tags"] is not second["source_tags"]


def test_limits_of_the_tags_kept() -> None:
    many = {f"k{index}": "v" for index in range(200)}
    (issue,) = issues_of(cameras_from_osm, feature(many))
    assert (issue.pointer, issue.code) == ("/properties", "too_many_tags")
    (issue,) = issues_of(cameras_from_osm, feature({"description": "x" * 2001}))
    assert (issue.pointer, issue.code) == ("/properties/description", "too_long")
    assert cameras_from_osm(feature({"description": "x" * 2000}))
