"""Notification (moved here from the moderation models; same table) and Follow."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models.base import Base, utcnow
from ..models.base import enum_check as _in

if TYPE_CHECKING:
    from ..models.core import Comment, Consultation, User
    from ..models.moderation import Appeal, Sanction


class FollowTarget(enum.StrEnum):
    CONSULTATION = "consultation"
    THREAD = "thread"
    COMMENT = "comment"  # one's own comment: replies to it
    AGENCY = "agency"  # its consultations opening


class Notification(Base):
    """A message to one person: a reply, a mention, an agency's answer, a followed consultation's
    news, or a moderation decision that concerns them. Unread until `read_at` is set."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_created", "user_id", "created_at"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # reply, mention, thread_comment, theme_response, consultation_opened, consultation_closing,
    # consultation_closed, outcome_published, and the moderation kinds (comment_hidden, ...)
    kind: Mapped[str] = mapped_column(String(32))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    sanction_id: Mapped[int | None] = mapped_column(ForeignKey("sanctions.id"))
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"))
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who replied, mentioned
    reason: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # E-mail, decided when the notification is made (a later preference changes nothing):
    # immediate, daily, weekly or never; NULL for rows older than e-mail. emailed_at is set
    # when it went out, alone or in a digest.
    mail: Mapped[str | None] = mapped_column(String(16))
    emailed_at: Mapped[datetime | None]

    comment: Mapped[Comment | None] = relationship()
    sanction: Mapped[Sanction | None] = relationship()
    appeal: Mapped[Appeal | None] = relationship()
    consultation: Mapped[Consultation | None] = relationship()
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class Follow(Base):
    """One person follows one consultation, thread, comment or agency. Unfollowing keeps the
    row with `active` false, so an automatic follow (posting) does not come back by itself."""

    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("user_id", "target_type", "target_id", name="uq_follows_user_target"),
        CheckConstraint(_in("target_type", FollowTarget), name="target_type_valid"),
        Index("ix_follows_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)  # the id in the target's own table
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailFrequency(enum.StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"


class EmailPreference(Base):
    """How one person wants one kind of notification by e-mail (no row: the kind's default)."""

    __tablename__ = "email_preferences"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", name="uq_email_preferences_user_kind"),
        CheckConstraint(_in("frequency", MailFrequency), name="frequency_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(
        String(32)
    )  # a group of notification kinds (rules.MAIL_GROUPS)
    frequency: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestRun(Base):
    """One digest mail to one person for one period ("daily:2026-12-05", "weekly:2026-W49"):
    the row that makes `send-digests` idempotent."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("user_id", "period", name="uq_digest_runs_user_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    period: Mapped[str] = mapped_column(String(24))
    notifications: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
