"""The owners' API, /api/v1/owner/... (docs/owners.md, "API and CLI"), on both databases.

The permission matrix for every route: the owner's token works; another owner's token finds none of
the first owner's objects (404) and lists only its own; police tokens, police and owner sessions,
HTTP Basic, revoked and expired owner tokens and anonymous callers get 401 and change nothing; an
owner token opens no police route. Then declare, correct, cancel, change, withdraw and answer end to
end, and the tokens themselves.
"""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import sqlalchemy as sa

from observo.models import AuditEntry, Camera, OwnerCameraDeclaration, OwnerToken, PreservationAnswer
from observo.models.base import utcnow
from observo.services import owner_cameras, owner_tokens, verifications
from observo.services.actors import actor_for
from tests import factories
from tests.services.test_owner_requests import ask, build_owner_plan

API = "/api/v1/owner"
CURRENT = "current version"
DECLARED = {
    "longitude": 7.6869,
    "latitude": 45.0703,
    "name": "Ingresso negozio",
    "camera_type": "fixed",
    "bearing_deg": 90,
    "hfov_deg": 60,
    "range_m": 30,
    "records": True,
    "retention_hours": 72,
    "footage_contact_name": "Anna Bianchi",
    "contact_consent": True,
    "police_visibility": "private",
}


def owner_token(session, account, name="script", expires_days=None) -> str:
    _token, clear = owner_tokens.issue(session, account, name, expires_days)
    session.commit()
    return clear


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(session):
    """Farmacia Centrale (the owner) and Bar Sport (another owner of the same town), each with cameras,
    an open declaration, a footage request and a token; the town's editor; an admin."""
    plan = build_owner_plan(session)
    account, other = plan["account"], plan["other"]
    request = ask(session, plan)
    other_request = ask(session, plan, camera_ids=[plan["cameras"]["bar"].id], owner=other.organisation.slug)
    declaration = owner_cameras.declare(session, account, factories.declared_camera())
    other_declaration = owner_cameras.declare(session, other, factories.declared_camera(name="Dehors 2"))
    session.commit()
    admin = factories.user(session, factories.org(session, "observo-admins"), "admin")
    return {
        **plan,
        "request": request,
        "other_request": other_request,
        "declaration": declaration,
        "other_declaration": other_declaration,
        "token": owner_token(session, account),
        "other_token": owner_token(session, other),
        "token_row": owner_tokens.account_tokens(session, account)[0],
        "police": factories.auth(factories.token(session, plan["editor"])),
        "admin": factories.auth(factories.token(session, admin)),
    }


def routes(world) -> list[tuple[str, str, dict | None, dict[str, str]]]:
    """Every route of the owners' API, naming the first owner's objects: (method, path, body, headers)."""
    camera = world["cameras"]["door"].id
    declaration = world["declaration"]
    match = {"If-Match": CURRENT}
    request = world["request"].id
    return [
        ("GET", API, None, {}),
        ("GET", f"{API}/cameras", None, {}),
        ("POST", f"{API}/cameras/{camera}/changes", {"name": "Ingresso nuovo"}, {}),
        ("DELETE", f"{API}/cameras/{camera}", None, {}),
        ("GET", f"{API}/declarations", None, {}),
        ("POST", f"{API}/declarations", DECLARED, {}),
        ("GET", f"{API}/declarations/{declaration.id}", None, {}),
        ("PATCH", f"{API}/declarations/{declaration.id}", {"name": "Vetrina"}, match),
        ("DELETE", f"{API}/declarations/{declaration.id}", None, match),
        ("GET", f"{API}/requests", None, {}),
        ("GET", f"{API}/requests/{request}", None, {}),
        ("POST", f"{API}/requests/{request}/answers", {"answer": "preserved"}, {}),
        ("GET", f"{API}/tokens", None, {}),
        ("POST", f"{API}/tokens", {"name": "another"}, {}),
        ("DELETE", f"{API}/tokens/{world['token_row'].id}", None, {}),
    ]


def call(client, method, path, body, headers, session=None):
    """One request; an If-Match of CURRENT names the first owner's declaration as it is now."""
    if headers.get("If-Match") == CURRENT:
        declaration_id = int(path.rsplit("/", 1)[1])
        version = 1
        if session is not None:
            session.expire_all()
            version = session.get(OwnerCameraDeclaration, declaration_id).version
        headers = {**headers, "If-Match": f'"{declaration_id}.{version}"'}
    return client.open(path, method=method, json=body, headers=headers)


