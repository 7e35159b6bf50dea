"""Password hashing (argon2) and bearer tokens (random, stored as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "obs_"
# Owners' API tokens (docs/owners.md, "API and CLI"): a prefix of their own, so the police's bearer
# parser refuses them before any lookup, and the owners' parser refuses police tokens alike.
OWNER_TOKEN_PREFIX = "obo_"
MIN_PASSWORD_LENGTH = 10
MAX_EXPIRY_DAYS = 3650  # a token lives at most ten years
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password needs at least {MIN_PASSWORD_LENGTH} characters"
    return None


@dataclass(frozen=True)
class NewToken:
    clear: str  # shown once, never stored
    digest: str
    display_prefix: str


def new_token(prefix: str = TOKEN_PREFIX) -> NewToken:
    clear = prefix + secrets.token_urlsafe(32)
    return NewToken(clear=clear, digest=token_digest(clear), display_prefix=clear[:10])


def token_digest(clear: str) -> str:
    # A token has 256 random bits: a fast hash is enough and lets us look it up by digest.
    return hashlib.sha256(clear.encode()).hexdigest()
