"""The pages' blueprint: login, logout, the home page and the HTML error pages.

The other pages register on this blueprint from their own modules (map_page, camera_pages, embed).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, request, send_from_directory, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import HTTPException
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from observo.errors import ObservoError
from observo.extensions import db
from observo.http.i18n import gettext, lazy_gettext, render_page
from observo.http.problem_api import api, is_api_request
from observo.http.problem_text import localise
from observo.http.problems import CODE_BY_STATUS, problem, status_for, title_for
from observo.http.redirects import safe_next
from observo.http.session import end_session, start_session, stop_loading_signed_in
from observo.logs import request_id
from observo.services import audit
from observo.services.accounts import authenticate_password, end_sessions
from observo.services.actors import actor_for
from observo.web.login_audit import failed_sign_in_actor
from observo.web.of_names import of_organisation

bp = Blueprint("pages", __name__)


class LoginForm(FlaskForm):
    email = EmailField(validators=[DataRequired(), Length(max=254)])
    password = PasswordField(validators=[DataRequired(), Length(max=1024)])


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
    return render_page("error.html", status_for(error), detail=localise(error.detail))


# What a page visitor reads for an HTTP error outside the API, in the page's language (Werkzeug's
# own descriptions are English only).
HTTP_ERROR_DETAILS = {
    400: lazy_gettext("The request could not be understood. Go back and try again."),
    403: lazy_gettext("You may not open this page."),
    404: lazy_gettext("There is no page at this address: the link may be old or mistyped."),
    405: lazy_gettext("This page cannot be used this way."),
    413: lazy_gettext("What was sent is too large."),
}
PASSED_ON_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def http_error_page(error: HTTPException) -> Any:
    """An HTTP error on a page (404 and the like): the Italian (or English) error page, its status and
    the headers that status needs (405's Allow)."""
    status = error.code or 500
    if status < 400:
        return error  # not an error: a redirect Werkzeug raised
    code = CODE_BY_STATUS.get(status, "internal_error")
    detail = HTTP_ERROR_DETAILS.get(status, "")
    title = gettext("Page not found") if status == 404 else title_for(code)
    body, _status = render_page("error.html", status, title=title, detail=str(detail))
    headers = {name: value for name, value in error.get_headers() if name in PASSED_ON_HEADERS}
    return body, status, headers


@bp.record_once
def _serve_http_error_pages(_state: BlueprintSetupState) -> None:
    api.page_error_handler = http_error_page


@bp.record_once
def _template_words(state: BlueprintSetupState) -> None:
    """`of_organisation(name)` in templates: "del Comune di Nichelino" (observo/web/of_names.py)."""
    state.app.jinja_env.globals["of_organisation"] = of_organisation


@bp.route("/favicon.ico")
def favicon() -> Any:
    """Browsers ask for it at the root whatever the page links."""
    return send_from_directory(
        current_app.static_folder or "", "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400
    )


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
