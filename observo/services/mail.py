"""Outgoing mail (docs/owners.md, "Mail"): one message at a time, through the SMTP server of
OBSERVO_SMTP_URL, or written to the console when none is set (`make run`).

No Flask: the pages hand the settings down. A message that cannot be handed to the server raises
`MailError` (logged here, without the password); callers turn it into a readable answer.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import sys
from collections.abc import Callable, Iterable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TextIO

from observo.settings import Settings, SmtpTarget, smtp_target

log = logging.getLogger(__name__)
TIMEOUT_S = 10.0  # a mail server that does not answer must not hold a request for long


class MailError(Exception):
    """The SMTP server refused the message or could not be reached."""


def message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message from OBSERVO_MAIL_FROM, dated and with a Message-ID."""
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2].strip("> ") or None)
    mail.set_content(body)
    return mail


def send(settings: Settings, mail: EmailMessage, console: TextIO | None = None) -> None:
    """Hand `mail` to the SMTP server, or print it to `console` (stderr) when no server is set."""
    if "From" not in mail:
        mail["From"] = settings.mail_from
    if not settings.smtp_url:
        out = console or sys.stderr
        out.write(f"----- e-mail (OBSERVO_SMTP_URL is not set) -----\n{_readable(mail)}\n-----\n")
        out.flush()
        log.info("e-mail to %s written to the console: %s", mail["To"], mail["Subject"])
        return
    target = smtp_target(settings.smtp_url)
    try:
        _deliver(target, mail)
    except (OSError, smtplib.SMTPException) as error:  # refused, unreachable, timed out, bad TLS
        log.error("e-mail to %s not sent via %s:%s: %s", mail["To"], target.host, target.port, error)
        raise MailError(f"the mail server {target.host}:{target.port} did not take the message") from error
    log.info("e-mail to %s sent: %s", mail["To"], mail["Subject"])


def send_each(
    settings: Settings,
    messages: Iterable[EmailMessage],
    on_refusal: Callable[[EmailMessage], None] | None = None,
) -> int:
    """Send each message whatever happens to the others; how many the mail server took. A refusal is
    logged by `send`; `on_refusal` lets the caller say what it means (whom it failed to tell)."""
    sent = 0
    for mail in messages:
        try:
            send(settings, mail)
        except MailError:
            if on_refusal is not None:
                on_refusal(mail)
            continue
        sent += 1
    return sent


def _readable(mail: EmailMessage) -> str:
    """The headers and the text as a person reads them: the wire form's quoted-printable turns every
    accented letter of an Italian message into codes (=C3=A8) and cuts the links."""
    headers = "".join(
        f"{name}: {value}\n" for name, value in mail.items() if name != "Content-Transfer-Encoding"
    )
    body = mail.get_body(("plain",))
    return headers + "\n" + (body.get_content() if body is not None else "")


def _deliver(target: SmtpTarget, mail: EmailMessage) -> None:
    context = ssl.create_default_context()
    if target.tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(target.host, target.port, timeout=TIMEOUT_S, context=context)
    else:
        client = smtplib.SMTP(target.host, target.port, timeout=TIMEOUT_S)
    with client:
        if target.starttls:
            client.starttls(context=context)
        if target.user:
            client.login(target.user, target.password)
        client.send_message(mail)
