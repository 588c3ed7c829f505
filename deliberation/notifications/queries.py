"""Reading notifications and follows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import BindParameter, bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from ..models import Comment, User
from .models import Follow, Notification

PER_PAGE = 30


@dataclass
class Page:
    items: list[Notification]
    total: int
    unread: int
    page: int
    pages: int


def unread_count(session: Session, user_id: int) -> int:
    """How many of this person's notifications are unread."""
    return int(
        session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def unread_counts(session: Session, user_ids: Iterable[int]) -> dict[int, int]:
    """The unread counts of many people at once (0 for those with none)."""
    ids = sorted(set(user_ids))
    counts = dict.fromkeys(ids, 0)
    for start in range(0, len(ids), 5000):
        # The ids written into the SQL (they are ints): thousands of bound parameters cost the
        # driver more than the query (a fan-out pushes to every follower at once).
        chunk: BindParameter[int] = bindparam(
            "ids", ids[start : start + 5000], expanding=True, literal_execute=True
        )
        rows = session.execute(
            select(Notification.user_id, func.count(Notification.id))
            .where(Notification.user_id.in_(chunk), Notification.read_at.is_(None))
            .group_by(Notification.user_id)
        )
        counts.update({int(u): int(n) for u, n in rows})
    return counts


def notifications_page(
    session: Session, user: User, *, page: int = 1, per_page: int = PER_PAGE, unread_only=False
) -> Page:
    """A person's notifications, newest first, one page of them."""
    where = [Notification.user_id == user.id]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = int(session.scalar(select(func.count(Notification.id)).where(*where)) or 0)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = list(
        session.scalars(
            select(Notification)
            .where(*where)
            .options(
                joinedload(Notification.comment).joinedload(Comment.thread),
                joinedload(Notification.consultation),
                joinedload(Notification.actor),
            )
            .order_by(Notification.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return Page(items, total, unread_count(session, user.id), page, pages)


def get_notification(session: Session, notification_id: int, user: User) -> Notification | None:
    """One of this person's notifications (None for anyone else's)."""
    item = session.get(Notification, notification_id)
    return item if item is not None and item.user_id == user.id else None


def is_following(session: Session, user: User | None, target_type: str, target_id: int) -> bool:
    """Whether this person follows the target now."""
    if user is None:
        return False
    return bool(
        session.scalar(
            select(Follow.active).where(
                Follow.user_id == user.id,
                Follow.target_type == target_type,
                Follow.target_id == target_id,
            )
        )
    )


def followed(session: Session, user: User, target_type: str, ids: Iterable[int]) -> set[int]:
    """Which of these targets this person follows (for a page full of comments)."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    return set(
        session.scalars(
            select(Follow.target_id).where(
                Follow.user_id == user.id,
                Follow.target_type == target_type,
                Follow.target_id.in_(wanted),
                Follow.active.is_(True),
            )
        )
    )
