"""Lists built by the database (PostGIS) and items built by the schema give the same Features."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from tests import factories as f


def _close(left: Any, right: Any, path: str = "") -> None:
    """Equal JSON values, numbers within 1e-7 (the output precision of coordinates)."""
    if isinstance(left, dict):
        assert isinstance(right, dict) and list(left) == list(right), f"{path}: {list(left)} != {list(right)}"
        for key in left:
            _close(left[key], right[key], f"{path}/{key}")
    elif isinstance(left, list):
        assert isinstance(right, list) and len(left) == len(right), path
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            _close(a, b, f"{path}/{index}")
    elif isinstance(left, (int, float)) and not isinstance(left, bool):
        assert isinstance(right, (int, float)) and not isinstance(right, bool), path
        assert math.isclose(left, right, abs_tol=1e-7), f"{path}: {left} != {right}"
    else:
        assert left == right, f"{path}: {left!r} != {right!r}"


def test_listed_features_equal_single_items_property_for_property(client, session) -> None:
    owner = f.org(session, "torino")
    operator = f.org(session, "gestore", kind="private")
    f.camera(session, owner, bearing_deg=12.5, hfov_deg=75, tilt_deg=20, height_m=6.3)
    f.camera(
        session,
        owner,
        f.TURIN[0] + 0.001,
        f.TURIN[1] + 0.0007,
        camera_type="dome",
        operator=operator.slug,
        address="Via Roma 1, Torino",
        footage_contact_name="Centrale operativa",
        footage_contact_email="centrale@torino.example",
        signage="present",
        signage_checked_on=date(2026, 3, 1),
        installed_on=date(2024, 5, 17),
        night_vision=True,
        temporary=True,
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
        purpose="urban_security",
        osm_id=123456789,
    )
    headers = f.auth(f.token(session, f.user(session, owner, role="viewer")))
    listed = client.get("/api/v1/cameras?bbox=7.68,45.06,7.70,45.08", headers=headers)
    assert listed.status_code == 200
    assert len(listed.json["features"]) == 2
    for feature in listed.json["features"]:
        single = client.get(f"/api/v1/cameras/{feature['id']}", headers=headers).json
        _close(feature, single)


def test_measured_values_follow_the_camera_properties(client, session) -> None:
    owner = f.org(session, "torino")
    f.camera(session, owner)
    headers = f.auth(f.token(session, f.user(session, owner, role="viewer")))
    near = client.get("/api/v1/cameras?near=7.6869,45.0713&radius=200&reason=PG-1", headers=headers).json
    (feature,) = near["features"]
    properties = list(feature["properties"])
    assert properties[-1] == "distance_m" and properties[:-1] == list(
        client.get(f"/api/v1/cameras/{feature['id']}", headers=headers).json["properties"]
    )
    # 0.001 degrees of latitude at Turin, measured on the WGS84 ellipsoid.
    assert abs(feature["properties"]["distance_m"] - 111.14) < 0.05


def test_anonymous_listed_features_equal_single_public_items(client, session) -> None:
    """The public audience's page (built by PostGIS too) is the public schema's Feature, field for field:
    the generalised position, and the owner named only when it is a public body."""
    town = f.org(session, "torino")
    shop = f.org(session, "negozio", kind="private", sponsor_slug=town.slug)
    f.camera(session, town, visibility="public", camera_type="dome", municipality="Torino")
    f.camera(session, shop, f.TURIN[0] + 0.001, f.TURIN[1] + 0.0007, visibility="public")
    f.camera(session, shop, f.TURIN[0] + 0.002, f.TURIN[1], visibility="private")
    listed = client.get("/api/v1/cameras?bbox=7.6,45.0,7.8,45.2")
    assert listed.status_code == 200
    features = listed.json["features"]
    assert len(features) == 2
    assert sorted(str(feature["properties"]["owner"]) for feature in features) == ["None", "torino"]
    for feature in features:
        single = client.get(f"/api/v1/cameras/{feature['id']}").json
        _close(feature, single)
        assert "fov" not in feature["properties"] and "address" not in feature["properties"]
