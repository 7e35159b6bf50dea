"""services/accounts.token_holder: the live token's user read as columns in one statement, on both
databases. It must refuse what the entity path refused and make the same actor."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from observo.domain import credentials
from observo.models import ApiToken
from observo.models.base import utcnow
from observo.services.accounts import LAST_USED_RESOLUTION, token_holder
from observo.services.actors import actor_for, token_actor
from observo.services.organisations import create_pact
from tests import factories


def _token_row(session, clear: str) -> ApiToken:
    digest = credentials.token_digest(clear)
    return session.scalars(sa.select(ApiToken).where(ApiToken.token_hash == digest)).one()


def test_the_holder_makes_the_actor_the_user_makes(session) -> None:
    town = factories.org(session, "moncalieri")
    factories.org(session, "villa-privata", kind="private", sponsor_slug="moncalieri")
    neighbour = factories.org(session, "nichelino")
    create_pact(session, name="Patto sud", slug="patto-sud", member_slugs=["moncalieri", "nichelino"])
    session.commit()
    officer = factories.user(session, town, "editor")
    officer.auditor = True
    session.commit()
    clear = factories.token(session, officer)

    holder = token_holder(session, clear)
    assert holder is not None
    assert (holder.user_id, holder.email, holder.role, holder.auditor) == (
        officer.id,
        officer.email,
        "editor",
        True,
    )
    actor = token_actor(session, holder)
    assert actor == actor_for(session, officer)
    assert len(actor.own_ids) == 2 and actor.partner_ids == {neighbour.id}


def test_refused_tokens_have_no_holder(session) -> None:
    town = factories.org(session, "chieri")
    revoked = factories.token(session, factories.user(session, town, "viewer"))
    _token_row(session, revoked).revoked_at = utcnow()
    expired = factories.token(session, factories.user(session, town, "viewer"))
    _token_row(session, expired).expires_at = utcnow() - timedelta(seconds=1)
    idle_user = factories.user(session, town, "viewer")
    of_inactive_user = factories.token(session, idle_user)
    idle_user.active = False
    session.commit()

    for clear in (revoked, expired, of_inactive_user, "obs_unknown", f"{credentials.OWNER_TOKEN_PREFIX}x"):
        assert token_holder(session, clear) is None, clear


def test_a_use_is_recorded_once_per_resolution(session) -> None:
    clear = factories.token(session, factories.user(session, factories.org(session, "rivoli"), "viewer"))
    start = utcnow()

    first = token_holder(session, clear, now=start)
    assert first is not None and first.use_recorded
    session.commit()
    session.expire_all()
    assert _token_row(session, clear).last_used_at == start

    within = token_holder(session, clear, now=start + LAST_USED_RESOLUTION)
    assert within is not None and not within.use_recorded
    session.expire_all()
    assert _token_row(session, clear).last_used_at == start

    later = start + LAST_USED_RESOLUTION + timedelta(seconds=1)
    after = token_holder(session, clear, now=later)
    assert after is not None and after.use_recorded
    session.rollback()  # a refused request rolls back: the use is not recorded
    session.expire_all()
    assert _token_row(session, clear).last_used_at == start
