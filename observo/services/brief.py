"""The intervention brief's content: what one reader may print of a confirmed plan, audited.

The brief carries the owners' footage contacts, so reading it is accountable: one `intervention.brief`
entry with the intervention's reason (besides the `intervention.contacts` entry the deadlines read
writes). Nothing here knows about HTML or PDF: the web layer lays this out, and commits the entry
before the slow PDF rendering (docs/security.md, "Holding the chain").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from observo.domain.permissions import Actor
from observo.models import Intervention
from observo.models.base import utcnow
from observo.services import audit
from observo.services import interventions as plans
from observo.services.preservation_scope import ShownRequest

FORMATS = ("html", "pdf")


@dataclass(frozen=True)
class Brief:
    """The reader's view of a plan: its snapshot, deadlines at `generated_at`, pending requests."""

    intervention: Intervention
    snapshot: dict[str, Any]
    deadlines: dict[str, Any]
    pending: list[ShownRequest]
    author: Actor
    generated_at: datetime


def pending_requests(actor: Actor, intervention: Intervention) -> list[ShownRequest]:
    """Requests the reader sees still awaiting the owner's answer, the oldest first: the ones to chase."""
    return [request for request in plans.requests_for(actor, intervention) if request.status == "pending"]


def gather_brief(
    session: Session, actor: Actor, intervention_id: int, fmt: str, at: datetime | None = None
) -> Brief:
    """The brief of `intervention_id` for `actor` (404 when unreadable, 409 before the snapshot)."""
    intervention = plans.get_intervention(session, actor, intervention_id)
    moment = at or utcnow()
    # 409 `no_snapshot` before the plan is confirmed: there is nothing to brief on yet.
    deadlines = plans.deadlines(session, actor, intervention, at=moment)
    snapshot = plans.snapshot_for(actor, intervention)
    assert snapshot is not None  # deadlines() has just read it
    audit.record(
        session,
        actor,
        "intervention.brief",
        object_type="intervention",
        object_id=intervention.id,
        subject_organisation_id=intervention.lead_id,
        reason=intervention.reason,
        result_count=len(deadlines["cameras"]),
        details={"format": fmt},
    )
    return Brief(intervention, snapshot, deadlines, pending_requests(actor, intervention), actor, moment)
