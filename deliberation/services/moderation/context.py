"""Reads that put a comment or an appeal in front of a moderator with what they need to judge it:
the comments around it in the discussion, and the decision an appeal is against.

Read only (no writes, no flush). Moderator-only: the callers check `require_moderator` first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ...models import Appeal, Comment, ModerationAction

# What a comment's hiding is recorded as in the log (deliberation/moderation.py EVENT_TYPES).
HIDING_ACTIONS = ("hide", "mark_duplicate")


@dataclass
class Neighbours:
    """The comments just before and after one, among the replies to the same parent."""

    before: list[Comment]
    after: list[Comment]


def neighbours(session: Session, comment: Comment, *, n: int = 2) -> Neighbours:
    """Up to `n` siblings each side of `comment`, in thread order, any status."""
    siblings = select(Comment).where(
        Comment.thread_id == comment.thread_id,
        Comment.parent_id.is_(None)
        if comment.parent_id is None
        else Comment.parent_id == comment.parent_id,
    )
    before = list(
        session.scalars(
            siblings.where(Comment.seq < comment.seq)
            .options(joinedload(Comment.author))
            .order_by(Comment.seq.desc())
            .limit(n)
        )
    )
    after = list(
        session.scalars(
            siblings.where(Comment.seq > comment.seq)
            .options(joinedload(Comment.author))
            .order_by(Comment.seq)
            .limit(n)
        )
    )
    return Neighbours(before=before[::-1], after=after)


@dataclass
class Decision:
    """The decision an appeal is against: the published rule given, and the moderator's note."""

    reason: str
    note: str


def appeal_decisions(session: Session, appeals: Sequence[Appeal]) -> dict[int, Decision]:
    """For each appeal (by id): the rule and note of the hiding or sanction it contests."""
    found: dict[int, Decision] = {}
    by_comment = {a.comment_id: a.id for a in appeals if a.comment_id is not None}
    if by_comment:
        rows = session.scalars(
            select(ModerationAction)
            .where(
                ModerationAction.comment_id.in_(by_comment),
                ModerationAction.action.in_(HIDING_ACTIONS),
            )
            .order_by(ModerationAction.id)
        )
        for row in rows:  # the latest hiding wins
            assert row.comment_id is not None
            found[by_comment[row.comment_id]] = Decision(reason=row.reason, note=row.note)
    for appeal in appeals:
        if appeal.sanction is not None:
            found[appeal.id] = Decision(reason=appeal.sanction.reason, note=appeal.sanction.note)
    return found
