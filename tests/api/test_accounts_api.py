"""Organisations, pacts, users and tokens through the API: who may do what, and one audit entry per write."""

from __future__ import annotations

import json
from datetime import timedelta

import jsonschema
import pytest
import sqlalchemy as sa

from observo.domain import credentials
from observo.domain.generalise import snap_to_grid
from observo.models import ApiToken, AuditEntry, Organisation, Pact, User
from observo.models.base import utcnow
from observo.services.organisations import create_pact
from tests import factories

LON, LAT = factories.TURIN


@pytest.fixture
def world(session):
    """Towns A and B in a pact, town C outside, the region's admin; a viewer and an editor in A."""
    orgs = {slug: factories.org(session, slug) for slug in ("town-a", "town-b", "town-c")}
    orgs["regione"] = factories.org(session, "regione", kind="public_body")
    create_pact(session, slug="pact-ab", name="Pact AB", member_slugs=["town-a", "town-b"])
    session.commit()
    users = {
        "admin": factories.user(session, orgs["regione"], "admin"),
        "viewer": factories.user(session, orgs["town-a"], "viewer"),
        "editor": factories.user(session, orgs["town-a"], "editor"),
        "outsider": factories.user(session, orgs["town-c"], "viewer"),
    }
    headers = {who: factories.auth(factories.token(session, user)) for who, user in users.items()}
    return {"orgs": orgs, "users": users, "headers": {**headers, "anonymous": {}}}


def last_id(session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


def entries_after(session, start: int, action: str | None = None) -> list[AuditEntry]:
    stmt = sa.select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(session.scalars(stmt))


def only_entry(session, start: int, action: str) -> tuple[AuditEntry, dict]:
    """The single entry the request wrote (nothing else was logged), with its details."""
    found = entries_after(session, start)
    assert [entry.action for entry in found] == [action]
    return found[0], json.loads(found[0].details)


def assert_no_secret_logged(session, *secrets: str) -> None:
    for entry in session.scalars(sa.select(AuditEntry)):
        for secret in (factories.PASSWORD, "$argon2", *secrets):
            assert secret not in entry.details, (entry.action, secret)


def refused(response, status: int, pointer: str | None = None, code: str | None = None) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    if pointer:
        assert (pointer, code) in {(e["pointer"], e["code"]) for e in response.json["errors"]}, response.json


# --- organisations -------------------------------------------------------------------------------

NEW_ORG = {
    "slug": "bar-centrale",
    "name": "Bar Centrale",
    "kind": "private",
    "sponsor": "town-a",
    "public_precision_m": 250,
    "contact_name": "Mario Rossi",
    "contact_phone": "+39 011 123456",
    "contact_email": "bar@example.org",
    "contact_pec": "bar@pec.example.org",
}


def test_admin_registers_an_organisation(client, session, world):
    start = last_id(session)
    response = client.post("/api/v1/organizations", json=NEW_ORG, headers=world["headers"]["admin"])
    assert response.status_code == 201, response.json
    assert response.headers["Location"].endswith("/api/v1/organizations/bar-centrale")
    assert {k: response.json[k] for k in NEW_ORG} == NEW_ORG
    assert response.json["istat_code"] is None and response.json["created_at"]
    created = session.scalar(sa.select(Organisation).where(Organisation.slug == "bar-centrale"))
    entry, details = only_entry(session, start, "organisation.create")
    assert (entry.actor_label, entry.object_type, entry.object_id) == (
        world["users"]["admin"].email,
        "organisation",
        str(created.id),
    )
    assert entry.subject_organisation_id == created.id
    assert details["after"]["sponsor"] == "town-a" and details["after"]["contact_name"] == "Mario Rossi"


@pytest.mark.parametrize(
    ("change", "status", "pointer", "code"),
    [
        ({"colour": "red"}, 422, "/colour", "unknown_field"),
        ({"slug": "Bar Centrale"}, 422, "/slug", "invalid_format"),
        ({"kind": "castle"}, 422, "/kind", "invalid_choice"),
        ({"istat_code": "12345"}, 422, "/istat_code", "invalid_format"),
        ({"public_precision_m": -1}, 422, "/public_precision_m", "out_of_range"),
        ({"created_at": "2020-01-01T00:00:00Z"}, 422, "/created_at", "read_only"),
        ({"sponsor": "nowhere"}, 422, "/sponsor", "unknown_organisation"),
        ({"contact_email": "not-an-address"}, 422, "/contact_email", "invalid_format"),
        ({"slug": "town-a"}, 409, None, None),
    ],
)
def test_organisation_create_refusals_write_nothing(client, session, world, change, status, pointer, code):
    start, count = last_id(session), session.scalar(sa.select(sa.func.count(Organisation.id)))
    response = client.post(
        "/api/v1/organizations", json={**NEW_ORG, **change}, headers=world["headers"]["admin"]
    )
    refused(response, status, pointer, code)
    assert session.scalar(sa.select(sa.func.count(Organisation.id))) == count
    assert entries_after(session, start) == []


def test_duplicate_istat_code_is_409(client, session, world):
    factories.org(session, "torino", istat_code="001272")
    body = {"slug": "torino-bis", "name": "T", "kind": "municipality", "istat_code": "001272"}
    refused(client.post("/api/v1/organizations", json=body, headers=world["headers"]["admin"]), 409)


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("viewer", 403), ("editor", 403)])
def test_only_admins_write_organisations(client, session, world, who, status):
    headers = world["headers"][who]
    refused(client.post("/api/v1/organizations", json=NEW_ORG, headers=headers), status)
    refused(client.patch("/api/v1/organizations/town-a", json={"name": "X"}, headers=headers), status)
    assert session.scalar(sa.select(Organisation.name).where(Organisation.slug == "town-a")) == "Town-A"
    assert entries_after(session, 0, "organisation.update") == []


