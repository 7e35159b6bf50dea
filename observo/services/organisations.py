"""Organisations and pacts: who may see them, and their audited changes (administrators only)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain.origins import MAX_ORIGINS, is_origin, normalise_origin
from observo.domain.permissions import ANONYMOUS, SYSTEM, Actor, can_manage_accounts
from observo.domain.vocabulary import ORGANISATION_KINDS, PUBLIC_BODY_KINDS, STATE_FORCE_KINDS
from observo.errors import Conflict, FieldIssue, Forbidden, InvalidInput, NotFound
from observo.models import Camera, Organisation, Pact
from observo.services import audit
from observo.services.queries import CameraFilters, filter_clauses
from observo.services.scope import readable_cameras

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SLUG_MAX = 64
NAME_MAX = 200
ISTAT_PATTERN = re.compile(r"^\d{6}$")
NO_ORGANISATION_ID = 0  # ids start at 1: a filter on it matches nothing
CONTACT_FIELDS = {"contact_name": 200, "contact_phone": 40, "contact_email": 254, "contact_pec": 254}
ORGANISATION_CHANGEABLE = ("name", "sponsor", "public_precision_m", *CONTACT_FIELDS, "embed_origins")
PACT_CHANGEABLE = ("name", "members")


def require_account_manager(actor: Actor) -> None:
    if not can_manage_accounts(actor):
        raise Forbidden("only administrators manage organisations, pacts and users")


def organisation_by_slug(session: Session, slug: str) -> Organisation:
    organisation = session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise NotFound(f"no organisation {slug!r}")
    return organisation


def unknown_organisation(slug: str, pointer: str) -> InvalidInput:
    """The one answer to a name the caller may not use: an unknown slug and a hidden organisation get
    exactly this, so no answer tells them apart (docs/security.md)."""
    issue = FieldIssue(pointer, "unknown_organisation", f"no organisation {slug!r}")
    return InvalidInput("unknown organisation", [issue])


def named_organisation(session: Session, slug: str, pointer: str) -> Organisation:
    """An organisation named by an administrator's input: an unknown slug is a bad input (422), not a
    404. Input from anyone else goes through `nameable_organisation`."""
    try:
        return organisation_by_slug(session, slug)
    except NotFound as exc:
        raise unknown_organisation(slug, pointer) from exc


def visible_to(actor: Actor) -> sa.ColumnElement[bool]:
    """True for the organisations `actor` may see and name: all for admins, none for anonymous
    callers; for others their own, those it sponsors, its pact partners and their sponsored owners,
    and every state force (every municipality works with them; docs/security.md)."""
    if actor.is_admin:
        return sa.true()
    if actor.is_anonymous:
        return sa.false()
    return sa.or_(
        Organisation.id.in_(actor.own_ids | actor.partner_ids),
        Organisation.kind.in_(STATE_FORCE_KINDS),
    )


def visible_organisations(session: Session, actor: Actor) -> sa.Select[tuple[Organisation]]:
    """Organisations the actor may list and name (`visible_to`), by slug."""
    return sa.select(Organisation).where(visible_to(actor)).order_by(Organisation.slug)


def nameable_organisation(
    session: Session,
    actor: Actor,
    slug: str,
    pointer: str,
    also: sa.ColumnElement[bool] | None = None,
) -> Organisation:
    """The organisation `slug` names, if `actor` may see it (or it satisfies `also`: organisations the
    caller already sees through another object, e.g. an intervention it reads); else the same 422 as an
    unknown slug. One query, so a hidden organisation and a missing one take the same path."""
    seen = visible_to(actor) if also is None else sa.or_(visible_to(actor), also)
    found = session.scalar(sa.select(Organisation).where(Organisation.slug == slug, seen))
    if found is None:
        raise unknown_organisation(slug, pointer)
    return found


def filter_organisation_id(session: Session, slug: str) -> int:
    """The id a filter by organisation slug matches. An unknown slug gets an id no row has, so it
    answers like a slug whose rows the caller may not read: no 404 tells the two apart."""
    found = session.scalar(sa.select(Organisation.id).where(Organisation.slug == slug))
    return NO_ORGANISATION_ID if found is None else found


def may_see_organisation(session: Session, actor: Actor, organisation_id: int) -> bool:
    """Whether `actor` may see the organisation (`visible_to`)."""
    stmt = sa.select(Organisation.id).where(Organisation.id == organisation_id, visible_to(actor))
    return session.scalar(stmt) is not None


def embeddable_organisation(session: Session, slug: str) -> Organisation:
    """An organisation with a public map to embed: public bodies only, as the public output names no
    private owner (404 otherwise, like an unknown slug)."""
    organisation = organisation_by_slug(session, slug)
    if organisation.kind not in PUBLIC_BODY_KINDS:
        raise NotFound(f"no organisation {slug!r}")  # word for word the unknown slug's answer
    return organisation


def public_extent(session: Session, organisation: Organisation) -> tuple[float, float, float, float] | None:
    """(minLon, minLat, maxLon, maxLat) of the organisation's cameras exactly as anonymous callers list
    them (public ones, generalised positions); None when it has none."""
    lon, lat = sa.func.ST_X(Camera.public_location), sa.func.ST_Y(Camera.public_location)
    where = [readable_cameras(ANONYMOUS), *filter_clauses(ANONYMOUS, CameraFilters(owner=organisation.slug))]
    row = session.execute(
        sa.select(sa.func.min(lon), sa.func.min(lat), sa.func.max(lon), sa.func.max(lat)).where(*where)
    ).one()
    return None if row[0] is None else (float(row[0]), float(row[1]), float(row[2]), float(row[3]))


def organisation_snapshot(organisation: Organisation) -> dict[str, Any]:
    """The organisation as the audit log keeps it: plain JSON values, the sponsor by slug."""
    return {
        "id": organisation.id,
        "slug": organisation.slug,
        "name": organisation.name,
        "kind": organisation.kind,
        "istat_code": organisation.istat_code,
        "sponsor": organisation.sponsor.slug if organisation.sponsor else None,
        "public_precision_m": organisation.public_precision_m,
        **{name: getattr(organisation, name) for name in CONTACT_FIELDS},
        "embed_origins": list(organisation.embed_origins or ()),
    }


def create_organisation(
    session: Session,
    actor: Actor = SYSTEM,
    *,
    slug: str,
    name: str,
    kind: str,
    istat_code: str | None = None,
    sponsor_slug: str | None = None,
    public_precision_m: int = 100,
    contacts: Mapping[str, str | None] | None = None,
    embed_origins: list[str] | tuple[str, ...] | None = None,
) -> Organisation:
    """Register an organisation (audited as `organisation.create`)."""
    require_account_manager(actor)
    contacts = dict(contacts or {})
    values = {"name": name, "public_precision_m": public_precision_m, "embed_origins": embed_origins}
    _check_organisation_fields(slug, kind, istat_code, {**values, **contacts})
    if session.scalar(sa.select(Organisation.id).where(Organisation.slug == slug)) is not None:
        raise Conflict(f"organisation {slug!r} already exists")
    if istat_code and session.scalar(sa.select(Organisation.id).where(Organisation.istat_code == istat_code)):
        raise Conflict(f"ISTAT code {istat_code} already belongs to another organisation")
    organisation = Organisation(
        slug=slug,
        name=name,
        kind=kind,
        istat_code=istat_code or None,
        sponsor=named_organisation(session, sponsor_slug, "/sponsor") if sponsor_slug else None,
        public_precision_m=public_precision_m,
        embed_origins=clean_origins(embed_origins),
        **contacts,
    )
    session.add(organisation)
    session.flush()
    _record(
        session, actor, "organisation.create", organisation, {"after": organisation_snapshot(organisation)}
    )
    return organisation


def update_organisation(
    session: Session, actor: Actor, slug: str, changes: Mapping[str, Any]
) -> Organisation:
    """Change name, contacts, sponsor, public precision or embed origins (audited as `organisation.update`).

    A new precision re-snaps the public positions of the organisation's cameras at once: the public
    map must never keep showing them on the old, possibly finer, grid.
    """
    require_account_manager(actor)
    _refuse_unchangeable(changes, ORGANISATION_CHANGEABLE)
    organisation = organisation_by_slug(session, slug)
    _check_changeable_values(changes)
    if "embed_origins" in changes:
        changes = {**changes, "embed_origins": clean_origins(changes["embed_origins"])}
    before = organisation_snapshot(organisation)
    for name, value in changes.items():
        if name == "sponsor":
            organisation.sponsor = _sponsor_for(session, organisation, value)
        else:
            setattr(organisation, name, value)
    session.flush()
    after = organisation_snapshot(organisation)
    if after == before:
        return organisation  # nothing changed: nothing to log
    details: dict[str, Any] = {"changes": audit.changes(before, after)}
    if after["public_precision_m"] != before["public_precision_m"]:
        from observo.services.cameras import place_cameras_of  # services.cameras imports this module

        details["cameras_replaced"] = place_cameras_of(session, organisation)
    _record(session, actor, "organisation.update", organisation, details)
    return organisation


def _record(
    session: Session, actor: Actor, action: str, organisation: Organisation, details: dict[str, Any]
) -> None:
    audit.record(
        session,
        actor,
        action,
        object_type="organisation",
        object_id=organisation.id,
        subject_organisation_id=organisation.id,
        details=details,
    )


def _sponsor_for(session: Session, organisation: Organisation, slug: str | None) -> Organisation | None:
    if not slug:
        return None
    sponsor = named_organisation(session, slug, "/sponsor")
    # Walk up the sponsor's own sponsors: the organisation must not end up sponsoring itself.
    ancestor: Organisation | None = sponsor
    while ancestor is not None:
        if ancestor.id == organisation.id:
            issue = FieldIssue(
                "/sponsor", "cycle", f"{slug!r} is {organisation.slug!r} or federates under it"
            )
            raise InvalidInput("an organisation cannot federate under itself", [issue])
        ancestor = ancestor.sponsor
    return sponsor


def _check_organisation_fields(
    slug: str, kind: str, istat_code: str | None, values: Mapping[str, Any]
) -> None:
    issues = []
    if not SLUG_PATTERN.match(slug) or len(slug) > SLUG_MAX:
        issues.append(FieldIssue("/slug", "invalid_format", "lower-case letters, digits and single hyphens"))
    if kind not in ORGANISATION_KINDS:
        issues.append(FieldIssue("/kind", "invalid_choice", f"one of {', '.join(ORGANISATION_KINDS)}"))
    if istat_code and not ISTAT_PATTERN.match(istat_code):
        issues.append(FieldIssue("/istat_code", "invalid_format", "six digits, e.g. 019036"))
    issues.extend(_value_issues(values))
    if issues:
        raise InvalidInput("the organisation cannot be created", issues)


def _check_changeable_values(changes: Mapping[str, Any]) -> None:
    if issues := _value_issues(changes):
        raise InvalidInput("the organisation cannot be changed", issues)


def _value_issues(values: Mapping[str, Any]) -> list[FieldIssue]:
    issues = []
    if "name" in values:
        issues.extend(text_issues("/name", values["name"], NAME_MAX))
    precision = values.get("public_precision_m", 0)
    if not isinstance(precision, int) or not 0 <= precision <= 10_000:
        issues.append(FieldIssue("/public_precision_m", "out_of_range", "0 to 10000 metres"))
    for name, size in CONTACT_FIELDS.items():
        if values.get(name) is not None:
            issues.extend(text_issues(f"/{name}", values[name], size, required=False))
    if values.get("embed_origins"):
        issues.extend(origin_issues(values["embed_origins"]))
    return issues


def origin_issues(origins: Any) -> list[FieldIssue]:
    """Each entry must be an origin such as `https://www.comune.it` (the rule of OBSERVO_EMBED_ORIGINS)."""
    if not isinstance(origins, list | tuple) or len(origins) > MAX_ORIGINS:
        return [FieldIssue("/embed_origins", "invalid_type", f"a list of at most {MAX_ORIGINS} origins")]
    return [
        FieldIssue(f"/embed_origins/{index}", "invalid_format", "an origin such as https://www.comune.it")
        for index, origin in enumerate(origins)
        if not isinstance(origin, str) or not is_origin(normalise_origin(origin))
    ]


def clean_origins(origins: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Validated origins without trailing slashes, each once, in the order given."""
    return tuple(dict.fromkeys(normalise_origin(origin) for origin in origins or ()))


