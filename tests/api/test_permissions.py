"""Who may read and change what, enforced on the server for every role."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pyproj import Transformer

from observo.domain.permissions import SYSTEM
from observo.models import ApiToken, Camera
from observo.models.base import utcnow
from observo.services.organisations import create_pact
from tests import factories


@pytest.fixture
def world(session):
    """Two towns in a pact, a third outside, a private owner sponsored by town A, a carabinieri station."""
    a = factories.org(session, "town-a", istat_code="001001")
    b = factories.org(session, "town-b")
    c = factories.org(session, "town-c")
    shop = factories.org(session, "shop-a", kind="private", sponsor_slug="town-a")
    carabinieri = factories.org(session, "cc-a", kind="carabinieri")
    create_pact(session, slug="pact-ab", name="Pact AB", member_slugs=["town-a", "town-b"])
    session.commit()
    cams = {
        (org.slug, visibility): factories.camera(session, org, visibility=visibility).id
        for org in (a, b, c, shop)
        for visibility in ("public", "shared", "private")
    }
    return {"orgs": {o.slug: o for o in (a, b, c, shop, carabinieri)}, "cams": cams}


def _headers(session, world, slug, role):
    return factories.auth(factories.token(session, factories.user(session, world["orgs"][slug], role)))


def _visible_ids(client, headers=None):
    body = client.get("/api/v1/cameras?limit=1000", headers=headers or {}).json
    return {feature["id"] for feature in body["features"]}


def _ids(world, *keys):
    return {world["cams"][key] for key in keys}


ALL = [(o, v) for o in ("town-a", "town-b", "town-c", "shop-a") for v in ("public", "shared", "private")]
PUBLIC = [key for key in ALL if key[1] == "public"]


@pytest.mark.parametrize(
    ("slug", "role", "expected"),
    [
        (
            "town-a",
            "viewer",
            PUBLIC
            + [(o, v) for o in ("town-a", "shop-a") for v in ("shared", "private")]
            + [("town-b", "shared")],
        ),
        (
            "town-b",
            "editor",
            PUBLIC
            + [("town-b", "shared"), ("town-b", "private"), ("town-a", "shared"), ("shop-a", "shared")],
        ),
        ("town-c", "viewer", PUBLIC + [("town-c", "shared"), ("town-c", "private")]),
        ("cc-a", "viewer", PUBLIC + [(o, "shared") for o in ("town-a", "town-b", "town-c", "shop-a")]),
        ("shop-a", "editor", PUBLIC + [("shop-a", "shared"), ("shop-a", "private")]),
    ],
)
def test_read_matrix(client, session, world, slug, role, expected):
    assert _visible_ids(client, _headers(session, world, slug, role)) == _ids(world, *expected)


def test_admin_reads_everything(client, session, world):
    admin_org = factories.org(session, "regione", kind="public_body")
    world["orgs"]["regione"] = admin_org
    assert _visible_ids(client, _headers(session, world, "regione", "admin")) == _ids(world, *ALL)


def test_invisible_camera_is_404_with_no_detail(client, session, world):
    headers = _headers(session, world, "town-c", "viewer")
    hidden = world["cams"][("town-a", "private")]
    response = client.get(f"/api/v1/cameras/{hidden}", headers=headers)
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "town-a" not in text and "fov" not in text
    assert client.get(f"/api/v1/cameras/{hidden}/history", headers=headers).status_code == 404


def test_anonymous_sees_public_cameras_generalised(client, session, world):
    body = client.get("/api/v1/cameras").json
    assert {f["id"] for f in body["features"]} == _ids(world, *PUBLIC)
    for feature in body["features"]:
        assert set(feature["properties"]) == {
            "name",
            "camera_type",
            "surveillance_type",
            "municipality",
            "owner",
        }
        assert "ETag" not in client.get(f"/api/v1/cameras/{feature['id']}").headers
    shop_public = next(f for f in body["features"] if f["id"] == world["cams"][("shop-a", "public")])
    assert shop_public["properties"]["owner"] is None  # private owners are not named publicly
    # The published point is the centre of the owner's 100 m cell of the EPSG:3035 grid.
    to_laea = Transformer.from_crs(4326, 3035, always_xy=True)
    x, y = to_laea.transform(*body["features"][0]["geometry"]["coordinates"])
    assert x % 100 == pytest.approx(50, abs=0.01) and y % 100 == pytest.approx(50, abs=0.01)


def test_anonymous_cannot_read_private_or_shared_by_id(client, session, world):
    for visibility in ("shared", "private"):
        assert client.get(f"/api/v1/cameras/{world['cams'][('town-a', visibility)]}").status_code == 404


def test_anonymous_write_is_401(client, session, world):
    response = client.post("/api/v1/cameras", json=factories.feature("town-a"))
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    camera_id = world["cams"][("town-a", "public")]
    assert (
        client.delete(f"/api/v1/cameras/{camera_id}", headers={"If-Match": f'"{camera_id}.1"'}).status_code
        == 401
    )


def test_viewer_write_is_403_and_changes_nothing(client, session, world):
    headers = _headers(session, world, "town-a", "viewer")
    assert (
        client.post("/api/v1/cameras", json=factories.feature("town-a"), headers=headers).status_code == 403
    )
    camera_id = world["cams"][("town-a", "shared")]
    response = client.patch(
        f"/api/v1/cameras/{camera_id}",
        json={"properties": {"name": "x"}},
        headers={**headers, "If-Match": f'"{camera_id}.1"'},
    )
    assert response.status_code == 403
    session.expire_all()
    assert session.get(Camera, camera_id).name != "x"


def test_editor_of_a_cannot_write_b(client, session, world):
    headers = _headers(session, world, "town-a", "editor")
    assert (
        client.post("/api/v1/cameras", json=factories.feature("town-b"), headers=headers).status_code == 403
    )
    visible = world["cams"][("town-b", "shared")]  # pact partner: readable, not writable -> 403
    hidden = world["cams"][("town-b", "private")]  # not readable -> 404, no existence leak
    for camera_id, status in ((visible, 403), (hidden, 404)):
        response = client.patch(
            f"/api/v1/cameras/{camera_id}",
            json={"properties": {"name": "x"}},
            headers={**headers, "If-Match": f'"{camera_id}.1"'},
        )
        assert response.status_code == status


def test_sponsor_editor_writes_for_federated_private_owner(client, session, world):
    headers = _headers(session, world, "town-a", "editor")
    response = client.post("/api/v1/cameras", json=factories.feature("shop-a"), headers=headers)
    assert response.status_code == 201
    assert (
        client.post(
            "/api/v1/cameras", json=factories.feature("town-a", owner="shop-a"), headers=headers
        ).status_code
        == 201
    )
    moved = client.patch(
        response.headers["Location"],
        json={"properties": {"owner": "town-b"}},
        headers={**headers, "If-Match": response.headers["ETag"]},
    )
    assert moved.status_code == 403


def test_revoked_and_expired_tokens_are_401(client, session, world):
    user = factories.user(session, world["orgs"]["town-a"], "viewer")
    revoked = factories.token(session, user, "old")
    from observo.services.accounts import revoke_token

    revoke_token(session, user, "old")
    expired = factories.token(session, user, "expiring", expires_days=1)
    row = session.scalar(sa.select(ApiToken).where(ApiToken.name == "expiring"))
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    for token in (revoked, expired, "obs_not-a-token"):
        response = client.get("/api/v1/cameras", headers=factories.auth(token))
        assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert client.get("/api/v1/cameras", headers={"Authorization": "Basic dXNlcjpwYXNz"}).status_code == 401


def test_deactivated_user_token_is_401(client, session, world):
    user = factories.user(session, world["orgs"]["town-a"], "viewer")
    token = factories.token(session, user)
    user.active = False
    session.commit()
    assert client.get("/api/v1/cameras", headers=factories.auth(token)).status_code == 401


def test_token_is_never_stored_in_clear(session, world):
    user = factories.user(session, world["orgs"]["town-a"], "viewer")
    clear = factories.token(session, user, "audit")
    row = session.scalar(sa.select(ApiToken).where(ApiToken.name == "audit"))
    values = [str(getattr(row, column.key)) for column in ApiToken.__table__.columns]
    assert not any(clear in value for value in values)
    assert row.token_hash == hashlib.sha256(clear.encode()).hexdigest()
    assert len(row.prefix) < len(clear) // 3


def test_organisations_listing_is_scoped(client, session, world):
    slugs = {
        o["slug"]
        for o in client.get(
            "/api/v1/organizations", headers=_headers(session, world, "town-a", "viewer")
        ).json
    }
    assert slugs == {"town-a", "shop-a", "town-b", "cc-a"}  # every state force is visible to everyone
    headers = _headers(session, world, "town-c", "viewer")
    assert client.get("/api/v1/organizations/town-a", headers=headers).status_code == 404
    assert client.get("/api/v1/organizations/town-c", headers=headers).json["kind"] == "municipality"
    assert client.get("/api/v1/organizations/cc-a", headers=headers).json["kind"] == "carabinieri"
    assert client.get("/api/v1/organizations").status_code == 401


def test_system_actor_is_admin():
    assert SYSTEM.is_admin
