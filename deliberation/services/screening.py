"""Screening: the checks every new or changed text passes before it is written.

Posting, editing, voting, flagging and imports ask here whether the account may take part now
(no mute or suspension in force), whether slow mode lets this person post in this thread yet,
and which automatic hold (pre-moderation, personal data, keywords, links, new accounts) applies to
the text under the settings in force. Reads only: writing a hold (its log row, the author's
notice) is moderation's (`services/moderation/holds.py`). The decisions themselves are the pure
rules of ``deliberation/moderation.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .. import moderation as policy
from .. import rules
from ..errors import Forbidden
from ..models import Comment, ModerationSettings, Sanction, Thread, User, utcnow


def active_sanctions(session: Session, user_id: int, now: datetime | None = None) -> list[Sanction]:
    """The user's sanctions in force now (started, not ended, not lifted)."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Sanction).where(
                Sanction.user_id == user_id,
                Sanction.lifted_at.is_(None),
                Sanction.starts_at <= now,
                or_(Sanction.ends_at.is_(None), Sanction.ends_at > now),
            )
        )
    )


def check_participation(session: Session, actor: User, now: datetime | None = None) -> None:
    """Refuse a muted or suspended account (posting, editing, voting, flagging)."""
    refusal = policy.participation_refusal(active_sanctions(session, actor.id, now))
    if refusal is not None:
        code, until = refusal
        if until is None:
            raise Forbidden(f"{code}_indefinitely")
        raise Forbidden(code, until=until.strftime("%Y-%m-%d %H:%M UTC"), until_at=until)


def settings_for(session: Session, consultation_id: int | None) -> policy.Settings:
    """The automatic-hold settings in force for a consultation (or the site's, for None)."""
    rows = list(
        session.scalars(
            select(ModerationSettings)
            .where(
                or_(
                    ModerationSettings.consultation_id.is_(None),
                    ModerationSettings.consultation_id == consultation_id,
                )
            )
            .order_by(ModerationSettings.id)
        )
    )
    site = next((r for r in rows if r.consultation_id is None), None)
    local = next(
        (r for r in rows if consultation_id is not None and r.consultation_id == consultation_id),
        None,
    )
    return policy.effective_settings(site, local)


def check_slow_mode(session: Session, thread: Thread, actor: User, now: datetime) -> None:
    """Refuse a post that comes sooner after this person's last one than the thread allows."""
    if not thread.slow_mode_seconds or rules.is_moderator(actor):
        return
    last = session.scalar(
        select(func.max(Comment.created_at)).where(
            Comment.thread_id == thread.id, Comment.author_id == actor.id
        )
    )
    if last is not None and last.tzinfo is None:  # SQLite aggregate loses the type
        last = last.replace(tzinfo=now.tzinfo)
    wait = policy.slow_mode_wait(last, thread.slow_mode_seconds, now)
    if wait:
        raise Forbidden("slow_mode", seconds=wait)


def screen_post(
    session: Session,
    thread: Thread,
    actor: User,
    text: str,
    tokens: str | None,
    now: datetime,
) -> policy.Hold | None:
    """Checks before a comment is written: sanctions, slow mode; then which hold applies."""
    check_participation(session, actor, now)
    check_slow_mode(session, thread, actor, now)
    return policy.hold_for(
        text,
        settings_for(session, thread.consultation_id),
        author_joined=actor.created_at,
        now=now,
        tokens=tokens.split() if tokens else None,
        author_is_moderator=rules.is_moderator(actor),
    )


def edit_hold(session: Session, comment: Comment, actor: User, now: datetime) -> policy.Hold | None:
    """The hold the comment's current (just edited) text trips, if any."""
    return policy.hold_for(
        comment.body,
        settings_for(session, comment.thread.consultation_id),
        author_joined=actor.created_at,
        now=now,
        tokens=comment.tokens.split() if comment.tokens else None,
        author_is_moderator=rules.is_moderator(actor),
    )
