"""Moderation: flags, the append-only action log, sanctions, appeals, notices, settings."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, append_only, utcnow
from .base import enum_check as _in

if TYPE_CHECKING:
    from .core import Comment, User


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    HARASSMENT = "harassment"
    HATE = "hate"
    PERSONAL_DATA = "personal_data"
    OFF_TOPIC = "off_topic"
    MISINFORMATION = "misinformation"
    OTHER = "other"


class SanctionKind(enum.StrEnum):
    MUTE = "mute"  # read-only for a period
    SUSPEND = "suspend"  # no participation until lifted (or until ends_at)


class AppealStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    REJECTED = "rejected"


class Flag(Base):
    """One person's report of a comment. Resolved (never deleted) when a moderator decides."""

    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("comment_id", "user_id", name="uq_flags_comment_user"),
        CheckConstraint(_in("reason", FlagReason), name="reason_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")  # clean_line'd, shown to moderators only
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    comment: Mapped[Comment] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ModerationAction(Base):
    """The append-only moderation log: every action and every automatic hold is one row.

    Rows are never updated or deleted: an ORM guard refuses it, and database triggers (created
    with the table and by migration 0002) refuse it for any SQL.
    """

    __tablename__ = "moderation_actions"
    __table_args__ = (
        Index("ix_moderation_actions_comment", "comment_id", "id"),
        Index("ix_moderation_actions_consultation", "consultation_id", "action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # NULL: automatic
    action: Mapped[str] = mapped_column(String(32))  # hide, restore, hold, mute, appeal_upheld...
    target_type: Mapped[str] = mapped_column(String(16))  # comment, thread, user, appeal, settings
    target_id: Mapped[int | None]
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32), default="")  # a published rule code
    rule: Mapped[str] = mapped_column(String(64), default="")  # automatic: which check fired
    note: Mapped[str] = mapped_column(Text, default="")
    before_status: Mapped[str] = mapped_column(String(16), default="")
    after_status: Mapped[str] = mapped_column(String(16), default="")
    # Redaction only: the text before it, for admins (never shown to anyone else or exported).
    original: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    subject_user: Mapped[User | None] = relationship(foreign_keys=[subject_user_id])


class Sanction(Base):
    """A mute or suspension of an account; lifted (never deleted) by a moderator."""

    __tablename__ = "sanctions"
    __table_args__ = (
        CheckConstraint(_in("kind", SanctionKind), name="kind_valid"),
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="period_ordered"),
        CheckConstraint("kind = 'suspend' OR ends_at IS NOT NULL", name="mute_has_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime | None]  # NULL: until lifted (suspensions only)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def active_at(self, now: datetime) -> bool:
        return (
            self.lifted_at is None
            and self.starts_at <= now
            and (self.ends_at is None or now < self.ends_at)
        )


class Appeal(Base):
    """The author's one appeal against a moderation decision (a hidden comment or a sanction)."""

    __tablename__ = "appeals"
    __table_args__ = (
        UniqueConstraint("comment_id", name="uq_appeals_comment_id"),
        UniqueConstraint("sanction_id", name="uq_appeals_sanction_id"),
        CheckConstraint(_in("status", AppealStatus), name="status_valid"),
        CheckConstraint("(comment_id IS NULL) <> (sanction_id IS NULL)", name="one_target"),
        Index("ix_appeals_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    sanction_id: Mapped[int | None] = mapped_column(ForeignKey("sanctions.id"))
    body: Mapped[str] = mapped_column(Text)  # raw text as typed
    html: Mapped[str] = mapped_column(Text)  # the sanitizer's output
    status: Mapped[str] = mapped_column(String(16), default=AppealStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    comment: Mapped[Comment | None] = relationship()
    sanction: Mapped[Sanction | None] = relationship()


class ModerationSettings(Base):
    """Automatic-hold settings: one site row (consultation_id NULL) and optional per-consultation
    rows; a NULL field inherits the site value, and the site row's NULL the built-in default."""

    __tablename__ = "moderation_settings"
    __table_args__ = (
        UniqueConstraint("consultation_id", name="uq_moderation_settings_consultation_id"),
        CheckConstraint("flag_threshold IS NULL OR flag_threshold >= 1", name="threshold_positive"),
        CheckConstraint("link_limit IS NULL OR link_limit >= 0", name="link_limit_nonneg"),
        CheckConstraint(
            "new_account_days IS NULL OR new_account_days >= 0", name="new_account_days_nonneg"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"))
    premoderation: Mapped[bool | None] = mapped_column(Boolean)
    flag_threshold: Mapped[int | None]
    hold_personal_data: Mapped[bool | None] = mapped_column(Boolean)
    keywords: Mapped[str | None] = mapped_column(Text)  # one per line; added to the site list
    link_limit: Mapped[int | None]  # more links than this from a new account → held
    new_account_days: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


# The log is append-only, for the ORM and for any SQL (bulk UPDATE/DELETE, TRUNCATE).
append_only(ModerationAction)
