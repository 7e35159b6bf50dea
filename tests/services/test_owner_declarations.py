"""Owners declare, change and withdraw cameras; the sponsoring municipality's editors approve, ask for
changes or reject (docs/owners.md); both databases."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from marshmallow import ValidationError

from observo.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleVersion
from observo.models import AuditEntry, Camera, OwnerCameraDeclaration
from observo.schemas.owner_declaration import OwnerCameraDeclaration as DeclarationSchema
from observo.services import owner_cameras, verifications
from observo.services.actors import actor_for
from observo.services.cameras import readable_camera
from observo.services.organisations import create_pact
from observo.services.scope import readable_cameras
from tests import factories


@pytest.fixture
def world(session):
    towns = {slug: factories.org(session, slug) for slug in ("nichelino", "moncalieri", "carabinieri-to")}
    create_pact(session, slug="patto-sud", name="Patto sud", member_slugs=["nichelino", "carabinieri-to"])
    session.commit()
    account = factories.owner_account(session, towns["nichelino"])
    other = factories.owner_account(session, towns["nichelino"], name="Bar Sport")
    # Actors after the owners: an actor's own organisations are those its municipality sponsors now.
    editors = {slug: actor_for(session, factories.user(session, org)) for slug, org in towns.items()}
    viewer = actor_for(session, factories.user(session, towns["nichelino"], role="viewer"))
    return {"towns": towns, "editors": editors, "viewer": viewer, "account": account, "other": other}


def readable_ids(session, actor) -> set[int]:
    return set(session.scalars(sa.select(Camera.id).where(readable_cameras(actor))))


def all_camera_ids(session) -> set[int]:
    return set(session.scalars(sa.select(Camera.id)))


def test_a_declaration_is_in_no_query_until_the_sponsor_approves_it(session, world):
    editor = world["editors"]["nichelino"]
    declaration = owner_cameras.declare(session, world["account"], factories.declared_camera())
    session.commit()
    assert declaration.status == "pending" and all_camera_ids(session) == set()
    assert [d.id for d in verifications.verification_queue(session, editor)] == [declaration.id]

    approved, camera = verifications.decide(session, editor, declaration.id, declaration.version, "approve")
    session.commit()
    assert approved.status == "approved" and approved.camera_id == camera.id and approved.decided_at
    assert camera.owner_id == world["account"].organisation_id
    assert (camera.source, camera.verification, camera.visibility) == (
        "owner_registration",
        "owner_confirmed",
        "private",
    )
    assert camera.data_controller == "Farmacia Centrale" and camera.footage_contact_name == "Anna Bianchi"
    assert camera.bearing_deg == 90 and camera.hfov_deg == 60 and camera.range_m == 30
    assert verifications.verification_queue(session, editor) == []
    # private: the sponsor's police only; not the pact's partner, not another municipality
    assert camera.id in readable_ids(session, editor) and camera.id in readable_ids(session, world["viewer"])
    assert camera.id not in readable_ids(session, world["editors"]["carabinieri-to"])
    assert camera.id not in readable_ids(session, world["editors"]["moncalieri"])
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "verification.approve")).one()
    assert entry.object_id == str(declaration.id) and entry.actor_label == editor.label


def test_shared_cameras_reach_the_pact_and_no_consent_keeps_the_contacts_out(session, world):
    editor = world["editors"]["nichelino"]
    declared = factories.declared_camera(police_visibility="shared", contact_consent=False)
    declaration = owner_cameras.declare(session, world["account"], declared)
    _, camera = verifications.decide(session, editor, declaration.id, declaration.version, "approve")
    session.commit()
    assert camera.id in readable_ids(session, world["editors"]["carabinieri-to"])
    assert camera.id not in readable_ids(session, world["editors"]["moncalieri"])
    assert camera.footage_contact_name is None and camera.footage_contact_phone is None


def test_only_the_sponsors_editors_and_admins_see_and_decide(session, world):
    declaration = owner_cameras.declare(session, world["account"], factories.declared_camera())
    session.commit()
    stranger = world["editors"]["moncalieri"]
    assert verifications.verification_queue(session, stranger) == []
    with pytest.raises(NotFound):
        verifications.readable_declaration(session, stranger, declaration.id)
    with pytest.raises(NotFound):
        verifications.decide(session, stranger, declaration.id, declaration.version, "approve")
    with pytest.raises(Forbidden):
        verifications.verification_queue(session, world["viewer"])
    with pytest.raises(NotFound):  # a viewer of the sponsor may read cameras, not decide declarations
        verifications.decide(session, world["viewer"], declaration.id, declaration.version, "approve")
    admin = actor_for(session, factories.user(session, world["towns"]["moncalieri"], role="admin"))
    assert [d.id for d in verifications.verification_queue(session, admin)] == [declaration.id]
    assert all_camera_ids(session) == set()


def test_changes_asked_then_edited_then_rejected_with_reasons(session, world):
    editor, account = world["editors"]["nichelino"], world["account"]
    declaration = owner_cameras.declare(session, account, factories.declared_camera())
    session.commit()
    with pytest.raises(InvalidInput):
        verifications.decide(session, editor, declaration.id, declaration.version, "request_changes", "  ")
    verifications.decide(
        session, editor, declaration.id, declaration.version, "request_changes", "La direzione non torna"
    )
    session.commit()
    assert declaration.status == "changes_requested" and declaration.reason == "La direzione non torna"
    with pytest.raises(StaleVersion):  # the owner's form was read before the decision
        owner_cameras.edit_declaration(session, account, declaration.id, 1, factories.declared_camera())
    owner_cameras.edit_declaration(
        session, account, declaration.id, declaration.version, factories.declared_camera(bearing_deg=180)
    )
    session.commit()
    assert declaration.status == "pending" and declaration.data["bearing_deg"] == 180
    verifications.decide(session, editor, declaration.id, declaration.version, "reject", "Telecamera interna")
    session.commit()
    assert declaration.status == "rejected" and all_camera_ids(session) == set()
    with pytest.raises(Conflict):
        owner_cameras.edit_declaration(
            session, account, declaration.id, declaration.version, factories.declared_camera()
        )
    with pytest.raises(Conflict):
        verifications.decide(session, editor, declaration.id, declaration.version, "approve")
    actions = list(
        session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.object_type == "owner_camera_declaration")
        )
    )
    assert actions == [
        "owner.camera.declare",
        "verification.request_changes",
        "owner.declaration.edit",
        "verification.reject",
    ]
    reasons = session.scalars(sa.select(AuditEntry.reason).where(AuditEntry.action.like("verification.%")))
    assert list(reasons) == ["La direzione non torna", "Telecamera interna"]


def test_a_change_waits_for_approval_and_then_changes_the_camera(session, world):
    editor, account = world["editors"]["nichelino"], world["account"]
    first = owner_cameras.declare(session, account, factories.declared_camera())
    _, camera = verifications.decide(session, editor, first.id, first.version, "approve")
    session.commit()
    change = owner_cameras.declare_change(session, account, camera.id, factories.declared_camera(range_m=45))
    again = owner_cameras.declare_change(session, account, camera.id, factories.declared_camera(range_m=50))
    session.commit()
    assert again.id == change.id and change.kind == "change" and change.data["range_m"] == 50
    assert session.get(Camera, camera.id).range_m == 30  # unchanged until the police approve
    _, changed = verifications.decide(session, editor, change.id, change.version, "approve")
    session.commit()
    assert changed.id == camera.id and changed.range_m == 50 and changed.version == 2


def test_withdrawal_removes_the_camera_at_once_and_the_log_keeps_it(session, world):
    editor, account = world["editors"]["nichelino"], world["account"]
    first = owner_cameras.declare(session, account, factories.declared_camera())
    _, camera = verifications.decide(session, editor, first.id, first.version, "approve")
    session.commit()
    camera_id = camera.id
    change = owner_cameras.declare_change(session, account, camera_id, factories.declared_camera(range_m=45))
    session.commit()
    with pytest.raises(NotFound):  # another owner cannot withdraw it
        owner_cameras.withdraw_camera(session, world["other"], camera_id)
    owner_cameras.withdraw_camera(session, account, camera_id)
    session.commit()
    assert all_camera_ids(session) == set()
    with pytest.raises(NotFound):
        readable_camera(session, editor, camera_id)
    assert session.get(OwnerCameraDeclaration, change.id).status == "cancelled"
    assert session.get(OwnerCameraDeclaration, first.id).camera_id is None
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "camera.withdraw")).one()
    assert entry.object_id == str(camera_id)
    assert json.loads(entry.details)["before"]["name"] == "Ingresso negozio"


def test_an_owner_reaches_only_its_own_declarations_and_cameras(session, world):
    account, other = world["account"], world["other"]
    declaration = owner_cameras.declare(session, account, factories.declared_camera())
    session.commit()
    assert owner_cameras.owner_declarations(session, other) == []
    with pytest.raises(NotFound):
        owner_cameras.owner_declaration(session, other, declaration.id)
    with pytest.raises(NotFound):
        owner_cameras.cancel_declaration(session, other, declaration.id, declaration.version)
    police_camera = factories.camera(session, world["towns"]["nichelino"])
    with pytest.raises(NotFound):
        owner_cameras.declare_change(session, account, police_camera.id, factories.declared_camera())
    owner_cameras.cancel_declaration(session, account, declaration.id, declaration.version)
    session.commit()
    assert declaration.status == "cancelled"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"records": True, "retention_hours": None}, "retention_hours"),
        ({"bearing_deg": None}, "bearing_deg"),
        ({"police_visibility": "public"}, "police_visibility"),
        ({"longitude": 181}, "longitude"),
        ({"name": ""}, "name"),
    ],
)
def test_a_declaration_breaking_a_rule_is_refused_by_field(changes, field):
    with pytest.raises(ValidationError) as caught:
        factories.declared_camera(**changes)
    assert field in caught.value.messages


def test_an_all_round_head_needs_no_direction():
    declared = factories.declared_camera(camera_type="dome", bearing_deg=None, hfov_deg=None)
    assert declared["bearing_deg"] is None and DeclarationSchema().load({**declared}) == declared
