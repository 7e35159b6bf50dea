"""Owners' yearly re-confirmation (docs/owners.md, "Yearly re-confirmation"): the reminders due, the
drop to `unverified` after the grace period, and the owner's re-confirmation.

The rule itself (which day a camera is due, soon due, overdue, lapsed) is domain/confirmations.py;
every function here takes `today` from its caller, so tests freeze the clock by passing a day.

Sending is in two steps so that no database lock is held while the mail server answers (SQLite's
write lock would be): `due_reminders` records each reminder (one per camera and period: the unique
key of `owner_reminders`) and returns them grouped per owner; the caller commits, sends, and
`forget`s those whose message failed, so the next run tries them again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain.confirmations import OWNER_SOURCE, ConfirmationPolicy, flag
from observo.domain.permissions import Actor
from observo.errors import NotFound
from observo.models import Camera, Organisation, OwnerAccount, OwnerReminder
from observo.models.base import utcnow
from observo.services import camera_audit, owners
from observo.services.owners import owner_actor
from observo.settings import current_settings

_TAKING_PART = (Camera.source == OWNER_SOURCE, Camera.owner_confirmed_on.is_not(None))


def _policy(policy: ConfirmationPolicy | None) -> ConfirmationPolicy:
    return policy or current_settings().confirmation_policy


@dataclass(frozen=True)
class DueCamera:
    """A camera to re-confirm, as a reminder or the owner's page names it."""

    camera_id: int
    code: str
    name: str
    due_on: date
    state: str  # due_soon | overdue | lapsed


@dataclass(frozen=True)
class Reminder:
    """One owner's reminder: its cameras to re-confirm, and the accounts that receive it (each one
    e-mail). `reminder_ids` are the rows recorded for it (`forget` removes them)."""

    organisation_id: int
    organisation_name: str
    municipality_name: str  # the sponsoring municipality, whose police verify the owner
    recipients: tuple[tuple[str, str], ...]  # (e-mail, name) of each verified account
    cameras: tuple[DueCamera, ...]
    reminder_ids: tuple[int, ...]


def due_query(today: date, policy: ConfirmationPolicy) -> sa.ColumnElement[bool]:
    """Cameras their owner should re-confirm on `today` (due soon, overdue or lapsed)."""
    return sa.and_(*_TAKING_PART, Camera.owner_confirmed_on <= policy.thresholds(today).due_soon)


def _due(camera: Camera, today: date, policy: ConfirmationPolicy) -> DueCamera:
    confirmed_on = camera.owner_confirmed_on
    assert confirmed_on is not None  # due_query's cameras all have one
    state = policy.state(confirmed_on, today)
    return DueCamera(camera.id, camera.code, camera.name, policy.due_on(confirmed_on), state)


def due_reminders(session: Session, today: date, policy: ConfirmationPolicy | None = None) -> list[Reminder]:
    """Record and return the reminders to send on `today`: every camera due soon (or later) whose
    period has no reminder yet, grouped per owner. An owner without a verified account gets none (and
    nothing is recorded: it gets one once an account can read it)."""
    policy = _policy(policy)
    stmt = (
        sa.select(Camera)
        .where(due_query(today, policy), Camera.status != "decommissioned")
        .order_by(Camera.owner_id, Camera.name, Camera.id)
    )
    cameras = list(session.scalars(stmt))
    sent = _sent_periods(session, [camera.id for camera in cameras])
    by_owner: dict[int, list[DueCamera]] = {}
    for camera in cameras:
        due = _due(camera, today, policy)
        if (camera.id, due.due_on) not in sent:
            by_owner.setdefault(camera.owner_id, []).append(due)
    reminders = []
    now = utcnow()
    for organisation_id, due_cameras in by_owner.items():
        recipients = owners.confirmed_accounts(session, organisation_id)
        if not recipients:
            continue
        rows = [OwnerReminder(camera_id=due.camera_id, due_on=due.due_on, sent_at=now) for due in due_cameras]
        session.add_all(rows)
        session.flush()
        organisation = session.get(Organisation, organisation_id)
        assert organisation is not None  # its cameras reference it (ondelete RESTRICT)
        reminders.append(
            Reminder(
                organisation_id,
                organisation.name,
                organisation.sponsor.name if organisation.sponsor is not None else "",
                tuple((account.email, account.name) for account in recipients),
                tuple(due_cameras),
                tuple(row.id for row in rows),
            )
        )
    return reminders


