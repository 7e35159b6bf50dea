"""Owner accounts (docs/owners.md): sign-up on a municipality's page, the confirmation link, sign-in,
password reset.

An owner account belongs to an owner organisation (kind `private`) sponsored by the municipality it
signed up with, and is kept apart from police users: it has no role and no police tokens (its own
owner tokens open only the owners' API: services/owner_tokens.py), and never becomes an `Actor` of
the read scope. Its audit entries name its e-mail as the actor label.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from observo.domain import credentials
from observo.domain.permissions import Actor
from observo.domain.tax_codes import normalise_tax_code
from observo.errors import NotFound
from observo.models import Organisation, OwnerAccount
from observo.models.base import utcnow
from observo.services import audit
from observo.services.accounts import normalise_email

LINK_SALT = "observo.owner-email-verification"
LINK_MAX_AGE_S = 48 * 3600
RESET_SALT = "observo.owner-password-reset"
RESET_MAX_AGE_S = 2 * 3600
OWNER_KIND = "private"
SLUG_MAX = 64
UNKNOWN_OWNER = "unknown owner e-mail"


class LinkExpired(Exception):  # noqa: N818 - a state, not a failure of the code
    """The link was genuine but is older than its lifetime."""


class LinkInvalid(Exception):  # noqa: N818
    """The link was altered, or names an account (or an address) that no longer exists."""


@dataclass(frozen=True)
class SignUp:
    """What the sign-up form collects, already checked by the page."""

    organisation_name: str
    tax_code: str
    address: str
    contact_name: str
    phone: str
    pec: str
    email: str
    password: str


def owner_actor(account: OwnerAccount) -> Actor:
    """The owner as the audit log names it; no role, so no police rule ever lets it through."""
    return Actor(label=account.email, organisation_id=account.organisation_id, organisation_kind=OWNER_KIND)


def signup_municipality(session: Session, slug: str) -> Organisation:
    """The municipality whose sign-up page this is; anything else answers as a missing page."""
    found = session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if found is None or found.kind != "municipality":
        raise NotFound(f"no municipality {slug!r}")
    return found


def confirmed_accounts(session: Session, organisation_id: int) -> list[OwnerAccount]:
    """The owner organisation's accounts that confirmed their e-mail (the others never signed in):
    whom Observo writes to about its cameras and requests."""
    stmt = (
        sa.select(OwnerAccount)
        .where(OwnerAccount.organisation_id == organisation_id, OwnerAccount.email_verified_at.is_not(None))
        .order_by(OwnerAccount.id)
    )
    return list(session.scalars(stmt))


def account_by_email(session: Session, email: str) -> OwnerAccount | None:
    return session.scalar(sa.select(OwnerAccount).where(OwnerAccount.email == normalise_email(email)))


def register(session: Session, municipality: Organisation, signup: SignUp) -> tuple[OwnerAccount, bool]:
    """(the account, True) for a new owner organisation and its unverified account, audited as
    `owner.signup`; (the existing account, False) and nothing written when the e-mail is taken."""
    existing = account_by_email(session, signup.email)
    if existing is not None:
        credentials.hash_password(signup.password)  # as long as a sign-up: no enumeration by timing
        return existing, False
    email = normalise_email(signup.email)
    organisation = Organisation(
        slug=unique_slug(session, signup.organisation_name),
        name=signup.organisation_name.strip(),
        kind=OWNER_KIND,
        sponsor=municipality,
        tax_code=normalise_tax_code(signup.tax_code),
        address=signup.address.strip(),
        contact_name=signup.contact_name.strip(),
        contact_phone=signup.phone.strip(),
        contact_email=email,
        contact_pec=normalise_email(signup.pec),
    )
    account = OwnerAccount(
        organisation=organisation,
        email=email,
        name=signup.contact_name.strip(),
        password_hash=credentials.hash_password(signup.password),
    )
    session.add_all([organisation, account])
    details = {"organization": organisation.slug, "sponsor": municipality.slug}
    _record_account(session, account, "owner.signup", details)
    return account, True


def unique_slug(session: Session, name: str) -> str:
    """A slug from the name ("Farmacia Sant'Anna" -> farmacia-sant-anna), numbered if taken."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[: SLUG_MAX - 4].strip("-") or "proprietario"
    taken = set(session.scalars(sa.select(Organisation.slug).where(Organisation.slug.like(f"{base}%"))))
    number = 1
    slug = base
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


class _ClockedSigner(TimestampSigner):
    """A timestamp signer whose clock can be set (tests freeze it; no sleeping)."""

    def __init__(self, *args: Any, clock: Callable[[], float] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock()) if self._clock is not None else super().get_timestamp()


def _serializer(secret_key: str, now: float | None, salt: str = LINK_SALT) -> URLSafeTimedSerializer:
    clock = None if now is None else (lambda: now)
    return URLSafeTimedSerializer(
        secret_key, salt=salt, signer=_ClockedSigner, signer_kwargs={"clock": clock}
    )


def verification_token(secret_key: str, account: OwnerAccount, now: float | None = None) -> str:
    """The signed token of a confirmation link: the account and its current e-mail, timestamped."""
    return _serializer(secret_key, now).dumps({"id": account.id, "email": account.email})


def account_for_token(
    session: Session, secret_key: str, token: str, now: float | None = None, max_age_s: int = LINK_MAX_AGE_S
) -> OwnerAccount:
    """The account a confirmation link names; LinkExpired or LinkInvalid otherwise.

    A link names the e-mail it was sent to: once the account's address changes, old links are void.
    """
    account, _payload = _account_for_link(
        session, secret_key, token, now, max_age_s, LINK_SALT, "confirmation"
    )
    return account


