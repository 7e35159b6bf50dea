"""The demo's registered owners (demo/territory_owners.py): each at its stage, reachable with the demo
password, their requests answered or open; seeded once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from observo.demo.territory_owners import DEMO_OWNER_EMAIL, INTERVENTION, OWNERS, REQUESTS, last_night
from observo.domain.confirmations import ConfirmationPolicy, flag, local_day
from observo.models import (
    AuditEntry,
    Camera,
    Intervention,
    OwnerAccount,
    OwnerCameraDeclaration,
    PreservationAnswer,
    PreservationRequest,
)
from observo.services import owners
from observo.services.demo import seed_demo
from observo.settings import PROJECT_ROOT

PASSWORD = "demo-password-owner"


def _by_owner(session, model, column) -> dict[str, list]:
    rows = session.execute(
        sa.select(OwnerAccount.organisation_id, model).join(model, column == OwnerAccount.organisation_id)
    )
    found: dict[str, list] = {}
    names = {a.organisation_id: a.organisation.name for a in session.scalars(sa.select(OwnerAccount))}
    for organisation_id, item in rows:
        found.setdefault(names[organisation_id], []).append(item)
    return found


def test_demo_owners_at_each_stage_seeded_once(session):
    first = seed_demo(session, PASSWORD)
    session.commit()
    assert first.owners == len(OWNERS)

    # Verified accounts that sign in with the demo password, sponsored by Moncalieri.
    accounts = session.scalars(sa.select(OwnerAccount)).all()
    assert {a.email for a in accounts} == {spec["email"] for spec in OWNERS} >= {DEMO_OWNER_EMAIL}
    assert all(
        a.email_verified_at is not None and a.organisation.sponsor.slug == "moncalieri" for a in accounts
    )
    assert owners.authenticate_owner(session, DEMO_OWNER_EMAIL, PASSWORD) is not None

    # Pending declarations wait in the queue; approved ones became the owner's cameras.
    declarations = _by_owner(session, OwnerCameraDeclaration, OwnerCameraDeclaration.organisation_id)
    cameras = _by_owner(session, Camera, Camera.owner_id)
    for spec in OWNERS:
        name = spec["organisation_name"]
        statuses = sorted(d.status for d in declarations.get(name, []))
        assert statuses == sorted(["approved"] * len(spec["approved"]) + ["pending"] * len(spec["pending"]))
        assert sorted(c.name for c in cameras.get(name, [])) == sorted(d["name"] for d in spec["approved"])
    assert all(c.source == "owner_registration" for found in cameras.values() for c in found)
    # One owner's re-confirmation is due: flagged by the rule the API uses, the others are confirmed.
    today = local_day(datetime.now(UTC))
    flags = {
        name: {flag(c.source, c.owner_confirmed_on, today, ConfirmationPolicy()) for c in found}
        for name, found in cameras.items()
    }
    due = {spec["organisation_name"] for spec in OWNERS if "confirmed_days_ago" in spec}
    assert due and all(flags[name] == ({"due_soon"} if name in due else {None}) for name in flags)

    # The break-in's requests: one answered "preserved", one open; both owners' cameras in the plan.
    plan = session.scalar(sa.select(Intervention).where(Intervention.title == INTERVENTION["title"]))
    assert plan.lead.slug == "moncalieri" and plan.window_end < datetime.now(UTC)
    planned = {camera["owner"] for camera in plan.snapshot["cameras"]}
    requests = session.scalars(
        sa.select(PreservationRequest).where(PreservationRequest.intervention_id == plan.id)
    )
    by_protocol = {r.protocol_number: r for r in requests}
    assert set(by_protocol) == {protocol for _, _, protocol, _, _ in REQUESTS}
    for owner_name, _, protocol, answer, _ in REQUESTS:
        request = by_protocol[protocol]
        assert request.owner.name == owner_name and request.owner.slug in planned
        assert request.status == ("preserved" if answer == "preserved" else "pending")
    answers = session.scalars(sa.select(PreservationAnswer.answer)).all()
    assert answers == ["preserved"]
    audited = set(session.scalars(sa.select(AuditEntry.action)))
    assert {"owner.signup", "owner.verify", "verification.approve", "preservation.answer"} <= audited

    again = seed_demo(session, PASSWORD)
    session.commit()
    assert again.owners == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(OwnerAccount)) == len(OWNERS)
    assert session.scalar(sa.select(sa.func.count()).select_from(PreservationRequest)) == len(REQUESTS)


def test_the_break_in_was_last_night_and_its_footage_is_still_kept():
    # 10:00 in Rome on a winter day: the night that ended at 02:00 the same day.
    start, end = last_night(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    assert (start, end) == (datetime(2026, 12, 2, 21, 0, tzinfo=UTC), datetime(2026, 12, 3, 1, 0, tzinfo=UTC))
    # 02:30 in Rome (summer): that night is not over by an hour, so the night before.
    start, end = last_night(datetime(2027, 7, 3, 0, 30, tzinfo=UTC))
    assert end == datetime(2027, 7, 2, 0, 0, tzinfo=UTC) and end - start == timedelta(hours=4)
    for now in (datetime(2026, 12, 3, 9, 0, tzinfo=UTC), datetime(2027, 7, 3, 0, 30, tzinfo=UTC)):
        _, end = last_night(now)
        assert timedelta(hours=1) <= now - end < timedelta(hours=72)  # before the 72 hours are up


def test_the_readme_and_make_run_name_the_demo_owners():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert all(f"`{spec['email']}`" in readme for spec in OWNERS)
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert f"DEMO_OWNER := {DEMO_OWNER_EMAIL}\n" in makefile and "$(DEMO_OWNER)" in makefile
