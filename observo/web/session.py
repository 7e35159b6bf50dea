"""The browser session's user, as Flask-Login wants it (the model stays free of Flask)."""

from __future__ import annotations

from flask import g
from flask_login import UserMixin

from observo.extensions import db, login_manager
from observo.models import User


class SignedIn(UserMixin):
    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return str(self.user.id)


def load_signed_in(user_id: str) -> SignedIn | None:
    # A user deactivated after signing in loses the session at the next request.
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return SignedIn(user) if user is not None and user.active else None


def stop_loading_signed_in() -> None:
    """Serve the rest of this request as signed out unless its user is already loaded.

    Flask-Login calls the user loader again at every use of `current_user` until one succeeds (it
    keeps the result in `g._login_user`): a page answering "database unavailable" must not query
    the database once more to draw its menu.
    """
    if "_login_user" not in g:
        g._login_user = login_manager.anonymous_user()