def test_admin_changes_an_organisation_with_a_before_after_diff(client, session, world):
    start = last_id(session)
    change = {"name": "Città di A", "contact_phone": "011 1", "sponsor": "town-b"}
    response = client.patch("/api/v1/organizations/town-a", json=change, headers=world["headers"]["admin"])
    assert response.status_code == 200, response.json
    assert {k: response.json[k] for k in change} == change
    entry, details = only_entry(session, start, "organisation.update")
    assert entry.object_id == str(world["orgs"]["town-a"].id)
    assert details["changes"] == {
        "name": ["Town-A", "Città di A"],
        "contact_phone": [None, "011 1"],
        "sponsor": [None, "town-b"],
    }


@pytest.mark.parametrize(
    ("change", "status", "pointer", "code"),
    [
        ({"slug": "renamed"}, 422, "/slug", "read_only"),
        ({"kind": "private"}, 422, "/kind", "read_only"),
        ({"created_at": "2020-01-01T00:00:00Z"}, 422, "/created_at", "read_only"),
        ({"name": None}, 422, "/name", "required"),
        ({"sponsor": "town-a"}, 422, "/sponsor", "cycle"),
    ],
)
def test_organisation_patch_refusals_change_nothing(client, session, world, change, status, pointer, code):
    start = last_id(session)
    response = client.patch("/api/v1/organizations/town-a", json=change, headers=world["headers"]["admin"])
    refused(response, status, pointer, code)
    session.expire_all()
    town = session.scalar(sa.select(Organisation).where(Organisation.slug == "town-a"))
    assert (town.slug, town.kind, town.name, town.sponsor_id) == ("town-a", "municipality", "Town-A", None)
    assert entries_after(session, start) == []


def test_unknown_organisation_patch_is_404(client, session, world):
    refused(
        client.patch("/api/v1/organizations/ghost", json={"name": "X"}, headers=world["headers"]["admin"]),
        404,
    )


def test_a_new_public_precision_moves_the_public_cameras(client, session, world):
    town, other = world["orgs"]["town-a"], world["orgs"]["town-b"]
    mine = factories.camera(session, town, visibility="public")
    theirs = factories.camera(session, other, visibility="public")
    admin = world["headers"]["admin"]
    etag = client.get(f"/api/v1/cameras/{mine.id}", headers=admin).headers["ETag"]

    def public_position(camera_id):
        return tuple(client.get(f"/api/v1/cameras/{camera_id}").json["geometry"]["coordinates"])

    assert public_position(mine.id) == pytest.approx(snap_to_grid(LON, LAT, 100), abs=1e-7)
    start = last_id(session)
    response = client.patch("/api/v1/organizations/town-a", json={"public_precision_m": 1000}, headers=admin)
    assert response.status_code == 200 and response.json["public_precision_m"] == 1000
    assert public_position(mine.id) == pytest.approx(snap_to_grid(LON, LAT, 1000), abs=1e-7)
    assert public_position(mine.id) != pytest.approx(snap_to_grid(LON, LAT, 100), abs=1e-7)
    assert public_position(theirs.id) == pytest.approx(snap_to_grid(LON, LAT, 100), abs=1e-7)
    # A derived position: the camera's own record, hence its ETag, is unchanged.
    assert client.get(f"/api/v1/cameras/{mine.id}", headers=admin).headers["ETag"] == etag
    _, details = only_entry(session, start, "organisation.update")
    assert details == {"changes": {"public_precision_m": [100, 1000]}, "cameras_replaced": 1}
    client.patch("/api/v1/organizations/town-a", json={"public_precision_m": 0}, headers=admin)
    assert public_position(mine.id) == pytest.approx((LON, LAT), abs=1e-7)


