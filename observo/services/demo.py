"""The demo territory: idempotent, so `observo seed-demo` can run on every start."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from shapely.geometry import Point
from sqlalchemy.orm import Session

from observo.demo import territory
from observo.demo.territory_buildings import SOURCE as BUILDINGS_SOURCE
from observo.demo.territory_buildings import demo_building_layers
from observo.domain.camera_rules import DATE_ATTRIBUTES
from observo.domain.permissions import SYSTEM
from observo.models import Camera, Obstacle, Organisation, Pact, User
from observo.services import accounts, demo_owners, demo_plans, obstacles, organisations
from observo.services.cameras import CameraWrite, create_camera

# Seeding acts as the platform itself: an admin without a user row.
ORGANISATION_FIELDS = ("contact_name", "contact_phone", "contact_email", "contact_pec")


@dataclass(frozen=True)
class SeedReport:
    organisations: int
    users: int
    cameras: int
    places: int = 0
    interventions: int = 0
    buildings: int = 0
    owners: int = 0


def seed_demo(session: Session, password: str) -> SeedReport:
    """Create whatever part of the demo is missing; existing rows are left as they are."""
    new_orgs = sum(_ensure_organisation(session, spec) for spec in territory.ORGANISATIONS)
    for spec in territory.PACTS:
        if session.scalar(sa.select(Pact.id).where(Pact.slug == spec["slug"])) is None:
            organisations.create_pact(
                session, slug=spec["slug"], name=spec["name"], member_slugs=spec["members"]
            )
    new_users = sum(_ensure_user(session, spec, password) for spec in territory.USERS)
    existing = {
        tuple(row) for row in session.execute(sa.select(Organisation.slug, Camera.ref).join(Camera.owner))
    }
    new_cameras = 0
    for spec in territory.demo_cameras():
        properties: dict[str, Any] = spec["properties"]
        if (properties["owner"], properties["ref"]) not in existing:
            attrs = {k: date.fromisoformat(v) if k in DATE_ATTRIBUTES else v for k, v in properties.items()}
            create_camera(session, SYSTEM, CameraWrite(Point(spec["lon"], spec["lat"]), attrs))
            new_cameras += 1
    session.flush()
    new_buildings = _seed_buildings(session)  # before the places' coverage is measured: it sees them
    return SeedReport(
        new_orgs,
        new_users,
        new_cameras,
        demo_plans.seed_places(session),
        demo_plans.seed_intervention(session),
        new_buildings,
        demo_owners.seed_owners(session, password),  # after the users: an officer approves their cameras
    )


def _seed_buildings(session: Session) -> int:
    """Each town's generated buildings (demo/territory_buildings.py), imported as its obstacle layer
    BUILDINGS_SOURCE when it has none yet; the import recomputes the visible areas of the cameras
    they clip. A layer already there is left as it is, like the rest of the demo."""
    seeded = set(
        session.scalars(
            sa.select(Organisation.slug)
            .join(Obstacle, Obstacle.organisation_id == Organisation.id)
            .where(Obstacle.source == BUILDINGS_SOURCE)
            .distinct()
        )
    )
    if seeded >= set(territory.town_centres()):
        return 0  # every layer is there: not even generated
    added = 0
    for slug, layer in demo_building_layers().items():
        if slug in seeded:
            continue
        data = json.dumps(layer).encode()
        done = obstacles.import_obstacles(
            session, SYSTEM, data, f"{BUILDINGS_SOURCE}.geojson", slug, source=BUILDINGS_SOURCE
        )
        added += sum(done.counts.values())
    return added


def _ensure_organisation(session: Session, spec: dict[str, Any]) -> bool:
    if session.scalar(sa.select(Organisation.id).where(Organisation.slug == spec["slug"])) is not None:
        return False
    organisation = organisations.create_organisation(
        session,
        slug=spec["slug"],
        name=spec["name"],
        kind=spec["kind"],
        istat_code=spec.get("istat_code"),
        sponsor_slug=spec.get("sponsor"),
        public_precision_m=spec.get("public_precision_m", 100),
    )
    for name in ORGANISATION_FIELDS:
        setattr(organisation, name, spec.get(name))
    return True


def _ensure_user(session: Session, spec: dict[str, Any], password: str) -> bool:
    if session.scalar(sa.select(User.id).where(User.email == spec["email"])) is not None:
        return False
    accounts.create_user(
        session,
        email=spec["email"],
        name=spec["name"],
        org_slug=spec["org"],
        role=spec["role"],
        password=password,
    )
    return True