def unchanged(session, world) -> None:
    """Nothing of the first owner's was changed by a refused call."""
    session.expire_all()
    assert session.get(Camera, world["cameras"]["door"].id) is not None
    declaration = session.get(OwnerCameraDeclaration, world["declaration"].id)
    assert (declaration.status, declaration.version) == ("pending", 1)
    count = sa.select(sa.func.count()).select_from(OwnerCameraDeclaration)
    assert session.scalar(count) == 2
    assert session.scalar(sa.select(sa.func.count()).select_from(PreservationAnswer)) == 0
    assert session.get(OwnerToken, world["token_row"].id).revoked_at is None
    assert session.scalar(sa.select(sa.func.count()).select_from(OwnerToken)) == 2


def test_every_route_answers_the_owners_token(client, session, world):
    for method, path, body, headers in routes(world):
        response = call(client, method, path, body, {**headers, **bearer(world["token"])}, session)
        assert response.status_code in (200, 201, 204), (method, path, response.get_json())
        assert response.headers["Cache-Control"] == "private, no-store"


def test_every_route_refuses_anyone_without_an_owner_token(client, session, world, configure):
    configure(ratelimit_auth_failed="100000 per minute")  # many refusals from one address, on purpose
    revoked = owner_token(session, world["account"], "revoked")
    owner_tokens.revoke(
        session, world["account"], owner_tokens.account_tokens(session, world["account"])[0].id
    )
    expired = owner_token(session, world["account"], "expired", expires_days=1)
    row = owner_tokens.account_tokens(session, world["account"])[0]
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    basic = base64.b64encode(f"token:{world['token']}".encode()).decode()
    refused = {
        "anonymous": {},
        "police editor's token": world["police"],
        "admin's token": world["admin"],
        "revoked owner token": bearer(revoked),
        "expired owner token": bearer(expired),
        "owner token as HTTP Basic": {"Authorization": f"Basic {basic}"},
        "police token with the owner prefix": bearer("obo_" + world["police"]["Authorization"][11:]),
        "garbage": bearer("obo_nothing"),
    }
    before = session.scalar(sa.select(sa.func.count()).select_from(OwnerToken))
    for label, credentials in refused.items():
        for method, path, body, headers in routes(world):
            response = call(client, method, path, body, {**headers, **credentials})
            assert response.status_code == 401, (label, method, path, response.status_code)
            assert response.mimetype == "application/problem+json"
            assert response.json["code"] == "not_authenticated"
    assert session.scalar(sa.select(sa.func.count()).select_from(OwnerToken)) == before
    # `unchanged` counts the two fixture tokens: the two made here are not what it checks.
    session.execute(sa.delete(OwnerToken).where(OwnerToken.name.in_(("revoked", "expired"))))
    session.commit()
    unchanged(session, world)


def test_sessions_never_open_the_owners_api(client, session, world, configure):
    configure(ratelimit_auth_failed="100000 per minute")
    factories.sign_in(client, world["editor"])
    for method, path, body, headers in routes(world):
        assert call(client, method, path, body, headers).status_code == 401, (method, path)
    client.post("/logout", data={"csrf_token": factories.csrf_token(client, "/map")})
    signin = "/proprietari/accedi"
    data = {"email": world["account"].email, "password": factories.PASSWORD}
    assert (
        client.post(signin, data={**data, "csrf_token": factories.csrf_token(client, signin)}).status_code
        == 302
    )
    same_site = {
        "Sec-Fetch-Site": "same-origin",
        "X-CSRFToken": factories.csrf_token(client, "/proprietari/"),
    }
    for method, path, body, headers in routes(world):
        assert call(client, method, path, body, {**headers, **same_site}).status_code == 401, (method, path)
    unchanged(session, world)


