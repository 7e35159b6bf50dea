"""The demo seeds sensitive places with a first measurement and the pact's planned intervention."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from observo.demo.territory_plans import INTERVENTION, SENSITIVE_PLACES, next_saturday_evening
from observo.models import Intervention, Place, PlaceCoverage
from observo.services.demo import seed_demo


def test_demo_places_and_intervention_are_seeded_once(session):
    first = seed_demo(session, "demo-password-not-used")
    session.commit()
    assert (first.places, first.interventions) == (len(SENSITIVE_PLACES), 1)
    measurements = session.scalars(sa.select(PlaceCoverage)).all()
    assert len(measurements) == len(SENSITIVE_PLACES)
    assert all(0 < m.ratio < 1 and m.camera_count > 0 for m in measurements)  # watched, with gaps
    plan = session.scalar(sa.select(Intervention).where(Intervention.title == INTERVENTION["title"]))
    assert plan.status == "planned" and plan.lead.slug == "nichelino"
    assert [t["name"] for t in plan.snapshot["targets"]] == [t.name for t in plan.targets]
    assert all(t["coverage"]["cameras"] for t in plan.snapshot["targets"])
    assert plan.window_start > datetime.now(UTC)

    again = seed_demo(session, "demo-password-not-used")
    assert (again.places, again.interventions) == (0, 0)
    assert session.scalar(sa.select(sa.func.count()).select_from(Place)) == len(SENSITIVE_PLACES)


def test_the_demo_window_is_the_next_saturday_evening_in_rome():
    start, end = next_saturday_evening(datetime(2026, 11, 21, 19, 0, tzinfo=UTC))  # a Saturday, 20:00 in Rome
    assert (start, end) == (
        datetime(2026, 11, 28, 17, 0, tzinfo=UTC),
        datetime(2026, 11, 28, 21, 0, tzinfo=UTC),
    )
    summer, _ = next_saturday_evening(datetime(2027, 7, 1, tzinfo=UTC))  # Thursday; CEST is UTC+2
    assert summer == datetime(2027, 7, 3, 16, 0, tzinfo=UTC)
