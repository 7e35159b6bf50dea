"""The owner's browser session (docs/owners.md, "Sessions"), kept under a key of its own.

Police sessions live in Flask-Login's `_user_id`; an owner's in `owner`, so `http/auth.py` never
takes an owner for a police user (their API answers 401, their pages send it to the police sign-in)
and the owners' pages never take a police user for an owner. Signing in either way starts a new
session (only the language is kept), so one browser is never both at once.

The same limits as police sessions (docs/security.md, "Sessions"): the account's `session_epoch`
at sign-in (sign-out moves it on), `OBSERVO_SESSION_IDLE_MINUTES` since the last request and
`OBSERVO_SESSION_MAX_HOURS` since sign-in, both kept in the signed cookie.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, redirect, request, session, url_for

from observo.extensions import db
from observo.http.session import now
from observo.models import OwnerAccount

OWNER_KEY = "owner"
_CSRF_KEY = "csrf_token"
_KEPT_AT_SIGN_IN = ("lang",)
_SEEN_RESOLUTION_S = 60
_LOADED = "observo_owner"


def start_owner_session(account: OwnerAccount) -> None:
    """Sign the owner in with a fresh session: anything the cookie held (a police sign-in, a planted
    CSRF token) is dropped, the language kept."""
    kept = {key: session[key] for key in _KEPT_AT_SIGN_IN if key in session}
    session.clear()
    g.pop(_CSRF_KEY, None)
    session.update(kept)
    moment = now()
    session[OWNER_KEY] = {"id": account.id, "epoch": account.session_epoch, "at": moment, "seen": moment}
    g.pop(_LOADED, None)


def end_owner_session() -> None:
    session.pop(OWNER_KEY, None)
    session.pop(_CSRF_KEY, None)
    g.pop(_CSRF_KEY, None)
    g.pop(_LOADED, None)


def signed_in_owner() -> OwnerAccount | None:
    """The owner of this session while it is alive, else None (and the cookie forgets it)."""
    if _LOADED not in g:
        g.observo_owner = _load()
    return g.observo_owner


def _load() -> OwnerAccount | None:
    values = session.get(OWNER_KEY)
    if not isinstance(values, dict):
        return None
    account_id = values.get("id")
    account = db.session.get(OwnerAccount, account_id) if type(account_id) is int else None
    moment = now()
    if account is None or account.email_verified_at is None or not _alive(values, account, moment):
        session.pop(OWNER_KEY, None)
        return None
    if moment - values["seen"] >= _SEEN_RESOLUTION_S:
        session[OWNER_KEY] = {**values, "seen": moment}
    return account


def _alive(values: dict[str, Any], account: OwnerAccount, moment: int) -> bool:
    settings = current_app.config["OBSERVO_SETTINGS"]
    epoch, signed_in_at, seen_at = values.get("epoch"), values.get("at"), values.get("seen")
    if not all(type(value) is int for value in (epoch, signed_in_at, seen_at)):
        return False
    return (
        epoch == account.session_epoch
        and moment - signed_in_at < settings.session_max_hours * 3600
        and moment - seen_at < settings.session_idle_minutes * 60
    )


def owner_sign_in_redirect() -> Response:
    """To the owners' sign-in. A page asked for with GET is where the owner comes back once signed in:
    the links of the owners' e-mails lead to a footage request or to the cameras to re-confirm."""
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    if request.path == url_for("owners.home"):
        target = None  # where a sign-in leads anyway
    return redirect(url_for("owners.sign_in", next=target))
