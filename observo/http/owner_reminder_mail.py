"""The yearly re-confirmation reminder an owner receives (docs/owners.md, "Yearly re-confirmation"):
one message per owner account, naming every camera of its organisation to re-confirm.

Always in Italian (the owners' language). Written by `observo reminders send` outside any request:
the link to the owner's page is built on OBSERVO_PUBLIC_URL.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage

from flask import current_app, url_for
from flask_babel import force_locale, format_date, gettext

from observo.services import mail
from observo.services.confirmations import DueCamera, Reminder
from observo.settings import Settings

OWNER_LANGUAGE = "it"
log = logging.getLogger(__name__)


def owners_page_link(settings: Settings) -> str:
    """The absolute address of /proprietari/ on the site OBSERVO_PUBLIC_URL names."""
    with current_app.test_request_context("/", base_url=settings.public_url + "/"):
        return url_for("owners.home", _external=True)


def compose(settings: Settings, reminder: Reminder, link: str) -> list[EmailMessage]:
    """One message per recipient of `reminder`."""
    with force_locale(OWNER_LANGUAGE):
        subject = gettext("Confirm your cameras in the registry")
        lines = "\n".join(f"- {_line(camera)}" for camera in reminder.cameras)
        body = gettext(
            "once a year the owners confirm that the cameras they registered with the police of "
            "%(municipality)s are still as they declared them. These cameras of %(organisation)s are to "
            "be confirmed:\n\n%(cameras)s\n\nIf they are still as registered, confirm them on your page; "
            "if something changed, change them there, or withdraw a camera you no longer have:\n\n%(link)s"
            "\n\nA camera not confirmed within %(days)s days of its due date is marked as unverified for "
            "the police.",
            municipality=reminder.municipality_name,
            organisation=reminder.organisation_name,
            cameras=lines,
            link=link,
            days=settings.owner_grace_days,
        )
        return [
            mail.message(settings, email, subject, gettext("Hello %(name)s,", name=name) + "\n\n" + body)
            for email, name in reminder.recipients
        ]


def _line(camera: DueCamera) -> str:
    values = {"code": camera.code, "name": camera.name, "date": format_date(camera.due_on, "long")}
    if camera.state == "due_soon":
        return gettext("%(code)s “%(name)s”: to confirm by %(date)s", **values)
    if camera.state == "overdue":
        return gettext("%(code)s “%(name)s”: it was due on %(date)s", **values)
    return gettext(
        "%(code)s “%(name)s”: it was due on %(date)s; the police now see it as unverified", **values
    )


def deliver(settings: Settings, messages: list[EmailMessage]) -> int:
    """Send each message; how many the mail server took (a failure is logged by services/mail.py)."""

    def unsent(message: EmailMessage) -> None:
        log.warning("a re-confirmation reminder to %s was not sent", message["To"])

    return mail.send_each(settings, messages, unsent)
