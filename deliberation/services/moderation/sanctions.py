"""Sanctions: mute (read-only for some days) or suspend an account, and lift it. Whether one is
in force when someone posts is screening's (`services/screening.py`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from ... import moderation as policy
from ...errors import Forbidden, NotFound, ValidationError
from ...models import Comment, Role, Sanction, SanctionKind, User, utcnow
from .common import check_reason, clean_note, is_int, require_moderator, sanction_state
from .log import log_action
from .notices import notify


def sanction_user(
    session: Session,
    user_id: int,
    *,
    actor: User | None,
    kind: str,
    reason: str | None,
    note: str | None = None,
    days: int | None = None,
    comment_id: int | None = None,
    now: datetime | None = None,
) -> Sanction:
    """Mute (read-only for `days`) or suspend (until lifted, or for `days`) an account."""
    now = now or utcnow()
    actor = require_moderator(actor)
    if kind not in policy.SANCTION_KINDS:
        raise ValidationError("invalid_sanction", field="kind")
    reason = check_reason(kind, reason)
    text_note = clean_note(note)
    if days is not None and not is_int(days, 1, policy.MAX_MUTE_DAYS):
        raise ValidationError("invalid_days", field="days", max=policy.MAX_MUTE_DAYS)
    if kind == SanctionKind.MUTE.value and days is None:
        raise ValidationError("invalid_days", field="days", max=policy.MAX_MUTE_DAYS)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found")
    if user.id == actor.id or (user.role == Role.ADMIN and actor.role != Role.ADMIN):
        raise Forbidden("cannot_sanction")
    consultation_id = None
    if comment_id is not None:
        related = session.get(Comment, comment_id)
        if related is None or related.author_id != user.id:
            raise ValidationError("invalid_field", field="comment_id")
        consultation_id = related.thread.consultation_id
    sanction = Sanction(
        user_id=user.id,
        kind=kind,
        reason=reason,
        note=text_note,
        starts_at=now,
        ends_at=now + timedelta(days=days) if days else None,
        created_by_id=actor.id,
    )
    session.add(sanction)
    session.flush()
    log_action(
        session,
        actor=actor,
        action=kind,
        target_type="user",
        target_id=user.id,
        subject_user_id=user.id,
        consultation_id=consultation_id,
        reason=reason,
        note=text_note,
        before="",
        after=sanction_state(kind),
        now=now,
    )
    notify(
        session,
        user.id,
        sanction_state(kind),
        sanction_id=sanction.id,
        reason=reason,
        note=text_note,
        now=now,
    )
    session.flush()
    return sanction


def lift_sanction(
    session: Session,
    sanction_id: int,
    *,
    actor: User | None,
    note: str | None = None,
    now: datetime | None = None,
) -> tuple[Sanction, bool]:
    """Lift a sanction now; lifting a lifted one changes nothing."""
    now = now or utcnow()
    actor = require_moderator(actor)
    text_note = clean_note(note)
    sanction = session.get(Sanction, sanction_id)
    if sanction is None:
        raise NotFound("sanction_not_found")
    if sanction.lifted_at is not None:
        return sanction, False
    result = session.execute(
        update(Sanction)
        .where(Sanction.id == sanction.id, Sanction.lifted_at.is_(None))
        .values(lifted_at=now, lifted_by_id=actor.id, lift_reason=text_note)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(sanction)
        return sanction, False
    log_action(
        session,
        actor=actor,
        action="lift",
        target_type="user",
        target_id=sanction.user_id,
        subject_user_id=sanction.user_id,
        reason=sanction.reason,
        note=text_note,
        before=sanction_state(sanction.kind),
        after="",
        now=now,
    )
    notify(
        session,
        sanction.user_id,
        "sanction_lifted",
        sanction_id=sanction.id,
        reason=sanction.reason,
        note=text_note,
        now=now,
    )
    session.flush()
    session.refresh(sanction)
    return sanction, True
