"""The e-mail that tells a registered owner of a new preservation request (docs/owners.md, "Footage
requests"). Here, below both the API and the pages, because either may record the request.

Written in the request's transaction, sent once it is committed, to every confirmed account of the
owner organisation, in Italian (the owner's language; the pages are Italian first). It names the police
organisation, the protocol number, the window, the cameras and the deadline, and links the request's
page, where the owner answers. A mail server that fails is logged by services/mail.py; the request
stays recorded and the police's answer does not change (the owner still finds it in its inbox).
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app, url_for
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from observo.models import PreservationRequest
from observo.services import mail, owner_requests, owners
from observo.spatial.engine import end_write_intent

ZONE = ZoneInfo("Europe/Rome")
LANGUAGE = "it"


def commit_and_tell_owner(session: Session, request: PreservationRequest) -> int:
    """Commit the new request, then mail each confirmed account of its owner organisation; how many
    messages the mail server took. The messages are written before the commit (in its transaction)."""
    messages = compose(session, request)
    session.commit()
    end_write_intent()  # the request is saved: no SQLite write lock while the mail server answers
    # A refusal is logged by services/mail.py; the owner still finds the request in its inbox.
    return mail.send_each(current_app.config["OBSERVO_SETTINGS"], messages)


def compose(session: Session, request: PreservationRequest) -> list[EmailMessage]:
    """One message per confirmed account of the request's owner (none: the owner has no account)."""
    accounts = owners.confirmed_accounts(session, request.owner_id)
    if not accounts:
        return []
    settings = current_app.config["OBSERVO_SETTINGS"]
    subject, body = _text(request, owner_requests.requested_cameras(session, request))
    return [mail.message(settings, account.email, subject, body) for account in accounts]


def _text(request: PreservationRequest, cameras: list[owner_requests.RequestedCamera]) -> tuple[str, str]:
    intervention = request.intervention
    deadlines = [camera.expires_at for camera in cameras if camera.expires_at is not None]
    with force_locale(LANGUAGE):
        lines = [f"- {camera.code} {camera.name}" for camera in cameras] or [
            gettext("- all your cameras that recorded the area")
        ]
        subject = gettext("Request to preserve video footage from %(police)s", police=intervention.lead.name)
        body = gettext(
            "%(police)s asks %(owner)s to preserve the footage of these cameras:\n\n%(cameras)s\n\n"
            "Time window: %(start)s – %(end)s (Italian time)\n"
            "Footage is overwritten from: %(deadline)s\n"
            "Protocol number: %(protocol)s\n\n"
            "Do not delete or overwrite it. Answer on Observo (preserved, nothing recorded, refused or "
            "handed over):\n\n%(link)s",
            police=intervention.lead.name,
            owner=request.owner.name,
            cameras="\n".join(lines),
            start=_moment(intervention.window_start),
            end=_moment(intervention.window_end),
            deadline=_moment(min(deadlines)) if deadlines else gettext("unknown: check your recorder"),
            protocol=request.protocol_number or "—",
            link=url_for("owners.request_page", request_id=request.id, _external=True),
        )
    return subject, body


def _moment(value: datetime) -> str:
    return format_datetime(value, "d MMM y, HH:mm", tzinfo=ZONE, locale=LANGUAGE)
