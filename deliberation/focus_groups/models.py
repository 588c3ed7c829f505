"""Tables of the focus-group lottery: the group's settings per consultation, its quotas, the
volunteers (with their consented attributes until the retention date), each draw's audit, the
invitations by signed link, and the sessions with their attendance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models.base import Base, utcnow
from ..models.core import Consultation, Thread, User


class FocusGroup(Base):
    """One 政策提案座談會 per consultation: panel size, the notice version, the retention date."""

    __tablename__ = "focus_groups"
    __table_args__ = (CheckConstraint("panel_size BETWEEN 1 AND 200", name="panel_size_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), unique=True)
    panel_size: Mapped[int] = mapped_column(Integer, default=12)
    # Attributes are erased after this moment (`operations.purge_expired`).
    retain_until: Mapped[datetime]
    # The version of the 個資 notice volunteers see; each volunteer records the one they accepted.
    notice_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    purged_at: Mapped[datetime | None]

    consultation: Mapped[Consultation] = relationship()
    quotas: Mapped[list[FocusQuota]] = relationship(
        order_by="(FocusQuota.category, FocusQuota.feature)", cascade="all, delete-orphan"
    )


class FocusQuota(Base):
    """Minimum and maximum seats for one feature of one category (e.g. gender / 女: 5–7)."""

    __tablename__ = "focus_quotas"
    __table_args__ = (
        UniqueConstraint("focus_group_id", "category", "feature", name="uq_focus_quotas_feature"),
        CheckConstraint("min_seats >= 0 AND max_seats >= min_seats", name="seats_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_group_id: Mapped[int] = mapped_column(ForeignKey("focus_groups.id"))
    category: Mapped[str] = mapped_column(String(40))
    feature: Mapped[str] = mapped_column(String(60))
    min_seats: Mapped[int] = mapped_column(Integer)
    max_seats: Mapped[int] = mapped_column(Integer)


class FocusVolunteer(Base):
    """A person in the pool: a logged-in volunteer (user_id) or one imported from a CSV."""

    __tablename__ = "focus_volunteers"
    __table_args__ = (
        UniqueConstraint("focus_group_id", "pool_id", name="uq_focus_volunteers_pool_id"),
        UniqueConstraint("focus_group_id", "user_id", name="uq_focus_volunteers_user"),
        UniqueConstraint("invitation_id", name="uq_focus_volunteers_invitation"),
        CheckConstraint(
            "status IN ('pool', 'selected', 'reserve', 'withdrawn')", name="status_valid"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_group_id: Mapped[int] = mapped_column(ForeignKey("focus_groups.id"))
    # The id the draw and its audit use: the CSV's `id`, or "u<user id>" for a volunteer.
    pool_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Volunteered through a signed invitation link, without an account ("i<invitation id>").
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("focus_invitations.id"))
    # {category: feature}; NULL once erased after the retention date.
    attributes: Mapped[dict[str, str] | None] = mapped_column(JSON)
    notice_version: Mapped[str] = mapped_column(String(32))
    consented_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="pool")
    probability: Mapped[float | None] = mapped_column(Float)
    reserve_rank: Mapped[int | None] = mapped_column(Integer)

    user: Mapped[User | None] = relationship()
    invitation: Mapped[FocusInvitation | None] = relationship()


class FocusDraw(Base):
    """The audit record of one draw: enough, with the pool, to replay it to the same panel."""

    __tablename__ = "focus_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_group_id: Mapped[int] = mapped_column(ForeignKey("focus_groups.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # seed, size, algorithm asked and run, package and version, pool_hash, pool_size, quotas,
    # panel, reserve, min_probability, zero_probability, replacements
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


class FocusInvitation(Base):
    """A signed link mailed to one address: its holder may volunteer without an account.

    The link carries only this row's id (signed with the site's key, time-limited); the address
    is kept to send the session's invitation and reminder, and erased with the attributes."""

    __tablename__ = "focus_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_group_id: Mapped[int] = mapped_column(ForeignKey("focus_groups.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))  # NULL once erased (retention)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]  # when its holder volunteered


class FocusSession(Base):
    """One meeting of the panel: when, where (a place, an online link or both), who facilitates,
    the agenda, and the thread whose theme analysis its statements join."""

    __tablename__ = "focus_sessions"
    __table_args__ = (
        CheckConstraint("place IS NOT NULL OR online_url IS NOT NULL", name="has_venue"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_group_id: Mapped[int] = mapped_column(ForeignKey("focus_groups.id"), index=True)
    starts_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(200))
    online_url: Mapped[str | None] = mapped_column(String(500))
    facilitator: Mapped[str] = mapped_column(String(120))
    agenda: Mapped[str] = mapped_column(Text, default="")
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"))
    invited_at: Mapped[datetime | None]  # when the panel was mailed the invitation
    reminded_at: Mapped[datetime | None]  # when the reminder went out
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    thread: Mapped[Thread] = relationship()
    attendance: Mapped[list[FocusAttendance]] = relationship(
        order_by="FocusAttendance.label", cascade="all, delete-orphan"
    )


class FocusAttendance(Base):
    """A panel member at a session: their speaker label (參與者 A, B …) and whether they came."""

    __tablename__ = "focus_attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "volunteer_id", name="uq_focus_attendance_member"),
        UniqueConstraint("session_id", "label", name="uq_focus_attendance_label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("focus_sessions.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("focus_volunteers.id"))
    label: Mapped[str] = mapped_column(String(4))  # "A", "B", … "AA": what the notes call them
    attended: Mapped[bool | None] = mapped_column(Boolean)  # None until staff record it

    volunteer: Mapped[FocusVolunteer] = relationship()
