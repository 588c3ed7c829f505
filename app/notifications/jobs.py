"""Background jobs of notifications (run after the commit that declared them, app/outbox.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from deliberation.notifications import operations
from deliberation.notifications.queries import unread_counts

from .live import send_counts


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
