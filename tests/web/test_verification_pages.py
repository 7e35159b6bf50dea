"""/verifiche: the police's queue of owners' declared cameras as a page, its decisions posted with the
version read (CSRF), the owner's e-mail, the user text escaped (docs/owners.md, "Police
verification"). Both databases."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from observo.models import AuditEntry, Camera, OwnerCameraDeclaration
from observo.services import owner_cameras
from tests import factories
from tests.mail_server import body, free_port
from tests.web.test_owner_sessions import owner_sign_in

PAGE = "/verifiche"
EVIL_NAME = "<script>alert(1)</script>"
EVIL_OWNER = '<img src=x onerror="alert(2)">'


@pytest.fixture
def world(session):
    towns = {slug: factories.org(session, slug) for slug in ("nichelino", "moncalieri")}
    account = factories.owner_account(session, towns["nichelino"], name=EVIL_OWNER)
    users = {
        "editor": factories.user(session, towns["nichelino"], "editor"),
        "admin": factories.user(session, towns["moncalieri"], "admin"),
        "viewer": factories.user(session, towns["nichelino"], "viewer"),
        "other_editor": factories.user(session, towns["moncalieri"], "editor"),
    }
    declaration = owner_cameras.declare(
        session, account, factories.declared_camera(name=EVIL_NAME, footage_contact_hours="9-18 <b>")
    )
    session.commit()
    return {"towns": towns, "account": account, "users": users, "declaration": declaration}


def form(client, declaration_id: int, version: int, decision: str, reason: str = "") -> dict[str, str]:
    return {
        "csrf_token": factories.csrf_token(client, PAGE),
        "declaration": str(declaration_id),
        "version": str(version),
        "decision": decision,
        "reason": reason,
    }


def status_of(session, declaration_id: int) -> str:
    session.expire_all()
    return session.get(OwnerCameraDeclaration, declaration_id).status


def test_who_sees_the_page(client, session, world):
    assert client.get(PAGE).headers["Location"].startswith("/login")
    declaration = world["declaration"]
    for role, shown in (("editor", True), ("admin", True), ("other_editor", False)):
        factories.sign_in(client, world["users"][role])
        page = client.get(PAGE)
        text = page.get_data(as_text=True)
        assert page.status_code == 200, role
        assert (f'id="declaration-{declaration.id}"' in text) is shown, role
        assert 'href="/verifiche"' in text  # the nav link, for editors and admins
        client.post("/logout", data={"csrf_token": factories.csrf_token(client, "/map")})
    factories.sign_in(client, world["users"]["viewer"])
    refused = client.get(PAGE)
    assert refused.status_code == 403 and 'href="/verifiche"' not in client.get("/map").get_data(as_text=True)


def test_a_signed_in_owner_is_sent_to_the_police_sign_in(client, world):
    assert owner_sign_in(client, world["account"].email, factories.PASSWORD).status_code == 302
    assert client.get(PAGE).headers["Location"].startswith("/login")


def test_the_page_shows_the_owner_and_the_declared_data_as_text(client, session, world):
    factories.sign_in(client, world["users"]["editor"])
    page = client.get(PAGE)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert EVIL_NAME not in text and EVIL_OWNER not in text and "9-18 <b>" not in text
    assert str(escape(EVIL_NAME)) in text and str(escape(EVIL_OWNER)) in text
    # The map's JSON is escaped for a script element as well.
    [data] = re.findall(r'<script type="application/json" id="declaration-\d+-map-data">(.*?)</script>', text)
    assert "<" not in data and '"point"' in data and '"fov"' in data
    for label in ("Codice fiscale o partita IVA", "Persona di riferimento", "PEC", "Telecamere dei privati"):
        assert label in text, label
    assert "01234567897" in text and "Via Roma 1" in text and "Approva" in text and "Rifiuta" in text
    assert "Chiedi modifiche" in text and "Inclinazione" not in text  # no tilt declared: no row
    assert "/vendor/leaflet@" in text and "cdn.jsdelivr" not in text  # vendored Leaflet only


def test_approve_from_the_page_creates_the_camera_and_mails_the_owner(client, session, world, inbox):
    factories.sign_in(client, world["users"]["editor"])
    declaration = world["declaration"]
    answer = client.post(PAGE, data=form(client, declaration.id, 1, "approve"))
    assert answer.status_code == 302 and "done=approve" in answer.headers["Location"]
    camera_id = session.scalar(sa.select(Camera.id))
    assert f"camera={camera_id}" in answer.headers["Location"]
    assert status_of(session, declaration.id) == "approved"
    done = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Approvata" in done and f"/cameras/{camera_id}" in done and "Nessuna dichiarazione" in done
    [message] = inbox.messages
    assert message["Subject"] == "La tua telecamera è stata approvata"
    assert f"OBS-{camera_id:06d}" in body(message)
    [entry] = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "verification.approve"))
    assert entry.object_id == str(declaration.id)


@pytest.mark.parametrize("decision", ["request_changes", "reject"])
def test_asking_for_changes_or_rejecting_needs_a_reason(client, session, world, inbox, decision):
    factories.sign_in(client, world["users"]["editor"])
    declaration = world["declaration"]
    refused = client.post(PAGE, data=form(client, declaration.id, 1, decision, "  "))
    assert refused.status_code == 422 and "Scrivi la motivazione" in refused.get_data(as_text=True)
    assert status_of(session, declaration.id) == "pending" and inbox.messages == []

    reason = "Indica l'orario <del referente>"
    answer = client.post(PAGE, data=form(client, declaration.id, 1, decision, reason))
    assert answer.status_code == 302
    expected = {"request_changes": "changes_requested", "reject": "rejected"}[decision]
    assert status_of(session, declaration.id) == expected
    [message] = inbox.messages
    assert reason in body(message) and "/proprietari/" in body(message)
    [entry] = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == f"verification.{decision}"))
    assert entry.reason == reason


def test_a_stale_form_is_refused_and_nothing_is_merged(client, session, world, inbox):
    factories.sign_in(client, world["users"]["editor"])
    declaration = world["declaration"]
    stale = form(client, declaration.id, 1, "approve")
    owner_cameras.edit_declaration(
        session, world["account"], declaration.id, 1, factories.declared_camera(name="Cortile")
    )
    session.commit()
    refused = client.post(PAGE, data=stale)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 412 and "Il titolare ha modificato questa dichiarazione" in text
    assert 'name="version" value="2"' in text and "Cortile" in text  # the page shows it afresh
    assert status_of(session, declaration.id) == "pending"
    assert session.scalar(sa.select(sa.func.count()).select_from(Camera)) == 0 and inbox.messages == []


def test_a_decided_or_hidden_declaration_and_a_form_without_csrf(client, session, world, inbox):
    declaration = world["declaration"]
    factories.sign_in(client, world["users"]["other_editor"])
    hidden = client.post(PAGE, data=form(client, declaration.id, 1, "approve"))
    assert hidden.status_code == 404 and status_of(session, declaration.id) == "pending"
    client.post("/logout", data={"csrf_token": factories.csrf_token(client, "/map")})

    factories.sign_in(client, world["users"]["editor"])
    no_csrf = {**form(client, declaration.id, 1, "approve"), "csrf_token": "forged"}
    assert client.post(PAGE, data=no_csrf).status_code == 400
    assert client.post(PAGE, data=form(client, declaration.id, 1, "reject", "No")).status_code == 302
    again = client.post(PAGE, data=form(client, declaration.id, 2, "approve"))
    assert again.status_code == 409 and "già stata decisa" in again.get_data(as_text=True)
    assert len(inbox.messages) == 1


def test_a_failing_mail_server_keeps_the_decision_and_says_so(client, session, world, configure):
    configure(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    factories.sign_in(client, world["users"]["editor"])
    declaration = world["declaration"]
    answer = client.post(PAGE, data=form(client, declaration.id, 1, "reject", "Fuori comune"))
    assert answer.status_code == 302 and "mail=failed" in answer.headers["Location"]
    assert status_of(session, declaration.id) == "rejected"
    assert "non è stato possibile inviare" in client.get(answer.headers["Location"]).get_data(as_text=True)
