"""Typed SQLAlchemy 2 models of the deliberation domain.

Invariants live in the database as CHECK / UNIQUE constraints so that a bug in one code path
cannot write a row the rest of the system would misread.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Deterministic constraint names keep Alembic migrations reviewable and reversible.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A DateTime stored as UTC and always read back timezone-aware (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


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


def _in(column: str, enum_cls: type[enum.StrEnum]) -> str:
    values = ", ".join(f"'{m.value}'" for m in enum_cls)
    return f"{column} IN ({values})"


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


# ---- moderation (issue 4) -----------------------------------------------------------------


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


class Notification(Base):
    """A message to a user about a moderation decision that concerns them (shown on /me/notices)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))  # comment_hidden, comment_held, muted, ...
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    sanction_id: Mapped[int | None] = mapped_column(ForeignKey("sanctions.id"))
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"))
    reason: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment | None] = relationship()
    sanction: Mapped[Sanction | None] = relationship()
    appeal: Mapped[Appeal | None] = relationship()


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


def _refuse_log_change(_mapper: Any, _connection: Any, target: ModerationAction) -> None:
    raise PermissionError(f"moderation_actions is append-only (row {target.id})")


event.listen(ModerationAction, "before_update", _refuse_log_change)
event.listen(ModerationAction, "before_delete", _refuse_log_change)

# The same guarantee for any SQL, including bulk UPDATE/DELETE that bypass the ORM.
_APPEND_ONLY_MESSAGE = "moderation_actions is append-only"
for _ddl in (
    DDL(
        "CREATE TRIGGER moderation_actions_no_update BEFORE UPDATE ON moderation_actions "
        f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY_MESSAGE}'); END"
    ).execute_if(dialect="sqlite"),
    DDL(
        "CREATE TRIGGER moderation_actions_no_delete BEFORE DELETE ON moderation_actions "
        f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY_MESSAGE}'); END"
    ).execute_if(dialect="sqlite"),
    DDL(
        "CREATE OR REPLACE FUNCTION moderation_actions_append_only() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{_APPEND_ONLY_MESSAGE}'; END $$"
    ).execute_if(dialect="postgresql"),
    DDL(
        "CREATE TRIGGER moderation_actions_no_change BEFORE UPDATE OR DELETE ON "
        "moderation_actions FOR EACH ROW EXECUTE FUNCTION moderation_actions_append_only()"
    ).execute_if(dialect="postgresql"),
    DDL(
        "CREATE TRIGGER moderation_actions_no_truncate BEFORE TRUNCATE ON moderation_actions "
        "FOR EACH STATEMENT EXECUTE FUNCTION moderation_actions_append_only()"
    ).execute_if(dialect="postgresql"),
):
    event.listen(ModerationAction.__table__, "after_create", _ddl)


# ---- social media: link cards and imported posts (issue 7) -------------------------------


class LinkStatus(enum.StrEnum):
    PENDING = "pending"  # saved with the comment; the background fetch has not finished
    READY = "ready"  # title/description (and maybe an embed) known
    FAILED = "failed"  # refused (SSRF rules, type, size) or unreachable: shown as a bare link


class LinkPreview(Base):
    """What a URL looks like as a card: fetched once, shared by every comment that links it."""

    __tablename__ = "link_previews"
    __table_args__ = (
        UniqueConstraint("url", name="uq_link_previews_url"),
        CheckConstraint(_in("status", LinkStatus), name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))  # normalised (no fragment), as linked
    status: Mapped[str] = mapped_column(String(16), default=LinkStatus.PENDING.value)
    # Card fields: plain text (clean_line'd) — templates escape them like any user text.
    title: Mapped[str] = mapped_column(String(300), default="")
    site_name: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    image: Mapped[str] = mapped_column(String(2048), default="")  # https only, else empty
    # The image itself, fetched by the server and served from this site (/link-images/<id>), so
    # readers' browsers never contact the third party. Empty when it could not be fetched.
    image_type: Mapped[str] = mapped_column(String(32), default="")
    image_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # Allow-listed provider (youtube, facebook, instagram, threads, x, vimeo, ptt, dcard) or "".
    provider: Mapped[str] = mapped_column(String(32), default="")
    # Our own canonical embed form, e.g. {"kind": "youtube", "id": "dQw4w9WgXcQ"}; never HTML.
    embed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(String(200), default="")  # why the fetch failed (staff)
    fetched_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]  # refetch after this
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommentLink(Base):
    """A URL found in a comment's text, in order of appearance."""

    __tablename__ = "comment_links"
    __table_args__ = (
        UniqueConstraint("comment_id", "position", name="uq_comment_links_position"),
        Index("ix_comment_links_preview", "preview_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"))
    preview_id: Mapped[int] = mapped_column(ForeignKey("link_previews.id"))
    position: Mapped[int]  # 0-based

    preview: Mapped[LinkPreview] = relationship()


