"""Owners' yearly re-confirmation with a frozen clock (every call is given its day): one reminder per
camera and period however often it runs, the flags and the drop to unverified on the right day, a
re-confirmation opening a new period; the CLI's e-mails read from a real SMTP server. Both databases."""

from __future__ import annotations

import json
import shlex
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from observo.cli import main
from observo.domain.confirmations import ConfirmationPolicy, local_day
from observo.domain.permissions import SYSTEM
from observo.errors import NotFound
from observo.models import AuditEntry, Camera, OwnerReminder
from observo.models.base import utcnow
from observo.services import confirmations, owner_cameras, verifications
from observo.services.actors import actor_for
from observo.services.stats import registry_stats
from tests import factories
from tests.mail_server import body, free_port, link_in, smtp_server

POLICY = ConfirmationPolicy(confirmation_days=365, reminder_days=30, grace_days=60)
CONFIRMED = date(2027, 1, 10)
DAY = timedelta(days=1)
REMINDER, DUE, LAPSES = date(2027, 12, 11), date(2028, 1, 10), date(2028, 3, 10)


@pytest.fixture
def world(session):
    towns = {slug: factories.org(session, slug) for slug in ("nichelino", "moncalieri")}
    session.commit()
    account = factories.owner_account(session, towns["nichelino"])
    other = factories.owner_account(session, towns["nichelino"], name="Bar Sport")
    elsewhere = factories.owner_account(session, towns["moncalieri"], name="Edicola")
    editors = {slug: actor_for(session, factories.user(session, org)) for slug, org in towns.items()}
    return {"towns": towns, "editors": editors, "account": account, "other": other, "elsewhere": elsewhere}


def approved(session, world, account, name="Ingresso", confirmed_on=CONFIRMED) -> Camera:
    """A camera the owner declared and its municipality's police approved, confirmed on `confirmed_on`."""
    town = "moncalieri" if account is world["elsewhere"] else "nichelino"
    declaration = owner_cameras.declare(session, account, factories.declared_camera(name=name))
    _, camera = verifications.decide(
        session, world["editors"][town], declaration.id, declaration.version, "approve"
    )
    camera.owner_confirmed_on = confirmed_on
    session.commit()
    return camera


def due(session, today):
    found = confirmations.due_reminders(session, today, POLICY)
    session.commit()
    return found


def reminded(reminders) -> dict[int, list[int]]:
    """organisation id -> the camera ids its reminder names."""
    return {r.organisation_id: [c.camera_id for c in r.cameras] for r in reminders}


def actions(session, action: str) -> list[AuditEntry]:
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_approval_confirms_the_camera_on_the_day_of_the_decision(session, world):
    declaration = owner_cameras.declare(session, world["account"], factories.declared_camera())
    _, camera = verifications.decide(
        session, world["editors"]["nichelino"], declaration.id, declaration.version, "approve"
    )
    session.commit()
    assert camera.owner_confirmed_on == local_day(utcnow())


def test_exactly_one_reminder_per_camera_and_period_across_runs(session, world):
    camera = approved(session, world, world["account"])
    assert due(session, REMINDER - DAY) == []
    first = due(session, REMINDER)
    assert reminded(first) == {camera.owner_id: [camera.id]}
    assert first[0].cameras[0].due_on == DUE and first[0].cameras[0].state == "due_soon"
    # the same day again, the next days, the due day, the grace period, after the lapse: nothing more
    for today in (REMINDER, REMINDER + DAY, DUE - DAY, DUE, LAPSES - DAY, LAPSES, LAPSES + 100 * DAY):
        assert due(session, today) == [], today
    rows = session.scalars(sa.select(OwnerReminder).where(OwnerReminder.camera_id == camera.id)).all()
    assert [(row.due_on) for row in rows] == [DUE]


def test_a_reconfirmation_opens_a_new_period(session, world):
    camera = approved(session, world, world["account"])
    assert reminded(due(session, REMINDER)) == {camera.owner_id: [camera.id]}
    confirmed = confirmations.confirm(session, world["account"], [camera.id], DUE - 5 * DAY, POLICY)
    session.commit()
    assert [c.id for c in confirmed] == [camera.id] and camera.owner_confirmed_on == DUE - 5 * DAY
    assert confirmations.camera_flag(camera, DUE - 5 * DAY, POLICY) is None
    next_reminder = POLICY.reminder_on(DUE - 5 * DAY)
    assert due(session, next_reminder - DAY) == []
    again = due(session, next_reminder)
    assert reminded(again) == {camera.owner_id: [camera.id]}
    assert again[0].cameras[0].due_on == POLICY.due_on(DUE - 5 * DAY)
    assert due(session, next_reminder + DAY) == []


