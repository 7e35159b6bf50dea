"""The demo territory: valid vocabulary, plausible places, stable output (no database involved)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from pyproj import Geod

from observo.demo.territory import (
    ORGANISATIONS,
    PACTS,
    PIEMONTE_PACT_TOWNS,
    USERS,
    demo_camera_places,
    demo_cameras,
    town_centres,
)
from observo.domain import vocabulary as voc

GEOD = Geod(ellps="WGS84")
MUNICIPALITIES = {"moncalieri", "nichelino", "la-loggia", "vinovo", "santena", "trofarello", "cremona"}
EXPECTED_ISTAT = {
    "moncalieri": "001156",
    "nichelino": "001164",
    "la-loggia": "001127",
    "vinovo": "001309",
    "santena": "001257",
    "trofarello": "001276",
    "cremona": "019036",
}
ORG_KEYS = {
    "slug",
    "name",
    "kind",
    "istat_code",
    "contact_name",
    "contact_phone",
    "contact_email",
    "contact_pec",
    "sponsor",
    "public_precision_m",
}
CAMERA_KEYS = {
    "name",
    "ref",
    "owner",
    "operator",
    "address",
    "municipality",
    "mount",
    "height_m",
    "surveillance_type",
    "camera_type",
    "area_class",
    "zone",
    "make",
    "model",
    "bearing_deg",
    "hfov_deg",
    "tilt_deg",
    "range_m",
    "purpose",
    "legal_basis",
    "retention_hours",
    "records",
    "signage",
    "signage_checked_on",
    "status",
    "visibility",
    "footage_contact_name",
    "footage_contact_phone",
    "footage_contact_email",
    "footage_contact_pec",
    "footage_contact_hours",
    "data_controller",
    "installed_on",
    "last_verified_on",
    "verification",
    "night_vision",
    "resolution",
    "live_link",
    "site_ref",
    "indoor",
    "source",
}
ENUMS = {
    "source": voc.SOURCES,
    "mount": voc.MOUNTS,
    "surveillance_type": voc.SURVEILLANCE_TYPES,
    "camera_type": voc.CAMERA_TYPES,
    "area_class": voc.AREA_CLASSES,
    "zone": voc.ZONES,
    "purpose": voc.PURPOSES,
    "signage": voc.SIGNAGE,
    "status": voc.STATUSES,
    "verification": voc.VERIFICATIONS,
    "visibility": voc.VISIBILITIES,
}
ORGS = {org["slug"]: org for org in ORGANISATIONS}
SLUG_BY_ISTAT = {org["istat_code"]: org["slug"] for org in ORGANISATIONS if org["istat_code"]}


@pytest.fixture(scope="module")
def cameras() -> list[dict]:
    return demo_cameras()


@pytest.fixture(scope="module")
def places() -> dict:
    return demo_camera_places()


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def angle_between(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


def town_of(camera: dict) -> str:
    return SLUG_BY_ISTAT[camera["properties"]["municipality"]]


# --- organisations, pact, users -----------------------------------------------------------------


def test_organisations_have_the_contract_shape() -> None:
    assert len(ORGS) == len(ORGANISATIONS)
    for org in ORGANISATIONS:
        assert set(org) == ORG_KEYS, org["slug"]
        assert org["kind"] in voc.ORGANISATION_KINDS
        assert isinstance(org["public_precision_m"], int) and org["public_precision_m"] >= 0
        assert org["contact_email"].split("@")[1].endswith((".example.it", ".example"))
        assert ".example" in org["contact_pec"]
    assert {slug for slug, org in ORGS.items() if org["kind"] == "municipality"} == MUNICIPALITIES
    assert ORGS["carabinieri-nichelino"]["kind"] == "carabinieri"


def test_istat_codes_are_the_real_ones_and_unique() -> None:
    assert {slug: ORGS[slug]["istat_code"] for slug in MUNICIPALITIES} == EXPECTED_ISTAT
    codes = [org["istat_code"] for org in ORGANISATIONS if org["istat_code"] is not None]
    assert len(codes) == len(set(codes))
    assert all(org["istat_code"] is None for org in ORGANISATIONS if org["kind"] != "municipality")


def test_private_owners_federate_with_a_municipality(cameras: list[dict]) -> None:
    private = [org for org in ORGANISATIONS if org["kind"] == "private"]
    assert 4 <= len(private) <= 6
    for org in private:
        assert ORGS[org["sponsor"]]["kind"] == "municipality"
    assert all(org["sponsor"] is None for org in ORGANISATIONS if org["kind"] != "private")
    for camera in cameras:
        owner = ORGS[camera["properties"]["owner"]]
        if owner["kind"] == "private":
            assert town_of(camera) == owner["sponsor"]
            assert camera["properties"]["source"] == "owner_registration"
            assert camera["properties"]["visibility"] in ("private", "shared")


def test_public_precision_varies() -> None:
    precisions = {ORGS[slug]["public_precision_m"] for slug in MUNICIPALITIES}
    assert {0, 50, 100} <= precisions


def test_pact_and_users() -> None:
    members = list(PIEMONTE_PACT_TOWNS)
    expected = [{"slug": "tutta-mia-la-citta", "name": "Tutta mia la Città", "members": members}]
    assert expected == PACTS
    assert set(PIEMONTE_PACT_TOWNS) == MUNICIPALITIES - {"cremona"}
    emails = [user["email"] for user in USERS]
    assert len(emails) == len(set(emails))
    for user in USERS:
        assert set(user) == {"email", "name", "org", "role"}
        assert user["org"] in ORGS and user["role"] in voc.ROLES
    roles = {(user["org"], user["role"]) for user in USERS}
    assert {user["email"] for user in USERS if user["role"] == "admin"} == {"admin@observo.example"}
    for slug in MUNICIPALITIES:
        assert (slug, "editor") in roles and (slug, "viewer") in roles
        assert f"agente@{slug}.example.it" in emails
    assert ("carabinieri-nichelino", "viewer") in roles


# --- cameras -------------------------------------------------------------------------------------


def test_at_least_150_cameras_with_unique_owner_refs(cameras: list[dict]) -> None:
    assert len(cameras) >= 150
    keys = [(camera["properties"]["owner"], camera["properties"]["ref"]) for camera in cameras]
    assert len(keys) == len(set(keys))


def test_deterministic(cameras: list[dict]) -> None:
    assert demo_cameras() == cameras
    assert demo_camera_places() == demo_camera_places()


def test_properties_use_the_contract_names_and_no_nulls(cameras: list[dict]) -> None:
    for camera in cameras:
        assert set(camera) == {"lon", "lat", "properties"}
        props = camera["properties"]
        assert set(props) <= CAMERA_KEYS, set(props) - CAMERA_KEYS
        assert all(value is not None for value in props.values()), props["ref"]
        assert props["owner"] in ORGS and props.get("operator", props["owner"]) in ORGS
        assert props["municipality"] in SLUG_BY_ISTAT


def test_every_enumeration_value_is_in_the_vocabulary(cameras: list[dict]) -> None:
    for camera in cameras:
        props = camera["properties"]
        for key, allowed in ENUMS.items():
            assert props[key] in allowed, (props["ref"], key, props[key])


def test_every_vocabulary_kind_is_represented(cameras: list[dict]) -> None:
    seen = defaultdict(set)
    for camera in cameras:
        for key in ("camera_type", "surveillance_type", "status", "visibility", "verification"):
            seen[key].add(camera["properties"][key])
    assert seen["camera_type"] >= {"fixed", "dome", "panning", "thermal"}
    assert seen["surveillance_type"] == set(voc.SURVEILLANCE_TYPES)
    assert seen["status"] == set(voc.STATUSES)
    assert seen["visibility"] == set(voc.VISIBILITIES)
    statuses = Counter(camera["properties"]["status"] for camera in cameras)
    assert 1 <= statuses["decommissioned"] <= 2
    assert statuses["active"] > len(cameras) / 2


def test_every_municipality_owns_cameras_of_every_visibility(cameras: list[dict]) -> None:
    owned = defaultdict(set)
    for camera in cameras:
        owned[camera["properties"]["owner"]].add(camera["properties"]["visibility"])
    for slug in MUNICIPALITIES:
        assert owned[slug] == set(voc.VISIBILITIES), slug


def test_optics_are_plausible(cameras: list[dict]) -> None:
    for camera in cameras:
        props = camera["properties"]
        assert 10 <= props["tilt_deg"] <= 35
        assert 1 <= props["hfov_deg"] <= 360
        assert 2 <= props["height_m"] <= 15
        assert 1 <= props.get("range_m", 1) <= 500
        # Dome and panorama heads see all round; a PTZ may be registered with its preset view.
        if props["camera_type"] in ("dome", "panorama"):
            assert props["hfov_deg"] == 360 and "bearing_deg" not in props
        else:
            assert 0 <= props["bearing_deg"] < 360 and props["hfov_deg"] < 360
        assert props["indoor"] == (props["area_class"] == "indoor")
        if props["indoor"]:
            assert props["mount"] == "ceiling"


def test_some_ranges_are_left_to_derivation(cameras: list[dict]) -> None:
    derived = [camera for camera in cameras if "range_m" not in camera["properties"]]
    assert 0.10 <= len(derived) / len(cameras) <= 0.20
    assert all("height_m" in c["properties"] and "tilt_deg" in c["properties"] for c in derived)


def test_alpr_gates(cameras: list[dict]) -> None:
    gates = [cam["properties"] for cam in cameras if cam["properties"]["surveillance_type"] == "alpr"]
    assert {SLUG_BY_ISTAT[gate["municipality"]] for gate in gates} == MUNICIPALITIES
    for gate in gates:
        assert gate["camera_type"] == "fixed" and gate["zone"] == "traffic"
        assert gate["hfov_deg"] == 30 and gate["range_m"] == 25 and 5 <= gate["height_m"] <= 6
        assert gate["mount"] in ("pole", "gantry")
        assert gate["purpose"] in ("traffic", "urban_security", "ztl_access")
        assert gate["make"] in ("Tattile", "Selea", "Hikvision")


def test_multi_head_poles_have_three_heads_120_degrees_apart(cameras: list[dict]) -> None:
    sites = defaultdict(list)
    for camera in cameras:
        if "site_ref" in camera["properties"]:
            sites[camera["properties"]["site_ref"]].append(camera)
    assert len(sites) >= 3
    for heads in sites.values():
        assert len(heads) == 3
        assert len({(head["lon"], head["lat"]) for head in heads}) == 1
        bearings = sorted(head["properties"]["bearing_deg"] for head in heads)
        gaps = [bearings[1] - bearings[0], bearings[2] - bearings[1], 360 - bearings[2] + bearings[0]]
        assert all(abs(gap - 120) < 0.2 for gap in gaps)


def test_law_operation_and_dates(cameras: list[dict]) -> None:
    for camera in cameras:
        props = camera["properties"]
        private = ORGS[props["owner"]]["kind"] == "private"
        assert props["retention_hours"] == 168 if not private else 24 <= props["retention_hours"] <= 72
        assert props["source"] == ("owner_registration" if private else "census")
        assert props["legal_basis"] and props["data_controller"] and props["footage_contact_pec"]
        dates = [dt.date.fromisoformat(props[k]) for k in ("installed_on", "last_verified_on") if k in props]
        assert dates == sorted(dates) and all(date <= dt.date(2026, 11, 21) for date in dates)
        if props["status"] == "planned":
            assert "installed_on" not in props and not props["records"] and not props["live_link"]
        else:
            assert "installed_on" in props
        if props["signage"] != "unknown":
            assert dt.date.fromisoformat(props["signage_checked_on"]) >= dates[0]


# --- geography -----------------------------------------------------------------------------------


def test_coordinates_are_in_italy_and_not_swapped(cameras: list[dict]) -> None:
    for camera in cameras:
        assert 6 <= camera["lon"] <= 19 and 35 <= camera["lat"] <= 48
        assert round(camera["lon"], 6) == camera["lon"] and round(camera["lat"], 6) == camera["lat"]


def test_every_camera_is_within_2_km_of_its_town(cameras: list[dict]) -> None:
    centres = town_centres()
    assert set(centres) == MUNICIPALITIES
    for camera in cameras:
        position = (camera["lon"], camera["lat"])
        assert distance(position, centres[town_of(camera)]) < 2000, camera["properties"]["ref"]


def test_every_camera_stays_near_its_place_and_looks_at_it(cameras: list[dict], places: dict) -> None:
    assert len(places) == len(cameras)
    for camera in cameras:
        props = camera["properties"]
        place = places[(props["owner"], props["ref"])]
        position = (camera["lon"], camera["lat"])
        assert place["town"] == town_of(camera)
        assert distance(position, place["centre"]) <= 150, props["ref"]
        if "bearing_deg" in props:
            towards = GEOD.inv(position[0], position[1], place["aim"][0], place["aim"][1])[0] % 360
            assert angle_between(props["bearing_deg"], towards) < 30, props["ref"]


def test_no_two_cameras_share_a_point_unless_one_device(cameras: list[dict]) -> None:
    by_point = defaultdict(list)
    for camera in cameras:
        by_point[(camera["lon"], camera["lat"])].append(camera["properties"].get("site_ref"))
    for site_refs in by_point.values():
        if len(site_refs) > 1:
            assert site_refs[0] is not None and len(set(site_refs)) == 1


def test_distinct_points_are_at_least_two_metres_apart(cameras: list[dict]) -> None:
    points = sorted({(camera["lon"], camera["lat"]) for camera in cameras})
    pairs = [(a, b) for index, a in enumerate(points) for b in points[index + 1 :]]
    _, _, metres = GEOD.inv(
        [a[0] for a, _ in pairs], [a[1] for a, _ in pairs], [b[0] for _, b in pairs], [b[1] for _, b in pairs]
    )
    assert min(metres) > 2.0