# ---- from themes to the plan (issue 6) ---------------------------------------------------


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


class AnalysisRun(Base):
    """One analysis of a consultation: a versioned, immutable snapshot once done."""

    __tablename__ = "analysis_runs"
    __table_args__ = (
        CheckConstraint(_in("status", AnalysisStatus), name="status_valid"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        Index("ix_analysis_runs_consultation", "consultation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    status: Mapped[str] = mapped_column(String(16), default=AnalysisStatus.QUEUED.value)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    stage: Mapped[str] = mapped_column(String(32), default="")  # loading, themes, groups, saving
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    code_version: Mapped[str] = mapped_column(String(64), default="")
    # What it was computed from: {"comments": n, "participants": n, "votes": n, "excluded": n}.
    input_counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A fingerprint of the visible input (comments, edits, votes, moderation); when the live
    # fingerprint differs, the snapshot is stale.
    input_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    # Opinion groups: {"groups": [...], "consensus": [...]} (comment ids, not text).
    groups: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # What later runs and curation need, never shown as such: the machine themes before curation
    # ("machine": key -> comment ids), each comment's votes at read time ("votes"), the
    # near-duplicate groups ("duplicates"), "edits_applied" and "unassigned".
    working: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text, default="")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    consultation: Mapped[Consultation] = relationship()
    themes: Mapped[list[Theme]] = relationship(
        back_populates="run", order_by="Theme.position", cascade="all, delete-orphan"
    )


class Theme(Base):
    """A theme of one analysis run. `key` is stable across runs of the same consultation, so
    curation and responses (keyed by it) survive re-analysis."""

    __tablename__ = "themes"
    __table_args__ = (
        UniqueConstraint("run_id", "key", name="uq_themes_run_key"),
        CheckConstraint("size >= 0", name="size_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id"), index=True)
    key: Mapped[str] = mapped_column(String(32))  # "T1", "T2", ... stable per consultation
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(200))  # machine label or the curator's rename
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    size: Mapped[int] = mapped_column(Integer, default=0)
    # Votes on member comments: {"agree": n, "disagree": n, "pass": n}.
    stance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    representative_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    pinned_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # curator-pinned quotes
    duplicate_groups: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[id, id, ...]]
    discarded: Mapped[bool] = mapped_column(Boolean, default=False)  # noise, per the curator

    run: Mapped[AnalysisRun] = relationship(back_populates="themes")


class ThemeMember(Base):
    """A comment's place in one run: at most one theme per run."""

    __tablename__ = "theme_members"
    __table_args__ = (
        UniqueConstraint("run_id", "comment_id", name="uq_theme_members_run_comment"),
        Index("ix_theme_members_theme", "theme_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    weight: Mapped[float] = mapped_column(default=0.0)  # membership strength from the model


class ThemeEdit(Base):
    """A curator's edit (rename, merge, split, move, discard, pin), logged and replayed on every
    later run of the same consultation so curation survives re-analysis."""

    __tablename__ = "theme_edits"
    __table_args__ = (Index("ix_theme_edits_consultation", "consultation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id"))  # the run it was made on
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(16))  # rename, merge, split, move, discard, pin...
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # theme keys and comment ids
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User] = relationship()


class ThemeResponse(Base):
    """The agency's answer to a theme: disposition, reasoning, responsible unit and due date."""

    __tablename__ = "theme_responses"
    __table_args__ = (
        UniqueConstraint("consultation_id", "theme_key", name="uq_theme_responses_theme"),
        CheckConstraint(_in("disposition", Disposition), name="disposition_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    theme_key: Mapped[str] = mapped_column(String(32))
    disposition: Mapped[str] = mapped_column(String(16))
    reasoning: Mapped[str] = mapped_column(Text, default="")  # raw markdown
    reasoning_html: Mapped[str] = mapped_column(Text, default="")  # sanitized
    responsible_unit: Mapped[str] = mapped_column(String(120), default="")
    due_date: Mapped[datetime | None]  # for 研議中 / 部分採納 follow-up; overdue after it
    done_at: Mapped[datetime | None]  # follow-up completed (no longer overdue)
    published_at: Mapped[datetime | None]  # NULL: draft, seen by staff and reviewers only
    published_label: Mapped[str] = mapped_column(String(200), default="")  # theme label shown
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