def test_one_reminder_per_owner_naming_only_its_own_cameras(session, world):
    first = approved(session, world, world["account"], "Ingresso")
    second = approved(session, world, world["account"], "Cortile")
    others = approved(session, world, world["other"], "Bancone")
    later = approved(session, world, world["elsewhere"], "Vetrina", confirmed_on=CONFIRMED + 10 * DAY)
    reminders = due(session, REMINDER)
    assert reminded(reminders) == {
        first.owner_id: [second.id, first.id],  # by name
        others.owner_id: [others.id],
    }
    by_owner = {r.organisation_id: r for r in reminders}
    assert [email for email, _name in by_owner[first.owner_id].recipients] == [world["account"].email]
    assert [email for email, _name in by_owner[others.owner_id].recipients] == [world["other"].email]
    assert reminded(due(session, REMINDER + 10 * DAY)) == {later.owner_id: [later.id]}


def test_a_forgotten_reminder_is_sent_at_the_next_run(session, world):
    camera = approved(session, world, world["account"])
    [reminder] = due(session, REMINDER)
    confirmations.forget(session, reminder)  # its message could not be sent
    session.commit()
    assert reminded(due(session, REMINDER + DAY)) == {camera.owner_id: [camera.id]}
    assert due(session, REMINDER + 2 * DAY) == []


def test_flags_change_on_the_right_days(session, world):
    camera = approved(session, world, world["account"])
    expected = [
        (REMINDER - DAY, None),
        (REMINDER, "due_soon"),
        (DUE - DAY, "due_soon"),
        (DUE, "overdue"),
        (LAPSES - DAY, "overdue"),
        (LAPSES, "lapsed"),
    ]
    assert [(day, confirmations.camera_flag(camera, day, POLICY)) for day, _ in expected] == expected
    police = factories.camera(session, world["towns"]["nichelino"])  # not registered by an owner
    police.owner_confirmed_on = CONFIRMED
    assert confirmations.camera_flag(police, LAPSES, POLICY) is None
    owner_page = confirmations.owner_due_cameras(session, world["account"], DUE, POLICY)
    assert [(c.camera_id, c.state, c.due_on) for c in owner_page] == [(camera.id, "overdue", DUE)]
    assert confirmations.owner_due_cameras(session, world["other"], DUE, POLICY) == []


def test_the_drop_to_unverified_comes_exactly_after_the_grace_period_and_once(session, world):
    camera = approved(session, world, world["account"])
    version = camera.version
    assert confirmations.lapse(session, SYSTEM, LAPSES - DAY, POLICY) == []
    assert confirmations.lapse(session, SYSTEM, LAPSES, POLICY) == [camera.id]
    session.commit()
    assert (camera.verification, camera.version) == ("unverified", version + 1)
    assert confirmations.lapse(session, SYSTEM, LAPSES, POLICY) == []
    assert confirmations.lapse(session, SYSTEM, LAPSES + 30 * DAY, POLICY) == []
    session.commit()
    [entry] = actions(session, "camera.lapse")
    assert entry.object_id == str(camera.id)
    assert json.loads(entry.details)["changes"] == {"verification": ["owner_confirmed", "unverified"]}
    # the owner confirms: owner_confirmed again, a new period, audited
    confirmations.confirm(session, world["account"], None, LAPSES + 40 * DAY, POLICY)
    session.commit()
    assert (camera.verification, camera.owner_confirmed_on) == ("owner_confirmed", LAPSES + 40 * DAY)
    [confirmed] = actions(session, "owner.camera.confirm")
    assert confirmed.actor_label == world["account"].email and confirmed.object_id == str(camera.id)
    assert json.loads(confirmed.details)["changes"] == {
        "owner_confirmed_on": [CONFIRMED.isoformat(), (LAPSES + 40 * DAY).isoformat()],
        "verification": ["unverified", "owner_confirmed"],
    }


