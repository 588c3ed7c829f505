"""Actions on a thread: lock, unlock, and slow mode."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from ... import moderation as policy
from ...errors import NotFound, ValidationError
from ...models import Thread, User, utcnow
from ..threadlog import record_event
from .common import check_reason, clean_note, is_int, require_moderator
from .log import log_action


def act_on_thread(
    session: Session,
    thread_id: int,
    *,
    actor: User | None,
    action: str,
    reason: str | None = None,
    note: str | None = None,
    seconds: int | None = None,
    now: datetime | None = None,
) -> tuple[Thread, bool]:
    """Lock or unlock a thread, or set its slow mode (seconds, 0 = off)."""
    now = now or utcnow()
    actor = require_moderator(actor)
    if action not in policy.THREAD_ACTIONS:
        raise ValidationError("invalid_action", field="action")
    reason = check_reason(action, reason)
    text_note = clean_note(note)
    thread = session.scalar(
        select(Thread).where(Thread.id == thread_id).options(joinedload(Thread.consultation))
    )
    if thread is None:
        raise NotFound("thread_not_found")
    if action == "slow_mode":
        if seconds is None or not is_int(seconds, 0, policy.MAX_SLOW_MODE):
            raise ValidationError("invalid_slow_mode", field="seconds", max=policy.MAX_SLOW_MODE)
        if thread.slow_mode_seconds == seconds:
            return thread, False
        before, after = str(thread.slow_mode_seconds), str(seconds)
        thread.slow_mode_seconds = seconds
        event = None
    else:
        locked = action == "lock"
        if thread.locked == locked:
            return thread, False
        before = "locked" if thread.locked else "open"
        after = "locked" if locked else "open"
        session.execute(
            update(Thread)
            .where(Thread.id == thread.id)
            .values(locked=locked)
            .execution_options(synchronize_session=False)
        )
        event = "thread_locked" if locked else "thread_unlocked"
    log_action(
        session,
        actor=actor,
        action=action,
        target_type="thread",
        target_id=thread.id,
        thread=thread,
        reason=reason,
        note=text_note,
        before=before,
        after=after,
        now=now,
    )
    if event:
        record_event(session, thread.id, event, None)
    session.flush()
    session.refresh(thread)
    return thread, True