def forget(session: Session, reminder: Reminder) -> None:
    """The reminder's message could not be sent: drop its rows, so that the next run sends it."""
    session.execute(sa.delete(OwnerReminder).where(OwnerReminder.id.in_(reminder.reminder_ids)))
    session.flush()


def _sent_periods(session: Session, camera_ids: list[int]) -> set[tuple[int, date]]:
    if not camera_ids:
        return set()
    rows = session.execute(
        sa.select(OwnerReminder.camera_id, OwnerReminder.due_on).where(
            OwnerReminder.camera_id.in_(camera_ids)
        )
    )
    return {(camera_id, due_on) for camera_id, due_on in rows}


def lapse(session: Session, actor: Actor, today: date, policy: ConfirmationPolicy | None = None) -> list[int]:
    """Cameras past their grace period drop from `owner_confirmed` to `unverified` (audited as
    `camera.lapse`); the ids of those dropped. A camera the police verified otherwise meanwhile is
    left alone, and one already dropped is not dropped again."""
    policy = _policy(policy)
    stmt = (
        sa.select(Camera)
        .where(
            *_TAKING_PART,
            Camera.owner_confirmed_on <= policy.thresholds(today).lapsed,
            Camera.verification == "owner_confirmed",
            Camera.status != "decommissioned",
        )
        .order_by(Camera.id)
    )
    dropped = []
    for camera in session.scalars(stmt):
        before = camera_audit.snapshot(camera)
        camera.verification = "unverified"
        camera.updated_at = utcnow()
        session.flush()
        camera_audit.record_change(session, actor, "camera.lapse", camera, before)
        dropped.append(camera.id)
    return dropped


def owner_due_cameras(
    session: Session, account: OwnerAccount, today: date, policy: ConfirmationPolicy | None = None
) -> list[DueCamera]:
    """The owner's cameras to re-confirm on `today`, soonest due first."""
    policy = _policy(policy)
    stmt = sa.select(Camera).where(Camera.owner_id == account.organisation_id, due_query(today, policy))
    found = [_due(camera, today, policy) for camera in session.scalars(stmt)]
    return sorted(found, key=lambda due: (due.due_on, due.name, due.camera_id))


def confirm(
    session: Session,
    account: OwnerAccount,
    camera_ids: Iterable[int] | None,
    today: date,
    policy: ConfirmationPolicy | None = None,
) -> list[Camera]:
    """The owner confirms its cameras as they are on `today` (those named, or all its due ones when
    `camera_ids` is None): a new period starts, and a lapsed camera is `owner_confirmed` again. Each is
    audited (`owner.camera.confirm`). Another owner's camera, or a missing one, is NotFound; a camera
    of its own not yet due is left as it is."""
    policy = _policy(policy)
    if camera_ids is None:
        wanted: Sequence[int] = [due.camera_id for due in owner_due_cameras(session, account, today, policy)]
    else:
        wanted = sorted(set(camera_ids))
    cameras = []
    for camera_id in wanted:
        camera = session.get(Camera, camera_id)
        if camera is None or camera.owner_id != account.organisation_id:
            raise NotFound(f"no camera {camera_id}")
        cameras.append(camera)
    actor = owner_actor(account)
    confirmed = []
    for camera in cameras:
        if flag(camera.source, camera.owner_confirmed_on, today, policy) is None:
            continue
        before = camera_audit.snapshot(camera)
        camera.owner_confirmed_on = today
        if camera.verification == "unverified":
            camera.verification = "owner_confirmed"
        camera.updated_at = utcnow()
        session.flush()
        camera_audit.record_change(session, actor, "owner.camera.confirm", camera, before)
        confirmed.append(camera)
    return confirmed


def camera_flag(camera: Camera, today: date, policy: ConfirmationPolicy | None = None) -> str | None:
    """due_soon, overdue or lapsed on `today`; None for a confirmed camera or one not taking part."""
    return flag(camera.source, camera.owner_confirmed_on, today, _policy(policy))
