"""Actions on a comment: approve, hide, restore, redact, pin, unpin, mark as a duplicate.

Compare-and-set on (version, status); each change writes one log row, one thread event and
the author's notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from ... import moderation as policy
from ...errors import Conflict, NotFound, ValidationError
from ...models import (
    Comment,
    CommentRevision,
    Flag,
    IdempotencyKey,
    ModerationAction,
    Thread,
    User,
    utcnow,
)
from ...notifications.operations import comment_visible
from ...sanitize import render_markdown
from ..comment_rows import shift_reply_counts, tokens_of
from ..threadlog import record_event
from .common import PENDING, VISIBLE, check_reason, clean_note, is_int, require_moderator
from .log import log_action
from .notices import notify


@dataclass
class ActionResult:
    comment: Comment
    changed: bool
    log: ModerationAction | None = None


def _load_comment(session: Session, comment_id: int) -> Comment:
    comment = session.scalar(
        select(Comment)
        .where(Comment.id == comment_id)
        .options(joinedload(Comment.thread).joinedload(Thread.consultation))
        .execution_options(populate_existing=True)
    )
    if comment is None:
        raise NotFound("comment_not_found")
    return comment


def _outcome(
    comment: Comment, action: str, duplicate_of: int | None, *, stale: bool
) -> policy.Outcome | None:
    """The outcome to apply, or None when it already holds (a harmless repeat).

    A stale request whose result does not already hold is a conflict, whatever it asked for:
    the moderator decided on a state that is gone.
    """
    outcome = policy.comment_outcome(
        action,
        comment.status,
        pinned=comment.pinned,
        flag_count=comment.flag_count,
        duplicate_of_id=comment.duplicate_of_id,
        new_duplicate_of_id=duplicate_of,
    )
    if isinstance(outcome, policy.Outcome) and not outcome.changed:
        return None
    if stale:
        raise Conflict("moderation_conflict", state=comment.status)
    if isinstance(outcome, str):
        raise Conflict(outcome, state=comment.status)
    return outcome


def act_on_comment(
    session: Session,
    comment_id: int,
    *,
    actor: User | None,
    action: str,
    reason: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    duplicate_of: int | None = None,
    redact_texts: Sequence[str] = (),
    now: datetime | None = None,
) -> ActionResult:
    """Approve, hide, restore, redact, pin, unpin or mark a comment as a duplicate.

    Compare-and-set on (version, status): of two moderators acting on the same state, the second
    gets Conflict("moderation_conflict") unless its action's result already holds, in which case
    (as for any repeat) nothing changes and nothing is logged.
    """
    now = now or utcnow()
    actor = require_moderator(actor)
    if action not in policy.COMMENT_ACTIONS:
        raise ValidationError("invalid_action", field="action")
    defaults = {"redact": "personal_data", "mark_duplicate": "duplicate"}
    reason = check_reason(action, reason, defaults.get(action, ""))
    text_note = clean_note(note)
    if expected_version is not None and not is_int(expected_version):
        raise ValidationError("invalid_field", field="version")
    comment = _load_comment(session, comment_id)
    target: Comment | None = None
    if action == "mark_duplicate":
        if duplicate_of is None or not is_int(duplicate_of):
            raise ValidationError("duplicate_of_required", field="duplicate_of")
        target = session.get(Comment, duplicate_of)
        if (
            target is None
            or target.id == comment.id
            or target.status != VISIBLE
            or target.thread.consultation_id != comment.thread.consultation_id
        ):
            raise ValidationError("invalid_duplicate", field="duplicate_of")
    if action == "redact":
        return _redact(
            session, comment, actor, reason, text_note, redact_texts, expected_version, now
        )

    stale = expected_version is not None and expected_version != comment.version
    outcome = _outcome(comment, action, duplicate_of, stale=stale)
    if outcome is None:
        return ActionResult(comment, False)
    before = comment.status
    values: dict[Any, Any] = {
        Comment.status: outcome.status,
        Comment.pinned: outcome.pinned,
        Comment.version: Comment.version + 1,
    }
    decides = action in ("approve", "hide", "restore", "mark_duplicate")
    if decides:
        values[Comment.flag_count] = 0
        values[Comment.held_by] = None
    if action == "mark_duplicate":
        values[Comment.duplicate_of_id] = duplicate_of
    elif action == "restore":
        values[Comment.duplicate_of_id] = None
    result = session.execute(
        update(Comment)
        .where(
            Comment.id == comment.id,
            Comment.version == comment.version,
            Comment.status == comment.status,
        )
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        # Someone else acted between our read and our write: judge again on what is there now.
        comment = _load_comment(session, comment_id)
        if _outcome(comment, action, duplicate_of, stale=True) is None:
            return ActionResult(comment, False)
        raise Conflict("moderation_conflict", state=comment.status)
    if decides:
        session.execute(
            update(Flag)
            .where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None))
            .values(resolved_at=now, resolved_by_id=actor.id)
            .execution_options(synchronize_session=False)
        )
    shift_reply_counts(session, comment, before, outcome.status)
    row = log_action(
        session,
        actor=actor,
        action=action,
        target_type="comment",
        target_id=comment.id,
        comment=comment,
        reason=reason,
        note=text_note,
        before=before,
        after=outcome.status,
        now=now,
    )
    record_event(session, comment.thread_id, policy.EVENT_TYPES[action], comment.id)
    kind = {
        "hide": "comment_hidden",
        "mark_duplicate": "comment_hidden",
        "restore": "comment_restored",
    }.get(action)
    if action == "approve" and before == PENDING:
        kind = "comment_approved"
    if outcome.status == VISIBLE and before != VISIBLE:  # now public: replies, mentions
        comment_visible(session, comment.id)
    if kind:
        notify(
            session,
            comment.author_id,
            kind,
            comment_id=comment.id,
            reason=reason,
            note=text_note,
            now=now,
        )
    session.flush()
    return ActionResult(_load_comment(session, comment.id), True, row)


def _redact(
    session: Session,
    comment: Comment,
    actor: User,
    reason: str,
    note: str,
    texts: Sequence[str],
    expected_version: int | None,
    now: datetime,
) -> ActionResult:
    """Replace personal data (found automatically, plus any texts given) in the comment and in
    its earlier revisions; the originals go to the log row, for admins only."""
    extra = [t for t in (str(x).strip() for x in texts) if t]
    if any(len(t) > 500 for t in extra):
        raise ValidationError("invalid_field", field="texts")
    new_body, count = policy.redact(comment.body, policy.find_personal_data(comment.body), extra)
    revs = list(
        session.scalars(select(CommentRevision).where(CommentRevision.comment_id == comment.id))
    )
    rev_changes = []
    for rev in revs:
        body, n = policy.redact(rev.body, policy.find_personal_data(rev.body), extra)
        if n:
            rev_changes.append((rev, body))
    if count == 0 and not rev_changes:
        return ActionResult(comment, False)  # nothing (left) to redact: a harmless repeat
    if expected_version is not None and expected_version != comment.version:
        raise Conflict("moderation_conflict", state=comment.status)
    original = {
        "body": comment.body,
        "revisions": {str(rev.version): rev.body for rev, _ in rev_changes},
    }
    result = session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.version == comment.version)
        .values(
            body=new_body,
            html=render_markdown(new_body),
            tokens=tokens_of(new_body),
            version=Comment.version + 1,
            redacted_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("moderation_conflict", state=comment.status)
    for rev, body in rev_changes:
        rev.body = body
        rev.html = render_markdown(body)
    _scrub_replays(session, comment.author_id, comment.id)
    row = log_action(
        session,
        actor=actor,
        action="redact",
        target_type="comment",
        target_id=comment.id,
        comment=comment,
        reason=reason,
        note=note or f"{count} span(s)",
        before=comment.status,
        after=comment.status,
        original=original,
        now=now,
    )
    record_event(session, comment.thread_id, policy.EVENT_TYPES["redact"], comment.id)
    notify(
        session,
        comment.author_id,
        "comment_redacted",
        comment_id=comment.id,
        reason=reason,
        now=now,
    )
    session.flush()
    return ActionResult(_load_comment(session, comment.id), True, row)


def _scrub_replays(session: Session, user_id: int, comment_id: int) -> None:
    """Stored idempotent answers carry the comment's old HTML: drop the text from them."""
    for key in session.scalars(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id)):
        response = key.response
        if isinstance(response, dict) and response.get("id") == comment_id:
            key.response = {**response, "html": ""}
