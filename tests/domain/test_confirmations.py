"""The yearly re-confirmation rule (domain/confirmations.py): which state a camera is in on which day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from observo.domain.confirmations import ConfirmationPolicy, flag, local_day

POLICY = ConfirmationPolicy(confirmation_days=365, reminder_days=30, grace_days=60)
CONFIRMED = date(2027, 1, 10)
DAY = timedelta(days=1)
REMINDER, DUE, LAPSES = date(2027, 12, 11), date(2028, 1, 10), date(2028, 3, 10)  # 2028 is a leap year


def test_the_days_of_a_period():
    assert (POLICY.reminder_on(CONFIRMED), POLICY.due_on(CONFIRMED), POLICY.lapses_on(CONFIRMED)) == (
        REMINDER,
        DUE,
        LAPSES,
    )


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (CONFIRMED, "confirmed"),
        (REMINDER - DAY, "confirmed"),
        (REMINDER, "due_soon"),
        (DUE - DAY, "due_soon"),
        (DUE, "overdue"),
        (LAPSES - DAY, "overdue"),
        (LAPSES, "lapsed"),
        (LAPSES + 400 * DAY, "lapsed"),
    ],
)
def test_state_at_each_boundary(today, state):
    assert POLICY.state(CONFIRMED, today) == state


@pytest.mark.parametrize("offset", range(-2, 3))
def test_thresholds_say_what_state_says(offset):
    for today in (REMINDER + offset * DAY, DUE + offset * DAY, LAPSES + offset * DAY):
        bounds = POLICY.thresholds(today)
        by_bounds = (
            "lapsed"
            if bounds.lapsed >= CONFIRMED
            else "overdue"
            if bounds.overdue >= CONFIRMED
            else "due_soon"
            if bounds.due_soon >= CONFIRMED
            else "confirmed"
        )
        assert by_bounds == POLICY.state(CONFIRMED, today)


def test_only_owner_registered_confirmed_cameras_are_flagged():
    assert flag("owner_registration", CONFIRMED, DUE, POLICY) == "overdue"
    assert flag("owner_registration", CONFIRMED, REMINDER - DAY, POLICY) is None  # confirmed
    assert flag("census", CONFIRMED, DUE, POLICY) is None
    assert flag("owner_registration", None, DUE, POLICY) is None


def test_the_day_is_the_italian_one():
    assert local_day(datetime(2027, 6, 30, 22, 30, tzinfo=UTC)) == date(2027, 7, 1)  # 00:30 in Rome
    assert local_day(datetime(2027, 12, 31, 22, 59, tzinfo=UTC)) == date(2027, 12, 31)  # 23:59 in Rome
