"""The public account of moderation in one consultation: counts only, no text, no names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import Comment, Consultation, ModerationAction, Thread
from .common import HIDDEN, VISIBLE


@dataclass
class Transparency:
    hidden_by_reason: dict[str, int]
    hidden_now: int
    held_by_rule: dict[str, int]
    approved: int
    restored: int
    redacted: int
    appeals: int
    appeals_upheld: int
    appeals_rejected: int
    visible: int


def transparency(session: Session, consultation: Consultation) -> Transparency:
    """Counts only (no text, no names): what moderation did in one consultation."""
    cid = consultation.id

    def count_by(action_names: Sequence[str], column: Any) -> dict[str, int]:
        rows = session.execute(
            select(column, func.count(func.distinct(ModerationAction.comment_id)))
            .where(
                ModerationAction.consultation_id == cid,
                ModerationAction.action.in_(action_names),
            )
            .group_by(column)
        ).all()
        return {str(k or "other"): int(n) for k, n in rows}

    per_action = dict(
        session.execute(
            select(ModerationAction.action, func.count())
            .where(ModerationAction.consultation_id == cid)
            .group_by(ModerationAction.action)
        ).all()
    )
    status_counts = dict(
        session.execute(
            select(Comment.status, func.count())
            .join(Thread, Thread.id == Comment.thread_id)
            .where(Thread.consultation_id == cid)
            .group_by(Comment.status)
        ).all()
    )
    return Transparency(
        hidden_by_reason=count_by(("hide", "mark_duplicate"), ModerationAction.reason),
        hidden_now=int(status_counts.get(HIDDEN, 0)),
        held_by_rule=count_by(("hold",), ModerationAction.rule),
        approved=int(per_action.get("approve", 0)),
        restored=int(per_action.get("restore", 0)),
        redacted=int(per_action.get("redact", 0)),
        appeals=int(per_action.get("appeal", 0)),
        appeals_upheld=int(per_action.get("appeal_upheld", 0)),
        appeals_rejected=int(per_action.get("appeal_rejected", 0)),
        visible=int(status_counts.get(VISIBLE, 0)),
    )
