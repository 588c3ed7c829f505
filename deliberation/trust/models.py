"""Tables of the trust area: sessions, two-factor secrets and recovery codes, reserved names,
name exceptions, and the append-only account audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import Base, User, utcnow
from ..models.base import append_only


class UserSession(Base):
    """One log-in: the browser holds a random id, the table its SHA-256. Logging out, an admin
    or a 2FA reset revokes the row, and the old cookie stops working (issue 17, item 10)."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_active", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Absolute end: a day for an ordinary log-in, at most 30 days for "keep me logged in".
    expires_at: Mapped[datetime]
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether a second factor was given at this log-in (TOTP or a recovery code).
    two_factor: Mapped[bool] = mapped_column(Boolean, default=False)
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class TwoFactor(Base):
    """A user's TOTP secret. enabled_at NULL: enrolment started, not yet confirmed by a code."""

    __tablename__ = "two_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    secret: Mapped[str] = mapped_column(String(64))  # base32, as authenticator apps take it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enabled_at: Mapped[datetime | None]
    # The last time step (unix time // 30) a code was accepted for: the same step is refused.
    last_step: Mapped[int | None]
    # Wrong codes in a row; at the limit further attempts wait until locked_until.
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]


class RecoveryCode(Base):
    """One single-use recovery code, stored as SHA-256 (the codes are random, 50 bits)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class ReservedName(Base):
    """A word an admin added to the reserved display-name list (the built-in words and every
    agency's name and code are reserved without a row)."""

    __tablename__ = "reserved_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(80))  # as typed, for the admin page
    normalized: Mapped[str] = mapped_column(String(80), unique=True)  # rules.normalize_name
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NameException(Base):
    """An admin let this user carry this (otherwise reserved) display name."""

    __tablename__ = "name_exceptions"
    __table_args__ = (UniqueConstraint("user_id", "normalized", name="uq_name_exceptions_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    normalized: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccountAudit(Base):
    """The append-only account audit log: sign-in security and every privileged change to an
    account. Rows are never updated or deleted (ORM guard and database triggers, as for
    moderation_actions)."""

    __tablename__ = "account_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # NULL: the system
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))  # audit.ACTIONS
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(45), default="")

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_user_id])


# Append-only for the ORM and for any SQL; migration 0008 creates the same triggers.
append_only(AccountAudit)
