"""Users, sign-in and API tokens: who may see them, and their audited changes.

Audit entries never hold a password, a password hash or a clear token: snapshots name what a
change did ("password_changed"), tokens appear by their display prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain import credentials
from observo.domain.permissions import SYSTEM, Actor
from observo.domain.vocabulary import ROLES
from observo.errors import Conflict, FieldIssue, Forbidden, InvalidInput, NotFound
from observo.models import ApiToken, Organisation, User
from observo.models.base import utcnow
from observo.services import audit
from observo.services.organisations import NAME_MAX, named_organisation, require_account_manager, text_issues

# Recording every use of a token would turn each read into a write; once an hour is enough.
LAST_USED_RESOLUTION = timedelta(hours=1)
EMAIL_MAX = 254
TOKEN_NAME_MAX = 100
USER_CHANGEABLE = ("name", "role", "active", "auditor", "organization", "password")
# A change of these ends the user's browser sessions (docs/security.md, "Sessions"): what the
# account may do, or who may use it, is no longer what it was when they were opened.
SESSION_ENDING = ("role", "active", "auditor", "organization")


def create_user(
    session: Session,
    actor: Actor = SYSTEM,
    *,
    email: str,
    name: str,
    org_slug: str,
    role: str,
    password: str,
    auditor: bool = False,
) -> User:
    """Create a user (audited as `user.create`). The password is hashed here and logged nowhere."""
    require_account_manager(actor)
    email = normalise_email(email)
    issues = _role_issues(role) + _password_issues(password) + text_issues("/name", name or email, NAME_MAX)
    if "@" not in email or len(email) > EMAIL_MAX:
        issues.append(FieldIssue("/email", "invalid_format", "not an e-mail address"))
    if issues:
        raise InvalidInput("the user cannot be created", issues)
    if session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with e-mail {email} already exists")
    user = User(
        email=email,
        name=name or email,
        organisation=named_organisation(session, org_slug, "/organization"),
        role=role,
        auditor=auditor,
        password_hash=credentials.hash_password(password),
    )
    session.add(user)
    session.flush()
    _record_user(session, actor, "user.create", user, {"after": user_snapshot(user)})
    return user


def update_user(session: Session, actor: Actor, user_id: int, changes: Mapping[str, Any]) -> User:
    """Change name, role, activity, auditor flag, organisation or password (audited as `user.update`).

    A deactivated user's tokens stop working at once (see `token_holder`); a new password, role,
    activity, auditor flag or organisation ends every browser session the user had open.
    """
    require_account_manager(actor)
    if refused := [name for name in changes if name not in USER_CHANGEABLE]:
        issues = [FieldIssue(f"/{name}", "read_only", f"{name} cannot be changed") for name in refused]
        raise InvalidInput("some fields cannot be changed", issues)
    user = readable_user(session, actor, user_id)
    _check_user_changes(actor, user, changes)
    before, before_organisation = user_snapshot(user), user.organisation_id
    for name, value in changes.items():
        if name == "organization":
            user.organisation = named_organisation(session, value, "/organization")
        elif name == "password":
            user.password_hash = credentials.hash_password(value)
        else:
            setattr(user, name, value)
    session.flush()
    details: dict[str, Any] = {"changes": audit.changes(before, user_snapshot(user))}
    if "password" in changes:
        details["password_changed"] = True  # that it changed, never what to
    if "password" in changes or any(name in details["changes"] for name in SESSION_ENDING):
        end_sessions(session, user)
    if details["changes"] or "password" in changes:
        # The organisation the account belonged to when it was changed is the one concerned.
        _record_user(session, actor, "user.update", user, details, before_organisation)
    return user


def end_sessions(session: Session, user: User) -> None:
    """End every browser session `user` has open, on every device (docs/security.md, "Sessions")."""
    user.session_epoch = (user.session_epoch or 0) + 1
    session.flush()


def _check_user_changes(actor: Actor, user: User, changes: Mapping[str, Any]) -> None:
    issues = []
    if "name" in changes:
        issues.extend(text_issues("/name", changes["name"], NAME_MAX))
    if "role" in changes:
        issues.extend(_role_issues(changes["role"]))
    if "password" in changes:
        issues.extend(_password_issues(changes["password"]))
    for flag in ("active", "auditor"):
        if flag in changes and not isinstance(changes[flag], bool):
            issues.append(FieldIssue(f"/{flag}", "invalid_type", "true or false"))
    if user.id == actor.user_id:
        issues.extend(_self_lockout_issues(changes))
    if issues:
        raise InvalidInput("the user cannot be changed", issues)


def _self_lockout_issues(changes: Mapping[str, Any]) -> list[FieldIssue]:
    """An administrator locking themselves out could leave nobody to undo it."""
    issues = []
    if changes.get("active") is False:
        issues.append(FieldIssue("/active", "self_lockout", "you cannot deactivate yourself"))
    if changes.get("role", "admin") != "admin":
        issues.append(FieldIssue("/role", "self_lockout", "you cannot demote yourself"))
    return issues


def _role_issues(role: Any) -> list[FieldIssue]:
    if role in ROLES:
        return []
    return [FieldIssue("/role", "invalid_choice", f"role must be one of {', '.join(ROLES)}")]


def _password_issues(password: Any) -> list[FieldIssue]:
    problem = credentials.password_problem(password) if isinstance(password, str) else "a text"
    return [FieldIssue("/password", "too_weak", problem)] if problem else []


def user_snapshot(user: User) -> dict[str, Any]:
    """The account as the audit log keeps it: no password hash."""
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "organization": user.organisation.slug,
        "role": user.role,
        "active": user.active,
        "auditor": user.auditor,
    }


def _record_user(
    session: Session,
    actor: Actor,
    action: str,
    user: User,
    details: dict[str, Any],
    before_organisation: int | None = None,
) -> None:
    audit.record(
        session,
        actor,
        action,
        object_type="user",
        object_id=user.id,
        subject_organisation_id=before_organisation or user.organisation_id,
        details=details,
    )


def visible_users(actor: Actor) -> sa.Select[tuple[User]]:
    """Users the actor may read: all for admins, else those of its own organisation."""
    stmt = sa.select(User).order_by(User.email)
    if actor.is_admin:
        return stmt
    if actor.is_anonymous:
        return stmt.where(sa.false())
    return stmt.where(User.organisation_id == actor.organisation_id)


def readable_user(session: Session, actor: Actor, user_id: int) -> User:
    user = session.scalar(visible_users(actor).where(User.id == user_id))
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(session: Session, email: str) -> User:
    user = session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"no user with e-mail {email}")
    return user


def authenticate_password(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for unknown e-mail and bad password)."""
    user = session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        credentials.hash_password(password)  # spend the same time: no user enumeration by timing
        return None
    if not user.active or not credentials.verify_password(user.password_hash, password):
        return None
    user.last_login_at = utcnow()
    return user


