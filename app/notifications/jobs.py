"""Background jobs of notifications (run after the commit that declared them, app/outbox.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from deliberation.models import User
from deliberation.notifications import mailing, operations
from deliberation.notifications.queries import unread_counts
from deliberation.outbox import after_commit

from .live import send_counts
from .mail import compose_one, deliver

DELIVER = "notifications.deliver"  # [messages]: send composed mail (after the claim commits)


def push(session: Session, user_ids: list[int]) -> None:
    """Send these people their unread counts (their pages update without a reload)."""
    send_counts(unread_counts(session, user_ids))


def fan_out_comments(session: Session, comment_ids: list[int]) -> None:
    """Notify about newly visible comments: replies, mentions, followed threads."""
    for comment_id in comment_ids:
        operations.fan_out_comment(session, comment_id)


def fan_out_consultation(session: Session, consultation_id: int, kind: str) -> None:
    """Tell a consultation's followers its news."""
    operations.fan_out_consultation(session, consultation_id, kind)


def mail_now(session: Session, notification_ids: list[int]) -> None:
    """E-mail these notifications one by one (those whose recipients want them at once)."""
    items = mailing.claim_immediate(session, notification_ids)
    messages = [compose_one(session.get(User, i.user_id), i) for i in items]  # type: ignore[arg-type]
    if messages:
        after_commit(session, DELIVER, messages)


def deliver_job(_session: Session, messages: list[dict[str, Any]]) -> None:
    """Send composed mail."""
    deliver(messages)
