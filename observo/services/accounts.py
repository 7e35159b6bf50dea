"""Users, sign-in and API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain import credentials
from observo.domain.vocabulary import ROLES
from observo.errors import Conflict, FieldIssue, InvalidInput, NotFound
from observo.models import ApiToken, User
from observo.models.base import utcnow
from observo.services.organisations import organisation_by_slug

# Recording every use of a token would turn each read into a write; once an hour is enough.
LAST_USED_RESOLUTION = timedelta(hours=1)


def create_user(session: Session, *, email: str, name: str, org_slug: str, role: str, password: str) -> User:
    email = normalise_email(email)
    issues = []
    if role not in ROLES:
        issues.append(FieldIssue("/role", "invalid_choice", f"role must be one of {', '.join(ROLES)}"))
    if "@" not in email:
        issues.append(FieldIssue("/email", "invalid_format", "not an e-mail address"))
    if problem := credentials.password_problem(password):
        issues.append(FieldIssue("/password", "too_weak", problem))
    if issues:
        raise InvalidInput("the user cannot be created", issues)
    if session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with e-mail {email} already exists")
    organisation = organisation_by_slug(session, org_slug)
    user = User(
        email=email,
        name=name or email,
        organisation=organisation,
        role=role,
        password_hash=credentials.hash_password(password),
    )
    session.add(user)
    session.flush()
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


def create_token(session: Session, user: User, name: str, expires_days: int | None = None) -> str:
    """Create a token for `user` and return its clear value: the only time it exists in clear."""
    if not name.strip():
        raise InvalidInput("a token needs a name", [FieldIssue("/name", "required", "empty name")])
    if expires_days is not None and not 1 <= expires_days <= 3650:
        raise InvalidInput("bad expiry", [FieldIssue("/expires_days", "out_of_range", "1 to 3650 days")])
    if _active_token(session, user, name) is not None:
        raise Conflict(f"{user.email} already has an active token named {name!r}")
    token = credentials.new_token()
    expires_at = utcnow() + timedelta(days=expires_days) if expires_days else None
    session.add(
        ApiToken(
            user=user,
            name=name.strip(),
            token_hash=token.digest,
            prefix=token.display_prefix,
            expires_at=expires_at,
        )
    )
    session.flush()
    return token.clear


def revoke_token(session: Session, user: User, name: str) -> None:
    token = _active_token(session, user, name)
    if token is None:
        raise NotFound(f"{user.email} has no active token named {name!r}")
    token.revoked_at = utcnow()
    session.flush()


def user_for_token(session: Session, clear: str, now: datetime | None = None) -> User | None:
    """The active user owning this live token, or None if unknown, revoked or expired."""
    now = now or utcnow()
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == credentials.token_digest(clear)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token.user


def _active_token(session: Session, user: User, name: str) -> ApiToken | None:
    stmt = sa.select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.name == name.strip(), ApiToken.revoked_at.is_(None)
    )
    return session.scalar(stmt)
