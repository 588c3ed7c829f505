"""Automatic holds: the log row and the author's notice when a hold applies, and putting a
visible comment back to pending (an edit that trips a rule, the Nth flag).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from ... import moderation as policy
from ...models import Comment, ModerationAction, User
from ..comment_rows import shift_reply_counts
from ..screening import edit_hold
from ..threadlog import record_event
from .common import PENDING, VISIBLE
from .log import log_action
from .notices import notify


def record_hold(
    session: Session, comment: Comment, hold: policy.Hold, *, before: str, now: datetime
) -> ModerationAction:
    """The log row and the author's notice for an automatic hold."""
    row = log_action(
        session,
        actor=None,
        action="hold",
        target_type="comment",
        target_id=comment.id,
        comment=comment,
        reason=hold.reason,
        rule=hold.rule,
        note=hold.detail,
        before=before,
        after=PENDING,
        now=now,
    )
    notify(
        session,
        comment.author_id,
        "comment_held",
        comment_id=comment.id,
        reason=hold.reason or hold.rule,
        note=hold.rule,
        now=now,
    )
    return row


def screen_edit(session: Session, comment: Comment, actor: User, now: datetime) -> None:
    """After an edit: a visible comment whose new text trips a hold goes back to pending."""
    if comment.status != VISIBLE:
        return
    hold = edit_hold(session, comment, actor, now)
    if hold is None:
        return
    hold_visible(session, comment, hold, now)


def hold_visible(session: Session, comment: Comment, hold: policy.Hold, now: datetime) -> bool:
    result = session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.status == VISIBLE)
        .values(status=PENDING, held_by=hold.rule, pinned=False, version=Comment.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    shift_reply_counts(session, comment, VISIBLE, PENDING)
    record_hold(session, comment, hold, before=VISIBLE, now=now)
    record_event(session, comment.thread_id, policy.EVENT_TYPES["hold"], comment.id)
    session.flush()
    session.refresh(comment)
    return True
