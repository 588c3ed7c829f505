"""The moderation queue: comments awaiting a decision (pending, flagged, hidden) or the open
appeals, page by page; how many wait; a comment or a user in context for the moderator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload

from ... import moderation as policy
from ...errors import NotFound, ValidationError
from ...models import (
    Appeal,
    AppealStatus,
    Comment,
    Flag,
    ModerationAction,
    Sanction,
    Thread,
    User,
    utcnow,
)
from .common import HIDDEN, PENDING, VISIBLE, require_moderator

QUEUE_STATUSES = ("open", "pending", "flagged", "hidden", "appeals")
HOLD_RULES = ("personal_data", "keyword", "link_spam", "flag_threshold", "premoderation")
QUEUE_SORTS = ("oldest", "newest", "flags")


@dataclass
class QueuePage:
    items: list[Comment]
    flags: dict[int, list[Flag]] = field(default_factory=dict)
    appeals: list[Appeal] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def _queue_filter(
    stmt: Select[Any],
    *,
    status: str,
    consultation_id: int | None,
    reason: str | None,
    older_than_hours: int | None,
    now: datetime,
) -> Select[Any]:
    if status == "pending":
        stmt = stmt.where(Comment.status == PENDING)
    elif status == "flagged":
        stmt = stmt.where(Comment.flag_count > 0, Comment.status != HIDDEN)
    elif status == "hidden":
        stmt = stmt.where(Comment.status == HIDDEN)
    else:
        stmt = stmt.where(
            or_(Comment.status == PENDING, and_(Comment.flag_count > 0, Comment.status == VISIBLE))
        )
    if consultation_id is not None:
        stmt = stmt.where(
            Comment.thread_id.in_(
                select(Thread.id).where(Thread.consultation_id == consultation_id)
            )
        )
    if reason:
        open_flag = exists(
            select(Flag.id).where(
                Flag.comment_id == Comment.id, Flag.reason == reason, Flag.resolved_at.is_(None)
            )
        )
        stmt = stmt.where(or_(Comment.held_by == reason, open_flag))
    if older_than_hours:
        stmt = stmt.where(Comment.created_at <= now - timedelta(hours=older_than_hours))
    return stmt


def queue(
    session: Session,
    *,
    actor: User | None,
    status: str = "open",
    consultation_id: int | None = None,
    reason: str | None = None,
    older_than_hours: int | None = None,
    sort: str = "oldest",
    page: int = 1,
    per_page: int = 25,
    now: datetime | None = None,
) -> QueuePage:
    """A page of the moderation queue: comments awaiting a decision, or the open appeals."""
    now = now or utcnow()
    require_moderator(actor)
    if status not in QUEUE_STATUSES:
        raise ValidationError("invalid_parameter", field="status")
    if sort not in QUEUE_SORTS:
        raise ValidationError("invalid_parameter", field="sort")
    if reason and reason not in policy.RULE_CODES and reason not in HOLD_RULES:
        raise ValidationError("invalid_parameter", field="reason")
    if status == "appeals":
        return _appeals_page(session, consultation_id, page, per_page)
    total = (
        session.scalar(
            _queue_filter(
                select(func.count(Comment.id)),
                status=status,
                consultation_id=consultation_id,
                reason=reason,
                older_than_hours=older_than_hours,
                now=now,
            )
        )
        or 0
    )
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    order: list[Any] = {
        "oldest": [Comment.created_at.asc(), Comment.id.asc()],
        "newest": [Comment.created_at.desc(), Comment.id.desc()],
        "flags": [Comment.flag_count.desc(), Comment.created_at.asc(), Comment.id.asc()],
    }[sort]
    # Two steps: order and cut narrow rows (ids) first, then load 25 full rows with their
    # context; sorting 10,000 full rows (bodies included) is what made the page slow.
    ids_page = list(
        session.scalars(
            _queue_filter(
                select(Comment.id),
                status=status,
                consultation_id=consultation_id,
                reason=reason,
                older_than_hours=older_than_hours,
                now=now,
            )
            .order_by(*order)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    loaded = (
        {
            c.id: c
            for c in session.scalars(
                select(Comment)
                .where(Comment.id.in_(ids_page))
                .options(
                    joinedload(Comment.author),
                    joinedload(Comment.thread).joinedload(Thread.consultation),
                    joinedload(Comment.thread).joinedload(Thread.section),
                    joinedload(Comment.parent),
                )
            )
        }
        if ids_page
        else {}
    )
    items = [loaded[i] for i in ids_page if i in loaded]
    flags: dict[int, list[Flag]] = {}
    ids = [c.id for c in items if c.flag_count > 0]
    if ids:
        for flag in session.scalars(
            select(Flag)
            .where(Flag.comment_id.in_(ids), Flag.resolved_at.is_(None))
            .order_by(Flag.id)
        ):
            flags.setdefault(flag.comment_id, []).append(flag)
    return QueuePage(items=items, flags=flags, total=total, page=page, pages=pages)


def _appeals_page(
    session: Session, consultation_id: int | None, page: int, per_page: int
) -> QueuePage:
    base = select(Appeal).where(Appeal.status == AppealStatus.OPEN.value)
    if consultation_id is not None:
        base = base.where(
            Appeal.comment_id.in_(
                select(Comment.id)
                .join(Thread, Thread.id == Comment.thread_id)
                .where(Thread.consultation_id == consultation_id)
            )
        )
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    appeals = list(
        session.scalars(
            base.options(
                joinedload(Appeal.user),
                joinedload(Appeal.comment).joinedload(Comment.thread),
                joinedload(Appeal.sanction),
            )
            .order_by(Appeal.created_at.asc(), Appeal.id.asc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return QueuePage(items=[], appeals=appeals, total=total, page=page, pages=pages)


def open_counts(session: Session) -> dict[str, int]:
    """How many items wait in each queue tab."""
    pending = session.scalar(select(func.count()).where(Comment.status == PENDING)) or 0
    flagged = (
        session.scalar(
            select(func.count()).where(Comment.flag_count > 0, Comment.status == VISIBLE)
        )
        or 0
    )
    appeals = (
        session.scalar(select(func.count()).where(Appeal.status == AppealStatus.OPEN.value)) or 0
    )
    return {"pending": pending, "flagged": flagged, "open": pending + flagged, "appeals": appeals}


@dataclass
class CommentContext:
    comment: Comment
    parent: Comment | None
    replies: list[Comment]
    flags: list[Flag]
    history: list[ModerationAction]
    appeal: Appeal | None
    sanctions: list[Sanction]


def comment_context(session: Session, comment_id: int, *, actor: User | None) -> CommentContext:
    """A comment for a moderator: its parent, direct replies, flags, log and appeal."""
    require_moderator(actor)
    comment = session.scalar(
        select(Comment)
        .where(Comment.id == comment_id)
        .options(
            joinedload(Comment.author),
            joinedload(Comment.thread).joinedload(Thread.consultation),
            joinedload(Comment.thread).joinedload(Thread.section),
        )
    )
    if comment is None:
        raise NotFound("comment_not_found")
    parent = (
        session.scalar(
            select(Comment)
            .where(Comment.id == comment.parent_id)
            .options(joinedload(Comment.author))
        )
        if comment.parent_id
        else None
    )
    replies = list(
        session.scalars(
            select(Comment)
            .where(Comment.parent_id == comment.id)
            .options(joinedload(Comment.author))
            .order_by(Comment.seq)
            .limit(20)
        )
    )
    flags = list(
        session.scalars(
            select(Flag)
            .where(Flag.comment_id == comment.id)
            .options(joinedload(Flag.user))
            .order_by(Flag.id)
        )
    )
    history = list(
        session.scalars(
            select(ModerationAction)
            .where(ModerationAction.comment_id == comment.id)
            .options(joinedload(ModerationAction.actor))
            .order_by(ModerationAction.id)
        )
    )
    appeal = session.scalar(select(Appeal).where(Appeal.comment_id == comment.id))
    return CommentContext(
        comment=comment,
        parent=parent,
        replies=replies,
        flags=flags,
        history=history,
        appeal=appeal,
        sanctions=list(
            session.scalars(
                select(Sanction)
                .where(Sanction.user_id == comment.author_id)
                .order_by(Sanction.id.desc())
            )
        ),
    )


@dataclass
class UserOverview:
    user: User
    sanctions: list[Sanction]
    recent: list[Comment]
    history: list[ModerationAction]


def user_overview(session: Session, user_id: int, *, actor: User | None) -> UserOverview:
    require_moderator(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found")
    return UserOverview(
        user=user,
        sanctions=list(
            session.scalars(
                select(Sanction).where(Sanction.user_id == user.id).order_by(Sanction.id.desc())
            )
        ),
        recent=list(
            session.scalars(
                select(Comment)
                .where(Comment.author_id == user.id)
                .options(joinedload(Comment.thread).joinedload(Thread.consultation))
                .order_by(Comment.id.desc())
                .limit(20)
            )
        ),
        history=list(
            session.scalars(
                select(ModerationAction)
                .where(ModerationAction.subject_user_id == user.id)
                .options(joinedload(ModerationAction.actor))
                .order_by(ModerationAction.id.desc())
                .limit(50)
            )
        ),
    )
