"""Who is calling: an API token (`Bearer`, or the password of HTTP Basic on machine paths:
observo.http.credentials), or a browser session (CSRF-checked on writes, and on API paths only when
the request proves it came from this site: observo.http.same_origin), or nobody.

A token is a script's credential whichever way it is sent: no session, no CSRF token, the same
refusal (401, audited and throttled per address by http/access.py) when it is not valid."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user

from observo.domain.permissions import ANONYMOUS, Actor
from observo.errors import Forbidden, NotAuthenticated
from observo.extensions import csrf, db
from observo.http.credentials import BASIC, BEARER, TOKEN_USER_NAME, Offered, offered_credentials
from observo.http.problem_api import is_api_request
from observo.http.same_origin import sent_by_another_site, sent_by_this_site
from observo.http.security import signed_in_user_id
from observo.services.accounts import TokenHolder, normalise_email, token_holder
from observo.services.actors import actor_for, token_actor

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
BEARER_REFUSED = "send a valid 'Authorization: Bearer <token>': unknown, expired or revoked"
BASIC_REFUSED = (
    "send a valid API token as the Basic password, with the token owner's e-mail or 'token' as the "
    "user name: unknown, expired or revoked"
)
BASIC_MALFORMED = "unreadable 'Authorization: Basic' header: send the base64 of '<user name>:<API token>'"
BASIC_ON_A_PAGE = "HTTP Basic credentials are accepted on /api/, /ogc and /tiles/ only: sign in on the page"
BASIC_FROM_ANOTHER_SITE = (
    "HTTP Basic credentials are accepted from programs (GIS clients, scripts), not from another site's page"
)


def current_actor() -> Actor:
    if "observo_actor" not in g:
        g.observo_actor = _resolve_actor()
    return g.observo_actor


def require_actor() -> Actor:
    actor = current_actor()
    if actor.is_anonymous:
        raise NotAuthenticated("sign in or send 'Authorization: Bearer <token>'")
    return actor


def _resolve_actor() -> Actor:
    header = request.headers.get("Authorization")
    if header is not None:
        return token_actor(db.session, _holder_from_header(header))
    if signed_in_user_id() is not None and is_api_request() and not sent_by_this_site():
        # Checked before the session is even loaded: a forged request neither acts nor counts as
        # activity that keeps the session alive.
        raise Forbidden(
            "a browser session is accepted only from Observo's own pages: another site cannot make "
            "this request in your name (scripts: send a bearer token)"
        )
    if current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            csrf.protect()  # a session cookie alone must not authorise a cross-site write
        return actor_for(db.session, current_user.user)
    return ANONYMOUS


def _holder_from_header(header: str) -> TokenHolder:
    offered = offered_credentials(header)
    if offered.scheme == BASIC:
        holder = _holder_from_basic(offered)
    else:
        bearer = offered.scheme == BEARER and offered.token
        holder = token_holder(db.session, offered.token) if bearer else None
        if holder is None:
            raise NotAuthenticated(BEARER_REFUSED)
    if holder.use_recorded:
        db.session.commit()
    return holder


def _holder_from_basic(offered: Offered) -> TokenHolder:
    if not is_api_request():
        # Pages use the session: a browser given a Basic password would send it on its own.
        raise NotAuthenticated(BASIC_ON_A_PAGE)
    if sent_by_another_site():
        raise Forbidden(BASIC_FROM_ANOTHER_SITE)  # a browser's remembered password, used by a page elsewhere
    if offered.malformed:
        raise NotAuthenticated(BASIC_MALFORMED)
    holder = token_holder(db.session, offered.token) if offered.token else None
    # The refusal undoes the token's "last used" (http/access.py rolls the request back).
    if holder is None or not _names_owner(offered.user_name, holder.email):
        raise NotAuthenticated(BASIC_REFUSED)
    return holder


def _names_owner(user_name: str, email: str) -> bool:
    """`token`, or the owner's e-mail as sign-in compares it; another user's e-mail is refused."""
    name = normalise_email(user_name)
    return name == TOKEN_USER_NAME or name == normalise_email(email)