def test_another_owners_token_finds_none_of_the_first_owners_objects(client, session, world, configure):
    configure(ratelimit_auth_failed="100000 per minute")
    other = bearer(world["other_token"])
    for method, path, body, headers in routes(world):
        if path.rstrip("/").endswith(("owner", "cameras", "declarations", "requests", "tokens")):
            continue  # the lists: below
        response = call(client, method, path, body, {**headers, **other})
        assert response.status_code == 404, (method, path, response.status_code)
        assert response.mimetype == "application/problem+json"
    unchanged(session, world)
    mine = world["other"].organisation
    assert client.get(API, headers=other).json["organization"]["slug"] == mine.slug
    cameras = client.get(f"{API}/cameras", headers=other).json
    assert [f["id"] for f in cameras["features"]] == [world["cameras"]["bar"].id]
    declarations = client.get(f"{API}/declarations", headers=other).json["declarations"]
    assert [d["id"] for d in declarations] == [world["other_declaration"].id]
    requests = client.get(f"{API}/requests", headers=other).json["requests"]
    assert [r["id"] for r in requests] == [world["other_request"].id]
    tokens = client.get(f"{API}/tokens", headers=other).json["tokens"]
    assert len(tokens) == 1 and tokens[0]["prefix"] == world["other_token"][:10]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cameras",
        "/api/v1/cameras/1",
        "/api/v1/interventions",
        "/api/v1/verifications",
        "/api/v1/tokens",
        "/api/v1/users/me",
        "/api/v1/organizations",
        "/api/v1/exports?f=geojson",
        "/ogc/collections/cameras/items",
        "/tiles/cameras/restricted/14/8577/5894.mvt",
    ],
)
def test_an_owner_token_opens_no_police_route(client, session, world, path):
    response = client.get(path, headers=bearer(world["token"]))
    assert response.status_code == 401, (path, response.get_data(as_text=True)[:300])
    basic = base64.b64encode(f"{world['account'].email}:{world['token']}".encode()).decode()
    assert client.get(path, headers={"Authorization": f"Basic {basic}"}).status_code == 401


def test_a_refused_owner_token_is_audited_by_its_prefix(client, session, world):
    client.get(API, headers=bearer("obo_unknown-token-value"))
    labels = session.scalars(
        sa.select(AuditEntry.actor_label).where(AuditEntry.action == "auth.rejected")
    ).all()
    assert "token obo_unknow…" in labels
    assert not any("unknown-token-value" in label for label in labels)


def test_the_profile_is_the_tokens_organisation(client, session, world):
    body = client.get(API, headers=bearer(world["token"])).json
    organisation = world["account"].organisation
    assert body["organization"]["slug"] == organisation.slug
    assert body["organization"]["tax_code"] == "01234567897"
    assert body["sponsor"] == {"slug": "trofarello", "name": world["town"].name}
    assert body["account"]["email"] == world["account"].email
    assert body["account"]["email_verified_at"].endswith("Z")


def test_cameras_are_geojson_features_with_their_sector(client, session, world):
    response = client.get(f"{API}/cameras", headers=bearer(world["token"]))
    assert response.mimetype == "application/geo+json"
    body = response.json
    assert body["type"] == "FeatureCollection" and body["numberReturned"] == 3
    names = [feature["properties"]["name"] for feature in body["features"]]
    assert names == sorted(names)
    door = next(f for f in body["features"] if f["id"] == world["cameras"]["door"].id)
    assert door["geometry"]["type"] == "Point"
    assert door["properties"]["code"].startswith("OBS-")
    assert door["properties"]["retention_hours"] == 72
    assert door["properties"]["police_visibility"] == "shared"
    assert door["properties"]["fov"]["type"] == "Polygon"


