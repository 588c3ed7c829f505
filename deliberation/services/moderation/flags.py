"""Flags: a participant reports a comment; the Nth distinct open flag holds it for review."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ... import moderation as policy
from ... import rules
from ...errors import Conflict, Forbidden, NotAuthenticated, ValidationError
from ...models import Comment, Flag, User, utcnow
from ..comment_queries import get_comment
from ..screening import check_participation, settings_for
from .common import HIDDEN, VISIBLE, clean_note
from .holds import hold_visible


@dataclass
class FlagResult:
    flag: Flag
    held: bool


def flag_comment(
    session: Session,
    comment_id: int,
    *,
    actor: User | None,
    reason: str,
    note: str | None = None,
    now: datetime | None = None,
) -> FlagResult:
    """Report a comment; the Nth distinct open flag (per settings) holds it for review."""
    now = now or utcnow()
    refusal = rules.participation_refusal(actor)  # logged in, active, verified address
    if refusal is not None:
        raise (NotAuthenticated if actor is None else Forbidden)(refusal)
    assert actor is not None
    if reason not in policy.FLAG_REASONS:
        raise ValidationError("invalid_flag_reason", field="reason")
    text = clean_note(note)
    if reason == "other" and not text:
        raise ValidationError("note_required", field="note")
    comment = get_comment(session, comment_id, actor)
    if comment.status == HIDDEN:
        raise Conflict("comment_hidden")
    if comment.author_id == actor.id:
        raise Conflict("cannot_flag_own")
    check_participation(session, actor, now)
    if session.scalar(
        select(Flag.id).where(Flag.comment_id == comment.id, Flag.user_id == actor.id)
    ):
        raise Conflict("already_flagged")
    flag = Flag(comment_id=comment.id, user_id=actor.id, reason=reason, note=text, created_at=now)
    try:
        with session.begin_nested():
            session.add(flag)
            session.flush()
    except IntegrityError:
        raise Conflict("already_flagged") from None
    count = session.execute(
        update(Comment)
        .where(Comment.id == comment.id)
        .values(flag_count=Comment.flag_count + 1)
        .returning(Comment.flag_count)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    held = False
    threshold = settings_for(session, comment.thread.consultation_id).flag_threshold
    if comment.status == VISIBLE and count >= threshold:
        reasons = Counter(
            session.scalars(
                select(Flag.reason).where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None))
            )
        )
        top = reasons.most_common(1)[0][0] if reasons else reason
        hold = policy.Hold(
            top if top in policy.RULE_CODES else "other", "flag_threshold", f"{count} flags"
        )
        held = hold_visible(session, comment, hold, now)
    session.flush()
    session.refresh(comment)
    return FlagResult(flag, held)
