"""What the owner's home page says of its cameras to re-confirm (docs/owners.md, "Yearly
re-confirmation"); the button's route is web/owner_confirmations.py. Apart from it because the home
page (web/owners.py) imports this, and that route imports the owners' blueprint."""

from __future__ import annotations

from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from observo.domain.confirmations import local_day
from observo.models import OwnerAccount
from observo.models.base import utcnow
from observo.services import confirmations

STATE_LABELS = {
    "due_soon": _l("to confirm by %(date)s"),
    "overdue": _l("it was due on %(date)s"),
    "lapsed": _l("it was due on %(date)s: the police now see it as unverified"),
}


def due_notice(session: Session, account: OwnerAccount) -> list[dict[str, Any]]:
    """The owner's cameras to re-confirm today, soonest due first, as its home page lists them."""
    return [
        {
            "id": due.camera_id,
            "code": due.code,
            "name": due.name,
            "state": due.state,
            "when": str(STATE_LABELS[due.state]) % {"date": format_date(due.due_on, "long")},
        }
        for due in confirmations.owner_due_cameras(session, account, local_day(utcnow()))
    ]
