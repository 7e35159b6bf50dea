"""Who is calling the owners' API (/api/v1/owner/..., docs/owners.md, "API and CLI"): an owner account,
by its owner token sent as `Authorization: Bearer obo_...`, or nobody.

Nothing else opens these routes: not a police token or session (their parser is http/auth.py), not
an owner's browser session (the pages have their own), not HTTP Basic. Every refusal is the same 401,
audited and throttled per address as the police's refused tokens are (http/access.py).
"""

from __future__ import annotations

from flask import g, request

from observo.errors import NotAuthenticated
from observo.extensions import db
from observo.http.credentials import BEARER, offered_credentials
from observo.models import OwnerAccount
from observo.services import owner_tokens

OWNER_TOKEN_MISSING = "send 'Authorization: Bearer <owner token>': the owners' API takes owner tokens only"
OWNER_TOKEN_REFUSED = "send a valid owner token ('Authorization: Bearer obo_…'): unknown, expired or revoked"
_LOADED = "observo_api_owner"


def require_owner() -> OwnerAccount:
    """The owner account of the request's owner token; NotAuthenticated otherwise (once per request)."""
    if _LOADED not in g:
        g.observo_api_owner = _owner_from_header()
    return g.observo_api_owner


def _owner_from_header() -> OwnerAccount:
    header = request.headers.get("Authorization")
    if header is None:
        raise NotAuthenticated(OWNER_TOKEN_MISSING)
    offered = offered_credentials(header)
    account = None
    if offered.scheme == BEARER and offered.token:
        account = owner_tokens.account_for_token(db.session, offered.token)
    if account is None:
        raise NotAuthenticated(OWNER_TOKEN_REFUSED)
    if db.session.dirty:  # the token's last use was recorded
        db.session.commit()
    return account
