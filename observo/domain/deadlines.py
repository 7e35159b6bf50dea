"""Footage deadlines: when each camera's recording of an event is overwritten, and whom to ask first.

Footage of a window is kept `retention_hours` after the window ends, so it expires at
`window end + retention_hours`. A camera that does not record, or whose retention is unknown, has no
deadline: it is flagged instead, and listed after every camera with one (an officer still has to
check it, but cannot know how urgently). Plain values only: no Flask, no session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

NOT_RECORDING = "not_recording"
RETENTION_UNKNOWN = "retention_unknown"
_FLAG_ORDER = {None: 0, RETENTION_UNKNOWN: 1, NOT_RECORDING: 2}
_LATEST = datetime.max.replace(tzinfo=UTC)
T = TypeVar("T")


@dataclass(frozen=True)
class Expiry:
    """When footage of the window expires, or why that cannot be said (`flag`)."""

    expires_at: datetime | None
    flag: str | None = None


def footage_expiry(window_end: datetime, records: bool, retention_hours: int | None) -> Expiry:
    if not records:
        return Expiry(None, NOT_RECORDING)
    if retention_hours is None:
        return Expiry(None, RETENTION_UNKNOWN)
    return Expiry(window_end + timedelta(hours=retention_hours))


def urgency_key(expires_at: datetime | None, flag: str | None, tie: Any = 0) -> tuple[Any, ...]:
    """Soonest expiry first; cameras without one last (unknown retention before not recording)."""
    return (expires_at is None, expires_at or _LATEST, _FLAG_ORDER.get(flag, len(_FLAG_ORDER)), tie)


def by_urgency(
    items: Iterable[T],
    expiry: Callable[[T], datetime | None],
    flag: Callable[[T], str | None],
    tie: Callable[[T], Any],
) -> list[T]:
    return sorted(items, key=lambda item: urgency_key(expiry(item), flag(item), tie(item)))


def hours_left(expires_at: datetime | None, at: datetime) -> float | None:
    """Hours from `at` until the footage expires (negative once expired); None without a deadline."""
    if expires_at is None:
        return None
    return round((expires_at - at).total_seconds() / 3600, 2)


def is_expired(expires_at: datetime | None, at: datetime) -> bool:
    return expires_at is not None and expires_at <= at


@dataclass(frozen=True)
class Contact:
    """Whom to ask for footage. Every field is optional; an all-empty contact is no contact."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    pec: str | None = None
    hours: str | None = None

    @property
    def is_empty(self) -> bool:
        return not any(astuple(self))

    def as_dict(self) -> dict[str, str | None]:
        return {item.name: getattr(self, item.name) for item in fields(self)}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any] | None) -> Contact | None:
        if not values:
            return None
        contact = cls(**{item.name: values.get(item.name) for item in fields(cls)})
        return None if contact.is_empty else contact


@dataclass(frozen=True)
class Owner:
    """An organisation owning cameras, with its own contact for when its cameras name none."""

    slug: str
    name: str
    kind: str
    contact: Contact | None = None


@dataclass(frozen=True)
class OwnedCamera:
    camera_id: int
    owner: str  # the owner's slug
    expires_at: datetime | None
    contact: Contact | None = None  # the camera's footage contact


@dataclass(frozen=True)
class OwnerGroup:
    owner: Owner
    camera_ids: tuple[int, ...]
    earliest_expiry: datetime | None
    contacts: tuple[Contact, ...]


def group_owners(cameras: Sequence[OwnedCamera], owners: Mapping[str, Owner]) -> list[OwnerGroup]:
    """One group per owner of `cameras`, most urgent first (then by name).

    Contacts are the distinct footage contacts of the owner's cameras, in camera order; when none
    of its cameras names one, the organisation's own contact (if it has one).
    """
    by_owner: dict[str, list[OwnedCamera]] = {}
    for camera in cameras:
        by_owner.setdefault(camera.owner, []).append(camera)
    groups = [_group(owners[slug], members) for slug, members in by_owner.items()]
    return sorted(
        groups, key=lambda g: (g.earliest_expiry is None, g.earliest_expiry or _LATEST, g.owner.name)
    )


def _group(owner: Owner, members: list[OwnedCamera]) -> OwnerGroup:
    contacts = list(dict.fromkeys(camera.contact for camera in members if camera.contact))
    if not contacts and owner.contact is not None:
        contacts = [owner.contact]
    expiries = [camera.expires_at for camera in members if camera.expires_at is not None]
    return OwnerGroup(
        owner=owner,
        camera_ids=tuple(camera.camera_id for camera in members),
        earliest_expiry=min(expiries) if expiries else None,
        contacts=tuple(contacts),
    )


def iso_z(moment: datetime | None) -> str | None:
    """An aware moment as ISO 8601 UTC with a `Z` (seconds), as the API writes times."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


# The last year a moment may fall in: footage kept up to a year after it must still be a date.
LATEST_YEAR = 9998


def utc_moment(text: str) -> datetime:
    """An ISO 8601 date or date-time as an aware UTC moment; naive values are UTC.

    ValueError if it is not one, or if it lies beyond LATEST_YEAR or before year 1 once in UTC
    (`0001-01-01T00:00+01:00` is a moment of year 0, which Python's dates do not reach).
    """
    moment = datetime.fromisoformat(text)
    try:
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        in_range = moment.year <= LATEST_YEAR
    except OverflowError:
        in_range = False
    if not in_range:
        raise ValueError(f"{text!r} lies outside years 1 to {LATEST_YEAR}")
    return moment


def parse_iso(text: str | None) -> datetime | None:
    """The inverse of `iso_z` (any ISO 8601 offset; naive values are UTC)."""
    return None if text is None else utc_moment(text)