def text_issues(pointer: str, value: Any, size: int, *, required: bool = True) -> list[FieldIssue]:
    """A text value's problems: missing (when required) or longer than its column."""
    if not isinstance(value, str) or (required and not value.strip()):
        return [FieldIssue(pointer, "required", "a non-empty text")]
    if len(value) > size:
        return [FieldIssue(pointer, "invalid_length", f"at most {size} characters")]
    return []


def _refuse_unchangeable(changes: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    if refused := [name for name in changes if name not in allowed]:
        issues = [FieldIssue(f"/{name}", "read_only", f"{name} cannot be changed") for name in refused]
        raise InvalidInput("some fields cannot be changed", issues)


# --- pacts ---------------------------------------------------------------------------------------


def visible_pacts(actor: Actor) -> sa.Select[tuple[Pact]]:
    """Pacts the actor may read: all for admins, else those its organisation belongs to."""
    stmt = sa.select(Pact).order_by(Pact.slug)
    if actor.is_admin:
        return stmt
    if actor.is_anonymous:
        return stmt.where(sa.false())
    return stmt.where(Pact.members.any(Organisation.id == actor.organisation_id))


def readable_pact(session: Session, actor: Actor, slug: str) -> Pact:
    pact = session.scalar(visible_pacts(actor).where(Pact.slug == slug))
    if pact is None:
        raise NotFound(f"no pact {slug!r}")
    return pact


def pact_snapshot(pact: Pact) -> dict[str, Any]:
    return {
        "id": pact.id,
        "slug": pact.slug,
        "name": pact.name,
        "members": sorted(m.slug for m in pact.members),
    }


def create_pact(
    session: Session, actor: Actor = SYSTEM, *, slug: str, name: str, member_slugs: list[str]
) -> Pact:
    """Create a pact among organisations (audited as `pact.create`)."""
    require_account_manager(actor)
    issues = text_issues("/name", name, NAME_MAX)
    if not SLUG_PATTERN.match(slug) or len(slug) > SLUG_MAX:
        issues.append(FieldIssue("/slug", "invalid_format", "lower-case letters, digits and single hyphens"))
    if issues:
        raise InvalidInput("the pact cannot be created", issues)
    if session.scalar(sa.select(Pact.id).where(Pact.slug == slug)) is not None:
        raise Conflict(f"pact {slug!r} already exists")
    pact = Pact(slug=slug, name=name, members=_members(session, member_slugs))
    session.add(pact)
    session.flush()
    _record_pact(session, actor, "pact.create", pact, {"after": pact_snapshot(pact)})
    return pact


def update_pact(session: Session, actor: Actor, slug: str, changes: Mapping[str, Any]) -> Pact:
    """Rename a pact and/or replace its members (audited as `pact.update`)."""
    require_account_manager(actor)
    _refuse_unchangeable(changes, PACT_CHANGEABLE)
    pact = readable_pact(session, actor, slug)
    if "name" in changes and (issues := text_issues("/name", changes["name"], NAME_MAX)):
        raise InvalidInput("the pact cannot be changed", issues)
    before = pact_snapshot(pact)
    if "name" in changes:
        pact.name = changes["name"]
    if "members" in changes:
        pact.members = _members(session, changes["members"])
    session.flush()
    after = pact_snapshot(pact)
    if after != before:
        _record_pact(session, actor, "pact.update", pact, {"changes": audit.changes(before, after)})
    return pact


def delete_pact(session: Session, actor: Actor, slug: str) -> None:
    """Dissolve a pact: its members stop sharing through it (audited as `pact.delete`)."""
    require_account_manager(actor)
    pact = readable_pact(session, actor, slug)
    _record_pact(session, actor, "pact.delete", pact, {"before": pact_snapshot(pact)})
    session.delete(pact)
    session.flush()


def _members(session: Session, slugs: list[str]) -> list[Organisation]:
    members: dict[str, Organisation] = {}  # a slug named twice counts once
    for index, slug in enumerate(slugs):
        if slug not in members:
            members[slug] = named_organisation(session, slug, f"/members/{index}")
    return list(members.values())


def _record_pact(session: Session, actor: Actor, action: str, pact: Pact, details: dict[str, Any]) -> None:
    audit.record(session, actor, action, object_type="pact", object_id=pact.id, details=details)
