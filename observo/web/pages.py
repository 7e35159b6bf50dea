"""Login, logout and the home page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from observo.api.problems import status_for
from observo.errors import ObservoError
from observo.extensions import db
from observo.services.accounts import authenticate_password
from observo.web.i18n import language, translator
from observo.web.session import SignedIn

bp = Blueprint("pages", __name__)


class LoginForm(FlaskForm):
    email = EmailField(validators=[DataRequired(), Length(max=254)])
    password = PasswordField(validators=[DataRequired(), Length(max=1024)])


def _render(template: str, status: int = 200, **context: Any) -> Any:
    return render_template(template, t=translator(), lang=language(), **context), status


@bp.route("/")
def home() -> Any:
    return redirect(url_for("pages.map_page"))


@bp.route("/map")
@login_required
def map_page() -> Any:
    return _render("home.html", user=current_user.user)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = authenticate_password(db.session, form.email.data or "", form.password.data or "")
        if user is not None:
            db.session.commit()
            login_user(SignedIn(user))
            return redirect(_safe_next(request.args.get("next")))
        failed = True
    status = 401 if failed else (400 if form.errors else 200)
    return _render("login.html", status, form=form, failed=failed)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    logout_user()
    return redirect(url_for("pages.login"))


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never an open redirect to another host.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("pages.map_page")


def error_page(error: ObservoError) -> Any:
    return _render("error.html", status_for(error), detail=error.detail)
