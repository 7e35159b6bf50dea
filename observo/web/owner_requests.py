"""The owner's inbox of footage requests and its answers (docs/owners.md, "Footage requests").
Routes on the owners' blueprint (web/owners.py).

Only a signed-in owner reaches them (anyone else, police users included, is sent to the owners'
sign-in); another owner's request is the ordinary 404 page. Every read and answer is audited by
services/owner_requests.py, so each view commits.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from observo.errors import InvalidInput, NotFound, StaleVersion
from observo.extensions import db
from observo.http.i18n import render_page
from observo.models import OwnerAccount
from observo.models.preservation_answer import ANSWERS
from observo.services import owner_requests
from observo.services.owner_requests import OwnerRequest
from observo.web.brief import ANSWER_LABELS, FLAG_LABELS, ZONE, answer_rows, label, moment
from observo.web.owners import bp
from observo.web.owners_session import owner_sign_in_redirect, signed_in_owner


class AnswerForm(FlaskForm):
    answer = RadioField(
        choices=[SelectChoice(value, ANSWER_LABELS[value]) for value in ANSWERS],
        validators=[DataRequired(message=_l("Choose an answer."))],
    )
    reason = TextAreaField(
        validators=[
            Length(max=owner_requests.REASON_MAX, message=_l("Too long: at most %(max)d characters."))
        ]
    )

    def validate_reason(self, field: Any) -> None:
        if self.answer.data == "refused" and not (field.data or "").strip():
            raise ValidationError(_("Say why you refuse."))


def _owner() -> OwnerAccount | None:
    return signed_in_owner()


def _row(item: OwnerRequest) -> dict[str, Any]:
    """The request as the owner's pages show it (display strings; Jinja escapes them)."""
    req, intervention = item.request, item.intervention
    latest = item.answers[-1].answer if item.answers else None
    return {
        "id": req.id,
        "police": intervention.lead.name,
        "requested_at": moment(req.requested_at),
        "protocol_number": req.protocol_number or "",
        "window": f"{moment(intervention.window_start)} – {moment(intervention.window_end)}",
        "deadline": moment(item.deadline),
        "cameras": [
            {
                "code": camera.code,
                "name": camera.name,
                "expires": moment(camera.expires_at),
                "flag": label(FLAG_LABELS, camera.flag),
            }
            for camera in item.cameras
        ],
        "state": label(ANSWER_LABELS, latest) if latest else _("Awaiting your answer"),
        "answered": latest is not None,
        "answers": answer_rows(item.answers),
    }


@bp.route("/proprietari/richieste")
def requests_page() -> Any:
    """The requests addressed to the signed-in owner's organisation, the latest first."""
    account = _owner()
    if account is None:
        return owner_sign_in_redirect()
    rows = [_row(item) for item in owner_requests.inbox(db.session, account)]
    db.session.commit()  # the reads' audit entries
    return render_page("owners/requests.html", account=account, rows=rows, zone=ZONE.key)


@bp.route("/proprietari/richieste/<int:request_id>", methods=["GET", "POST"])
def request_page(request_id: int) -> Any:
    """One request with its cameras, window and deadline, the answers so far and the answer form."""
    account = _owner()
    if account is None:
        return owner_sign_in_redirect()
    form = AnswerForm()
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                owner_requests.answer(db.session, account, request_id, form.answer.data, form.reason.data)
            except NotFound:
                abort(404)
            except StaleVersion:
                db.session.rollback()
                problems, status = [_("The request changed meanwhile: check it and answer again.")], 409
            except InvalidInput:  # the form checks the same rules: only a forged post gets here
                db.session.rollback()
                problems, status = [_("The answer was not recorded: check it.")], 400
            else:
                db.session.commit()
                return redirect(url_for("owners.request_page", request_id=request_id, answered=1))
        else:
            problems, status = [_("The answer was not recorded: check it.")], 400
    try:
        item = owner_requests.owner_request(db.session, account, request_id)
    except NotFound:
        abort(404)
    db.session.commit()  # the read's audit entry
    return render_page(
        "owners/request.html",
        status,
        account=account,
        row=_row(item),
        form=form,
        problems=problems,
        answered=request.args.get("answered") == "1",
        zone=ZONE.key,
    )
