"""Footage deadlines: expiry, urgency order, hours left, owners and their contacts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from observo.domain import deadlines as dl

END = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)


def test_expiry_is_window_end_plus_retention():
    assert dl.footage_expiry(END, True, 72) == dl.Expiry(datetime(2026, 11, 25, 18, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("records", "retention", "flag"),
    [(False, 168, dl.NOT_RECORDING), (False, None, dl.NOT_RECORDING), (True, None, dl.RETENTION_UNKNOWN)],
)
def test_cameras_without_a_deadline_are_flagged(records, retention, flag):
    assert dl.footage_expiry(END, records, retention) == dl.Expiry(None, flag)


def test_urgency_soonest_first_flagged_last():
    items = [
        ("never", None, dl.NOT_RECORDING),
        ("week", END + timedelta(days=7), None),
        ("unknown", None, dl.RETENTION_UNKNOWN),
        ("day", END + timedelta(days=1), None),
        ("day-b", END + timedelta(days=1), None),
    ]
    ordered = dl.by_urgency(items, lambda i: i[1], lambda i: i[2], lambda i: i[0])
    assert [item[0] for item in ordered] == ["day", "day-b", "week", "unknown", "never"]


def test_hours_left_and_expired():
    expires = END + timedelta(hours=48)
    assert dl.hours_left(expires, END) == 48.0
    assert dl.hours_left(expires, END + timedelta(hours=50, minutes=30)) == -2.5
    assert not dl.is_expired(expires, END + timedelta(hours=47))
    assert dl.is_expired(expires, expires)
    assert dl.hours_left(None, END) is None and not dl.is_expired(None, END)


def test_iso_z_round_trip():
    moment = datetime(2026, 11, 22, 10, 0, 5, 123456, tzinfo=UTC)
    assert dl.iso_z(moment) == "2026-11-22T10:00:05Z"
    assert dl.parse_iso("2026-11-22T10:00:05Z") == moment.replace(microsecond=0)
    assert dl.parse_iso("2026-11-22T11:00:05+01:00") == moment.replace(microsecond=0)
    assert dl.iso_z(None) is None and dl.parse_iso(None) is None


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59-01:00", "9999-01-01", "2026-13-01", "ieri"]
)
def test_a_moment_python_cannot_date_or_keep_footage_for_is_a_value_error(text):
    with pytest.raises(ValueError):
        dl.utc_moment(text)


def test_the_extreme_moments_accepted_still_take_a_year_of_retention():
    earliest, latest = dl.utc_moment("0001-01-01T00:00:00Z"), dl.utc_moment("9998-12-31T23:59:59+00:00")
    assert earliest == datetime(1, 1, 1, tzinfo=UTC)
    assert dl.footage_expiry(latest, True, 8760).expires_at == latest + timedelta(hours=8760)


def test_contact_from_dict_drops_empty():
    assert dl.Contact.from_dict({"name": None, "phone": ""}) is None
    assert dl.Contact.from_dict(None) is None
    assert dl.Contact.from_dict({"phone": "011 1"}) == dl.Contact(phone="011 1")
    assert dl.Contact(name="A").as_dict() == {
        "name": "A",
        "phone": None,
        "email": None,
        "pec": None,
        "hours": None,
    }


def _owners():
    return {
        "a": dl.Owner("a", "Comune A", "municipality", dl.Contact(name="Ufficio A", pec="a@pec.it")),
        "b": dl.Owner("b", "Bar B", "private", None),
        "c": dl.Owner("c", "Comune C", "municipality", dl.Contact(phone="011")),
    }


def test_owners_grouped_with_distinct_camera_contacts():
    desk = dl.Contact(name="Sala operativa", phone="011 123")
    night = dl.Contact(name="Notte", phone="011 999")
    cameras = [
        dl.OwnedCamera(1, "a", END + timedelta(hours=72), desk),
        dl.OwnedCamera(2, "a", END + timedelta(hours=24), desk),  # the same contact counts once
        dl.OwnedCamera(3, "a", None, night),
        dl.OwnedCamera(4, "a", END + timedelta(hours=48)),
    ]
    [group] = dl.group_owners(cameras, _owners())
    assert group.owner.slug == "a"
    assert group.camera_ids == (1, 2, 3, 4)
    assert group.earliest_expiry == END + timedelta(hours=24)
    assert group.contacts == (desk, night)  # not the organisation's: its cameras name some


def test_owner_contact_falls_back_to_organisation_and_groups_ordered_by_urgency():
    cameras = [
        dl.OwnedCamera(1, "b", None),
        dl.OwnedCamera(2, "c", END + timedelta(hours=100)),
        dl.OwnedCamera(3, "a", END + timedelta(hours=10)),
    ]
    groups = dl.group_owners(cameras, _owners())
    assert [g.owner.slug for g in groups] == ["a", "c", "b"]
    assert groups[0].contacts == (dl.Contact(name="Ufficio A", pec="a@pec.it"),)
    assert groups[1].contacts == (dl.Contact(phone="011"),)
    assert groups[2].contacts == () and groups[2].earliest_expiry is None
