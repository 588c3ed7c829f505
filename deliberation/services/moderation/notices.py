"""A user's moderation notices: writing one (held, hidden, restored, redacted, sanctioned,
appeal decided) and reading them with what the user has already appealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ...models import Appeal, Notification, Sanction, User, utcnow
from ..screening import active_sanctions


def notify(
    session: Session,
    user_id: int,
    kind: str,
    *,
    comment_id: int | None = None,
    sanction_id: int | None = None,
    appeal_id: int | None = None,
    reason: str = "",
    note: str = "",
    now: datetime | None = None,
) -> Notification:
    item = Notification(
        user_id=user_id,
        kind=kind,
        comment_id=comment_id,
        sanction_id=sanction_id,
        appeal_id=appeal_id,
        reason=reason,
        note=note,
        created_at=now or utcnow(),
    )
    session.add(item)
    return item


@dataclass
class Notices:
    items: list[Notification]
    appealed_comments: set[int]
    appealed_sanctions: set[int]
    active: list[Sanction]


def notices(session: Session, user: User, *, limit: int = 50) -> Notices:
    """A user's moderation notices, newest first, and what they have already appealed."""
    items = list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
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
