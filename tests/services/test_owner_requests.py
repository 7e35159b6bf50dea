"""Owners read and answer the preservation requests addressed to them (docs/owners.md, "Footage
requests"): only their own, every read and answer audited with the request's reason and protocol
number, the request's status following the latest answer; both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from observo.domain import deadlines as dl
from observo.errors import InvalidInput, NotFound, StaleVersion
from observo.models import AuditEntry, PreservationAnswer, PreservationRequest
from observo.services import interventions as plans
from observo.services import owner_requests, owners, preservation
from observo.services.actors import actor_for
from tests import factories
from tests.web.test_brief import REASON, WINDOW_END, WINDOW_START, at_offset, square

PROTOCOL = "PG 2026/777"


def build_owner_plan(session) -> dict:
    """Trofarello leads a confirmed plan over the gardens; Farmacia Centrale, an owner signed up on
    Trofarello's page, has two cameras there (72 h and 24 h of retention) and one far away; Bar Sport,
    another owner of the same town, has one camera there."""
    town = factories.org(session, "trofarello")
    account = factories.owner_account(session, town)
    other = factories.owner_account(session, town, name="Bar Sport")
    pharmacy, bar = account.organisation, other.organisation
    cameras = {
        "door": factories.camera(
            session, pharmacy, *at_offset(-40, 0), name="Ingresso <farmacia>", retention_hours=72,
            visibility="shared",
        ),
        "yard": factories.camera(
            session, pharmacy, *at_offset(0, -40), name="Cortile", bearing_deg=0, retention_hours=24,
            visibility="shared",
        ),
        "far": factories.camera(
            session, pharmacy, *at_offset(3000, 0), name="Magazzino", visibility="shared"
        ),
        "bar": factories.camera(
            session, bar, *at_offset(40, 0), name="Dehors", bearing_deg=270, visibility="shared"
        ),
    }  # fmt: skip
    editor = factories.user(session, town, "editor")
    values = {
        "title": "Festa dei giardini",
        "kind": "event",
        "status": "planned",
        "reason": REASON,
        "protocol_number": "PG 2026/123",
        "window_start": WINDOW_START,
        "window_end": WINDOW_END,
        "targets": [{"name": "Giardini", "geometry": square(60), "buffer_m": 0}],
    }
    intervention = plans.create_intervention(session, actor_for(session, editor), values)
    session.commit()
    return {
        "town": town,
        "account": account,
        "other": other,
        "cameras": cameras,
        "editor": editor,
        "intervention": intervention,
    }


def ask(session, plan: dict, camera_ids: list[int] | None = None, **values) -> PreservationRequest:
    """A request to the pharmacy, recorded by the lead's editor."""
    if camera_ids is None:
        camera_ids = [plan["cameras"]["door"].id, plan["cameras"]["yard"].id]
    body = {
        "owner": plan["account"].organisation.slug,
        "camera_ids": camera_ids,
        "channel": "pec",
        "protocol_number": PROTOCOL,
        "note": "Chiamato il titolare",
        **values,
    }
    actor = actor_for(session, plan["editor"])
    request = preservation.create_request(session, actor, plan["intervention"].id, body)
    session.commit()
    return request


@pytest.fixture
def plan(session):
    return build_owner_plan(session)


def entries(session, action: str) -> list[AuditEntry]:
    session.expire_all()
    stmt = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(session.scalars(stmt))


def test_the_owner_sees_its_request_with_cameras_window_and_deadline(session, plan):
    request = ask(session, plan)
    [item] = owner_requests.inbox(session, plan["account"])
    session.commit()
    assert item.request.id == request.id and item.answers == []
    door, yard = plan["cameras"]["door"], plan["cameras"]["yard"]
    # Soonest deadline first: window end + retention, the existing rule (domain/deadlines.py).
    assert [camera.id for camera in item.cameras] == [yard.id, door.id]
    assert item.cameras[0].expires_at == WINDOW_END + timedelta(hours=24)
    assert item.deadline == WINDOW_END + timedelta(hours=24)
    assert (item.intervention.window_start, item.intervention.window_end) == (WINDOW_START, WINDOW_END)

    detail = owner_requests.owner_request(session, plan["account"], request.id)
    session.commit()
    assert detail.deadline == item.deadline
    reads = entries(session, "preservation.owner_read")
    assert [json.loads(entry.details)["view"] for entry in reads] == ["inbox", "detail"]
    for entry in reads:
        details = json.loads(entry.details)
        assert entry.reason == REASON and entry.actor_label == plan["account"].email
        assert (
            details["protocol_number"] == PROTOCOL
            and details["intervention_protocol_number"] == "PG 2026/123"
        )
        assert entry.object_id == str(request.id) and entry.subject_organisation_id == request.owner_id


def test_a_request_naming_no_camera_covers_the_owners_cameras_in_the_plan(session, plan):
    ask(session, plan, camera_ids=[])
    [item] = owner_requests.inbox(session, plan["account"])
    session.commit()
    ids = {camera.id for camera in item.cameras}
    assert ids == {plan["cameras"]["door"].id, plan["cameras"]["yard"].id}  # not the far one, not the bar's


