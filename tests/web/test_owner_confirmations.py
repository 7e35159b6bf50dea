"""The owner re-confirms its cameras on its page, and the police see the flag of those due (API
properties, list page, map labels) — never another owner, never the public. Both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from observo.domain.confirmations import local_day
from observo.models import AuditEntry, Camera
from observo.models.base import utcnow
from observo.services import owner_cameras, verifications
from observo.services.actors import actor_for
from tests import factories

HOME = "/proprietari/"
CONFIRM = "/proprietari/telecamere/conferma"
SIGN_IN = "/proprietari/accedi"


@pytest.fixture
def world(session):
    town = factories.org(session, "nichelino")
    session.commit()
    account = factories.owner_account(session, town)
    other = factories.owner_account(session, town, name="Bar Sport")
    editor = factories.user(session, town)
    return {"town": town, "account": account, "other": other, "editor": editor}


def approved(session, world, account, name: str, days_ago: int) -> Camera:
    declaration = owner_cameras.declare(session, account, factories.declared_camera(name=name))
    _, camera = verifications.decide(
        session, actor_for(session, world["editor"]), declaration.id, declaration.version, "approve"
    )
    camera.owner_confirmed_on = local_day(utcnow()) - timedelta(days=days_ago)
    session.commit()
    return camera


def sign_in_owner(client, account) -> str:
    token = factories.csrf_token(client, SIGN_IN)
    data = {"email": account.email, "password": factories.PASSWORD, "csrf_token": token}
    assert client.post(SIGN_IN, data=data).status_code == 302
    return factories.csrf_token(client, HOME + "telecamere/nuova")


def test_the_owner_sees_its_due_cameras_and_confirms_one_then_all(client, session, world):
    overdue = approved(session, world, world["account"], "Ingresso", 400)
    soon = approved(session, world, world["account"], "Cortile", 350)
    fresh = approved(session, world, world["account"], "Retro", 10)
    theirs = approved(session, world, world["other"], "Bancone", 400)
    token = sign_in_owner(client, world["account"])
    page = client.get(HOME + "?lang=en").get_data(as_text=True)
    assert f'id="reconfirm-{overdue.id}"' in page and f'id="reconfirm-{soon.id}"' in page
    assert f'id="reconfirm-{fresh.id}"' not in page and f'id="reconfirm-{theirs.id}"' not in page
    assert "Confirm all these cameras" in page

    answer = client.post(CONFIRM, data={"csrf_token": token, "camera": str(overdue.id)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(HOME)
    session.expire_all()
    today = local_day(utcnow())
    assert session.get(Camera, overdue.id).owner_confirmed_on == today
    assert session.get(Camera, soon.id).owner_confirmed_on == today - timedelta(days=350)
    assert client.post(CONFIRM, data={"csrf_token": token}).status_code == 302
    session.expire_all()
    assert session.get(Camera, soon.id).owner_confirmed_on == today
    assert session.get(Camera, fresh.id).owner_confirmed_on == today - timedelta(days=10)
    assert session.get(Camera, theirs.id).owner_confirmed_on == today - timedelta(days=400)
    entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "owner.camera.confirm")).all()
    assert sorted(int(e.object_id) for e in entries) == sorted([overdue.id, soon.id])
    assert 'id="reconfirm"' not in client.get(HOME).get_data(as_text=True)


def test_another_owners_camera_is_missing_and_strangers_go_to_sign_in(client, session, world):
    theirs = approved(session, world, world["other"], "Bancone", 400)
    token = sign_in_owner(client, world["account"])
    assert client.post(CONFIRM, data={"csrf_token": token, "camera": str(theirs.id)}).status_code == 404
    assert client.post(CONFIRM, data={"csrf_token": token, "camera": "x1"}).status_code == 404
    assert client.post(CONFIRM, data={"camera": str(theirs.id)}).status_code == 400  # no CSRF token
    session.expire_all()
    assert session.get(Camera, theirs.id).owner_confirmed_on == local_day(utcnow()) - timedelta(days=400)
    stranger = client.application.test_client()
    answer = stranger.post(CONFIRM, data={"csrf_token": factories.csrf_token(stranger, SIGN_IN)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(SIGN_IN)
    police = client.application.test_client()
    factories.sign_in(police, world["editor"])
    answer = police.post(CONFIRM, data={"csrf_token": factories.csrf_token(police, "/cameras")})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(SIGN_IN)


def test_the_police_see_the_flag_in_the_api_the_list_and_the_map_labels(client, session, world):
    overdue = approved(session, world, world["account"], "Ingresso", 400)
    lapsed = approved(session, world, world["account"], "Cortile", 500)
    fresh = approved(session, world, world["account"], "Retro", 10)
    police_camera = factories.camera(session, world["town"])
    headers = factories.headers_for(session, world["town"], "viewer")
    one = client.get(f"/api/v1/cameras/{overdue.id}", headers=headers).get_json()
    assert one["properties"]["owner_confirmation"] == "overdue"
    listed = client.get("/api/v1/cameras?limit=100", headers=headers).get_json()  # PostGIS builds it
    flags = {f["id"]: f["properties"]["owner_confirmation"] for f in listed["features"]}
    assert flags == {overdue.id: "overdue", lapsed.id: "lapsed", fresh.id: None, police_camera.id: None}

    factories.sign_in(client, world["editor"])
    page = client.get("/cameras?lang=en").get_data(as_text=True)
    assert "Overdue: not confirmed by the owner" in page and "Lapsed: not confirmed by the owner" in page
    assert page.count('class="flag owner-confirmation"') == 2
    card = client.get(f"/cameras/{overdue.id}?lang=en").get_data(as_text=True)
    assert "Owner&#39;s yearly confirmation" in card or "Owner's yearly confirmation" in card
    assert "Sconosciuta" not in card


def test_the_public_never_sees_the_flag(client, session, world):
    overdue = approved(session, world, world["account"], "Ingresso", 400)
    overdue.visibility = "public"  # not what owners choose; checks the public schema itself
    session.commit()
    answer = client.get("/api/v1/cameras?limit=100").get_json()
    assert [f["id"] for f in answer["features"]] == [overdue.id]
    assert "owner_confirmation" not in answer["features"][0]["properties"]