# --- pacts ---------------------------------------------------------------------------------------


def test_admin_creates_changes_and_dissolves_a_pact(client, session, world):
    admin, start = world["headers"]["admin"], last_id(session)
    body = {"slug": "pact-ac", "name": "Pact AC", "members": ["town-c", "town-a"]}
    created = client.post("/api/v1/pacts", json=body, headers=admin)
    assert created.status_code == 201, created.json
    assert created.headers["Location"].endswith("/api/v1/pacts/pact-ac")
    assert created.json["members"] == ["town-a", "town-c"] and created.json["created_at"]
    pact_id = session.scalar(sa.select(Pact.id).where(Pact.slug == "pact-ac"))
    entry, details = only_entry(session, start, "pact.create")
    assert (entry.actor_label, entry.object_id) == (world["users"]["admin"].email, str(pact_id))
    assert details["after"]["members"] == ["town-a", "town-c"]

    start = last_id(session)
    changed = client.patch("/api/v1/pacts/pact-ac", json={"members": ["town-b", "town-c"]}, headers=admin)
    assert changed.status_code == 200 and changed.json["members"] == ["town-b", "town-c"]
    _, details = only_entry(session, start, "pact.update")
    assert details["changes"] == {"members": [["town-a", "town-c"], ["town-b", "town-c"]]}

    start = last_id(session)
    assert client.delete("/api/v1/pacts/pact-ac", headers=admin).status_code == 204
    _, details = only_entry(session, start, "pact.delete")
    assert details["before"]["slug"] == "pact-ac"
    refused(client.get("/api/v1/pacts/pact-ac", headers=admin), 404)
    refused(client.delete("/api/v1/pacts/pact-ac", headers=admin), 404)


def test_pacts_are_read_by_their_members_only(client, session, world):
    headers = world["headers"]
    assert [p["slug"] for p in client.get("/api/v1/pacts", headers=headers["viewer"]).json] == ["pact-ab"]
    assert client.get("/api/v1/pacts", headers=headers["outsider"]).json == []
    assert client.get("/api/v1/pacts/pact-ab", headers=headers["viewer"]).json["members"] == [
        "town-a",
        "town-b",
    ]
    refused(client.get("/api/v1/pacts/pact-ab", headers=headers["outsider"]), 404)
    refused(client.get("/api/v1/pacts", headers=headers["anonymous"]), 401)


