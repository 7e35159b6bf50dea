"""Password reset for owner accounts (docs/owners.md, "Sessions"). Routes on the owners' blueprint
(web/owners.py); the logic is in services/owners.py, the e-mail in web/owners_mail.py.

Asking for a link answers the same page whether the address has an account or not, and whether the
message left or not (a failure is logged): nobody learns which addresses are registered. The link is
signed, lasts 2 hours and works once (it carries a fingerprint of the password hash it replaces).
Opening it only shows the form, so a mail scanner that follows links changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, request, url_for

from observo.extensions import db
from observo.http.i18n import render_page
from observo.http.rate_limits import address_quota
from observo.services import owners
from observo.spatial.engine import end_write_intent
from observo.web.owners import bp
from observo.web.owners_forms import NewPasswordForm, ResendForm
from observo.web.owners_mail import send_password_reset
from observo.web.owners_session import start_owner_session

RESET_SCOPE = "owner-password-reset"


@bp.route("/proprietari/password", methods=["GET", "POST"])
def password_forgotten() -> Any:
    """Ask for a reset link by e-mail; counted per address like the other messages owners ask for."""
    form = ResendForm()
    limit = current_app.config["OBSERVO_SETTINGS"].ratelimit_owner_signup
    if request.method == "POST" and (throttled := address_quota(limit, RESET_SCOPE, spend=False)):
        return throttled
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_page("owners/password_forgotten.html", status, form=form, sent=False)
    address_quota(limit, RESET_SCOPE)  # counted whether the address has an account or not
    account = owners.request_password_reset(db.session, form.email.data or "")
    db.session.commit()
    end_write_intent()  # no SQLite write lock while the mail server is waited for
    if account is not None:
        send_password_reset(account)  # a failure is logged; the page stays the same
    return render_page("owners/password_forgotten.html", form=ResendForm(formdata=None), sent=True)


@bp.route("/proprietari/password/<token>", methods=["GET", "POST"])
def password_reset(token: str) -> Any:
    """The reset link: a new password twice; then every other session ends and this one starts."""
    try:
        account = owners.account_for_reset_token(db.session, current_app.config["SECRET_KEY"], token)
    except owners.LinkExpired:
        return _link_failed(410, expired=True)
    except owners.LinkInvalid:
        return _link_failed(400, expired=False)
    form = NewPasswordForm()
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_page("owners/password_reset.html", status, form=form, account=account)
    owners.reset_password(db.session, account, form.password.data or "")
    db.session.commit()
    start_owner_session(account)  # after the epoch moved on: this session is the only one alive
    return redirect(url_for("owners.home"))


def _link_failed(status: int, expired: bool) -> Any:
    form = ResendForm(formdata=None)
    return render_page("owners/password_link_failed.html", status, expired=expired, form=form)
