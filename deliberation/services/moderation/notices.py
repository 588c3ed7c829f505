"""A user's moderation notices (held, hidden, restored, redacted, sanctioned, appeal decided),
read with what the user has already appealed. They are notifications like any other: written
with `deliberation.notifications.operations.notify` (re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ...models import Appeal, Notification, Sanction, User

# `notify` lives with the notifications now; importable from here as before.
from ...notifications.operations import notify
from ...notifications.rules import Kind
from ..screening import active_sanctions

__all__ = ["Notices", "notices", "notify"]

# Replies, mentions and consultation news are on the 通知 page only; the agency's answers stay
# here too, as before.
_NOT_NOTICES = [k.value for k in Kind if k != Kind.THEME_RESPONSE]


@dataclass
class Notices:
    items: list[Notification]
    appealed_comments: set[int]
    appealed_sanctions: set[int]
    active: list[Sanction]


def notices(session: Session, user: User, *, limit: int = 50) -> Notices:
    """A user's moderation notices (and the agency's answers), newest first, and what they have already appealed."""
    items = list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.kind.not_in(_NOT_NOTICES))
            .options(joinedload(Notification.comment), joinedload(Notification.sanction))
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )
    appeals = list(
        session.execute(
            select(Appeal.comment_id, Appeal.sanction_id).where(Appeal.user_id == user.id)
        )
    )
    return Notices(
        items=items,
        appealed_comments={c for c, _ in appeals if c is not None},
        appealed_sanctions={s for _, s in appeals if s is not None},
        active=active_sanctions(session, user.id),
    )