def test_joining_a_pact_shares_the_members_cameras(client, session, world):
    shared = factories.camera(session, world["orgs"]["town-a"], visibility="shared")
    outsider = world["headers"]["outsider"]
    refused(client.get(f"/api/v1/cameras/{shared.id}", headers=outsider), 404)
    body = {"members": ["town-a", "town-b", "town-c"]}
    assert (
        client.patch("/api/v1/pacts/pact-ab", json=body, headers=world["headers"]["admin"]).status_code == 200
    )
    assert client.get(f"/api/v1/cameras/{shared.id}", headers=outsider).status_code == 200


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "pointer", "code"),
    [
        (
            "post",
            "/api/v1/pacts",
            {"slug": "Bad Slug", "name": "X", "members": []},
            422,
            "/slug",
            "invalid_format",
        ),
        ("post", "/api/v1/pacts", {"slug": "p", "name": "X", "members": ["ghost"]}, 422, "/members/0", None),
        ("post", "/api/v1/pacts", {"slug": "pact-ab", "name": "X", "members": []}, 409, None, None),
        (
            "post",
            "/api/v1/pacts",
            {"slug": "p", "name": "X", "members": [], "id": 3},
            422,
            "/id",
            "unknown_field",
        ),
        ("patch", "/api/v1/pacts/pact-ab", {"slug": "other"}, 422, "/slug", "read_only"),
        (
            "patch",
            "/api/v1/pacts/pact-ab",
            {"created_at": "2020-01-01T00:00:00Z"},
            422,
            "/created_at",
            "read_only",
        ),
        ("patch", "/api/v1/pacts/pact-ab", {"members": ["town-a", "ghost"]}, 422, "/members/1", None),
        ("patch", "/api/v1/pacts/ghost", {"name": "X"}, 404, None, None),
    ],
)
def test_pact_refusals_change_nothing(client, session, world, method, url, body, status, pointer, code):
    start = last_id(session)
    response = getattr(client, method)(url, json=body, headers=world["headers"]["admin"])
    refused(response, status, pointer, code or "unknown_organisation")
    session.expire_all()
    pact = session.scalar(sa.select(Pact).where(Pact.slug == "pact-ab"))
    assert sorted(m.slug for m in pact.members) == ["town-a", "town-b"]
    assert session.scalar(sa.select(sa.func.count(Pact.id))) == 1
    assert entries_after(session, start) == []


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("viewer", 403), ("editor", 403)])
def test_only_admins_write_pacts(client, session, world, who, status):
    headers = world["headers"][who]
    refused(
        client.post("/api/v1/pacts", json={"slug": "p", "name": "P", "members": []}, headers=headers), status
    )
    refused(client.patch("/api/v1/pacts/pact-ab", json={"members": []}, headers=headers), status)
    refused(client.delete("/api/v1/pacts/pact-ab", headers=headers), status)
    assert session.scalar(sa.select(sa.func.count(Pact.id))) == 1


# --- users ---------------------------------------------------------------------------------------

SECRET = "a brand new secret"


def test_admin_creates_a_user_and_the_password_is_never_shown_or_logged(client, session, world):
    start = last_id(session)
    body = {"email": "Nuovo@Town-A.example", "organization": "town-a", "role": "viewer", "password": SECRET}
    response = client.post("/api/v1/users", json={**body, "auditor": True}, headers=world["headers"]["admin"])
    assert response.status_code == 201, response.json
    assert response.json["email"] == "nuovo@town-a.example" and response.json["auditor"] is True
    assert response.json["active"] is True and response.json["last_login_at"] is None
    assert "password" not in response.json and SECRET not in response.get_data(as_text=True)
    created = session.get(User, response.json["id"])
    assert credentials.verify_password(created.password_hash, SECRET)
    assert response.headers["Location"].endswith(f"/api/v1/users/{created.id}")
    entry, details = only_entry(session, start, "user.create")
    assert (entry.object_id, entry.subject_organisation_id) == (str(created.id), world["orgs"]["town-a"].id)
    assert details["after"]["organization"] == "town-a" and details["after"]["role"] == "viewer"
    assert_no_secret_logged(session, SECRET, created.password_hash)


@pytest.mark.parametrize(
    ("change", "status", "pointer", "code"),
    [
        ({"password": "short"}, 422, "/password", "too_weak"),
        ({"role": "superuser"}, 422, "/role", "invalid_choice"),
        ({"email": "not an address"}, 422, "/email", "invalid_format"),
        ({"organization": "ghost"}, 422, "/organization", "unknown_organisation"),
        ({"colour": "red"}, 422, "/colour", "unknown_field"),
        ({"id": 99}, 422, "/id", "read_only"),
        ({"active": False}, 422, "/active", "read_only"),
        ({"created_at": "2020-01-01T00:00:00Z"}, 422, "/created_at", "read_only"),
        ({"email": "VIEWER@X.example"}, 409, None, None),
    ],
)
def test_user_create_refusals_write_nothing(client, session, world, change, status, pointer, code):
    if status == 409:
        change = {"email": world["users"]["viewer"].email.upper()}
    start, count = last_id(session), session.scalar(sa.select(sa.func.count(User.id)))
    body = {
        "email": "n@town-a.example",
        "organization": "town-a",
        "role": "viewer",
        "password": SECRET,
        **change,
    }
    refused(client.post("/api/v1/users", json=body, headers=world["headers"]["admin"]), status, pointer, code)
    assert session.scalar(sa.select(sa.func.count(User.id))) == count
    assert entries_after(session, start) == []


