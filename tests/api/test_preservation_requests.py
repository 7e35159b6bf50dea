"""Preservation requests: recorded by readers of the intervention, answered with If-Match, audited,
and shown in the deadlines, the map and the summary."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.test_interventions import (
    REASON,
    _check,
    build_world,
    confirm,
    create,
    entries,
    five_cameras,
    if_match,
)


@pytest.fixture
def world(session):
    return build_world(session)


@pytest.fixture
def h(world):
    return world["headers"]


@pytest.fixture
def planned(client, h, world, session):
    ids = five_cameras(session, world["orgs"])
    item = confirm(client, h["lead_editor"], create(client, h["lead_editor"]))
    return {"item": item, "ids": ids, "url": f"/api/v1/interventions/{item['id']}/preservation-requests"}


def ask(client, headers, url, **overrides):
    request = {"owner": "moncalieri", "channel": "pec", "contact": "pl@pec.moncalieri.it", **overrides}
    return client.post(url, json=request, headers=headers)


def test_record_a_request(client, h, world, planned, session):
    response = ask(
        client,
        h["lead_editor"],
        planned["url"],
        camera_ids=[planned["ids"]["monc_shared"]],
        protocol_number="PROT-9",
        note="telefonata di conferma",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    made = response.json
    assert response.headers["ETag"] == f'"{made["id"]}.1"'
    assert response.headers["Location"].endswith(f"{planned['url']}/{made['id']}")
    assert (made["owner"], made["channel"], made["status"], made["version"]) == (
        "moncalieri",
        "pec",
        "pending",
        1,
    )
    assert made["camera_ids"] == [planned["ids"]["monc_shared"]] and made["answered_at"] is None
    assert made["intervention_id"] == planned["item"]["id"] and made["requested_by"].startswith("editor")
    assert abs(datetime.fromisoformat(made["requested_at"]) - datetime.now(UTC)) < timedelta(minutes=5)
    [entry] = entries(session, "preservation.create")
    assert entry.reason == REASON and entry.object_id == str(made["id"])
    assert entry.subject_organisation_id == world["orgs"]["moncalieri"].id
    assert json.loads(entry.details)["intervention_id"] == planned["item"]["id"]
    listed = client.get(planned["url"], headers=h["pact"]).json
    assert [r["id"] for r in listed] == [made["id"]]
    one = client.get(f"{planned['url']}/{made['id']}", headers=h["pact"])
    assert one.status_code == 200 and one.headers["ETag"] == f'"{made["id"]}.1"'
    # nichelino reads the plan but not moncalieri's shared camera: a request about it does not exist
    # for nichelino (docs/security.md), and a missing one answers the same 404.
    assert client.get(planned["url"], headers=h["shared"]).json == []
    hidden = client.get(f"{planned['url']}/{made['id']}", headers=h["shared"])
    missing = client.get(f"{planned['url']}/999999", headers=h["shared"])
    assert hidden.status_code == missing.status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("shared", 201), ("pact", 201), ("admin", 201), ("outsider", 404)]
)
def test_readers_of_the_intervention_record_requests(client, h, planned, who, status):
    assert ask(client, h[who], planned["url"], requested_at="2026-11-23T09:00:00").status_code == status


def test_anonymous_gets_401(client, planned):
    assert ask(client, {}, planned["url"]).status_code == 401


@pytest.mark.parametrize(
    ("overrides", "pointer", "code"),
    [
        ({"owner": "atlantide"}, "/owner", "unknown_organisation"),
        ({"channel": "pigeon"}, "/channel", "invalid_choice"),
        ({"status": "preserved"}, "/status", "unknown_field"),
        ({"requested_at": "soon"}, "/requested_at", "invalid"),
        ({"camera_ids": ["x"]}, "/camera_ids/0", "invalid_type"),
        ({"camera_ids": [2**31]}, "/camera_ids/0", "out_of_range"),  # beyond INTEGER: was a 500
    ],
)
def test_invalid_requests_are_422(client, h, planned, overrides, pointer, code):
    response = ask(client, h["lead_editor"], planned["url"], **overrides)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert (pointer, code) in {(e["pointer"], e["code"]) for e in response.json["errors"]}


def test_cameras_must_be_the_owners_and_readable(client, h, planned):
    ids = planned["ids"]
    other_owner = ask(
        client, h["lead_editor"], planned["url"], camera_ids=[ids["monc_shared"], ids["crem_public"]]
    )
    assert other_owner.status_code == 422
    assert [(e["pointer"], e["code"]) for e in other_owner.json["errors"]] == [
        ("/camera_ids/1", "unknown_camera")
    ]
    # the partner may not read moncalieri's private camera: naming it is an unknown camera, not a leak
    hidden = ask(client, h["pact"], planned["url"], camera_ids=[ids["monc_private"]])
    assert hidden.status_code == 422 and hidden.json["errors"][0]["code"] == "unknown_camera"


def test_answer_with_if_match(client, h, planned, session):
    made = ask(client, h["lead_editor"], planned["url"]).json
    url = f"{planned['url']}/{made['id']}"
    assert client.patch(url, json={"status": "preserved"}, headers=h["shared"]).status_code == 428
    answered = client.patch(url, json={"status": "preserved"}, headers=if_match(h["shared"], made))
    assert answered.status_code == 200, answered.get_data(as_text=True)
    assert answered.json["status"] == "preserved" and answered.json["version"] == 2
    assert answered.json["answered_at"].endswith("Z")
    assert answered.headers["ETag"] == f'"{made["id"]}.2"'
    stale = client.patch(url, json={"status": "refused"}, headers=if_match(h["shared"], made))
    assert stale.status_code == 412
    bad = client.patch(url, json={"status": "lost"}, headers=if_match(h["shared"], answered.json))
    assert bad.status_code == 422
    given = client.patch(
        url,
        json={"status": "refused", "answered_at": "2026-11-24T08:30:00Z"},
        headers=if_match(h["lead_viewer"], answered.json),
    ).json
    assert (given["status"], given["answered_at"]) == ("refused", "2026-11-24T08:30:00Z")
    assert (
        client.patch(url, json={"status": "expired"}, headers=if_match(h["outsider"], given)).status_code
        == 404
    )
    updates = entries(session, "preservation.update")
    assert len(updates) == 2 and all(e.reason == REASON for e in updates)


def test_request_belongs_to_its_intervention(client, h, planned):
    made = ask(client, h["lead_editor"], planned["url"]).json
    other = create(client, h["lead_editor"], title="Altro")
    wrong = f"/api/v1/interventions/{other['id']}/preservation-requests/{made['id']}"
    assert client.get(wrong, headers=h["lead_editor"]).status_code == 404
    assert (
        client.patch(
            wrong, json={"status": "preserved"}, headers=if_match(h["lead_editor"], made)
        ).status_code
        == 404
    )


def test_preservation_shows_in_deadlines_map_and_summary(client, h, planned):
    ids, item = planned["ids"], planned["item"]
    all_cameras = ask(client, h["lead_editor"], planned["url"], owner="cremona").json
    one_camera = ask(client, h["lead_editor"], planned["url"], camera_ids=[ids["monc_shared"]]).json
    client.patch(
        f"{planned['url']}/{all_cameras['id']}",
        json={"status": "preserved"},
        headers=if_match(h["lead_editor"], all_cameras),
    )
    base = f"/api/v1/interventions/{item['id']}"
    deadlines = client.get(f"{base}/deadlines", headers=h["lead_editor"]).json
    by_camera = {c["id"]: c["preservation"] for c in deadlines["cameras"]}
    assert by_camera[ids["crem_public"]] == "preserved"
    assert by_camera[ids["monc_shared"]] == "pending"
    assert by_camera[ids["monc_private"]] is None  # the request named another camera
    by_owner = {o["slug"]: o["preservation"] for o in deadlines["owners"]}
    assert by_owner == {
        "cremona": "preserved",
        "moncalieri": "pending",
        "nichelino": None,
        "trofarello": None,
    }
    features = client.get(f"{base}/map", headers=h["lead_editor"]).json["features"]
    cameras = {
        f["properties"]["id"]: f["properties"]["preservation"]
        for f in features
        if f["properties"]["layer"] == "camera"
    }
    assert cameras == by_camera
    summary = client.get(base, headers=h["lead_editor"]).json["summary"]
    assert summary["pending_requests"] == 1
    assert one_camera["status"] == "pending"


def test_deleting_the_intervention_deletes_its_requests(client, h, planned):
    ask(client, h["lead_editor"], planned["url"])
    item = client.get(f"/api/v1/interventions/{planned['item']['id']}", headers=h["lead_editor"]).json
    url = f"/api/v1/interventions/{item['id']}"
    assert client.delete(url, headers=if_match(h["lead_editor"], item)).status_code == 204
    assert client.get(planned["url"], headers=h["lead_editor"]).status_code == 404


def test_contract(client, h, planned):
    spec = client.get("/api/v1/openapi.json").json
    made = ask(client, h["lead_editor"], planned["url"], camera_ids=[planned["ids"]["monc_shared"]]).json
    _check(spec, "PreservationRequestOut", made)
    assert set(made) == set(spec["components"]["schemas"]["PreservationRequestOut"]["properties"])