# --- tokens --------------------------------------------------------------------------------------


def visible_tokens(actor: Actor, email: str | None = None) -> sa.Select[tuple[ApiToken]]:
    """The actor's own tokens; an admin's view covers everyone's (optionally one user's)."""
    stmt = sa.select(ApiToken).join(ApiToken.user).order_by(ApiToken.id)
    if email:
        stmt = stmt.where(User.email == normalise_email(email))
    if actor.is_admin:
        return stmt
    if actor.is_anonymous:
        return stmt.where(sa.false())
    return stmt.where(ApiToken.user_id == actor.user_id)


def token_snapshot(token: ApiToken) -> dict[str, Any]:
    """The token as the audit log keeps it: its display prefix, never its value or digest."""
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "user": token.user.email,
        "expires_at": iso_or_none(token.expires_at),
        "revoked_at": iso_or_none(token.revoked_at),
    }


def iso_or_none(moment: datetime | None) -> str | None:
    """A token's moment as its audit snapshot writes it."""
    return moment.isoformat() if moment else None


def checked_token_request(name: str, expires_days: int | None) -> tuple[str, datetime | None]:
    """A new token's name (stripped) and expiry, or InvalidInput: the police's and the owners' tokens
    (services/owner_tokens.py) follow the same rules."""
    if issues := text_issues("/name", name, TOKEN_NAME_MAX):
        raise InvalidInput("a token needs a name", issues)
    if expires_days is not None and not 1 <= expires_days <= credentials.MAX_EXPIRY_DAYS:
        raise InvalidInput(
            "bad expiry",
            [FieldIssue("/expires_days", "out_of_range", f"1 to {credentials.MAX_EXPIRY_DAYS} days")],
        )
    return name.strip(), utcnow() + timedelta(days=expires_days) if expires_days else None


