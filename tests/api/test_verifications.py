"""/api/v1/verifications: the sponsoring municipality's editors (and admins) list, read and decide
owners' declared cameras; everyone else is refused or finds nothing; the owner reads the decision in
an Italian e-mail from a real SMTP server (docs/owners.md, "Police verification"). Both databases."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from observo.models import AuditEntry, Camera, OwnerCameraDeclaration
from observo.services import owner_cameras
from tests import factories
from tests.mail_server import body, free_port
from tests.web.test_owner_sessions import owner_sign_in

URL = "/api/v1/verifications"


@pytest.fixture
def world(session):
    towns = {slug: factories.org(session, slug) for slug in ("nichelino", "moncalieri")}
    account = factories.owner_account(session, towns["nichelino"], name="Farmacia <script>Centrale")
    headers = {
        "editor": factories.headers_for(session, towns["nichelino"], "editor"),
        "admin": factories.headers_for(session, towns["moncalieri"], "admin"),
        "viewer": factories.headers_for(session, towns["nichelino"], "viewer"),
        "other_editor": factories.headers_for(session, towns["moncalieri"], "editor"),
    }
    return {"towns": towns, "account": account, "headers": headers}


def declare(session, account, **overrides):
    declaration = owner_cameras.declare(session, account, factories.declared_camera(**overrides))
    session.commit()
    return declaration


def decide(client, headers, declaration_id, decision, reason=None, version=1, **extra):
    payload = {"decision": decision} if reason is None else {"decision": decision, "reason": reason}
    return client.post(
        f"{URL}/{declaration_id}/decision",
        json=payload,
        headers={**headers, "If-Match": f'"{declaration_id}.{version}"', **extra},
    )


def audit_entries(session, action):
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_who_lists_reads_and_decides(client, session, world):
    declaration = declare(session, world["account"])
    headers = world["headers"]
    listed = {role: client.get(URL, headers=h) for role, h in headers.items()}
    assert [v["id"] for v in listed["editor"].get_json()["verifications"]] == [declaration.id]
    assert [v["id"] for v in listed["admin"].get_json()["verifications"]] == [declaration.id]
    other = listed["other_editor"]
    assert other.status_code == 200 and other.get_json()["verifications"] == []
    assert listed["viewer"].status_code == 403
    assert client.get(URL).status_code == 401

    item = f"{URL}/{declaration.id}"
    read = client.get(item, headers=headers["editor"])
    assert read.status_code == 200 and read.headers["ETag"] == f'"{declaration.id}.1"'
    assert client.get(item, headers=headers["admin"]).status_code == 200
    assert client.get(item, headers=headers["viewer"]).status_code == 403
    assert client.get(item).status_code == 401
    hidden = client.get(item, headers=headers["other_editor"])
    missing = client.get(f"{URL}/{declaration.id + 1000}", headers=headers["other_editor"])
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json()["code"] == missing.get_json()["code"] == "not_found"

    assert decide(client, headers["viewer"], declaration.id, "approve").status_code == 403
    assert decide(client, headers["other_editor"], declaration.id, "approve").status_code == 404
    assert decide(client, {}, declaration.id, "approve").status_code == 401
    assert session.get(OwnerCameraDeclaration, declaration.id).status == "pending"
    assert audit_entries(session, "verification.approve") == []


def test_a_signed_in_owner_is_anonymous_to_the_api(client, session, world):
    declaration = declare(session, world["account"])
    assert owner_sign_in(client, world["account"].email, factories.PASSWORD).status_code == 302
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}/{declaration.id}").status_code == 401
    same_origin = {"Sec-Fetch-Site": "same-origin"}
    assert decide(client, same_origin, declaration.id, "approve").status_code == 401


def test_a_declaration_carries_the_owner_the_data_and_the_position(client, session, world):
    declaration = declare(session, world["account"], longitude=7.65, latitude=45.0)
    [shown] = client.get(URL, headers=world["headers"]["editor"]).get_json()["verifications"]
    assert (shown["kind"], shown["status"], shown["version"]) == ("new", "pending", 1)
    assert shown["submitted_at"] and shown["decided_at"] is None and shown["reason"] is None
    owner = shown["owner"]
    organisation = world["account"].organisation
    assert owner["name"] == "Farmacia <script>Centrale" and owner["tax_code"] == "01234567897"
    assert (owner["address"], owner["contact_name"], owner["contact_phone"]) == (
        "Via Roma 1",
        "Anna Bianchi",
        "011 123 4567",
    )
    assert (owner["contact_pec"], owner["slug"]) == (organisation.contact_pec, organisation.slug)
    assert owner["contact_email"] == world["account"].email
    assert shown["declared"]["name"] == "Ingresso negozio" and shown["declared"]["bearing_deg"] == 90
    assert shown["geometry"] == {"type": "Point", "coordinates": [7.65, 45.0]}
    assert shown["fov"]["type"] == "Polygon" and shown["camera"] is None
    assert shown["id"] == declaration.id


def test_status_filter(client, session, world):
    first = declare(session, world["account"])
    second = declare(session, world["account"], name="Cortile")
    editor = world["headers"]["editor"]
    assert decide(client, editor, first.id, "reject", "Non è nel comune").status_code == 200

    def ids(query):
        answer = client.get(f"{URL}?status={query}", headers=editor)
        assert answer.status_code == 200, answer.get_json()
        return [v["id"] for v in answer.get_json()["verifications"]]

    assert ids("pending") == [second.id]
    assert ids("rejected") == [first.id]
    assert ids("pending,rejected") == [first.id, second.id]
    assert ids("approved,cancelled,changes_requested") == []
    assert client.get(f"{URL}?status=waiting", headers=editor).status_code in (400, 422)
    assert client.get(f"{URL}?other=1", headers=editor).status_code in (400, 422)


def test_approval_creates_the_camera_and_mails_its_code_in_italian(client, session, world, inbox):
    declaration = declare(session, world["account"])
    answer = decide(
        client, world["headers"]["editor"], declaration.id, "approve", **{"Accept-Language": "en"}
    )
    assert answer.status_code == 200, answer.get_json()
    result = answer.get_json()
    assert result["status"] == "approved" and result["decided_at"] and result["owner_notified"] is True
    assert result["version"] == 2 and answer.headers["ETag"] == f'"{declaration.id}.2"'
    camera_id = result["camera"]["id"]
    assert result["camera_url"] == f"/api/v1/cameras/{camera_id}"
    assert result["camera"]["code"] == f"OBS-{camera_id:06d}"
    camera = client.get(result["camera_url"], headers=world["headers"]["editor"])
    assert camera.status_code == 200
    assert camera.get_json()["properties"]["owner"] == world["account"].organisation.slug
    assert client.get(result["camera_url"], headers=world["headers"]["other_editor"]).status_code == 404

    [message] = inbox.messages
    assert message["To"] == world["account"].email
    assert message["Subject"] == "La tua telecamera è stata approvata"
    text = body(message)
    assert f"OBS-{camera_id:06d}" in text and "Ingresso negozio" in text and "Nichelino" in text
    assert "http://localhost/proprietari/" in text and "Buongiorno" in text
    [entry] = audit_entries(session, "verification.approve")
    assert entry.object_id == str(declaration.id)


@pytest.mark.parametrize(
    ("decision", "status", "subject"),
    [
        ("request_changes", "changes_requested", "La polizia chiede modifiche alla tua telecamera"),
        ("reject", "rejected", "La tua telecamera non è stata approvata"),
    ],
)
def test_asking_for_changes_or_rejecting_needs_a_reason_told_to_the_owner(
    client, session, world, inbox, decision, status, subject
):
    declaration = declare(session, world["account"])
    editor = world["headers"]["editor"]
    for missing in (None, "   "):
        refused = decide(client, editor, declaration.id, decision, missing)
        assert refused.status_code == 422
    assert inbox.messages == [] and session.get(OwnerCameraDeclaration, declaration.id).status == "pending"

    reason = "La telecamera inquadra la via pubblica: indica l'angolo corretto"
    answer = decide(client, editor, declaration.id, decision, reason)
    assert answer.status_code == 200
    result = answer.get_json()
    assert (result["status"], result["reason"], result["camera_url"]) == (status, reason, None)
    [message] = inbox.messages
    assert message["Subject"] == subject
    text = body(message)
    assert reason in text and "http://localhost/proprietari/" in text
    [entry] = audit_entries(session, f"verification.{decision}")
    assert entry.reason == reason
    assert session.scalar(sa.select(sa.func.count()).select_from(Camera)) == 0


def test_if_match_rules(client, session, world, inbox):
    declaration = declare(session, world["account"])
    editor = world["headers"]["editor"]
    path = f"{URL}/{declaration.id}/decision"
    missing = client.post(path, json={"decision": "approve"}, headers=editor)
    assert missing.status_code == 428
    stale = decide(client, editor, declaration.id, "approve", version=7)
    assert stale.status_code == 412
    weak = client.post(
        path, json={"decision": "approve"}, headers={**editor, "If-Match": f'W/"{declaration.id}.1"'}
    )
    assert weak.status_code == 412
    assert decide(client, editor, declaration.id, "request_changes", "Manca l'orario").status_code == 200
    # Decided: asking again with the current version is a conflict, not a second decision.
    again = decide(client, editor, declaration.id, "reject", "No", version=2)
    assert again.status_code == 409
    # The owner edits it (back to pending, a new version): the version read before is stale.
    session.expire_all()  # the requests changed it under the test's session
    owner_cameras.edit_declaration(
        session, world["account"], declaration.id, 2, factories.declared_camera(name="Ingresso")
    )
    session.commit()
    assert decide(client, editor, declaration.id, "approve", version=2).status_code == 412
    assert decide(client, editor, declaration.id, "approve", version=3).status_code == 200
    assert len(inbox.messages) == 2


def test_a_change_shows_the_current_camera(client, session, world, inbox):
    declaration = declare(session, world["account"])
    approved = decide(client, world["headers"]["editor"], declaration.id, "approve").get_json()
    camera_id = approved["camera"]["id"]
    change = owner_cameras.declare_change(
        session, world["account"], camera_id, factories.declared_camera(name="Ingresso laterale", range_m=45)
    )
    session.commit()
    shown = client.get(f"{URL}/{change.id}", headers=world["headers"]["admin"]).get_json()
    assert shown["kind"] == "change" and shown["declared"]["name"] == "Ingresso laterale"
    assert shown["camera"] == {
        "id": camera_id,
        "code": f"OBS-{camera_id:06d}",
        "name": "Ingresso negozio",
        "version": 1,
    }
    answer = decide(client, world["headers"]["admin"], change.id, "approve")
    assert answer.status_code == 200 and answer.get_json()["camera"]["name"] == "Ingresso laterale"
    assert "modifiche" in inbox.messages[-1]["Subject"]
    assert re.search(r"OBS-\d{6}", body(inbox.messages[-1]))


def test_a_failing_mail_server_does_not_undo_the_decision(client, session, world, configure, caplog):
    configure(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    declaration = declare(session, world["account"])
    answer = decide(client, world["headers"]["editor"], declaration.id, "reject", "Fuori comune")
    assert answer.status_code == 200 and answer.get_json()["owner_notified"] is False
    session.expire_all()
    assert session.get(OwnerCameraDeclaration, declaration.id).status == "rejected"
    assert audit_entries(session, "verification.reject")
    assert "not told of the decision" in caplog.text
