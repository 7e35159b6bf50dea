"""Owners' API tokens (docs/owners.md, "API and CLI"): created and revoked by the owner account itself,
on its page or through /api/v1/owner/tokens, and turned back into that account by the owners' API.

They live apart from the police's tokens (`owner_tokens`, prefix `obo_`): the police's parser refuses
the prefix before any lookup (services/accounts.token_holder) and `account_for_token` refuses
anything else, so an owner token never becomes a police `Actor`, nor a police token an owner. Hashed
as police tokens are (SHA-256 of 256 random bits); audit entries name a token by its display prefix.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain import credentials
from observo.errors import Conflict, NotFound
from observo.models import OwnerAccount, OwnerToken
from observo.models.base import utcnow
from observo.services import audit
from observo.services.accounts import LAST_USED_RESOLUTION, checked_token_request, iso_or_none
from observo.services.owners import record_owner_action


def account_tokens(session: Session, account: OwnerAccount) -> list[OwnerToken]:
    """The account's own tokens, revoked and expired ones included, newest first."""
    stmt = sa.select(OwnerToken).where(OwnerToken.account_id == account.id).order_by(OwnerToken.id.desc())
    return list(session.scalars(stmt))


def issue(
    session: Session, account: OwnerAccount, name: str, expires_days: int | None = None
) -> tuple[OwnerToken, str]:
    """A new token of `account`: (row, clear value). The clear value exists only in this return value.
    Audited as `owner.token.create`."""
    name, expires_at = checked_token_request(name, expires_days)
    if _active_named(session, account, name) is not None:
        raise Conflict(f"you already have an active token named {name!r}")
    new = credentials.new_token(credentials.OWNER_TOKEN_PREFIX)
    token = OwnerToken(
        account_id=account.id,
        name=name,
        token_hash=new.digest,
        prefix=new.display_prefix,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    _record(session, account, "owner.token.create", token, {"after": snapshot(token)})
    return token, new.clear


def revoke(session: Session, account: OwnerAccount, token_id: int) -> OwnerToken:
    """Revoke one of the account's tokens (`owner.token.revoke`); another account's is missing.
    Revoking it again changes nothing."""
    token = session.get(OwnerToken, token_id)
    if token is None or token.account_id != account.id:
        raise NotFound(f"no token {token_id}")
    if token.revoked_at is None:
        before = snapshot(token)
        token.revoked_at = utcnow()
        session.flush()
        details = {"changes": audit.changes(before, snapshot(token))}
        _record(session, account, "owner.token.revoke", token, details)
    return token


def account_for_token(session: Session, clear: str, now: datetime | None = None) -> OwnerAccount | None:
    """The owner account of this live owner token; None for a police token, or an unknown, revoked or
    expired one, or an account whose e-mail is not confirmed. Records the token's last use (hourly)."""
    if not clear.startswith(credentials.OWNER_TOKEN_PREFIX):
        return None
    now = now or utcnow()
    digest = credentials.token_digest(clear)
    token = session.scalar(sa.select(OwnerToken).where(OwnerToken.token_hash == digest))
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.account.email_verified_at is None:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token.account


def is_live(token: OwnerToken, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > now)


def snapshot(token: OwnerToken) -> dict[str, Any]:
    """The token as the audit log keeps it: its display prefix, never its value or digest."""
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "account": token.account_id,
        "expires_at": iso_or_none(token.expires_at),
        "revoked_at": iso_or_none(token.revoked_at),
    }


def _active_named(session: Session, account: OwnerAccount, name: str) -> OwnerToken | None:
    stmt = sa.select(OwnerToken).where(
        OwnerToken.account_id == account.id, OwnerToken.name == name, OwnerToken.revoked_at.is_(None)
    )
    return session.scalar(stmt)


def _record(
    session: Session, account: OwnerAccount, action: str, token: OwnerToken, details: dict[str, Any]
) -> None:
    record_owner_action(session, account, action, "owner_token", token.id, details)
