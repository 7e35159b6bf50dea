"""The owners' pages (docs/owners.md): sign-up on a municipality's page, the confirmation link,
sign-in and sign-out, and the owner's home.

Owners are not police users: their session lives under a key of its own (web/owners_session.py), so
every police route treats them as anonymous, and these pages treat police users as not signed in.
Every answer is `private, no-store`: it is about one person.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for

from observo.errors import NotFound
from observo.extensions import db
from observo.http.i18n import render_page
from observo.http.rate_limits import address_quota
from observo.http.redirects import safe_next
from observo.services import owners
from observo.settings import Settings
from observo.spatial.engine import end_write_intent
from observo.web.owner_home import home_sections
from observo.web.owners_forms import OwnerSignInForm, ResendForm, SignUpForm
from observo.web.owners_mail import send_already_registered, send_confirmation
from observo.web.owners_session import end_owner_session, signed_in_owner, start_owner_session

bp = Blueprint("owners", __name__)
SIGNUP_SCOPE = "owner-signup"
RESEND_SCOPE = "owner-resend"
SIGN_IN_SCOPE = "owner-login"


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _settings() -> Settings:
    return current_app.config["OBSERVO_SETTINGS"]


@bp.route("/registrati/<slug>", methods=["GET", "POST"])
def signup(slug: str) -> Any:
    """The public sign-up page of one municipality; every other slug is a missing page."""
    try:
        municipality = owners.signup_municipality(db.session, slug)
    except NotFound:
        abort(404)
    form = SignUpForm()
    limit = _settings().ratelimit_owner_signup
    if request.method == "POST" and (throttled := address_quota(limit, SIGNUP_SCOPE, spend=False)):
        return throttled
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_page("owners/signup.html", status, form=form, municipality=municipality)
    address_quota(limit, SIGNUP_SCOPE)  # a submission that sends a message counts
    account, created = owners.register(db.session, municipality, form.signup())
    if created:
        db.session.commit()  # saved before the mail: a failed send leaves a link to ask for again
        end_write_intent()  # no SQLite write lock while the mail server is waited for
        sent = send_confirmation(account)
    else:
        db.session.rollback()  # the same answer as a new sign-up: no one learns the address is taken
        end_write_intent()
        sent = send_already_registered(account)
    return _check_your_email(sent)


def _check_your_email(sent: bool) -> Any:
    return render_page("owners/check_email.html", 200 if sent else 503, sent=sent, form=ResendForm())


@bp.route("/proprietari/verifica/<token>")
def verify(token: str) -> Any:
    """Follow the confirmation link: the e-mail is verified and the owner signed in."""
    try:
        account = owners.account_for_token(db.session, current_app.config["SECRET_KEY"], token)
    except owners.LinkExpired:
        return render_page("owners/link_failed.html", 410, expired=True, form=ResendForm())
    except owners.LinkInvalid:
        return render_page("owners/link_failed.html", 400, expired=False, form=ResendForm())
    owners.verify_email(db.session, account)
    db.session.commit()
    start_owner_session(account)
    return redirect(url_for("owners.home"))


@bp.route("/proprietari/verifica", methods=["POST"])
def resend() -> Any:
    """A new confirmation link; the same answer whether the address has an account or not."""
    end_write_intent()  # it only reads (and mails): no SQLite write lock while the mail server answers
    form = ResendForm()
    limit = _settings().ratelimit_owner_signup
    if throttled := address_quota(limit, RESEND_SCOPE, spend=False):
        return throttled
    if not form.validate_on_submit():
        return render_page("owners/link_failed.html", 400, expired=False, form=form)
    address_quota(limit, RESEND_SCOPE)
    account = owners.account_by_email(db.session, form.email.data or "")
    sent = True
    if account is not None and account.email_verified_at is None:
        sent = send_confirmation(account)
    elif account is not None:
        sent = send_already_registered(account)
    return _check_your_email(sent)


@bp.route("/proprietari/accedi", methods=["GET", "POST"])
def sign_in() -> Any:
    form = OwnerSignInForm()
    limit = _settings().ratelimit_login  # failed sign-ins per address, as on the police form
    if request.method == "POST" and (throttled := address_quota(limit, SIGN_IN_SCOPE, spend=False)):
        return throttled
    failed = unverified = False
    if form.validate_on_submit():
        account = owners.authenticate_owner(db.session, form.email.data or "", form.password.data or "")
        if account is not None and account.email_verified_at is not None:
            owners.record_sign_in(db.session, account)
            db.session.commit()
            start_owner_session(account)
            return redirect(safe_next(request.args.get("next"), url_for("owners.home")))
        if account is None:
            owners.record_failed_sign_in(db.session, form.email.data or "")
            db.session.commit()
            address_quota(limit, SIGN_IN_SCOPE)
        failed, unverified = account is None, account is not None
    status = 401 if failed else 403 if unverified else (400 if form.errors else 200)
    return render_page(
        "owners/sign_in.html", status, form=form, failed=failed, unverified=unverified, resend=ResendForm()
    )


@bp.route("/proprietari/esci", methods=["POST"])
def sign_out() -> Any:
    """Sign out: this session and every other of the account end (the epoch moves on)."""
    account = signed_in_owner()
    if account is not None:
        owners.end_sessions(db.session, account)
        db.session.commit()
    end_owner_session()
    return redirect(url_for("owners.sign_in"))


@bp.route("/proprietari/")
def home() -> Any:
    account = signed_in_owner()
    if account is None:
        return redirect(url_for("owners.sign_in"))
    organisation = account.organisation
    sections = home_sections(db.session, account)  # its cameras and declarations (web/owner_home.py)
    return render_page("owners/home.html", account=account, organisation=organisation, **sections)
