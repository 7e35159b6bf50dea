"""A token's check and its holder's read scope come in one statement (services/accounts.token_holder):
the actor must be exactly the one `actor_for` builds with its own query, whatever the organisation's
sponsored owners and pacts, and a refused token must be refused the same way. Both databases."""

from __future__ import annotations

import sqlalchemy as sa

from observo.models import ApiToken
from observo.models.base import utcnow
from observo.services.accounts import token_holder
from observo.services.actors import actor_for
from observo.services.organisations import create_pact
from tests import factories as f


def _selects(session: sa.orm.Session) -> list[str]:
    """The SELECTs sent from now on (the test session's SAVEPOINTs aside)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    sa.event.listen(session.get_bind(), "before_cursor_execute", record)
    return seen


def test_the_scope_read_with_the_token_is_the_one_actor_for_reads(session) -> None:
    town = f.org(session, "town-a")
    neighbour, other_pact = f.org(session, "town-b"), f.org(session, "town-c")
    outsider = f.org(session, "town-d")
    f.org(session, "shop-a", kind="private", sponsor_slug="town-a")
    f.org(session, "shop-b", kind="private", sponsor_slug="town-b")
    f.org(session, "shop-d", kind="private", sponsor_slug="town-d")
    create_pact(session, slug="pact-ab", name="Pact AB", member_slugs=["town-a", "town-b"])
    create_pact(session, slug="pact-ac", name="Pact AC", member_slugs=["town-a", "town-c", "town-b"])
    lonely = f.org(session, "town-e")
    session.commit()
    for organisation in (town, neighbour, other_pact, outsider, lonely):
        user = f.user(session, organisation, role="viewer")
        clear = f.token(session, user)
        session.commit()
        seen = _selects(session)
        held = token_holder(session, clear)
        assert held is not None and held[0] is user
        assert len(seen) == 1, seen  # the token and the scope in one round trip
        assert held[1] == actor_for(session, user), organisation.slug
    assert token_holder(session, "obs_not-a-token") is None


def test_a_revoked_or_expired_token_is_refused(session) -> None:
    user = f.user(session, f.org(session, "town-a"), role="viewer")
    clear = f.token(session, user)
    session.commit()
    token = session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    token.expires_at = utcnow()
    session.commit()
    assert token_holder(session, clear) is None
    token.expires_at, token.revoked_at = None, utcnow()
    session.commit()
    assert token_holder(session, clear) is None
    token.revoked_at, user.active = None, False
    session.commit()
    assert token_holder(session, clear) is None
    user.active = True
    session.commit()
    assert token_holder(session, clear) is not None
