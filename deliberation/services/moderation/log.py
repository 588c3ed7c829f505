"""The append-only moderation log: writing a row (the only way rows get there), reading it
page by page, and exporting it without comment text or redacted originals.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from ... import moderation as policy
from ...errors import Forbidden, NotAuthenticated
from ...models import Comment, Consultation, ModerationAction, Thread, User, utcnow


def log_action(
    session: Session,
    *,
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int | None,
    comment: Comment | None = None,
    thread: Thread | None = None,
    consultation_id: int | None = None,
    subject_user_id: int | None = None,
    reason: str = "",
    rule: str = "",
    note: str = "",
    before: str = "",
    after: str = "",
    original: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> ModerationAction:
    """Append one row to the moderation log (the only way rows get there)."""
    if comment is not None and thread is None:
        thread = comment.thread
    row = ModerationAction(
        created_at=now or utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        comment_id=comment.id if comment is not None else None,
        thread_id=thread.id if thread is not None else None,
        consultation_id=consultation_id
        if consultation_id is not None
        else (thread.consultation_id if thread is not None else None),
        subject_user_id=subject_user_id
        if subject_user_id is not None
        else (comment.author_id if comment is not None else None),
        reason=reason,
        rule=rule,
        note=note,
        before_status=before,
        after_status=after,
        original=original,
    )
    session.add(row)
    return row


@dataclass
class LogPage:
    rows: list[ModerationAction]
    total: int
    page: int
    pages: int


def _log_query(
    actor: User | None,
    *,
    consultation_id: int | None = None,
    action: str | None = None,
    for_export: bool = False,
) -> Select[Any]:
    if actor is None:
        raise NotAuthenticated("not_authenticated")
    allowed = policy.can_export_log(actor) if for_export else policy.is_moderator(actor)
    if not allowed:
        raise Forbidden("moderators_only")
    stmt = select(ModerationAction)
    if not policy.is_moderator(actor):  # agency staff: their own consultations only
        stmt = stmt.where(
            ModerationAction.consultation_id.in_(
                select(Consultation.id).where(Consultation.agency_id == actor.agency_id)
            )
        )
    if consultation_id is not None:
        stmt = stmt.where(ModerationAction.consultation_id == consultation_id)
    if action:
        stmt = stmt.where(ModerationAction.action == action)
    return stmt


def log_page(
    session: Session,
    *,
    actor: User | None,
    consultation_id: int | None = None,
    action: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> LogPage:
    """The moderation log, newest first (moderators and admins)."""
    stmt = _log_query(actor, consultation_id=consultation_id, action=action)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(
        session.scalars(
            stmt.options(
                joinedload(ModerationAction.actor), joinedload(ModerationAction.subject_user)
            )
            .order_by(ModerationAction.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return LogPage(rows=rows, total=total, page=page, pages=pages)


EXPORT_COLUMNS = (
    "id",
    "time",
    "actor",
    "action",
    "target_type",
    "target_id",
    "comment_id",
    "thread_id",
    "consultation_id",
    "subject_user",
    "reason",
    "rule",
    "note",
    "before_status",
    "after_status",
)


def log_export_rows(
    session: Session, *, actor: User | None, consultation_id: int | None = None
) -> Iterator[list[str]]:
    """The log as rows of plain strings, oldest first (no comment text, no redacted originals)."""
    stmt = _log_query(actor, consultation_id=consultation_id, for_export=True)
    stmt = stmt.options(
        joinedload(ModerationAction.actor), joinedload(ModerationAction.subject_user)
    ).order_by(ModerationAction.id.asc())
    for row in session.scalars(stmt.execution_options(yield_per=500)):
        yield [
            str(row.id),
            row.created_at.isoformat(),
            row.actor.display_name if row.actor else "system",
            row.action,
            row.target_type,
            "" if row.target_id is None else str(row.target_id),
            "" if row.comment_id is None else str(row.comment_id),
            "" if row.thread_id is None else str(row.thread_id),
            "" if row.consultation_id is None else str(row.consultation_id),
            row.subject_user.display_name if row.subject_user else "",
            row.reason,
            row.rule,
            row.note,
            row.before_status,
            row.after_status,
        ]