def test_declare_correct_and_cancel_end_to_end(client, session, world):
    token = bearer(world["token"])
    created = client.post(f"{API}/declarations", json=DECLARED, headers=token)
    assert created.status_code == 201, created.json
    body = created.json
    assert (body["kind"], body["status"], body["version"]) == ("new", "pending", 1)
    assert body["declared"]["name"] == "Ingresso negozio" and body["fov"]["type"] == "Polygon"
    assert created.headers["Location"] == f"{API}/declarations/{body['id']}"
    assert created.headers["ETag"] == f'"{body["id"]}.1"'
    item = created.headers["Location"]
    assert client.get(item, headers=token).headers["ETag"] == f'"{body["id"]}.1"'
    listed = client.get(f"{API}/declarations?status=pending", headers=token).json["declarations"]
    assert body["id"] in [d["id"] for d in listed]
    assert client.get(f"{API}/declarations?status=approved", headers=token).json["declarations"] == []
    # corrections need the version read
    assert client.patch(item, json={"name": "Vetrina"}, headers=token).status_code == 428
    stale = client.patch(item, json={"name": "Vetrina"}, headers={**token, "If-Match": f'"{body["id"]}.7"'})
    assert stale.status_code == 412
    corrected = client.patch(
        item, json={"name": "Vetrina"}, headers={**token, "If-Match": created.headers["ETag"]}
    )
    assert corrected.status_code == 200, corrected.json
    assert corrected.json["declared"]["name"] == "Vetrina"
    assert corrected.json["declared"]["retention_hours"] == 72  # the fields left out are kept
    assert corrected.json["version"] == 2 and corrected.headers["ETag"] == f'"{body["id"]}.2"'
    # cancel
    assert client.delete(item, headers=token).status_code == 428
    cancelled = client.delete(item, headers={**token, "If-Match": corrected.headers["ETag"]})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    again = client.delete(item, headers={**token, "If-Match": cancelled.headers["ETag"]})
    assert again.status_code == 409
    actions = session.scalars(
        sa.select(AuditEntry.action).where(
            AuditEntry.object_type == "owner_camera_declaration", AuditEntry.object_id == str(body["id"])
        )
    ).all()
    assert sorted(actions) == ["owner.camera.declare", "owner.declaration.cancel", "owner.declaration.edit"]


def test_invalid_declarations_are_422_and_write_nothing(client, session, world):
    token = bearer(world["token"])
    count = sa.select(sa.func.count()).select_from(OwnerCameraDeclaration)
    before = session.scalar(count)
    cases = {
        "/retention_hours": {**DECLARED, "retention_hours": None},
        "/longitude": {**DECLARED, "longitude": 2.35, "latitude": 48.85},  # Paris: outside the extent
        "/colour": {**DECLARED, "colour": "red"},
        "/camera_type": {**DECLARED, "camera_type": "periscope"},
    }
    for pointer, body in cases.items():
        response = client.post(f"{API}/declarations", json=body, headers=token)
        assert response.status_code == 422, (pointer, response.json)
        assert pointer in [issue["pointer"] for issue in response.json["errors"]], response.json
    declaration = world["declaration"]
    match = {"If-Match": f'"{declaration.id}.{declaration.version}"'}
    refused = client.patch(
        f"{API}/declarations/{declaration.id}",
        json={"records": True, "retention_hours": None},
        headers={**token, **match},
    )
    assert refused.status_code == 422
    assert session.scalar(count) == before


def test_change_approve_and_withdraw_end_to_end(client, session, world):
    token = bearer(world["token"])
    camera = world["cameras"]["door"]
    change = client.post(f"{API}/cameras/{camera.id}/changes", json={"retention_hours": 48}, headers=token)
    assert change.status_code == 201, change.json
    assert (change.json["kind"], change.json["camera_id"]) == ("change", camera.id)
    assert change.json["declared"]["retention_hours"] == 48
    assert change.json["declared"]["name"] == "Ingresso <farmacia>"  # the camera's, kept
    # a second change replaces the open one, keeping what it said
    again = client.post(f"{API}/cameras/{camera.id}/changes", json={"name": "Porta"}, headers=token)
    assert again.json["id"] == change.json["id"] and again.json["version"] == 2
    assert again.json["declared"]["retention_hours"] == 48
    # the police approve it: the camera changes
    editor = actor_for(session, world["editor"])
    verifications.decide(session, editor, change.json["id"], 2, "approve", None)
    session.commit()
    features = client.get(f"{API}/cameras", headers=token).json["features"]
    door = next(f for f in features if f["id"] == camera.id)
    assert (door["properties"]["name"], door["properties"]["retention_hours"]) == ("Porta", 48)
    # withdrawn: gone from the owner's list and from the police's registry
    assert client.delete(f"{API}/cameras/{camera.id}", headers=token).status_code == 204
    assert camera.id not in [f["id"] for f in client.get(f"{API}/cameras", headers=token).json["features"]]
    assert client.get(f"/api/v1/cameras/{camera.id}", headers=world["police"]).status_code == 404
    assert client.delete(f"{API}/cameras/{camera.id}", headers=token).status_code == 404
    withdrawn = sa.select(AuditEntry).where(AuditEntry.action == "camera.withdraw")
    assert session.scalars(withdrawn).one().actor_label == world["account"].email


