"""A source's operator name (OSM `operator`, a `gestore` column) -> an organisation the caller may name.

The name matches an organisation's slug or name ignoring case, spaces, hyphens and underscores
("Polizia Locale Torino" = "polizia-locale-torino"). Only organisations the caller may see and name
take part (`organisations.visible_to`): a hidden one that would match answers exactly as no match,
and the row keeps its `operator_name` alone (docs/security.md, "Names of other organisations").
Two visible organisations matching the same name link neither.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor
from observo.models import Organisation
from observo.services.organisations import visible_to

_IGNORED = re.compile(r"[\s\-_]+")


def comparable(name: str) -> str:
    return _IGNORED.sub("", name.casefold())


class OperatorMatcher:
    """Looks the caller's nameable organisations up once per run, on the first name to match."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self._session, self._actor = session, actor
        self._by_name: dict[str, str | None] | None = None

    def slug_for(self, operator_name: str) -> str | None:
        """The slug of the one nameable organisation the name designates, else None."""
        key = comparable(operator_name)
        return self._index().get(key) if key else None

    def _index(self) -> dict[str, str | None]:
        if self._by_name is None:
            stmt = sa.select(Organisation.slug, Organisation.name).where(visible_to(self._actor))
            index: dict[str, str | None] = {}
            for slug, name in self._session.execute(stmt):
                for key in {comparable(slug), comparable(name)} - {""}:
                    # a name two organisations answer to designates neither
                    index[key] = slug if index.get(key, slug) == slug else None
            self._by_name = index
        return self._by_name
