"""The owners' e-mails (docs/owners.md, "Mail"), in the page's language, and what a failure does:
logged by services/mail.py, and the page says so; never a 500."""

from __future__ import annotations

from flask import current_app, url_for

from observo.http.i18n import gettext
from observo.models import OwnerAccount
from observo.services import mail, owners


def send_confirmation(account: OwnerAccount) -> bool:
    """The message with the signed confirmation link (48 hours); False when it could not be sent."""
    token = owners.verification_token(current_app.config["SECRET_KEY"], account)
    link = url_for("owners.verify", token=token, _external=True)
    body = gettext(
        "Hello %(name)s,\n\n"
        "to finish registering %(organisation)s on Observo, confirm your e-mail address by opening "
        "this link within 48 hours:\n\n%(link)s\n\n"
        "If you did not sign up, ignore this message: nothing happens without the confirmation.",
        name=account.name,
        organisation=account.organisation.name,
        link=link,
    )
    return _send(account.email, gettext("Confirm your e-mail address for Observo"), body)


def send_already_registered(account: OwnerAccount) -> bool:
    """Told instead of a new sign-up with an address that already has an account."""
    link = url_for("owners.sign_in", _external=True)
    body = gettext(
        "Hello,\n\n"
        "someone (perhaps you) tried to sign up again on Observo with this e-mail address. You "
        "already have an account: sign in here:\n\n%(link)s\n\n"
        "If it was not you, ignore this message: nothing has changed.",
        link=link,
    )
    return _send(account.email, gettext("You already have an Observo account"), body)


def send_password_reset(account: OwnerAccount) -> bool:
    """The message with the signed reset link (2 hours, once)."""
    token = owners.password_reset_token(current_app.config["SECRET_KEY"], account)
    link = url_for("owners.password_reset", token=token, _external=True)
    body = gettext(
        "Hello %(name)s,\n\n"
        "someone (perhaps you) asked to set a new password for your Observo account. Choose it by "
        "opening this link within 2 hours; it works only once:\n\n%(link)s\n\n"
        "If you did not ask, ignore this message: your password stays as it is.",
        name=account.name,
        link=link,
    )
    return _send(account.email, gettext("Set a new password for Observo"), body)


def _send(to: str, subject: str, body: str) -> bool:
    settings = current_app.config["OBSERVO_SETTINGS"]
    try:
        mail.send(settings, mail.message(settings, to, subject, body))
    except mail.MailError:
        return False  # logged by services/mail.py
    return True
