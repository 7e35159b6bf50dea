"""A re-imported multi-head OSM node replaces its heads: each new direction takes the registered head
closest in bearing, heads the node no longer has are decommissioned (as DELETE /cameras/<id> does: the
record and its history stay), new ones are created; a direction that comes back revives its camera.
On both databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from observo.models import CameraStatusChange
from tests.api.test_imports import cameras, collection, counts, make_world, osm_node, upload

NODE = 4242


@pytest.fixture
def world(session):
    return make_world(session)


def send(client, world, directions: str, query: str = "", **tags):
    node = osm_node(NODE, camera_type="fixed", camera_direction=directions, **tags)
    response = upload(
        client, world["editor"], collection(node), f"{directions}.geojson", "?owner=torino" + query
    )
    assert response.status_code == 201, response.json
    return response.json


def heads(session) -> list[tuple[float, str]]:
    return sorted((camera.bearing_deg, camera.status) for camera in cameras(session, osm_id=NODE))


def test_a_changed_node_replaces_its_heads(client, session, world):
    assert counts(send(client, world, "0;120;240"), created=3)
    by_bearing = {camera.bearing_deg: camera.id for camera in cameras(session)}
    dry = send(client, world, "0;125", "&dry_run=1")
    # every head keeps the node's tags (source_tags): the one at 0 degrees changes only those
    assert counts(dry, updated=2, decommissioned=1)
    changed = {row["camera_id"]: (row["action"], sorted(row["changes"])) for row in dry["rows"]}
    assert changed == {
        by_bearing[0.0]: ("update", ["source_tags"]),
        by_bearing[120.0]: ("update", ["bearing_deg", "source_tags"]),
        by_bearing[240.0]: ("decommission", ["status"]),
    }
    update = next(row for row in dry["rows"] if row["camera_id"] == by_bearing[120.0])
    assert update["changes"]["bearing_deg"] == {"old": 120.0, "new": 125.0}
    assert update["changes"]["source_tags"]["new"]["camera:direction"] == "0;125"
    assert heads(session) == [(0.0, "active"), (120.0, "active"), (240.0, "active")]  # a dry run

    real = send(client, world, "0;125")
    assert counts(real, updated=2, decommissioned=1)
    assert counts(send(client, world, "0;125", "&dry_run=1"), unchanged=2)
    assert heads(session) == [(0.0, "active"), (125.0, "active"), (240.0, "decommissioned")]
    retired = session.scalar(
        sa.select(CameraStatusChange)
        .where(CameraStatusChange.camera_id == by_bearing[240.0])
        .order_by(CameraStatusChange.id.desc())
    )
    assert (retired.from_status, retired.to_status) == ("active", "decommissioned")
    assert f"node {NODE}" in retired.note

    back = send(client, world, "0;125;240")  # the third direction is back: its old camera, not a fourth
    assert counts(back, updated=3)
    assert heads(session) == [(0.0, "active"), (125.0, "active"), (240.0, "active")]
    assert {camera.id for camera in cameras(session)} == set(by_bearing.values())


def test_renumbered_heads_hand_their_refs_over(client, session, world):
    """ref=V1 on three heads gives V1/1, V1/2, V1/3; with the first direction gone the others are V1/1
    and V1/2: refs move between the node's own heads without a clash (a ref is unique per owner)."""
    send(client, world, "0;120;240", ref="V1")
    by_bearing = {camera.bearing_deg: camera for camera in cameras(session)}
    assert [by_bearing[b].ref for b in (0.0, 120.0, 240.0)] == ["V1/1", "V1/2", "V1/3"]
    body = send(client, world, "120;240", ref="V1")
    assert counts(body, updated=2, decommissioned=1)
    assert {w["code"] for w in body["warnings"]} >= {"ref_released"}
    after = {camera.id: (camera.bearing_deg, camera.ref, camera.status) for camera in cameras(session)}
    assert after == {
        by_bearing[0.0].id: (0.0, None, "decommissioned"),
        by_bearing[120.0].id: (120.0, "V1/1", "active"),
        by_bearing[240.0].id: (240.0, "V1/2", "active"),
    }
    update = next(row for row in body["rows"] if row["camera_id"] == by_bearing[120.0].id)
    assert update["changes"]["ref"] == {"old": "V1/2", "new": "V1/1"}


def test_a_node_twice_in_one_file_is_refused_the_second_time(client, session, world):
    node = osm_node(NODE, camera_type="dome")
    response = upload(
        client, world["editor"], collection(node, node), "twice.geojson", "?owner=torino&dry_run=1"
    )
    assert counts(response.json, created=1, errors=1)
    assert [(e["row"], e["code"]) for e in response.json["errors"]] == [(2, "duplicate_key")]
