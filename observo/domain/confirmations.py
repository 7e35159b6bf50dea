"""Owners' yearly re-confirmation of their cameras (docs/owners.md, "Yearly re-confirmation").

Pure functions of dates, no clock: the caller says which day it is. A camera the owner registered
(source `owner_registration`) carries the day the owner last confirmed it (`owner_confirmed_on`: the
police's approval, or the owner's re-confirmation). It is due `confirmation_days` later; the first
reminder goes out `reminder_days` before that; `grace_days` after it the camera drops to
verification `unverified` (lapsed). On a given day a camera is:

- `confirmed` before its reminder day,
- `due_soon` from its reminder day to the day before it is due,
- `overdue` from its due day to the day before its grace ends,
- `lapsed` from the day its grace ends, until the owner confirms it again.

A reminder period is named by its due day: a re-confirmation moves it, and so opens a new period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

OWNER_SOURCE = "owner_registration"
STATES = ("confirmed", "due_soon", "overdue", "lapsed")
FLAGS = ("due_soon", "overdue", "lapsed")  # the states that are flagged (all but confirmed)
_ZONE = ZoneInfo("Europe/Rome")  # the owners' and the police's calendar day


def local_day(moment: datetime) -> date:
    """The Italian calendar day of an aware moment (a reminder's day is the owner's, not UTC's)."""
    return moment.astimezone(_ZONE).date()


@dataclass(frozen=True)
class ConfirmationPolicy:
    confirmation_days: int = 365
    reminder_days: int = 30
    grace_days: int = 60

    def due_on(self, confirmed_on: date) -> date:
        return confirmed_on + timedelta(days=self.confirmation_days)

    def reminder_on(self, confirmed_on: date) -> date:
        return self.due_on(confirmed_on) - timedelta(days=self.reminder_days)

    def lapses_on(self, confirmed_on: date) -> date:
        return self.due_on(confirmed_on) + timedelta(days=self.grace_days)

    def state(self, confirmed_on: date, today: date) -> str:
        if today >= self.lapses_on(confirmed_on):
            return "lapsed"
        if today >= self.due_on(confirmed_on):
            return "overdue"
        if today >= self.reminder_on(confirmed_on):
            return "due_soon"
        return "confirmed"

    def thresholds(self, today: date) -> Thresholds:
        """The latest confirmation days that are due soon, overdue and lapsed on `today`: the same
        rule as `state`, as bounds a query compares `owner_confirmed_on` with."""
        return Thresholds(
            due_soon=today - timedelta(days=self.confirmation_days - self.reminder_days),
            overdue=today - timedelta(days=self.confirmation_days),
            lapsed=today - timedelta(days=self.confirmation_days + self.grace_days),
        )


@dataclass(frozen=True)
class Thresholds:
    """A camera confirmed on or before `lapsed` is lapsed, else on or before `overdue` overdue, else on
    or before `due_soon` due soon, else confirmed."""

    due_soon: date
    overdue: date
    lapsed: date


def flag(
    source: str | None, confirmed_on: date | None, today: date, policy: ConfirmationPolicy
) -> str | None:
    """The flag a camera carries on `today`: due_soon, overdue or lapsed; None for a confirmed camera
    and for one that takes no part (not registered by its owner, or never confirmed)."""
    if source != OWNER_SOURCE or confirmed_on is None:
        return None
    state = policy.state(confirmed_on, today)
    return None if state == "confirmed" else state
