"""The owner hears of the police's decision by e-mail (docs/owners.md, "Police verification").

Shared by the API and the verification page, which must not import each other. The messages are
written before the commit (the recipients are read in the decision's transaction), sent after it,
with no SQLite write lock held while the mail server answers. A mail server that fails does not undo
the decision: services/mail.py logs it, and so does this module, naming the declaration.

Always in Italian: the owner's language, whatever the officer's page or API client speaks.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage

from flask import current_app, url_for
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from observo.models import Camera, OwnerCameraDeclaration
from observo.services import mail, owners
from observo.spatial.engine import end_write_intent

OWNER_LANGUAGE = "it"
log = logging.getLogger(__name__)


def commit_and_notify(session: Session, declaration: OwnerCameraDeclaration, camera: Camera | None) -> bool:
    """Commit the decision, then mail each verified owner account of the declaration's organisation.
    False when a message could not be handed to the mail server (the decision stands)."""
    messages = compose(session, declaration, camera)
    declaration_id = declaration.id
    session.commit()
    end_write_intent()  # the decision is saved: no SQLite write lock while the mail server answers
    return deliver(messages, declaration_id) == len(messages)


def compose(
    session: Session, declaration: OwnerCameraDeclaration, camera: Camera | None
) -> list[EmailMessage]:
    """One message per recipient, in the owner's language, telling the decision on `declaration`."""
    settings = current_app.config["OBSERVO_SETTINGS"]
    with force_locale(OWNER_LANGUAGE):
        subject, body = _text(declaration, camera)
    return [
        mail.message(settings, account.email, subject, _greeting(account.name) + body)
        for account in owners.confirmed_accounts(session, declaration.organisation_id)
    ]


def deliver(messages: list[EmailMessage], declaration_id: int) -> int:
    def untold(_message: EmailMessage) -> None:
        log.warning("the owner was not told of the decision on declaration %s", declaration_id)

    return mail.send_each(current_app.config["OBSERVO_SETTINGS"], messages, untold)


def _greeting(name: str) -> str:
    with force_locale(OWNER_LANGUAGE):
        return gettext("Hello %(name)s,", name=name) + "\n\n"


def _text(declaration: OwnerCameraDeclaration, camera: Camera | None) -> tuple[str, str]:
    organisation = declaration.organisation
    sponsor = organisation.sponsor.name if organisation.sponsor is not None else ""
    values = {
        "camera": declaration.data.get("name", ""),
        "organisation": organisation.name,
        "municipality": sponsor,
        "reason": declaration.reason or "",
        "link": url_for("owners.home", _external=True),
    }
    if declaration.status == "approved":
        values["code"] = camera.code if camera is not None else ""
        if declaration.kind == "change":
            subject = gettext("The changes to your camera were approved")
            body = gettext(
                "the police of %(municipality)s approved the changes you declared for the camera "
                '"%(camera)s" of %(organisation)s (code %(code)s): the registry now holds them.\n\n'
                "Your cameras: %(link)s",
                **values,
            )
        else:
            subject = gettext("Your camera was approved")
            body = gettext(
                'the police of %(municipality)s approved the camera "%(camera)s" of %(organisation)s. '
                "It is now in the registry with the code %(code)s: quote it when the police contact "
                "you about its footage.\n\nYour cameras: %(link)s",
                **values,
            )
    elif declaration.status == "changes_requested":
        subject = gettext("The police ask for changes to your camera")
        body = gettext(
            'the police of %(municipality)s ask you to change what you declared for the camera "%(camera)s" '
            "of %(organisation)s before approving it:\n\n%(reason)s\n\n"
            "Correct it on your page and send it again: %(link)s",
            **values,
        )
    elif declaration.kind == "change":
        subject = gettext("The changes to your camera were not approved")
        body = gettext(
            "the police of %(municipality)s did not approve the changes you declared for the camera "
            '"%(camera)s" of %(organisation)s: the registry keeps it as it was.\n\n%(reason)s\n\n'
            "Your cameras: %(link)s",
            **values,
        )
    else:
        subject = gettext("Your camera was not approved")
        body = gettext(
            'the police of %(municipality)s did not approve the camera "%(camera)s" of %(organisation)s:'
            "\n\n%(reason)s\n\nYour cameras: %(link)s",
            **values,
        )
    return subject, body
