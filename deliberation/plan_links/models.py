"""The link request: plan P asks to link consultation C of another agency."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import Base, Consultation, Plan, User, utcnow


class LinkRequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"  # the consultation is linked (a plan_consultations row exists)
    DECLINED = "declined"


class PlanLinkRequest(Base):
    """One request per (plan, consultation); asking again after a decline reopens it."""

    __tablename__ = "plan_link_requests"
    __table_args__ = (
        UniqueConstraint("plan_id", "consultation_id", name="uq_plan_link_requests_pair"),
        CheckConstraint("status IN ('pending', 'accepted', 'declined')", name="status_valid"),
        CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)", name="decided_when_not_pending"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=LinkRequestStatus.PENDING.value)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    plan: Mapped[Plan] = relationship()
    consultation: Mapped[Consultation] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
