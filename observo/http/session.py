"""The browser session's user, as Flask-Login wants it (the model stays free of Flask), and when the
session ends (docs/security.md, "Sessions").

A session is believed only while all of these hold, checked at every request that asks who is
signed in:
- the user is still active, and its `session_epoch` is the one stored at sign-in (sign-out, a new
  password, role, organisation or activity move the epoch on: every earlier session ends at once);
- less than `session_max_hours` since sign-in, and less than `session_idle_minutes` since the last
  request (both kept in the signed cookie, so a copied cookie ages like the original).
"""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import Any

from flask import current_app, g, session
from flask_login import UserMixin, login_user, logout_user

from observo.extensions import db, login_manager
from observo.models import User

EPOCH = "_epoch"
SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"
# Refreshing the last-seen time at most once a minute keeps most answers free of a new cookie.
_SEEN_RESOLUTION_S = 60
# What a sign-in leaves in the session: Flask-Login's keys and ours. The CSRF token (Flask-WTF's
# `csrf_token`) is replaced at sign-in and dropped at sign-out.
_SIGN_IN_KEYS = ("_user_id", "_fresh", "_id", EPOCH, SIGNED_IN_AT, SEEN_AT)
_CSRF_KEY = "csrf_token"
_KEPT_AT_SIGN_IN = ("lang",)


class SignedIn(UserMixin):
    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return str(self.user.id)


def now() -> int:
    """Seconds since the epoch: the session's clock."""
    return int(time.time())


def session_values(user: User, moment: int | None = None) -> dict[str, Any]:
    """What a sign-in stores about its user (tests build a signed-in cookie from it)."""
    moment = now() if moment is None else moment
    return {
        "_user_id": str(user.id),
        "_fresh": True,
        EPOCH: user.session_epoch,
        SIGNED_IN_AT: moment,
        SEEN_AT: moment,
    }


def start_session(user: User) -> None:
    """Sign `user` in with a fresh session.

    Whatever the cookie held before is dropped except the language, the CSRF token included: a
    token (or any value) planted in the browser before sign-in is useless after it.
    """
    kept = {key: session[key] for key in _KEPT_AT_SIGN_IN if key in session}
    session.clear()
    g.pop(_CSRF_KEY, None)  # Flask-WTF caches the request's token in g too
    session.update(kept)
    login_user(SignedIn(user))
    session.update(session_values(user))


def end_session() -> None:
    """Sign out of this cookie (the language stays); `accounts.end_sessions` ends the others."""
    logout_user()
    _forget(session)
    session.pop(_CSRF_KEY, None)
    g.pop(_CSRF_KEY, None)


def load_signed_in(user_id: str) -> SignedIn | None:
    """Flask-Login's user loader: the session's user while the session is alive, else None (and the
    cookie forgets the user; its CSRF token stays valid for the sign-in form the page may be showing)."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or not _alive(session, user, now()):
        _forget(session)
        return None
    if now() - session[SEEN_AT] >= _SEEN_RESOLUTION_S:
        session[SEEN_AT] = now()
    return SignedIn(user)


def _alive(values: MutableMapping[str, Any], user: User, moment: int) -> bool:
    settings = current_app.config["OBSERVO_SETTINGS"]
    epoch, signed_in_at, seen_at = values.get(EPOCH), values.get(SIGNED_IN_AT), values.get(SEEN_AT)
    if not all(type(value) is int for value in (epoch, signed_in_at, seen_at)):
        return False  # a session from before these checks existed, or not ours
    return (
        epoch == user.session_epoch
        and moment - signed_in_at < settings.session_max_hours * 3600
        and moment - seen_at < settings.session_idle_minutes * 60
    )


def _forget(values: MutableMapping[str, Any]) -> None:
    for key in _SIGN_IN_KEYS:
        values.pop(key, None)


def stop_loading_signed_in() -> None:
    """Serve the rest of this request as signed out unless its user is already loaded.

    Flask-Login calls the user loader again at every use of `current_user` until one succeeds (it
    keeps the result in `g._login_user`): a page answering "database unavailable" must not query
    the database once more to draw its menu.
    """
    if "_login_user" not in g:
        g._login_user = login_manager.anonymous_user()
