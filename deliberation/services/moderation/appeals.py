"""Appeals: the author's one appeal against a hidden comment, or a user's against a sanction,
and the moderator's decision (upholding restores the comment or lifts the sanction).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ... import moderation as policy
from ...errors import Conflict, NotAuthenticated, NotFound, ValidationError
from ...models import Appeal, AppealStatus, Comment, Sanction, User, utcnow
from ...sanitize import render_markdown
from .actions import act_on_comment
from .common import HIDDEN, clean_note, require_moderator
from .log import log_action
from .notices import notify
from .sanctions import lift_sanction


def submit_appeal(
    session: Session,
    *,
    actor: User | None,
    body: str,
    comment_id: int | None = None,
    sanction_id: int | None = None,
    now: datetime | None = None,
) -> Appeal:
    """The author's one appeal against a hidden comment, or the user's against a sanction."""
    now = now or utcnow()
    if actor is None:
        raise NotAuthenticated("not_authenticated")
    text = (body or "").strip()
    if not text:
        raise ValidationError("appeal_required", field="body")
    if len(text) > policy.MAX_APPEAL:
        raise ValidationError("appeal_too_long", field="body", max=policy.MAX_APPEAL)
    if (comment_id is None) == (sanction_id is None):
        raise ValidationError("invalid_field", field="comment_id")
    consultation_id = None
    if comment_id is not None:
        comment = session.get(Comment, comment_id)
        if comment is None or comment.author_id != actor.id:
            raise NotFound("comment_not_found")
        if comment.status != HIDDEN:
            raise Conflict("appeal_not_hidden")
        exists_q = select(Appeal.id).where(Appeal.comment_id == comment_id)
        consultation_id = comment.thread.consultation_id
    else:
        sanction = session.get(Sanction, sanction_id)
        if sanction is None or sanction.user_id != actor.id:
            raise NotFound("sanction_not_found")
        if sanction.lifted_at is not None:
            raise Conflict("appeal_not_needed")
        exists_q = select(Appeal.id).where(Appeal.sanction_id == sanction_id)
    if session.scalar(exists_q) is not None:
        raise Conflict("appeal_exists")
    appeal = Appeal(
        user_id=actor.id,
        comment_id=comment_id,
        sanction_id=sanction_id,
        body=text,
        html=render_markdown(text),
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(appeal)
            session.flush()
    except IntegrityError:
        raise Conflict("appeal_exists") from None
    log_action(
        session,
        actor=actor,
        action="appeal",
        target_type="appeal",
        target_id=appeal.id,
        comment=session.get(Comment, comment_id) if comment_id else None,
        consultation_id=consultation_id,
        subject_user_id=actor.id,
        before="",
        after=AppealStatus.OPEN.value,
        now=now,
    )
    session.flush()
    return appeal


def decide_appeal(
    session: Session,
    appeal_id: int,
    *,
    actor: User | None,
    decision: str,
    note: str | None = None,
    now: datetime | None = None,
) -> tuple[Appeal, bool]:
    """Uphold (restore the comment / lift the sanction) or reject an appeal; once."""
    now = now or utcnow()
    actor = require_moderator(actor)
    if decision not in ("uphold", "reject"):
        raise ValidationError("invalid_decision", field="decision")
    text_note = clean_note(note)
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound("appeal_not_found")
    status = AppealStatus.UPHELD.value if decision == "uphold" else AppealStatus.REJECTED.value
    if appeal.status != AppealStatus.OPEN.value:
        if appeal.status == status:
            return appeal, False
        raise Conflict("appeal_decided", state=appeal.status)
    result = session.execute(
        update(Appeal)
        .where(Appeal.id == appeal.id, Appeal.status == AppealStatus.OPEN.value)
        .values(status=status, decided_at=now, decided_by_id=actor.id, decision_note=text_note)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(appeal)
        if appeal.status == status:
            return appeal, False
        raise Conflict("appeal_decided", state=appeal.status)
    comment = session.get(Comment, appeal.comment_id) if appeal.comment_id else None
    if decision == "uphold":
        if comment is not None:
            act_on_comment(
                session, comment.id, actor=actor, action="restore", note=text_note, now=now
            )
        elif appeal.sanction_id is not None:
            lift_sanction(session, appeal.sanction_id, actor=actor, note=text_note, now=now)
    log_action(
        session,
        actor=actor,
        action=f"appeal_{status}",
        target_type="appeal",
        target_id=appeal.id,
        comment=comment,
        subject_user_id=appeal.user_id,
        note=text_note,
        before=AppealStatus.OPEN.value,
        after=status,
        now=now,
    )
    notify(
        session,
        appeal.user_id,
        f"appeal_{status}",
        appeal_id=appeal.id,
        comment_id=appeal.comment_id,
        note=text_note,
        now=now,
    )
    session.flush()
    session.refresh(appeal)
    return appeal, True
