"""Refusals of unidentified callers, logged once per client address and window with a count.

A refused token (or a refusal of an anonymous caller) carries no identity, so each one as an entry of
its own would let anyone fill the five-year log with random tokens. Instead, per (action, address,
hour):
- the first refusal is an audit entry in full (method, path, the token's first characters);
- each later one adds 1 to a row of `audit_refusal_counts`, in the refusal's own transaction;
- when the window has closed, one `<action>.repeated` entry with `result_count` = the count replaces
  the row, in one transaction: lazily at the next such refusal from any address, or by
  `observo audit flush` (cron), which also closes the open windows.
A count is never lost: it is either in its row or in the log, never in between (the row is deleted by
the same DELETE ... RETURNING that reads the count, in the transaction that appends its summary; a
refusal that finds its row gone starts a new window with an entry in full). See docs/security.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor
from observo.models.audit import RefusalCount
from observo.models.base import utcnow
from observo.services import audit

WINDOW = timedelta(hours=1)
SUMMARY_SUFFIX = ".repeated"
LAZY_BATCH = 50  # closed windows summarised per refusal: bounded work for the refused request


def window_start(moment: datetime) -> datetime:
    """Windows are whole UTC hours."""
    return moment.replace(minute=0, second=0, microsecond=0)


def record_refusal(
    session: Session,
    actor: Actor,
    action: str,
    address: str | None,
    details: Mapping[str, Any],
    now: datetime | None = None,
) -> bool:
    """Log or count one refusal from `address`; True when it was logged in full."""
    now = now or utcnow()
    start, address = window_start(now), address or "unknown"
    summarise(session, before=start, limit=LAZY_BATCH)
    if _count(session, action, address, start, now):
        return False
    try:
        with session.begin_nested():  # two first refusals at once: one row, the other counts
            session.add(
                RefusalCount(action=action, address=address, window_start=start, count=0, last_at=now)
            )
    except sa.exc.IntegrityError:
        if _count(session, action, address, start, now):
            return False
        raise
    audit.record(session, actor, action, details={**details, "repeats_counted_until": _end(start)})
    return True


def _count(session: Session, action: str, address: str, start: datetime, now: datetime) -> bool:
    stmt = (
        sa.update(RefusalCount)
        .where(
            RefusalCount.action == action,
            RefusalCount.address == address,
            RefusalCount.window_start == start,
        )
        .values(count=RefusalCount.count + 1, last_at=now)
    )
    return session.execute(stmt, execution_options={"synchronize_session": False}).rowcount > 0


def summarise(session: Session, before: datetime | None = None, limit: int | None = None) -> int:
    """Replace counted windows (those starting before `before`; all when None) by summary entries;
    the number of refusals summarised. The caller commits."""
    select = sa.select(RefusalCount.id).order_by(RefusalCount.id)
    if before is not None:
        select = select.where(RefusalCount.window_start < before)
    if limit is not None:
        select = select.limit(limit)
    ids = list(session.scalars(select))
    if not ids:
        return 0
    taken = (
        sa.delete(RefusalCount)
        .where(RefusalCount.id.in_(ids))
        .returning(
            RefusalCount.action,
            RefusalCount.address,
            RefusalCount.window_start,
            RefusalCount.count,
            RefusalCount.last_at,
        )
    )
    total = 0
    rows = session.execute(taken, execution_options={"synchronize_session": False}).all()
    for action, address, start, count, last_at in rows:
        if count:
            _log_summary(session, action, address, start, count, last_at)
            total += count
    return total


def _log_summary(
    session: Session, action: str, address: str, start: datetime, count: int, last_at: datetime
) -> None:
    audit.record(
        session,
        Actor(label=f"address {address}"),
        action + SUMMARY_SUFFIX,
        result_count=count,
        details={
            "window_start": start.isoformat(),
            "window_end": _end(start),
            "last_at": last_at.isoformat(),
        },
        context=audit.RequestContext(None, address),
    )


def _end(start: datetime) -> str:
    return (start + WINDOW).isoformat()


def pending(session: Session) -> tuple[int, datetime | None]:
    """(refusals counted but not yet summarised, the oldest window's start)."""
    total, oldest = session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(RefusalCount.count), 0), sa.func.min(RefusalCount.window_start)
        )
    ).one()
    return int(total), oldest
