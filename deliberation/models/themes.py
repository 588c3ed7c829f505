"""Analysis runs, their themes and members, curators' edits and per-theme responses."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

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
from .plans import AnalysisStatus, Disposition

if TYPE_CHECKING:
    from .core import Consultation, User


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