def test_requests_and_answers_end_to_end(client, session, world):
    token = bearer(world["token"])
    listed = client.get(f"{API}/requests", headers=token).json
    assert listed["numberReturned"] == 1
    item = listed["requests"][0]
    assert item["id"] == world["request"].id
    assert item["police"]["slug"] == "trofarello" and item["protocol_number"] == "PG 2026/777"
    assert {camera["id"] for camera in item["cameras"]} == {
        world["cameras"]["door"].id,
        world["cameras"]["yard"].id,
    }
    assert item["deadline"] == min(camera["expires_at"] for camera in item["cameras"])
    assert item["status"] == "pending" and item["answers"] == []
    assert "title" not in item and "reason" not in item and "note" not in item  # the police's own
    path = f"{API}/requests/{item['id']}"
    assert client.get(path, headers=token).json == item
    refused = client.post(f"{path}/answers", json={"answer": "refused"}, headers=token)
    assert refused.status_code == 422
    assert [issue["pointer"] for issue in refused.json["errors"]] == ["/reason"]
    assert client.post(f"{path}/answers", json={"answer": "maybe"}, headers=token).status_code == 422
    answered = client.post(f"{path}/answers", json={"answer": "preserved"}, headers=token)
    assert answered.status_code == 201 and answered.headers["Location"] == path
    assert answered.json["status"] == "preserved"
    handed = client.post(
        f"{path}/answers", json={"answer": "handed_over", "reason": "Consegnato"}, headers=token
    )
    assert [a["answer"] for a in handed.json["answers"]] == ["preserved", "handed_over"]
    # the police see it
    police = client.get(
        f"/api/v1/interventions/{world['intervention'].id}/preservation-requests/{item['id']}",
        headers=world["police"],
    )
    assert police.status_code == 200 and police.json["status"] == "preserved"
    actions = session.scalars(
        sa.select(AuditEntry.action).where(
            AuditEntry.object_type == "preservation_request", AuditEntry.object_id == str(item["id"])
        )
    ).all()
    assert actions.count("preservation.answer") == 2 and "preservation.owner_read" in actions


def test_tokens_through_the_api(client, session, world):
    token = bearer(world["token"])
    created = client.post(f"{API}/tokens", json={"name": "gestionale", "expires_days": 30}, headers=token)
    assert created.status_code == 201, created.json
    clear = created.json["token"]
    assert clear.startswith("obo_") and created.json["prefix"] == clear[:10]
    assert created.json["expires_at"] is not None
    assert client.post(f"{API}/tokens", json={"name": "gestionale"}, headers=token).status_code == 409
    assert (
        client.post(f"{API}/tokens", json={"name": "x", "expires_days": 0}, headers=token).status_code == 422
    )
    assert client.get(API, headers=bearer(clear)).status_code == 200
    listed = client.get(f"{API}/tokens", headers=token).json["tokens"]
    assert [t["name"] for t in listed] == ["gestionale", "script"]
    assert all("token" not in t for t in listed) and clear not in str(listed)
    assert listed[1]["last_used_at"] is not None  # the fixture token was used for this very list
    # only its digest is stored
    row = session.get(OwnerToken, created.json["id"])
    assert row.token_hash != clear and clear not in row.token_hash
    # revoke: it stops working at once; revoking again is 204
    assert client.delete(created.headers["Location"], headers=token).status_code == 204
    assert client.get(API, headers=bearer(clear)).status_code == 401
    assert client.delete(created.headers["Location"], headers=token).status_code == 204
    actions = session.scalars(
        sa.select(AuditEntry.action).where(
            AuditEntry.object_type == "owner_token", AuditEntry.object_id == str(row.id)
        )
    ).all()
    assert sorted(actions) == ["owner.token.create", "owner.token.revoke"]
    assert clear not in str(session.scalars(sa.select(AuditEntry.details)).all())


def test_an_unverified_accounts_token_is_refused(client, session, world):
    world["account"].email_verified_at = None
    session.commit()
    assert client.get(API, headers=bearer(world["token"])).status_code == 401


def test_the_openapi_document_names_the_owner_token_scheme(client, session):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["components"]["securitySchemes"]["ownerToken"]["scheme"] == "bearer"
    for path, operations in spec["paths"].items():
        if path.startswith(API):
            for method, operation in operations.items():
                if method != "parameters":
                    assert operation["security"] == [{"ownerToken": []}], (method, path)
