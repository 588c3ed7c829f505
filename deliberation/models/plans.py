"""Plans (中長程個案計畫): their agencies, consultations, indicators, notes and reviews."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .base import enum_check as _in

if TYPE_CHECKING:
    from .core import Agency, Consultation, User


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # sent to the reviewing agency
    RETURNED = "returned"  # the reviewer sent it back with comments
    ACCEPTED = "accepted"


class AnalysisStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Disposition(enum.StrEnum):
    ADOPTED = "adopted"  # 採納
    PARTLY = "partly"  # 部分採納
    NOT_ADOPTED = "not_adopted"  # 不採納
    UNDER_STUDY = "under_study"  # 研議中


class ReviewDecision(enum.StrEnum):
    ACCEPT = "accept"
    RETURN = "return"


class Plan(Base):
    """A mid/long-term plan (中長程個案計畫) whose 政策溝通成效 section comes from consultations."""

    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint(_in("status", PlanStatus), name="status_valid"),
        CheckConstraint(
            "period_start IS NULL OR period_end IS NULL OR period_start <= period_end",
            name="period_ordered",
        ),
        CheckConstraint("budget IS NULL OR budget >= 0", name="budget_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    lead_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)  # 主責機關
    summary: Mapped[str] = mapped_column(Text, default="")
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    budget: Mapped[int | None]  # NT$ thousands (千元), as plan documents state it
    status: Mapped[str] = mapped_column(String(16), default=PlanStatus.DRAFT.value)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What changed in the plan because of the consultation (staff's own words; sanitized html).
    changes: Mapped[str] = mapped_column(Text, default="")
    changes_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    lead_agency: Mapped[Agency] = relationship()
    owner: Mapped[User | None] = relationship()
    co_agencies: Mapped[list[Agency]] = relationship(secondary="plan_agencies")  # 協辦機關
    consultations: Mapped[list[Consultation]] = relationship(secondary="plan_consultations")
    indicators: Mapped[list[PlanIndicator]] = relationship(
        order_by="PlanIndicator.position", cascade="all, delete-orphan"
    )


class PlanAgency(Base):
    """A co-agency (協辦機關) of a plan: may read it and comment, not edit."""

    __tablename__ = "plan_agencies"
    __table_args__ = (UniqueConstraint("plan_id", "agency_id", name="uq_plan_agencies_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))


class PlanConsultation(Base):
    __tablename__ = "plan_consultations"
    __table_args__ = (
        UniqueConstraint("plan_id", "consultation_id", name="uq_plan_consultations_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)


class PlanIndicator(Base):
    """A performance indicator (績效指標) of a plan."""

    __tablename__ = "plan_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(200), default="")  # e.g. "2028 年達 80%"


class PlanNote(Base):
    """A comment on a plan by staff of its lead or co-agencies, or by a reviewer."""

    __tablename__ = "plan_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class PlanReview(Base):
    """A reviewer's decision on a plan, with the checklist as it stood; the history is kept."""

    __tablename__ = "plan_reviews"
    __table_args__ = (CheckConstraint(_in("decision", ReviewDecision), name="decision_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(16))
    comments: Mapped[str] = mapped_column(Text, default="")
    comments_html: Mapped[str] = mapped_column(Text, default="")
    checklist: Mapped[list[Any]] = mapped_column(JSON)  # [{key, ok, reason}] at decision time
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reviewer: Mapped[User] = relationship()
