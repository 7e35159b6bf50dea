"""The pages' blueprint: login, logout, the home page, and the page renderer the others share.

The other pages register on this blueprint from their own modules (map_page, camera_pages, embed).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from observo.api.problem_api import is_api_request
from observo.api.problems import problem, status_for
from observo.errors import ObservoError
from observo.extensions import db
from observo.logs import request_id
from observo.services import audit
from observo.services.accounts import authenticate_password, end_sessions
from observo.services.actors import actor_for
from observo.web.i18n import gettext, language
from observo.web.login_audit import failed_sign_in_actor
from observo.web.redirects import safe_next
from observo.web.session import end_session, start_session, stop_loading_signed_in

bp = Blueprint("pages", __name__)


class LoginForm(FlaskForm):
    email = EmailField(validators=[DataRequired(), Length(max=254)])
    password = PasswordField(validators=[DataRequired(), Length(max=1024)])


def render_page(template: str, status: int = 200, **context: Any) -> Any:
    """A page in the request's language (templates read it as `lang`)."""
    return render_template(template, lang=language(), **context), status


@bp.route("/")
def home() -> Any:
    return redirect(url_for("pages.map_page"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        email = form.email.data or ""
        user = authenticate_password(db.session, email, form.password.data or "")
        if user is not None:
            _audit_user(user, "auth.login")
            start_session(user)
            return redirect(safe_next(request.args.get("next"), url_for("pages.map_page")))
        audit.record(db.session, failed_sign_in_actor(db.session, email), "auth.login_failed")
        db.session.commit()
        failed = True
    status = 401 if failed else (400 if form.errors else 200)
    return render_page("login.html", status, form=form, failed=failed)


def _audit_user(user: Any, action: str) -> None:
    """Sign-in and sign-out are logged, as the user, about the user."""
    audit.record(
        db.session,
        actor_for(db.session, user),
        action,
        object_type="user",
        object_id=user.id,
        subject_organisation_id=user.organisation_id,
    )
    db.session.commit()


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    if current_user.is_authenticated:
        # Signing out ends the user's every session: a copy of this cookie is useless too.
        end_sessions(db.session, current_user.user)
        _audit_user(current_user.user, "auth.logout")
    end_session()
    return redirect(url_for("pages.login"))


def error_page(error: ObservoError) -> Any:
    return render_page("error.html", status_for(error), detail=error.detail)


def internal_error(_error: Exception) -> Any:
    """Something unexpected failed: the caller gets the request id, never the traceback (which Flask
    has logged, with that id)."""
    if is_api_request():
        return problem(500, "internal_error", "an unexpected error: quote the request_id when reporting it")
    stop_loading_signed_in()  # the page must not need the database, which may be what failed
    detail = gettext(
        "Something went wrong on our side. If it happens again, give the administrators this reference: "
        "%(reference)s",
        reference=request_id(),
    )
    return render_page("error.html", 500, detail=detail)
