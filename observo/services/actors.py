"""Turn a signed-in user into the `Actor` the permission rules reason about."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain.permissions import ANONYMOUS, Actor
from observo.models import Organisation, User, pact_members


def actor_for(session: Session, user: User | None) -> Actor:
    if user is None or not user.active:
        return ANONYMOUS
    org_id = user.organisation_id
    own = {org_id, *_sponsored_by(session, [org_id])}
    partners = _pact_partners(session, org_id)
    # A partner's federated private owners share with the pact too.
    partners |= _sponsored_by(session, partners)
    return Actor(
        user_id=user.id,
        label=user.email,
        organisation_id=org_id,
        organisation_kind=user.organisation.kind,
        role=user.role,
        auditor=user.auditor,
        own_ids=frozenset(own),
        partner_ids=frozenset(partners - own),
    )


def _sponsored_by(session: Session, sponsor_ids: list[int] | set[int]) -> set[int]:
    if not sponsor_ids:
        return set()
    stmt = sa.select(Organisation.id).where(Organisation.sponsor_id.in_(sponsor_ids))
    return set(session.scalars(stmt))


def _pact_partners(session: Session, org_id: int) -> set[int]:
    my_pacts = sa.select(pact_members.c.pact_id).where(pact_members.c.organisation_id == org_id)
    stmt = sa.select(pact_members.c.organisation_id).where(pact_members.c.pact_id.in_(my_pacts))
    return set(session.scalars(stmt))
