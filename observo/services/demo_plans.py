"""The demo's sensitive places and its coordinated intervention, seeded through the services
(audited, measured and snapshotted as a user's would be). Idempotent: keyed by name and title."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.demo import territory_plans as plans
from observo.domain.permissions import SYSTEM
from observo.domain.shapes import square_around
from observo.models import Intervention, Organisation, Place, User
from observo.models.base import utcnow
from observo.services import interventions, places
from observo.services.actors import actor_for


def seed_places(session: Session) -> int:
    """The sensitive places of the demo towns, each with a first coverage measurement."""
    added = 0
    for key, category, half_m in plans.SENSITIVE_PLACES:
        spec = plans.place_by_key(key)
        owner_id = session.scalar(sa.select(Organisation.id).where(Organisation.slug == spec["town"]))
        known = sa.select(Place.id).where(Place.organisation_id == owner_id, Place.name == spec["name"])
        if session.scalar(known) is not None:
            continue
        values = {
            "organisation": spec["town"],
            "name": spec["name"],
            "category": category,
            "geometry": square_around(spec["centre"], half_m),
        }
        places.create_place(session, SYSTEM, values)
        added += 1
    return added


def seed_intervention(session: Session) -> int:
    """The pact's evening of proximity patrols, planned by Nichelino's local police (1 if added)."""
    spec = plans.INTERVENTION
    if session.scalar(sa.select(Intervention.id).where(Intervention.title == spec["title"])) is not None:
        return 0
    lead = actor_for(session, session.scalar(sa.select(User).where(User.email == spec["lead_user"])))
    values = intervention_values(spec, *plans.next_saturday_evening(utcnow()))
    interventions.create_intervention(session, lead, values)
    return 1


def intervention_values(spec: dict[str, Any], start: datetime, end: datetime) -> dict[str, Any]:
    """What `interventions.create_intervention` takes for a demo intervention of `spec` (its text,
    its pacts if it names any, its targets: squares around demo places) in the window start-end."""
    targets = []
    for key, half_m in spec["targets"]:
        place = plans.place_by_key(key)
        targets.append(
            {"name": place["name"], "geometry": square_around(place["centre"], half_m), "buffer_m": 0}
        )
    return {
        **{
            name: spec[name]
            for name in ("title", "description", "kind", "reason", "protocol_number", "status")
        },
        "window_start": start,
        "window_end": end,
        **({"pacts": spec["pacts"]} if "pacts" in spec else {}),
        "targets": targets,
    }
