"""What the owner's home page (/proprietari/) lists of its cameras (docs/owners.md, "Registering
cameras"): its approved cameras and its declarations, each with its status and the police's reason.
Kept apart from web/owners.py, whose view only adds it to the page."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from observo.models import OwnerAccount
from observo.models.owner import OPEN_STATUSES
from observo.services import owner_cameras
from observo.web.brief import moment
from observo.web.owner_confirmation_notice import due_notice

STATUS_LABELS = {
    "pending": _l("Waiting for the police"),
    "changes_requested": _l("The police ask for changes"),
    "approved": _l("Approved by the police"),
    "rejected": _l("Rejected by the police"),
    "cancelled": _l("Cancelled by you"),
}
KIND_LABELS = {"new": _l("New camera"), "change": _l("Change of a camera")}


def home_sections(session: Session, account: OwnerAccount) -> dict[str, Any]:
    declarations = owner_cameras.owner_declarations(session, account)
    return {
        "cameras": owner_cameras.owner_cameras(session, account),
        "declarations": declarations,
        # cameras with a change still waiting: the page says so next to them
        "changing": {d.camera_id for d in declarations if d.kind == "change" and d.status in OPEN_STATUSES},
        "open_statuses": OPEN_STATUSES,
        "status_labels": STATUS_LABELS,
        "kind_labels": KIND_LABELS,
        "moment": moment,
        "due_confirmations": due_notice(session, account),  # web/owner_confirmation_notice.py
    }
