"""The owner's API tokens page (docs/owners.md, "API and CLI"): create a token for the owners' API
(/api/v1/owner/...), shown once, and revoke them. Routes on the owners' blueprint (web/owners.py).

Only a signed-in owner reaches it (anyone else goes to the owners' sign-in); another account's token
is the ordinary 404 page. A new token's clear value is written into this one answer (never into the
session cookie or a redirect): the page says to copy it now.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from observo.domain.credentials import MAX_EXPIRY_DAYS
from observo.errors import Conflict, InvalidInput
from observo.extensions import db
from observo.http.i18n import render_page
from observo.models import OwnerAccount
from observo.services import owner_tokens
from observo.services.accounts import TOKEN_NAME_MAX
from observo.web.brief import moment
from observo.web.owner_cameras import owner_page
from observo.web.owners import bp


@bp.route("/proprietari/token", methods=["GET", "POST"])
@owner_page
def tokens_page(account: OwnerAccount) -> Any:
    """The account's tokens and a form for a new one; a POST creates it and shows it this once."""
    created, problems, status = _create(account) if request.method == "POST" else (None, [], 200)
    tokens = owner_tokens.account_tokens(db.session, account)
    kept = {} if created or request.method == "GET" else request.form  # a refused form keeps its text
    return render_page(
        "owners/tokens.html",
        status,
        account=account,
        tokens=tokens,
        live={token.id for token in tokens if owner_tokens.is_live(token)},
        created=created,
        problems=problems,
        name=kept.get("name", ""),
        days=kept.get("expires_days", ""),
        max_days=MAX_EXPIRY_DAYS,
        moment=moment,
    )


def _create(account: OwnerAccount) -> tuple[dict[str, str] | None, list[str], int]:
    """(the new token's name and clear value, no problems, 200) or (None, what was wrong, its status)."""
    days = request.form.get("expires_days", "").strip()
    expires_days = int(days) if days.isdigit() and days.isascii() else None
    if days and expires_days is None:
        return None, [_bad_form()], 400
    try:
        token, clear = owner_tokens.issue(db.session, account, request.form.get("name", ""), expires_days)
    except InvalidInput:
        db.session.rollback()
        return None, [_bad_form()], 400
    except Conflict:
        db.session.rollback()
        return None, [_("You already have an active token with this name.")], 409
    db.session.commit()
    return {"name": token.name, "token": clear}, [], 200


def _bad_form() -> str:
    return _(
        "Give the token a name (at most %(name)d characters) and, if it should expire, a number of days "
        "from 1 to %(days)d.",
        name=TOKEN_NAME_MAX,
        days=MAX_EXPIRY_DAYS,
    )


@bp.route("/proprietari/token/<int:token_id>/revoca", methods=["POST"])
@owner_page
def revoke_token(account: OwnerAccount, token_id: int) -> Any:
    token = owner_tokens.revoke(db.session, account, token_id)  # another account's: NotFound, the 404 page
    db.session.commit()
    flash(_("Token “%(name)s” revoked: it no longer opens the API.", name=token.name))
    return redirect(url_for("owners.tokens_page"))
