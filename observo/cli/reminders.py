"""`observo reminders send`: the owners' yearly re-confirmation, run daily by cron (docs/owners.md,
"Yearly re-confirmation"). Idempotent: a reminder goes once per camera and period, a camera lapses once.

Three short transactions: (1) record the reminders due and drop the lapsed cameras to unverified,
commit; (2) send the messages holding no database lock; (3) forget the reminders whose message could
not be sent, so that the next run tries them again.
"""

from __future__ import annotations

import sys
from datetime import date, datetime

import click

from observo.cli import cli_actor, transactional
from observo.domain.confirmations import local_day
from observo.extensions import db
from observo.http import owner_reminder_mail
from observo.models.base import utcnow
from observo.services import confirmations
from observo.settings import current_settings
from observo.spatial import engine


@click.group("reminders")
def reminders_group() -> None:
    """Owners' yearly re-confirmation of their cameras."""


@reminders_group.command("send")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="act as on this day, YYYY-MM-DD (default: today in Italy)",
)
@transactional
def send_command(today: datetime | None) -> None:
    """Send the re-confirmation reminders due (one e-mail per owner account, naming its cameras) and
    drop to unverified the cameras whose grace period is over. Run it daily from cron."""
    settings = current_settings()
    if not settings.public_url:
        click.echo(
            "error: set OBSERVO_PUBLIC_URL (the site's address, for the link in the reminders)", err=True
        )
        sys.exit(1)
    day: date = today.date() if today is not None else local_day(utcnow())
    reminders = confirmations.due_reminders(db.session, day)
    lapsed = confirmations.lapse(db.session, cli_actor(), day)
    link = owner_reminder_mail.owners_page_link(settings)
    messages = [owner_reminder_mail.compose(settings, reminder, link) for reminder in reminders]
    db.session.commit()
    engine.end_write_intent()  # recorded: no SQLite write lock while the mail server answers
    failed, emails = [], 0
    for reminder, composed in zip(reminders, messages, strict=True):
        delivered = owner_reminder_mail.deliver(settings, composed)
        emails += delivered
        if not delivered:
            failed.append(reminder)
    if failed:
        engine.write_intent.set(True)  # the wrapper resets it with its own token
        for reminder in failed:
            confirmations.forget(db.session, reminder)
    sent = sum(len(reminder.cameras) for reminder in reminders if reminder not in failed)
    click.echo(
        f"{sent} reminders sent in {emails} e-mails, {len(lapsed)} cameras lapsed"
        + (f"; {len(failed)} owners not reached (retried at the next run)" if failed else "")
    )