def test_users_are_read_within_the_own_organisation(client, session, world):
    headers, users = world["headers"], world["users"]

    def emails(url, who):
        return {u["email"] for u in client.get(url, headers=headers[who]).json}

    assert emails("/api/v1/users", "viewer") == {users["viewer"].email, users["editor"].email}
    assert emails("/api/v1/users", "admin") == {u.email for u in users.values()}
    assert emails("/api/v1/users?organization=town-a&role=editor", "admin") == {users["editor"].email}
    assert emails("/api/v1/users?organization=town-c", "viewer") == set()
    refused(client.get("/api/v1/users?role=king", headers=headers["admin"]), 400)
    editor = client.get(f"/api/v1/users/{users['editor'].id}", headers=headers["viewer"])
    assert editor.status_code == 200 and editor.json["organization"] == "town-a"
    refused(client.get(f"/api/v1/users/{users['outsider'].id}", headers=headers["viewer"]), 404)
    refused(client.get("/api/v1/users/987654", headers=headers["admin"]), 404)
    refused(client.get("/api/v1/users", headers=headers["anonymous"]), 401)


def test_who_am_i(client, session, world):
    me = client.get("/api/v1/users/me", headers=world["headers"]["editor"])
    assert me.status_code == 200
    assert (me.json["email"], me.json["organization"], me.json["role"]) == (
        world["users"]["editor"].email,
        "town-a",
        "editor",
    )
    assert (me.json["organization_name"], me.json["organization_kind"]) == ("Town-A", "municipality")
    refused(client.get("/api/v1/users/me"), 401)


def test_admin_changes_a_user_with_a_before_after_diff(client, session, world):
    viewer, start = world["users"]["viewer"], last_id(session)
    change = {"role": "editor", "name": "Renamed", "organization": "town-b", "password": SECRET}
    response = client.patch(f"/api/v1/users/{viewer.id}", json=change, headers=world["headers"]["admin"])
    assert response.status_code == 200, response.json
    assert (response.json["role"], response.json["organization"]) == ("editor", "town-b")
    entry, details = only_entry(session, start, "user.update")
    assert entry.object_id == str(viewer.id)
    assert entry.subject_organisation_id == world["orgs"]["town-a"].id  # where the account was
    assert details["changes"] == {
        "role": ["viewer", "editor"],
        "name": ["viewer of town-a", "Renamed"],
        "organization": ["town-a", "town-b"],
    }
    assert details["password_changed"] is True
    session.expire_all()
    assert credentials.verify_password(session.get(User, viewer.id).password_hash, SECRET)
    assert_no_secret_logged(session, SECRET, session.get(User, viewer.id).password_hash)


@pytest.mark.parametrize(
    ("change", "pointer", "code"),
    [
        ({"email": "x@y.example"}, "/email", "read_only"),
        ({"id": 5}, "/id", "read_only"),
        ({"last_login_at": "2020-01-01T00:00:00Z"}, "/last_login_at", "read_only"),
        ({"password": "short"}, "/password", "too_weak"),
        ({"role": "king"}, "/role", "invalid_choice"),
        ({"active": "maybe"}, "/active", "invalid_type"),
    ],
)
def test_user_patch_refusals_change_nothing(client, session, world, change, pointer, code):
    viewer, start = world["users"]["viewer"], last_id(session)
    response = client.patch(f"/api/v1/users/{viewer.id}", json=change, headers=world["headers"]["admin"])
    refused(response, 422, pointer, code)
    session.expire_all()
    again = session.get(User, viewer.id)
    assert (again.email, again.role, again.active) == (viewer.email, "viewer", True)
    assert entries_after(session, start) == []


def test_an_admin_cannot_lock_themselves_out(client, session, world):
    admin = world["users"]["admin"]
    for change, pointer in (({"active": False}, "/active"), ({"role": "viewer"}, "/role")):
        response = client.patch(f"/api/v1/users/{admin.id}", json=change, headers=world["headers"]["admin"])
        refused(response, 422, pointer, "self_lockout")


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("viewer", 403), ("editor", 403)])
def test_only_admins_write_users(client, session, world, who, status):
    headers, viewer = world["headers"][who], world["users"]["viewer"]
    body = {"email": "n@town-a.example", "organization": "town-a", "role": "admin", "password": SECRET}
    refused(client.post("/api/v1/users", json=body, headers=headers), status)
    refused(client.patch(f"/api/v1/users/{viewer.id}", json={"role": "admin"}, headers=headers), status)
    session.expire_all()
    assert session.get(User, viewer.id).role == "viewer"
    assert session.scalar(sa.select(User.id).where(User.email == "n@town-a.example")) is None