def issue_token(
    session: Session, actor: Actor, owner: User, name: str, expires_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `owner` (the actor itself, or anyone for an admin): (row, clear value).

    The clear value exists only in this return value; audited as `token.create`.
    """
    if not (actor.is_admin or actor.user_id == owner.id):
        raise Forbidden("you may create tokens only for yourself")
    name, expires_at = checked_token_request(name, expires_days)
    if _active_token(session, owner, name) is not None:
        raise Conflict(f"{owner.email} already has an active token named {name!r}")
    new = credentials.new_token()
    token = ApiToken(
        user=owner,
        name=name,
        token_hash=new.digest,
        prefix=new.display_prefix,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    _record_token(session, actor, "token.create", token, {"after": token_snapshot(token)})
    return token, new.clear


def create_token(
    session: Session, user: User, name: str, expires_days: int | None = None, *, actor: Actor = SYSTEM
) -> str:
    """Create a token for `user` and return its clear value: the only time it exists in clear."""
    return issue_token(session, actor, user, name, expires_days)[1]


def revoke_token(session: Session, user: User, name: str, *, actor: Actor = SYSTEM) -> None:
    """Revoke `user`'s active token called `name` (the command line's way to name one)."""
    token = _active_token(session, user, name)
    if token is None:
        raise NotFound(f"{user.email} has no active token named {name!r}")
    _revoke(session, actor, token)


def revoke_token_by_id(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token the actor may see (own; admins any). Revoking it again changes nothing."""
    token = session.scalar(visible_tokens(actor).where(ApiToken.id == token_id))
    if token is None:
        raise NotFound(f"no token {token_id}")
    if token.revoked_at is None:
        _revoke(session, actor, token)
    return token


def _revoke(session: Session, actor: Actor, token: ApiToken) -> None:
    if not (actor.is_admin or actor.user_id == token.user_id):
        raise Forbidden("you may revoke only your own tokens")
    before = token_snapshot(token)
    token.revoked_at = utcnow()
    session.flush()
    _record_token(
        session, actor, "token.revoke", token, {"changes": audit.changes(before, token_snapshot(token))}
    )


def _record_token(
    session: Session, actor: Actor, action: str, token: ApiToken, details: dict[str, Any]
) -> None:
    audit.record(
        session,
        actor,
        action,
        object_type="token",
        object_id=token.id,
        subject_organisation_id=token.user.organisation_id,
        details=details,
    )


def _active_token(session: Session, user: User, name: str) -> ApiToken | None:
    stmt = sa.select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.name == name.strip(), ApiToken.revoked_at.is_(None)
    )
    return session.scalar(stmt)


@dataclass(frozen=True)
class TokenHolder:
    """A live API token's user: what the request's `Actor` is made of, read in one Core statement."""

    user_id: int
    email: str
    organisation_id: int
    organisation_kind: str
    role: str
    auditor: bool
    use_recorded: bool  # its "last used" was moved on in the session's transaction: commit it


def token_holder(session: Session, clear: str, now: datetime | None = None) -> TokenHolder | None:
    """The active user owning this live token, or None if unknown, revoked or expired.

    Columns, not ORM objects: every API request runs this, and loading the token, its user and their
    organisation as entities cost twice the statement (docs/performance.md, "Round trips").
    """
    if clear.startswith(credentials.OWNER_TOKEN_PREFIX):
        return None  # an owner's token is never a police credential (services/owner_tokens.py)
    now = now or utcnow()
    row = session.execute(_HOLDER, {"digest": credentials.token_digest(clear)}).one_or_none()
    if row is None or row.revoked_at is not None or not row.active:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    stale = row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION
    if stale:
        session.execute(sa.update(_TOKENS).where(_TOKENS.c.id == row.token_id).values(last_used_at=now))
    return TokenHolder(
        row.user_id, row.email, row.organisation_id, row.kind, row.role, row.auditor, use_recorded=stale
    )


_TOKENS, _USERS, _ORGANISATIONS = ApiToken.__table__, User.__table__, Organisation.__table__
_HOLDER = (
    sa.select(
        _TOKENS.c.id.label("token_id"),
        _TOKENS.c.expires_at,
        _TOKENS.c.revoked_at,
        _TOKENS.c.last_used_at,
        _USERS.c.id.label("user_id"),
        _USERS.c.email,
        _USERS.c.active,
        _USERS.c.organisation_id,
        _ORGANISATIONS.c.kind,
        _USERS.c.role,
        _USERS.c.auditor,
    )
    .select_from(
        _TOKENS.join(_USERS, _USERS.c.id == _TOKENS.c.user_id).join(
            _ORGANISATIONS, _ORGANISATIONS.c.id == _USERS.c.organisation_id
        )
    )
    .where(_TOKENS.c.token_hash == sa.bindparam("digest"))
)