def test_an_owner_confirms_only_its_own_due_cameras(session, world):
    mine = approved(session, world, world["account"])
    fresh = approved(session, world, world["account"], "Nuova", confirmed_on=DUE)
    theirs = approved(session, world, world["other"], "Bancone")
    with pytest.raises(NotFound):
        confirmations.confirm(session, world["account"], [theirs.id], DUE, POLICY)
    with pytest.raises(NotFound):
        confirmations.confirm(session, world["account"], [mine.id, 999_999], DUE, POLICY)
    session.rollback()
    confirmed = confirmations.confirm(session, world["account"], [mine.id, fresh.id], DUE, POLICY)
    session.commit()
    assert [c.id for c in confirmed] == [mine.id]  # the fresh one was not due: left as it is
    assert fresh.owner_confirmed_on == DUE and theirs.owner_confirmed_on == CONFIRMED


def test_the_stats_count_the_cameras_to_reconfirm_in_the_readers_scope(session, world, configure):
    approved(session, world, world["account"])
    approved(session, world, world["other"], "Bancone", confirmed_on=CONFIRMED + 40 * DAY)  # not yet
    approved(session, world, world["elsewhere"], "Vetrina")
    nichelino = registry_stats(session, world["editors"]["nichelino"], today=REMINDER)
    moncalieri = registry_stats(session, world["editors"]["moncalieri"], today=REMINDER)
    assert nichelino.totals.owner_confirmation_due == 1
    assert moncalieri.totals.owner_confirmation_due == 1
    assert (
        registry_stats(
            session, world["editors"]["nichelino"], today=REMINDER - DAY
        ).totals.owner_confirmation_due
        == 0
    )


# --- the command -----------------------------------------------------------------------------------


def run(app, command: str):
    return app.test_cli_runner().invoke(main, shlex.split(command))


def test_the_command_mails_each_owner_once_and_a_second_run_sends_nothing(app, session, world, configure):
    camera = approved(session, world, world["account"])
    lapsing = approved(session, world, world["other"], "Bancone", confirmed_on=CONFIRMED - 120 * DAY)
    with smtp_server() as inbox:
        configure(
            smtp_url=inbox.url, public_url="http://localhost", mail_from="Observo <noreply@observo.example>"
        )
        result = run(app, f"reminders send --today {REMINDER.isoformat()}")
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == "2 reminders sent in 2 e-mails, 1 cameras lapsed"
        [message] = inbox.to(world["account"].email)
        text = body(message)
        assert message["Subject"] == "Conferma le tue telecamere nel registro"
        assert camera.code in text and "Ingresso" in text and "Bancone" not in text
        assert link_in(message) == "/proprietari/"
        [lapsed_message] = inbox.to(world["other"].email)
        assert lapsing.code in body(lapsed_message) and camera.code not in body(lapsed_message)
        assert inbox.to(world["elsewhere"].email) == []

        again = run(app, f"reminders send --today {REMINDER.isoformat()}")
        assert again.stdout.strip() == "0 reminders sent in 0 e-mails, 0 cameras lapsed"
        later = run(app, f"reminders send --today {(DUE + DAY).isoformat()}")
        assert later.stdout.strip() == "0 reminders sent in 0 e-mails, 0 cameras lapsed"
        assert len(inbox.messages) == 2
    session.expire_all()
    assert session.get(Camera, lapsing.id).verification == "unverified"


def test_a_failing_mail_server_leaves_the_reminder_for_the_next_run(app, session, world, configure):
    approved(session, world, world["account"])
    configure(smtp_url=f"smtp://127.0.0.1:{free_port()}", public_url="http://localhost")
    result = run(app, f"reminders send --today {REMINDER.isoformat()}")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("0 reminders sent in 0 e-mails, 0 cameras lapsed; 1 owners not reached")
    with smtp_server() as inbox:
        configure(smtp_url=inbox.url, public_url="http://localhost")
        result = run(app, f"reminders send --today {(REMINDER + DAY).isoformat()}")
        assert result.stdout.strip() == "1 reminders sent in 1 e-mails, 0 cameras lapsed"
        assert len(inbox.to(world["account"].email)) == 1


def test_the_command_needs_the_sites_address(app, session, world, configure):
    approved(session, world, world["account"])
    configure(public_url="")
    result = run(app, f"reminders send --today {REMINDER.isoformat()}")
    assert result.exit_code == 1 and "OBSERVO_PUBLIC_URL" in result.stderr
    assert session.scalar(sa.select(sa.func.count()).select_from(OwnerReminder)) == 0
