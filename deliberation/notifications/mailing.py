"""Which notifications go out by e-mail, and when: claimed (marked sent) in the transaction that
decides it, so a second run finds nothing to send. Composing the words and sending are the web
side's job (app/notifications/mail.py), after the commit.

- immediately: `claim_immediate` (a job right after the notification's commit);
- daily / weekly: `claim_digests`, run by `flask notifications send-digests`. One mail per person
  per period ("daily:2026-12-05", "weekly:2026-W49", Taiwan dates), recorded as a DigestRun:
  the first run of a period sends what is waiting, a later run in the same period nothing.
Nothing goes to a deactivated, deleted or imported account, or to an unverified address (once
accounts record verification); their notifications are marked as handled and never sent later.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, bindparam, insert, select, update
from sqlalchemy.orm import Session, joinedload

from ..models import Comment, Consultation, User, utcnow
from .models import DigestRun, Notification
from .rules import DIGESTS

TAIPEI = timedelta(hours=8)
BATCH = 500  # people per digest transaction: memory stays flat however many there are


@dataclass(frozen=True)
class Named:
    display_name: str


@dataclass(frozen=True)
class Titled:
    title: str


@dataclass(frozen=True)
class Text:
    status: str
    body: str


@dataclass(frozen=True)
class Entry:
    """One notification of a digest with what its words need, read as a plain row (loading a
    million notifications as ORM objects was most of a digest run's time). Shaped like a
    Notification for app/notifications/messages.py."""

    id: int
    kind: str
    note: str
    comment_id: int | None
    consultation_id: int | None
    actor: Named | None
    consultation: Titled | None
    comment: Text | None


@dataclass
class Digest:
    user: User
    period: str
    items: list[Entry]  # by consultation, then oldest first


def period_key(frequency: str, now: datetime) -> str:
    """The digest period `now` falls in (Taiwan dates)."""
    local = (now + TAIPEI).date()
    if frequency == "weekly":
        year, week, _ = local.isocalendar()
        return f"weekly:{year}-W{week:02d}"
    return f"daily:{local.isoformat()}"


def mailable() -> list[ColumnElement[bool]]:
    """Who may receive mail: an active, undeleted account of a real person whose address is
    verified (deliberation/accounts)."""
    return [
        User.is_active.is_(True),
        User.origin.is_(None),
        User.email_verified_at.is_not(None),
        User.deleted_at.is_(None),
    ]


def _allowed(session: Session, user_ids: Sequence[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(session.scalars(select(User.id).where(User.id.in_(user_ids), *mailable())))


def claim_immediate(
    session: Session, notification_ids: Sequence[int], *, now: datetime | None = None
) -> list[Notification]:
    """The notifications of these ids still to e-mail one by one, marked sent. Flushes."""
    now = now or utcnow()
    items = list(
        session.scalars(
            select(Notification)
            .where(
                Notification.id.in_(list(notification_ids)),
                Notification.mail == "immediate",
                Notification.emailed_at.is_(None),
            )
            .options(joinedload(Notification.consultation), joinedload(Notification.actor))
            .order_by(Notification.id)
        )
    )
    allowed = _allowed(session, sorted({i.user_id for i in items}))
    for item in items:
        item.emailed_at = now  # sent, or never to be sent (no verified address)
    session.flush()
    return [item for item in items if item.user_id in allowed]


def _waiting_users(session: Session, frequency: str) -> list[int]:
    return list(
        session.scalars(
            select(Notification.user_id)
            .where(Notification.mail == frequency, Notification.emailed_at.is_(None))
            .distinct()
            .order_by(Notification.user_id)
        )
    )


def _ids(values: Sequence[int]) -> BindParameter[Any]:
    """A list of ids written into the SQL (they are ints): hundreds of bound parameters per
    statement cost the driver more than the query does."""
    return bindparam("ids", list(values), expanding=True, literal_execute=True)


def claim_digests(session: Session, *, now: datetime | None = None) -> Iterator[list[Digest]]:
    """The digests due now, BATCH people at a time, each batch claimed (DigestRun rows written,
    notifications marked) and flushed before it is yielded: commit, then send it.

    Streams: the people waiting are read as ids, and each batch's notifications are read as
    plain rows (with their consultation's title, actor's name and comment's text, joined),
    marked in one UPDATE, and let go once the batch is yielded."""
    now = now or utcnow()
    for frequency in DIGESTS:
        period = period_key(frequency, now)
        users = _waiting_users(session, frequency)
        for start in range(0, len(users), BATCH):
            chunk = users[start : start + BATCH]
            done = set(
                session.scalars(
                    select(DigestRun.user_id).where(
                        DigestRun.user_id.in_(_ids(chunk)), DigestRun.period == period
                    )
                )
            )
            due = [u for u in chunk if u not in done]
            if not due:
                continue
            waiting = [
                Notification.user_id.in_(_ids(due)),
                Notification.mail == frequency,
                Notification.emailed_at.is_(None),
                Notification.created_at <= now,
            ]
            rows = session.execute(
                select(
                    Notification.id,
                    Notification.user_id,
                    Notification.kind,
                    Notification.note,
                    Notification.comment_id,
                    Notification.consultation_id,
                    User.display_name,
                    Consultation.title,
                    Comment.status,
                    Comment.body,
                )
                .select_from(Notification)
                .outerjoin(User, User.id == Notification.actor_id)
                .outerjoin(Consultation, Consultation.id == Notification.consultation_id)
                .outerjoin(Comment, Comment.id == Notification.comment_id)
                .where(*waiting)
                .order_by(Notification.user_id, Notification.consultation_id, Notification.id)
            ).all()
            by_user: dict[int, list[Entry]] = {}
            for row in rows:
                by_user.setdefault(row.user_id, []).append(
                    Entry(
                        id=row.id,
                        kind=row.kind,
                        note=row.note or "",
                        comment_id=row.comment_id,
                        consultation_id=row.consultation_id,
                        actor=Named(row.display_name) if row.display_name is not None else None,
                        consultation=Titled(row.title) if row.title is not None else None,
                        comment=Text(row.status, row.body) if row.status is not None else None,
                    )
                )
            session.execute(
                update(Notification)
                .where(Notification.id.in_(_ids([row.id for row in rows])))
                .values(emailed_at=now)
                .execution_options(synchronize_session=False)
            )
            people = {
                u.id: u
                for u in session.scalars(select(User).where(User.id.in_(_ids(due)), *mailable()))
            }
            session.execute(
                insert(DigestRun),
                [
                    {
                        "user_id": user_id,
                        "period": period,
                        "notifications": len(by_user.get(user_id, [])),
                        "created_at": now,
                    }
                    for user_id in due
                ],
            )
            yield [
                Digest(people[user_id], period, by_user[user_id])
                for user_id in due
                if user_id in by_user and user_id in people
            ]