def _account_for_link(
    session: Session, secret_key: str, token: str, now: float | None, max_age_s: int, salt: str, kind: str
) -> tuple[OwnerAccount, dict[str, Any]]:
    """The account a signed link of `kind` names, and the link's payload; LinkExpired, or LinkInvalid
    for an altered link or one sent to an address the account no longer has."""
    try:
        payload = _serializer(secret_key, now, salt).loads(token, max_age=max_age_s)
    except SignatureExpired as expired:
        raise LinkExpired(f"the {kind} link has expired") from expired
    except BadData as bad:
        raise LinkInvalid(f"the {kind} link is not valid") from bad
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
        raise LinkInvalid(f"the {kind} link is not valid")
    account = session.get(OwnerAccount, payload["id"])
    if account is None or account.email != payload.get("email"):
        raise LinkInvalid(f"the {kind} link is not valid")
    return account, payload


def verify_email(session: Session, account: OwnerAccount) -> None:
    """Mark the e-mail verified (audited as `owner.verify` the first time) and record the sign-in."""
    if account.email_verified_at is None:
        account.email_verified_at = utcnow()
        _record_account(session, account, "owner.verify")
    account.last_login_at = utcnow()
    session.flush()


def request_password_reset(session: Session, email: str) -> OwnerAccount | None:
    """The account to send a reset link to, audited `owner.password_reset_requested`; None (and
    nothing written) for an address without an account: the page answers the same either way."""
    account = account_by_email(session, email)
    if account is not None:
        _record_account(session, account, "owner.password_reset_requested")
    return account


def password_reset_token(secret_key: str, account: OwnerAccount, now: float | None = None) -> str:
    """The signed token of a reset link: the account, its e-mail and a fingerprint of its current
    password hash, timestamped. Setting a password changes the hash, so the link works once."""
    payload = {"id": account.id, "email": account.email, "pw": _password_fingerprint(secret_key, account)}
    return _serializer(secret_key, now, RESET_SALT).dumps(payload)


def account_for_reset_token(
    session: Session, secret_key: str, token: str, now: float | None = None, max_age_s: int = RESET_MAX_AGE_S
) -> OwnerAccount:
    """The account a reset link names; LinkExpired, or LinkInvalid for an altered link, one already
    used (the password changed since) or one for an address since changed."""
    account, payload = _account_for_link(
        session, secret_key, token, now, max_age_s, RESET_SALT, "password reset"
    )
    fingerprint = payload.get("pw")
    if not isinstance(fingerprint, str) or not hmac.compare_digest(
        fingerprint, _password_fingerprint(secret_key, account)
    ):
        raise LinkInvalid("the password reset link is not valid")
    return account


def reset_password(session: Session, account: OwnerAccount, password: str) -> None:
    """Set the new password from a reset link (audited `owner.password_reset`) and end every session
    opened so far. The link reached the owner's mailbox, so an unconfirmed address is confirmed too."""
    account.password_hash = credentials.hash_password(password)
    account.session_epoch = (account.session_epoch or 0) + 1
    if account.email_verified_at is None:
        account.email_verified_at = utcnow()
        _record_account(session, account, "owner.verify")
    account.last_login_at = utcnow()
    _record_account(session, account, "owner.password_reset")


def _password_fingerprint(secret_key: str, account: OwnerAccount) -> str:
    """A keyed digest of the password hash: the link (readable, only signed) never carries the hash."""
    digest = hmac.new(f"{RESET_SALT}:{secret_key}".encode(), account.password_hash.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def authenticate_owner(session: Session, email: str, password: str) -> OwnerAccount | None:
    """The account with these credentials, verified or not (the page tells an unverified one to
    confirm its e-mail first); None for an unknown e-mail or a wrong password alike."""
    account = account_by_email(session, email)
    if account is None:
        credentials.hash_password(password)  # the same time as a real check: no enumeration by timing
        return None
    return account if credentials.verify_password(account.password_hash, password) else None


def record_sign_in(session: Session, account: OwnerAccount) -> None:
    account.last_login_at = utcnow()
    _record_account(session, account, "owner.login")


def record_failed_sign_in(session: Session, typed_email: str) -> None:
    """`owner.login_failed`, naming the account only when the text is a known owner's e-mail."""
    account = account_by_email(session, typed_email)
    actor = owner_actor(account) if account is not None else Actor(label=UNKNOWN_OWNER)
    audit.record(session, actor, "owner.login_failed", object_type="owner_account")


def end_sessions(session: Session, account: OwnerAccount) -> None:
    """Sign out everywhere: every browser session of this account opened so far ends (audited)."""
    account.session_epoch = (account.session_epoch or 0) + 1
    _record_account(session, account, "owner.logout")


def _record_account(
    session: Session, account: OwnerAccount, action: str, details: dict[str, str] | None = None
) -> None:
    session.flush()  # the account's id (and organisation's) for the entry
    record_owner_action(session, account, action, "owner_account", account.id, details)


def record_owner_action(
    session: Session,
    account: OwnerAccount,
    action: str,
    object_type: str,
    object_id: int,
    details: dict[str, Any] | None = None,
) -> None:
    """An owner account's own action in the audit log, its organisation the subject."""
    audit.record(
        session,
        owner_actor(account),
        action,
        object_type=object_type,
        object_id=object_id,
        subject_organisation_id=account.organisation_id,
        details=details,
    )