def test_a_camera_that_does_not_record_has_no_deadline(session, plan):
    silent = factories.camera(
        session, plan["account"].organisation, *at_offset(-30, 10), records=False, visibility="shared"
    )
    ask(session, plan, camera_ids=[silent.id])
    [item] = owner_requests.inbox(session, plan["account"])
    assert item.deadline is None and item.cameras[0].flag == dl.NOT_RECORDING


def test_another_owner_sees_nothing_and_gets_not_found(session, plan):
    request = ask(session, plan)
    other = plan["other"]
    assert owner_requests.inbox(session, other) == []
    with pytest.raises(NotFound):
        owner_requests.owner_request(session, other, request.id)
    with pytest.raises(NotFound):
        owner_requests.answer(session, other, request.id, "preserved", None)
    with pytest.raises(NotFound):
        owner_requests.owner_request(session, plan["account"], request.id + 1000)
    session.rollback()
    assert entries(session, "preservation.owner_read") == [] and entries(session, "preservation.answer") == []


def test_answers_are_kept_and_the_status_follows_the_latest(session, plan):
    request = ask(session, plan)
    account = plan["account"]
    first = owner_requests.answer(session, account, request.id, "preserved", None)
    session.commit()
    assert (request.status, request.answered_at) == ("preserved", first.answered_at)
    second = owner_requests.answer(
        session, account, request.id, "handed_over", "Consegnato all'agente <Rossi>"
    )
    session.commit()
    session.expire_all()
    stored = session.get(PreservationRequest, request.id)
    assert stored.status == "preserved" and stored.answered_at == second.answered_at
    answers = owner_requests.answers_by_request(session, [request.id])[request.id]
    assert [(a.answer, a.reason, a.account_id) for a in answers] == [
        ("preserved", None, account.id),
        ("handed_over", "Consegnato all'agente <Rossi>", account.id),
    ]
    assert answers[0].answered_at <= answers[1].answered_at

    logged = entries(session, "preservation.answer")
    assert [json.loads(entry.details)["answer"] for entry in logged] == ["preserved", "handed_over"]
    for entry in logged:
        assert entry.reason == REASON and json.loads(entry.details)["protocol_number"] == PROTOCOL
    assert json.loads(logged[0].details)["changes"]["status"] == ["pending", "preserved"]
    assert json.loads(logged[1].details)["answer_reason"] == "Consegnato all'agente <Rossi>"

    # The police's view of the request (API, pages) carries the new status.
    shown = preservation.get_request(
        session, actor_for(session, plan["editor"]), stored.intervention_id, request.id
    )
    assert preservation.request_json(shown)["status"] == "preserved"


@pytest.mark.parametrize(("given", "status"), [("refused", "refused"), ("nothing_recorded", "expired")])
def test_refused_and_nothing_recorded(session, plan, given, status):
    request = ask(session, plan)
    owner_requests.answer(session, plan["account"], request.id, given, "  Impianto guasto da marzo  ")
    session.commit()
    session.expire_all()
    assert session.get(PreservationRequest, request.id).status == status
    [stored] = session.scalars(sa.select(PreservationAnswer))
    assert stored.reason == "Impianto guasto da marzo"


def test_a_refusal_needs_a_reason_and_answers_are_checked(session, plan):
    request = ask(session, plan)
    for given, reason in (("refused", None), ("refused", "   "), ("maybe", None), ("preserved", "x" * 1001)):
        with pytest.raises(InvalidInput):
            owner_requests.answer(session, plan["account"], request.id, given, reason)
        session.rollback()
    assert session.scalars(sa.select(PreservationAnswer)).all() == []
    assert session.get(PreservationRequest, request.id).status == "pending"


def test_the_database_refuses_a_refusal_without_reason(session, plan):
    request = ask(session, plan)
    session.add(
        PreservationAnswer(
            request_id=request.id, answer="refused", answered_at=datetime.now(UTC), reason=None
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
    session.rollback()


def test_an_answer_crossing_a_police_update_is_stale(session, plan):
    request = ask(session, plan)
    # The police record the same request meanwhile (another session: the version moves on).
    session.execute(
        sa.update(PreservationRequest)
        .where(PreservationRequest.id == request.id)
        .values(version=PreservationRequest.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(StaleVersion):
        owner_requests.answer(session, plan["account"], request.id, "preserved", None)
    session.rollback()


def test_deleting_the_intervention_removes_the_answers(session, plan):
    request = ask(session, plan)
    owner_requests.answer(session, plan["account"], request.id, "preserved", None)
    session.commit()
    intervention = plan["intervention"]
    session.refresh(intervention)
    plans.delete_intervention(
        session, actor_for(session, plan["editor"]), intervention.id, intervention.version
    )
    session.commit()
    assert session.scalars(sa.select(PreservationAnswer)).all() == []


def test_recipients_are_the_confirmed_accounts_of_the_owner(session, plan):
    request = ask(session, plan)
    confirmed = owners.confirmed_accounts(session, request.owner_id)
    assert [account.id for account in confirmed] == [plan["account"].id]
