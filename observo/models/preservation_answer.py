"""Owners' answers to the preservation requests addressed to them (docs/owners.md, "Footage requests").

Every answer is kept, in order ("preserved", later "handed over"): the request's own `status` follows
the latest one (services/owner_requests.py), this table says who answered what and when.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from observo.models.base import Base, UTCDateTime, choice, utcnow
from observo.models.intervention import PreservationRequest
from observo.models.owner import OwnerAccount

# preserved: the footage is set aside; nothing_recorded: the cameras recorded nothing of the window (or
# the footage was already gone); refused: with a reason; handed_over: the footage was given to the police.
ANSWERS = ("preserved", "nothing_recorded", "refused", "handed_over")


class PreservationAnswer(Base):
    __tablename__ = "preservation_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("preservation_requests.id", ondelete="CASCADE"), index=True
    )
    answer: Mapped[str] = mapped_column(choice(ANSWERS, "preservation_answer"))
    # Why, in the owner's words: required for `refused`, optional otherwise.
    reason: Mapped[str | None] = mapped_column(sa.String(1000))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The owner account that answered (kept null if the account is ever removed).
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("owner_accounts.id", ondelete="SET NULL"))

    request: Mapped[PreservationRequest] = relationship()
    account: Mapped[OwnerAccount | None] = relationship(lazy="joined")

    __table_args__ = (sa.CheckConstraint("answer != 'refused' OR reason IS NOT NULL", name="refusal_reason"),)
