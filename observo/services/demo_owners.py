"""The demo's registered owners (demo/territory_owners.py), seeded through the services an owner's and
an officer's pages call, so each step is audited as in use: sign-up and confirmed e-mail,
declarations, the officer's approvals, a confirmed intervention, its preservation requests and the
owner's answer. Idempotent: an owner whose account exists is left as it is, the intervention is keyed
by its title (its requests are made with it)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.demo import territory_owners as demo
from observo.domain.confirmations import local_day
from observo.domain.permissions import Actor
from observo.models import Intervention, Organisation, OwnerAccount, User
from observo.models.base import utcnow
from observo.schemas.owner_declaration import OwnerCameraDeclaration as DeclarationSchema
from observo.services import interventions, owner_cameras, owner_requests, owners, preservation, verifications
from observo.services.actors import actor_for
from observo.services.demo_plans import intervention_values


def seed_owners(session: Session, password: str) -> int:
    """The demo owners missing, at their stage; the number added."""
    officer = session.scalar(sa.select(User).where(User.email == demo.INTERVENTION["lead_user"]))
    municipality = owners.signup_municipality(session, demo.MUNICIPALITY)
    added = 0
    for spec in demo.OWNERS:
        if owners.account_by_email(session, spec["email"]) is not None:
            continue
        fields = {name: spec[name] for name in owners.SignUp.__dataclass_fields__ if name != "password"}
        account, _ = owners.register(session, municipality, owners.SignUp(**fields, password=password))
        session.flush()
        owners.verify_email(session, account)
        verifier = actor_for(session, officer)  # read now: its municipality sponsors the new owner
        for declared in spec["approved"]:
            declaration = owner_cameras.declare(session, account, DeclarationSchema().load(declared))
            session.flush()
            _, camera = verifications.decide(
                session, verifier, declaration.id, declaration.version, "approve"
            )
            if "confirmed_days_ago" in spec:  # approved last year: its re-confirmation is due now
                camera.owner_confirmed_on = local_day(utcnow()) - timedelta(days=spec["confirmed_days_ago"])
        for declared in spec["pending"]:
            owner_cameras.declare(session, account, DeclarationSchema().load(declared))
        session.flush()
        added += 1
    _seed_requests(session, actor_for(session, officer))
    return added


def _seed_requests(session: Session, officer: Actor) -> None:
    """The break-in's intervention with its requests to the owners, once."""
    spec = demo.INTERVENTION
    if session.scalar(sa.select(Intervention.id).where(Intervention.title == spec["title"])) is not None:
        return
    start, end = demo.last_night(utcnow())
    intervention = interventions.create_intervention(session, officer, intervention_values(spec, start, end))
    asked_at = min(end + timedelta(hours=7), utcnow())  # the next morning, when the shop reported it
    for owner_name, channel, protocol, answer, note in demo.REQUESTS:
        owner = session.scalar(sa.select(Organisation).where(Organisation.name == owner_name))
        request = preservation.create_request(
            session,
            officer,
            intervention.id,
            {
                "owner": owner.slug,
                "channel": channel,
                "contact": owner.contact_pec if channel == "pec" else owner.contact_email,
                "protocol_number": protocol,
                "requested_at": asked_at,
            },
        )
        if answer is not None:
            account = session.scalar(sa.select(OwnerAccount).where(OwnerAccount.organisation_id == owner.id))
            owner_requests.answer(session, account, request.id, answer, note)
