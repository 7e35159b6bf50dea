"""Who a failed sign-in names in the audit log: never what was typed, unless it is an account's
e-mail (docs/security.md, "What is audited").

People type their password into the e-mail field. An entry kept for years must not hold it, so a
failed sign-in names the account only when the text is the e-mail of a known user (a password that
is also someone's address is not a realistic case); anything else gets a fixed label.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor
from observo.models import User
from observo.services.accounts import EMAIL_MAX, normalise_email

UNKNOWN_EMAIL = "unknown e-mail"
INVALID_EMAIL = "invalid e-mail"
# local@domain.tld with no spaces: the shape worth looking up at all.
_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def failed_sign_in_actor(session: Session, typed: str) -> Actor:
    """The actor of an `auth.login_failed` entry for the text typed into the e-mail field."""
    email = normalise_email(typed)
    if len(email) > EMAIL_MAX or not _EMAIL_SHAPE.fullmatch(email):
        return Actor(label=INVALID_EMAIL)
    known = session.scalar(sa.select(User.id).where(User.email == email)) is not None
    return Actor(label=email if known else UNKNOWN_EMAIL)
