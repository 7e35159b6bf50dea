"""Organisations and pacts."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor
from observo.domain.vocabulary import ORGANISATION_KINDS
from observo.errors import Conflict, FieldIssue, InvalidInput, NotFound
from observo.models import Organisation, Pact

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ISTAT_PATTERN = re.compile(r"^\d{6}$")


def organisation_by_slug(session: Session, slug: str) -> Organisation:
    organisation = session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise NotFound(f"no organisation {slug!r}")
    return organisation


def visible_organisations(session: Session, actor: Actor) -> sa.Select[tuple[Organisation]]:
    """Organisations the actor may list: all for admins, else its own and those it works with."""
    stmt = sa.select(Organisation).order_by(Organisation.slug)
    if actor.is_admin:
        return stmt
    if actor.is_anonymous:
        return stmt.where(sa.false())
    return stmt.where(Organisation.id.in_(actor.own_ids | actor.partner_ids))


def create_organisation(
    session: Session,
    *,
    slug: str,
    name: str,
    kind: str,
    istat_code: str | None = None,
    sponsor_slug: str | None = None,
    public_precision_m: int = 100,
) -> Organisation:
    _check_organisation_fields(slug, kind, istat_code, public_precision_m)
    if session.scalar(sa.select(Organisation.id).where(Organisation.slug == slug)) is not None:
        raise Conflict(f"organisation {slug!r} already exists")
    if istat_code and session.scalar(sa.select(Organisation.id).where(Organisation.istat_code == istat_code)):
        raise Conflict(f"ISTAT code {istat_code} already belongs to another organisation")
    organisation = Organisation(
        slug=slug,
        name=name,
        kind=kind,
        istat_code=istat_code or None,
        sponsor=organisation_by_slug(session, sponsor_slug) if sponsor_slug else None,
        public_precision_m=public_precision_m,
    )
    session.add(organisation)
    session.flush()
    return organisation


def _check_organisation_fields(slug: str, kind: str, istat_code: str | None, precision: int) -> None:
    issues = []
    if not SLUG_PATTERN.match(slug) or len(slug) > 64:
        issues.append(FieldIssue("/slug", "invalid_format", "lower-case letters, digits and single hyphens"))
    if kind not in ORGANISATION_KINDS:
        issues.append(FieldIssue("/kind", "invalid_choice", f"one of {', '.join(ORGANISATION_KINDS)}"))
    if istat_code and not ISTAT_PATTERN.match(istat_code):
        issues.append(FieldIssue("/istat_code", "invalid_format", "six digits, e.g. 019036"))
    if not 0 <= precision <= 10_000:
        issues.append(FieldIssue("/public_precision_m", "out_of_range", "0 to 10000 metres"))
    if issues:
        raise InvalidInput("the organisation cannot be created", issues)


def create_pact(session: Session, *, slug: str, name: str, member_slugs: list[str]) -> Pact:
    if not SLUG_PATTERN.match(slug):
        raise InvalidInput("bad pact slug", [FieldIssue("/slug", "invalid_format", "lower-case and hyphens")])
    if session.scalar(sa.select(Pact.id).where(Pact.slug == slug)) is not None:
        raise Conflict(f"pact {slug!r} already exists")
    pact = Pact(slug=slug, name=name, members=[organisation_by_slug(session, s) for s in member_slugs])
    session.add(pact)
    session.flush()
    return pact