def test_deactivating_a_user_stops_its_tokens_and_sessions(client, app, session, world):
    viewer = world["users"]["viewer"]
    browser = app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token"')[1].split('value="')[1].split('"')[0]
    signed_in = browser.post(
        "/login", data={"email": viewer.email, "password": factories.PASSWORD, "csrf_token": csrf}
    )
    assert signed_in.status_code == 302
    same_origin = {"Sec-Fetch-Site": "same-origin"}  # as the map's calls (issue 15, class 4)
    assert browser.get("/api/v1/users/me", headers=same_origin).status_code == 200
    assert client.get("/api/v1/users/me", headers=world["headers"]["viewer"]).status_code == 200
    start = last_id(session)
    response = client.patch(
        f"/api/v1/users/{viewer.id}", json={"active": False}, headers=world["headers"]["admin"]
    )
    assert response.status_code == 200 and response.json["active"] is False
    _, details = only_entry(session, start, "user.update")
    assert details == {"changes": {"active": [True, False]}}
    refused(client.get("/api/v1/users/me", headers=world["headers"]["viewer"]), 401)
    refused(browser.get("/api/v1/users/me", headers=same_origin), 401)


# --- tokens --------------------------------------------------------------------------------------


def test_a_user_creates_a_token_shown_once_and_stored_as_a_digest(client, session, world):
    start = last_id(session)
    response = client.post(
        "/api/v1/tokens", json={"name": "qgis", "expires_days": 30}, headers=world["headers"]["viewer"]
    )
    assert response.status_code == 201, response.json
    clear = response.json["token"]
    assert clear.startswith(credentials.TOKEN_PREFIX) and response.json["prefix"] == clear[:10]
    assert response.json["user"] == world["users"]["viewer"].email and response.json["expires_at"]
    row = session.get(ApiToken, response.json["id"])
    assert response.headers["Location"].endswith(f"/api/v1/tokens/{row.id}")
    for column in ApiToken.__table__.columns:
        assert clear[4:] not in str(getattr(row, column.key)), column.key
    assert row.token_hash == credentials.token_digest(clear)
    entry, details = only_entry(session, start, "token.create")
    assert (entry.actor_label, entry.object_id) == (world["users"]["viewer"].email, str(row.id))
    assert details["after"]["name"] == "qgis"
    assert_no_secret_logged(session, clear[4:], row.token_hash)
    # It works, and no listing ever shows it again.
    assert client.get("/api/v1/users/me", headers=factories.auth(clear)).status_code == 200
    listing = client.get("/api/v1/tokens", headers=world["headers"]["viewer"])
    assert "qgis" in {t["name"] for t in listing.json} and clear[4:] not in listing.get_data(as_text=True)
    assert all("token" not in t for t in listing.json)


def test_tokens_are_listed_for_their_owner_and_for_admins(client, session, world):
    users, headers = world["users"], world["headers"]
    own = client.get("/api/v1/tokens", headers=headers["viewer"]).json
    assert {t["user"] for t in own} == {users["viewer"].email}
    everyone = client.get("/api/v1/tokens", headers=headers["admin"]).json
    assert {t["user"] for t in everyone} == {u.email for u in users.values()}
    one = client.get(f"/api/v1/tokens?user={users['editor'].email.upper()}", headers=headers["admin"]).json
    assert {t["user"] for t in one} == {users["editor"].email}
    refused(client.get("/api/v1/tokens", headers=headers["anonymous"]), 401)


def test_revoking_own_and_others_tokens(client, session, world):
    users, headers = world["users"], world["headers"]
    spare = factories.token(session, users["viewer"], "spare")
    spare_id = session.scalar(sa.select(ApiToken.id).where(ApiToken.name == "spare"))
    editors_id = session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == users["editor"].id))
    refused(client.delete(f"/api/v1/tokens/{editors_id}", headers=headers["viewer"]), 404)  # not yours
    start = last_id(session)
    assert client.delete(f"/api/v1/tokens/{spare_id}", headers=headers["viewer"]).status_code == 204
    entry, details = only_entry(session, start, "token.revoke")
    assert entry.object_id == str(spare_id) and details["changes"]["revoked_at"][0] is None
    refused(client.get("/api/v1/users/me", headers=factories.auth(spare)), 401)
    start = last_id(session)
    assert client.delete(f"/api/v1/tokens/{spare_id}", headers=headers["viewer"]).status_code == 204
    assert entries_after(session, start, "token.revoke") == []  # already revoked: nothing changed
    assert client.delete(f"/api/v1/tokens/{editors_id}", headers=headers["admin"]).status_code == 204
    refused(client.get("/api/v1/users/me", headers=headers["editor"]), 401)
    refused(client.delete("/api/v1/tokens/987654", headers=headers["admin"]), 404)
    refused(client.delete(f"/api/v1/tokens/{spare_id}"), 401)


