"""Who is calling: a bearer token, or a browser session (CSRF-checked on writes, and on API paths
only when the request proves it came from this site: observo.http.same_origin), or nobody."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user

from observo.domain.permissions import ANONYMOUS, Actor
from observo.errors import Forbidden, NotAuthenticated
from observo.extensions import csrf, db
from observo.http.problem_api import is_api_request
from observo.http.same_origin import sent_by_this_site
from observo.http.security import signed_in_user_id
from observo.models import User
from observo.services.accounts import user_for_token
from observo.services.actors import actor_for

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


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
        return actor_for(db.session, _user_from_bearer(header))
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


def _user_from_bearer(header: str) -> User:
    scheme, _, token = header.partition(" ")
    user = user_for_token(db.session, token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        raise NotAuthenticated("send a valid 'Authorization: Bearer <token>': unknown, expired or revoked")
    if db.session.dirty:  # the token's last use was recorded
        db.session.commit()
    return user
