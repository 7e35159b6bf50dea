"""The reminders sent to owners to re-confirm their cameras (docs/owners.md, "Yearly re-confirmation").

One row per camera and period: the period is the day the camera is due (a re-confirmation moves it),
and the unique key is what makes `observo reminders send` send each reminder once, however often it runs.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from observo.models.base import Base, UTCDateTime, utcnow


class OwnerReminder(Base):
    __tablename__ = "owner_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id", ondelete="CASCADE"))
    due_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("camera_id", "due_on"),)