def test_expired_tokens_are_refused(client, session, world):
    clear = factories.token(session, world["users"]["viewer"], "short-lived", expires_days=1)
    assert client.get("/api/v1/users/me", headers=factories.auth(clear)).status_code == 200
    session.scalar(sa.select(ApiToken).where(ApiToken.name == "short-lived")).expires_at = (
        utcnow() - timedelta(seconds=1)
    )
    session.commit()
    refused(client.get("/api/v1/users/me", headers=factories.auth(clear)), 401)


@pytest.mark.parametrize(
    ("body", "status", "pointer", "code"),
    [
        ({}, 422, "/name", "required"),
        ({"name": "x", "colour": "red"}, 422, "/colour", "unknown_field"),
        ({"name": "x", "id": 4}, 422, "/id", "read_only"),
        ({"name": "x", "token": "obs_mine"}, 422, "/token", "unknown_field"),
        ({"name": "x", "revoked_at": None}, 422, "/revoked_at", "read_only"),
        ({"name": "x", "expires_days": 0}, 422, "/expires_days", "out_of_range"),
        ({"name": "test"}, 409, None, None),
    ],
)
def test_token_create_refusals_write_nothing(client, session, world, body, status, pointer, code):
    start, count = last_id(session), session.scalar(sa.select(sa.func.count(ApiToken.id)))
    refused(
        client.post("/api/v1/tokens", json=body, headers=world["headers"]["viewer"]), status, pointer, code
    )
    assert session.scalar(sa.select(sa.func.count(ApiToken.id))) == count
    assert entries_after(session, start) == []


# --- the contract --------------------------------------------------------------------------------


def _check(spec, name, instance):
    """Validate a response against a component schema, as OpenAPI 3.0 reads it for responses:
    write-only properties are not required, `nullable` means null is allowed."""

    def convert(node):
        if isinstance(node, list):
            return [convert(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = {key: convert(value) for key, value in node.items()}
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"]
        if "required" in node:
            write_only = {k for k, v in node.get("properties", {}).items() if v.get("writeOnly")}
            node["required"] = [k for k in node["required"] if k not in write_only]
        return node

    jsonschema.validate(
        instance, convert({**spec["components"]["schemas"][name], "components": spec["components"]})
    )


def test_every_endpoint_is_documented_and_answers_its_schema(client, session, world):
    spec = client.get("/api/v1/openapi.json").json
    for path, methods in {
        "/api/v1/organizations": {"get", "post"},
        "/api/v1/organizations/{slug}": {"get", "patch"},
        "/api/v1/pacts": {"get", "post"},
        "/api/v1/pacts/{slug}": {"get", "patch", "delete"},
        "/api/v1/users": {"get", "post"},
        "/api/v1/users/me": {"get"},
        "/api/v1/users/{user_id}": {"get", "patch"},
        "/api/v1/tokens": {"get", "post"},
        "/api/v1/tokens/{token_id}": {"delete"},
    }.items():
        assert methods <= set(spec["paths"][path]), path
        for method in methods:
            operation = spec["paths"][path][method]
            assert operation.get("summary") or operation.get("description"), (path, method)
    admin = world["headers"]["admin"]
    _check(spec, "Organisation", client.post("/api/v1/organizations", json=NEW_ORG, headers=admin).json)
    _check(spec, "Pact", client.get("/api/v1/pacts/pact-ab", headers=admin).json)
    _check(spec, "User", client.get(f"/api/v1/users/{world['users']['viewer'].id}", headers=admin).json)
    _check(spec, "Me", client.get("/api/v1/users/me", headers=admin).json)
    _check(spec, "NewToken", client.post("/api/v1/tokens", json={"name": "doc"}, headers=admin).json)
    for token in client.get("/api/v1/tokens", headers=admin).json:
        _check(spec, "Token", token)
