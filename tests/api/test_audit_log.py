"""Every audited action writes exactly one entry with its fields; the log is read by admins and auditors."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from shapely.geometry import LineString, Point, box

from observo.models import AuditEntry, User
from observo.services.organisations import create_pact
from tests import factories

LON, LAT = factories.TURIN


@pytest.fixture
def world(session):
    town = factories.org(session, "town-a", istat_code="001001")
    partner = factories.org(session, "town-b")
    create_pact(session, slug="pact-ab", name="Pact AB", member_slugs=["town-a", "town-b"])
    session.commit()
    editor = factories.user(session, town, "editor")
    viewer = factories.user(session, partner, "viewer")
    cameras = [
        factories.camera(session, town, LON + 0.0002 * n, LAT, visibility="shared").id for n in range(3)
    ]
    return {
        "town": town,
        "partner": partner,
        "editor": editor,
        "viewer": viewer,
        "editor_headers": factories.auth(factories.token(session, editor)),
        "viewer_headers": factories.auth(factories.token(session, viewer)),
        "cameras": cameras,
    }


def last_id(session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


def entries_after(session, start: int) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id)))


def only_entry(session, start: int, response) -> AuditEntry:
    entries = entries_after(session, start)
    assert len(entries) == 1, [entry.action for entry in entries]
    entry = entries[0]
    assert entry.request_id == response.headers["X-Request-ID"]
    assert abs(datetime.now(UTC) - entry.at) < timedelta(minutes=5)
    return entry


def wkb_hash(geometry) -> str:
    return hashlib.sha256(geometry.wkb).hexdigest()


# --- writes ---


def test_camera_writes_log_one_entry_each_with_a_before_after_diff(client: FlaskClient, session, world):
    headers = world["editor_headers"]
    start = last_id(session)
    created = client.post(
        "/api/v1/cameras", json=factories.feature("town-a", name="Via Roma"), headers=headers
    )
    assert created.status_code == 201
    entry = only_entry(session, start, created)
    assert (entry.action, entry.object_type, entry.object_id) == (
        "camera.create",
        "camera",
        str(created.json["id"]),
    )
    assert entry.actor_user_id == world["editor"].id
    assert entry.actor_label == world["editor"].email
    assert entry.organisation_id == entry.subject_organisation_id == world["town"].id
    after = json.loads(entry.details)["after"]
    assert after["name"] == "Via Roma" and after["owner"] == "town-a"
    assert after["location"] == f"POINT ({LON} {LAT})"

    start = last_id(session)
    url = f"/api/v1/cameras/{created.json['id']}"
    changed = client.patch(
        url,
        json={"properties": {"name": "Via Roma 2", "bearing_deg": 180.0}},
        headers={**headers, "If-Match": created.headers["ETag"]},
    )
    assert changed.status_code == 200
    entry = only_entry(session, start, changed)
    changes = json.loads(entry.details)["changes"]
    assert changes["name"] == ["Via Roma", "Via Roma 2"]
    assert changes["bearing_deg"] == [90.0, 180.0]
    assert "fov" in changes  # the sector turned with the bearing
    assert "footage_contact_name" not in changes and "version" not in changes

    start = last_id(session)
    removed = client.delete(url, headers={**headers, "If-Match": changed.headers["ETag"]})
    assert removed.status_code == 204
    entry = only_entry(session, start, removed)
    assert entry.action == "camera.decommission"
    assert json.loads(entry.details)["changes"] == {"status": ["active", "decommissioned"]}


def test_a_patch_that_changes_nothing_and_a_refused_write_log_no_change(client, session, world):
    camera_id = world["cameras"][0]
    url = f"/api/v1/cameras/{camera_id}"
    etag = client.get(url, headers=world["editor_headers"]).headers["ETag"]
    start = last_id(session)
    same = client.patch(url, json={"properties": {}}, headers={**world["editor_headers"], "If-Match": etag})
    assert same.status_code == 200
    assert entries_after(session, start) == []
    invalid = client.patch(
        url, json={"properties": {"range_m": 9999}}, headers={**world["editor_headers"], "If-Match": etag}
    )
    assert invalid.status_code == 422
    assert entries_after(session, start) == []


# --- refusals ---


def test_a_forbidden_write_is_logged_once_even_though_the_request_is_undone(client, session, world):
    camera_id = world["cameras"][0]
    url = f"/api/v1/cameras/{camera_id}"
    etag = client.get(url, headers=world["viewer_headers"]).headers["ETag"]
    start = last_id(session)
    refused = client.patch(
        url, json={"properties": {"name": "x"}}, headers={**world["viewer_headers"], "If-Match": etag}
    )
    assert refused.status_code == 403
    entry = only_entry(session, start, refused)
    assert entry.action == "auth.denied"
    assert entry.actor_user_id == world["viewer"].id
    assert json.loads(entry.details)["path"] == url


def test_a_bad_token_is_logged_and_no_credentials_are_not(client, session, world):
    start = last_id(session)
    refused = client.get("/api/v1/cameras/1/history", headers={"Authorization": "Bearer obs_guessedtoken123"})
    assert refused.status_code == 401
    entry = only_entry(session, start, refused)
    assert entry.action == "auth.rejected"
    assert entry.actor_label == "token obs_guesse…"  # a prefix identifies it, not enough to use it
    assert entry.actor_user_id is None
    start = last_id(session)
    assert client.get("/api/v1/cameras/1/history").status_code == 401
    assert entries_after(session, start) == []


def test_sign_in_sign_out_and_failed_sign_in_are_logged(app, client, session, world):
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        start = last_id(session)
        failed = client.post("/login", data={"email": world["viewer"].email, "password": "wrong password"})
        assert failed.status_code == 401
        entry = only_entry(session, start, failed)
        assert (entry.action, entry.actor_label, entry.actor_user_id) == (
            "auth.login_failed",
            world["viewer"].email,
            None,
        )
        start = last_id(session)
        signed_in = client.post(
            "/login", data={"email": world["viewer"].email, "password": factories.PASSWORD}
        )
        assert signed_in.status_code == 302
        entry = only_entry(session, start, signed_in)
        assert (entry.action, entry.actor_user_id, entry.object_id) == (
            "auth.login",
            world["viewer"].id,
            str(world["viewer"].id),
        )
        start = last_id(session)
        signed_out = client.post("/logout")
        assert only_entry(session, start, signed_out).action == "auth.logout"
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


# --- accountable queries ---

QUERIES = [
    ("query.near", "get", f"/api/v1/cameras?near={LON},{LAT}&radius=500", Point(LON, LAT)),
    ("query.sees", "get", f"/api/v1/cameras?sees={LON + 0.0005},{LAT}", Point(LON + 0.0005, LAT)),
    ("query.nearest", "get", f"/api/v1/cameras/nearest?point={LON},{LAT}&k=2", Point(LON, LAT)),
    (
        "export.csv",
        "get",
        f"/api/v1/cameras?f=csv&bbox={LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}",
        box(LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01),
    ),
    ("query.search", "post", "/api/v1/search", box(LON - 0.001, LAT - 0.001, LON + 0.001, LAT + 0.001)),
    ("query.search", "post", "/api/v1/search", LineString([(LON - 0.001, LAT), (LON + 0.001, LAT)])),
]


def _ask(client, method, url, geometry, headers, reason):
    if method == "post":
        body = {"geometry": json.loads(json.dumps(geometry.__geo_interface__)), "buffer_m": 50}
        if reason is not None:
            body["reason"] = reason
        return client.post(url, json=body, headers=headers)
    suffix = f"&reason={reason}" if reason is not None else ""
    return client.get(url + suffix, headers=headers)


def _result_count(response) -> int:
    if response.mimetype == "text/csv":
        return len(response.text.strip().splitlines()) - 1
    return response.json["numberReturned"]


@pytest.mark.parametrize(("action", "method", "url", "geometry"), QUERIES, ids=lambda v: str(v)[:40])
def test_accountable_queries_need_a_reason_and_log_one_entry(
    client, session, world, action, method, url, geometry
):
    headers = world["viewer_headers"]
    start = last_id(session)
    refused = _ask(client, method, url, geometry, headers, None)
    assert refused.status_code == 422
    assert refused.json["errors"][0]["pointer"] == "/reason"
    assert entries_after(session, start) == []

    answered = _ask(client, method, url, geometry, headers, "PG-2026-0042")
    assert answered.status_code == 200, answered.text
    entry = only_entry(session, start, answered)
    assert entry.action == action
    assert entry.reason == "PG-2026-0042"
    assert entry.actor_user_id == world["viewer"].id
    assert entry.organisation_id == world["partner"].id
    assert entry.geometry_hash == wkb_hash(geometry)
    assert entry.result_count == _result_count(answered) > 0


def test_anonymous_queries_see_public_data_only_and_are_not_logged(client, session, world):
    start = last_id(session)
    answered = client.get(f"/api/v1/cameras?near={LON},{LAT}&radius=500")
    assert answered.status_code == 200
    assert entries_after(session, start) == []


def test_browsing_is_not_logged(client, session, world):
    start = last_id(session)
    headers = world["viewer_headers"]
    assert (
        client.get(
            f"/api/v1/cameras?bbox={LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}", headers=headers
        ).status_code
        == 200
    )
    assert client.get(f"/api/v1/cameras/{world['cameras'][0]}", headers=headers).status_code == 200
    assert entries_after(session, start) == []


def test_reading_an_owners_contacts_is_logged(client, session, world):
    camera_id = world["cameras"][0]
    start = last_id(session)
    contacts = client.get(f"/api/v1/cameras/{camera_id}/contacts", headers=world["viewer_headers"])
    assert contacts.status_code == 200
    assert contacts.json["owner"]["slug"] == "town-a"
    entry = only_entry(session, start, contacts)
    assert (entry.action, entry.object_id, entry.subject_organisation_id) == (
        "camera.contacts.read",
        str(camera_id),
        world["town"].id,
    )


# --- reading the log ---


def _auditor(session, organisation) -> dict[str, str]:
    user = factories.user(session, organisation, "viewer")
    session.get(User, user.id).auditor = True
    session.commit()
    return factories.auth(factories.token(session, user))


def test_admins_read_every_entry_and_reading_is_logged(client, session, world):
    admin = factories.headers_for(session, factories.org(session, "regione", kind="public_body"), "admin")
    start = last_id(session)
    total = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    page = client.get("/api/v1/audit?limit=1000", headers=admin)
    assert page.status_code == 200
    assert page.json["numberReturned"] == total  # the read itself is logged after the query
    ids = [entry["id"] for entry in page.json["entries"]]
    assert ids == sorted(ids, reverse=True)
    entry = only_entry(session, start, page)
    assert entry.action == "audit.read" and entry.result_count == total


def test_auditors_read_what_their_organisation_did_or_what_was_done_to_its_data(client, session, world):
    auditor = _auditor(session, world["town"])
    client.get(f"/api/v1/cameras/{world['cameras'][0]}/contacts", headers=world["viewer_headers"])
    outsider = factories.org(session, "town-z")
    factories.camera(session, outsider)  # an entry about another town
    page = client.get("/api/v1/audit?limit=1000", headers=auditor)
    assert page.status_code == 200
    town_id = world["town"].id
    assert page.json["entries"]
    for entry in page.json["entries"]:
        assert town_id in (entry["organisation_id"], entry["subject_organisation_id"])
    actions = {entry["action"] for entry in page.json["entries"]}
    assert "camera.contacts.read" in actions  # the partner's viewer read our contacts
    mine = client.get("/api/v1/audit?action=camera.contacts.read", headers=auditor).json["entries"]
    assert [entry["actor_label"] for entry in mine] == [world["viewer"].email]
    assert mine[0]["details"] == {}


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("viewer", 403), ("editor", 403)])
def test_others_may_not_read_the_log(client, session, world, who, status):
    headers = {"viewer": world["viewer_headers"], "editor": world["editor_headers"]}.get(who, {})
    refused = client.get("/api/v1/audit", headers=headers)
    assert refused.status_code == status
    assert refused.mimetype == "application/problem+json"
    assert "entries" not in refused.json


def test_audit_filters_are_strict(client, session, world):
    admin = factories.headers_for(session, factories.org(session, "regione", kind="public_body"), "admin")
    assert client.get("/api/v1/audit?colour=blue", headers=admin).status_code == 400
    assert client.get("/api/v1/audit?since=yesterday", headers=admin).status_code == 400
    year_zero = client.get("/api/v1/audit?since=0001-01-01T00:00%2B01:00", headers=admin)  # a 500 once
    assert year_zero.status_code == 400 and year_zero.json["errors"][0]["pointer"] == "/since"
    window = client.get("/api/v1/audit?since=2030-01-02&until=2030-01-01", headers=admin)
    assert window.status_code == 400
    future = client.get("/api/v1/audit?since=2100-01-01", headers=admin)
    assert future.status_code == 200 and future.json["entries"] == []
    by_request = client.get("/api/v1/audit?request_id=" + future.headers["X-Request-ID"], headers=admin)
    assert [entry["action"] for entry in by_request.json["entries"]] == ["audit.read"]
