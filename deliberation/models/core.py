"""Agencies, people, consultations, threads, comments, votes and the thread log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
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

from .base import Base, utcnow
from .base import enum_check as _in


class Role(enum.StrEnum):
    CITIZEN = "citizen"
    MODERATOR = "moderator"
    STAFF = "staff"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class ConsultationStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CONCLUDED = "concluded"


class CommentStatus(enum.StrEnum):
    VISIBLE = "visible"
    PENDING = "pending"
    HIDDEN = "hidden"


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # short stable code, e.g. "NDC"
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", Role), name="role_valid"),
        # Staff act for an agency; nobody else is bound to one.
        CheckConstraint("(role = 'staff') = (agency_id IS NOT NULL)", name="staff_has_agency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.CITIZEN.value)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    # SHA-256 of the personal access token; the token itself is shown once and never stored.
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A pseudonymous participant brought in by an import ("polis", "facebook", ...): cannot log
    # in, counted apart from people who took part here. NULL: a registered account.
    origin: Mapped[str | None] = mapped_column(String(32))
    # Accounts (deliberation/accounts): when the address was proven by a mailed link (NULL:
    # not yet; such a person reads but does not post, vote or flag), the language mail is
    # written in, and when the person deleted the account (the row stays, emptied, so comments
    # and votes keep their author id; docs/accounts.md).
    email_verified_at: Mapped[datetime | None]
    language: Mapped[str | None] = mapped_column(String(8))
    deleted_at: Mapped[datetime | None]

    agency: Mapped[Agency | None] = relationship()

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    # Flask-Login protocol, kept here so any layer can hold a User.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class Consultation(Base):
    """A draft policy (草案) open for public comment."""

    __tablename__ = "consultations"
    __table_args__ = (
        CheckConstraint(_in("status", ConsultationStatus), name="status_valid"),
        CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at", name="dates_ordered"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")  # raw markdown from staff
    body_html: Mapped[str] = mapped_column(Text, default="")  # sanitized rendering of body
    status: Mapped[str] = mapped_column(String(16), default=ConsultationStatus.DRAFT.value)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Theme settings for its analysis runs (services/theme_settings.py): number of themes and
    # seed themes; None = automatic, unguided.
    analysis_settings: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Search tokens of title, summary and body (space-separated jieba tokens, written with the
    # text; deliberation/search).
    tokens: Mapped[str | None] = mapped_column(Text)

    agency: Mapped[Agency] = relationship()
    sections: Mapped[list[Section]] = relationship(
        back_populates="consultation", order_by="Section.position", cascade="all, delete-orphan"
    )
    threads: Mapped[list[Thread]] = relationship(back_populates="consultation")


class Section(Base):
    """One section / article of a draft; each has its own discussion thread."""

    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("consultation_id", "position", name="uq_sections_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    position: Mapped[int]  # 1-based order within the consultation
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    tokens: Mapped[str | None] = mapped_column(Text)  # search tokens of title and body

    consultation: Mapped[Consultation] = relationship(back_populates="sections")
    thread: Mapped[Thread | None] = relationship(back_populates="section", uselist=False)


class Thread(Base):
    """A discussion: the general one of a consultation (section_id NULL) or one per section."""

    __tablename__ = "threads"
    __table_args__ = (
        UniqueConstraint("section_id", name="uq_threads_section_id"),
        CheckConstraint("last_comment_seq >= 0 AND last_event_seq >= 0", name="seqs_nonneg"),
        CheckConstraint("slow_mode_seconds >= 0", name="slow_mode_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"))
    # Counters bumped with UPDATE ... RETURNING in the posting transaction: the row lock makes
    # seq gap-free and commit order equal to seq order, also under concurrent posts.
    last_comment_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_event_seq: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Moderator-set slow mode: each account may post here at most once per this many seconds.
    slow_mode_seconds: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="threads")
    section: Mapped[Section | None] = relationship(back_populates="thread")


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("thread_id", "seq", name="uq_comments_thread_seq"),
        CheckConstraint(_in("status", CommentStatus), name="status_valid"),
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint("depth >= 0", name="depth_nonneg"),
        CheckConstraint("(parent_id IS NULL) = (depth = 0)", name="root_has_no_parent"),
        CheckConstraint(
            "agree_count >= 0 AND disagree_count >= 0 AND pass_count >= 0 AND reply_count >= 0",
            name="counts_nonneg",
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("flag_count >= 0", name="flag_count_nonneg"),
        Index("ix_comments_thread_root", "thread_id", "root_id"),
        # The moderation queue: pending (and hidden) items oldest first, and flagged ones.
        Index("ix_comments_status_created", "status", "created_at"),
        Index("ix_comments_flag_count", "flag_count"),
        # Re-importing the same external item updates it instead of duplicating it.
        Index("uq_comments_origin", "thread_id", "origin_platform", "origin_url", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    # The top-level comment of this reply's tree (itself for a top-level comment): one query
    # loads every reply of a page of top-level comments.
    root_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    depth: Mapped[int] = mapped_column(Integer, default=0)
    seq: Mapped[int]  # per-thread, 1, 2, 3 ... with no gaps
    body: Mapped[str] = mapped_column(Text)  # raw markdown as typed
    html: Mapped[str] = mapped_column(Text)  # the sanitizer's output; the only thing rendered
    # Analysis tokens (space-separated), segmented once at write time.
    tokens: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=CommentStatus.VISIBLE.value)
    version: Mapped[int] = mapped_column(
        Integer, default=1
    )  # bumped on each edit (stale-edit check)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    # Denormalised counts for sorting without aggregates; kept in step by the vote service.
    agree_count: Mapped[int] = mapped_column(Integer, default=0)
    disagree_count: Mapped[int] = mapped_column(Integer, default=0)
    pass_count: Mapped[int] = mapped_column(Integer, default=0)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)  # all descendants
    # Moderation (deliberation/services/moderation.py).
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    # The comment this one duplicates. Checked by the service rather than a foreign key: comments
    # are never deleted, and an FK column could not be dropped in place on SQLite (migration 0002).
    duplicate_of_id: Mapped[int | None]
    # Open (unresolved) flags from distinct people; N of them hold the comment for review.
    flag_count: Mapped[int] = mapped_column(Integer, default=0)
    # The automatic rule that put the comment on hold (personal_data, keyword, ...), while held.
    held_by: Mapped[str | None] = mapped_column(String(32))
    redacted_at: Mapped[datetime | None]
    # Imported from elsewhere (issue 7; Polis imports, issue 6): the platform ("facebook", "ptt",
    # "polis", ...) and the original post's link. NULL platform: written here.
    origin_platform: Mapped[str | None] = mapped_column(String(32))
    origin_url: Mapped[str | None] = mapped_column(String(2048))
    origin_posted_at: Mapped[datetime | None]
    # Who imported it. No foreign key, like duplicate_of_id: SQLite cannot add one in place.
    imported_by_id: Mapped[int | None]

    thread: Mapped[Thread] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    parent: Mapped[Comment | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    revisions: Mapped[list[CommentRevision]] = relationship(
        back_populates="comment", order_by="CommentRevision.id"
    )

    @property
    def is_visible(self) -> bool:
        return self.status == CommentStatus.VISIBLE.value


class CommentRevision(Base):
    """The text of a comment before an edit; the edit history is these rows in order."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    version: Mapped[int]  # the comment version this text was
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]  # when this text was written (posted or previous edit)
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="revisions")


class Vote(Base):
    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("comment_id", "user_id", name="uq_votes_comment_user"),
        CheckConstraint("value IN (-1, 0, 1)", name="value_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    value: Mapped[int]  # 1 agree, -1 disagree, 0 pass
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship()


class ThreadEvent(Base):
    """Every change to a thread, in commit order; clients resync from `seq`."""

    __tablename__ = "thread_events"
    __table_args__ = (UniqueConstraint("thread_id", "seq", name="uq_thread_events_thread_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"))
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(32))  # comment_created, comment_edited, votes_changed
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyKey(Base):
    """A POST already answered for this user and key; a retry gets the same answer."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(64))  # hash of method, path and body
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    status_code: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
