"""Tables of quick polls (民調, issue 18): the poll of a consultation, its questions, one response
per account, and the population margins staff enter for weighting and representativeness."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models.base import Base, utcnow
from ..models.core import Consultation


class QuestionKind(enum.StrEnum):
    SINGLE = "single"  # one option
    MULTI = "multi"  # any number of options
    SCALE = "scale"  # 1–5


class Poll(Base):
    """One short poll per consultation; its demographic questions are the margins' categories."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # The version of the 個資 notice respondents see for the demographic questions.
    notice_version: Mapped[str] = mapped_column(String(32))
    # Demographic answers are erased after this moment (`operations.purge_expired`).
    retain_until: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    purged_at: Mapped[datetime | None]

    consultation: Mapped[Consultation] = relationship()
    questions: Mapped[list[PollQuestion]] = relationship(
        order_by="PollQuestion.position", cascade="all, delete-orphan"
    )


class PollQuestion(Base):
    """A question: single choice, multiple choice or a 1–5 scale; at most ten per poll."""

    __tablename__ = "poll_questions"
    __table_args__ = (
        UniqueConstraint("poll_id", "position", name="uq_poll_questions_position"),
        CheckConstraint("position BETWEEN 1 AND 10", name="position_range"),
        CheckConstraint("kind IN ('single', 'multi', 'scale')", name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    prompt: Mapped[str] = mapped_column(String(300))
    # The options' texts in order; a scale question has ["1", "2", "3", "4", "5"].
    options: Mapped[list[str]] = mapped_column(JSON)


class PollResponse(Base):
    """One account's answers to one poll; edited in place until the consultation closes."""

    __tablename__ = "poll_responses"
    __table_args__ = (UniqueConstraint("poll_id", "user_id", name="uq_poll_responses_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # {"<question id>": [option index, ...]} (one index for single and scale questions).
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    # {category: feature} given with consent; NULL when not given, or erased after retention.
    demographics: Mapped[dict[str, str] | None] = mapped_column(JSON)
    notice_version: Mapped[str | None] = mapped_column(String(32))
    consented_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PopulationMargin(Base):
    """The population's share (per cent) of one feature of one category, e.g. 年齡 / 18–29: 19.5,
    from the census; each category's shares add up to 100."""

    __tablename__ = "population_margins"
    __table_args__ = (
        UniqueConstraint("consultation_id", "category", "feature", name="uq_population_margin"),
        CheckConstraint("share >= 0 AND share <= 100", name="share_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    category: Mapped[str] = mapped_column(String(40))
    feature: Mapped[str] = mapped_column(String(60))
    share: Mapped[float] = mapped_column(Float)
    # Where the figures come from (e.g. 內政部戶政司 113 年 12 月), shown with the table.
    source: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
