"""OGC API – Features Part 1 `datetime`: an instant or an interval, as the spec's grammar writes them.

    datetime = date-time / interval
    interval = (date-time / "..") "/" (date-time / "..")   ; not both open; ".." may be left empty

A date-time is RFC 3339 with its offset (`2024-05-01T10:00:00Z`, `...+02:00`, fractions allowed);
a full date (`2024-05-01`) stands for that whole UTC day. Bounds are inclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from observo.errors import FieldIssue, MalformedQuery

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")
_ONE_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class TimeRange:
    """Inclusive bounds in UTC; None is open."""

    start: datetime | None
    end: datetime | None


def _fail(detail: str) -> MalformedQuery:
    return MalformedQuery(detail, [FieldIssue("/datetime", "invalid_datetime", detail)])


def _moment(text: str, end: bool) -> datetime:
    """One bound: a date-time, or a date's first (or, as an end, last) microsecond."""
    try:
        if _DATE.match(text):
            day = datetime.combine(datetime.strptime(text, "%Y-%m-%d").date(), time(), UTC)
            return day + timedelta(days=1) - _ONE_MICROSECOND if end else day
        if _DATE_TIME.match(text):
            # Python keeps microseconds: finer fractions are cut, never rounded up past the bound.
            text = text.upper()  # RFC 3339 allows a lowercase t and z
            head, dot, rest = text.partition(".")
            if dot:
                digits = re.match(r"\d+", rest).group(0)  # type: ignore[union-attr]
                text = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits) :]}"
            return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        pass
    raise _fail(
        f"{text!r} is not an RFC 3339 date-time with its offset (e.g. 2024-05-01T10:00:00Z) or a date"
    )


def parse_datetime(text: str) -> TimeRange:
    """`datetime` as inclusive UTC bounds; 400 (invalid_datetime) for anything off the grammar."""
    text = text.strip()
    if "/" not in text:
        if _DATE.match(text):
            return TimeRange(_moment(text, end=False), _moment(text, end=True))
        instant = _moment(text, end=False)
        return TimeRange(instant, instant)
    first, _, second = text.partition("/")
    open_start, open_end = first in ("", ".."), second in ("", "..")
    if open_start and open_end:
        raise _fail(
            "an interval needs at least one bound: '../2024-05-01T00:00:00Z' or '2024-05-01T00:00:00Z/..'"
        )
    start = None if open_start else _moment(first, end=False)
    end = None if open_end else _moment(second, end=True)
    if start is not None and end is not None and start > end:
        raise _fail("the interval ends before it starts")
    return TimeRange(start, end)
