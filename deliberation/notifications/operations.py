"""Writing notifications and follows. Flush, never commit.

An event that concerns many people (a comment, a consultation's news) is not fanned out in the
request that caused it: the operation declares a follow-up on the after-commit outbox
(`comment_visible`, `consultation_news`), and the fan-out (`fan_out_comments`,
`fan_out_consultation`) runs as a background job in its own transaction, so a reply in a thread
with thousands of followers costs the replier nothing. Every new notification declares
``notifications.push`` for its recipients: their unread count is sent to their open pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from ..errors import NotAuthenticated, NotFound
from ..models import (
    Agency,
    Comment,
    CommentStatus,
    Consultation,
    ConsultationStatus,
    Thread,
    User,
    utcnow,
)
from ..outbox import after_commit
from ..rules import can_view_consultation
from .models import EmailPreference, Follow, FollowTarget, Notification
from .rules import (
    CLOSING_SOON_DAYS,
    COMMENT_KINDS,
    MAIL_DEFAULTS,
    Kind,
    check_follow,
    check_frequency,
    mail_group,
    mention_candidates,
)
from .rules import resolve_mentions as _resolve

MAIL_NOW = "notifications.mail_now"  # [notification ids]: e-mail them one by one, now
PUSH = "notifications.push"  # [user ids]: send their unread counts (merged per transaction)
COMMENTS = "notifications.comments"  # [comment ids]: fan out replies, mentions, thread news
CONSULTATION = "notifications.consultation"  # (consultation id, kind): fan out to followers


def notify(
    session: Session,
    user_id: int,
    kind: str,
    *,
    comment_id: int | None = None,
    sanction_id: int | None = None,
    appeal_id: int | None = None,
    consultation_id: int | None = None,
    actor_id: int | None = None,
    reason: str = "",
    note: str = "",
    now: datetime | None = None,
) -> Notification:
    """Write one notification for one person (moderation notices, an agency's answer)."""
    item = Notification(
        user_id=user_id,
        kind=kind,
        mail=frequencies(session, [user_id], kind)[user_id],
        comment_id=comment_id,
        sanction_id=sanction_id,
        appeal_id=appeal_id,
        consultation_id=consultation_id,
        actor_id=actor_id,
        reason=reason,
        note=note,
        created_at=now or utcnow(),
    )
    session.add(item)
    after_commit(session, PUSH, [user_id])
    if item.mail == "immediate":
        session.flush()
        after_commit(session, MAIL_NOW, [item.id])
    return item


def frequencies(session: Session, user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """How each person wants this kind by e-mail, now (their preference or the default)."""
    group = mail_group(kind)
    ids = sorted(set(user_ids))
    chosen = dict.fromkeys(ids, MAIL_DEFAULTS[group])
    for start in range(0, len(ids), 1000):
        rows = session.execute(
            select(EmailPreference.user_id, EmailPreference.frequency).where(
                EmailPreference.user_id.in_(ids[start : start + 1000]),
                EmailPreference.kind == group,
            )
        )
        chosen.update({int(u): str(f) for u, f in rows})
    return chosen


def preferences(session: Session, user: User) -> dict[str, str]:
    """A person's e-mail choice for every group (defaults filled in)."""
    chosen = dict(MAIL_DEFAULTS)
    for group, frequency in session.execute(
        select(EmailPreference.kind, EmailPreference.frequency).where(
            EmailPreference.user_id == user.id
        )
    ):
        chosen[group] = frequency
    return chosen


def set_preferences(
    session: Session, choices: Mapping[str, str], *, actor: User | None, now: datetime | None = None
) -> dict[str, str]:
    """Change how the actor gets e-mail per group. Affects only notifications made from now on."""
    if actor is None:
        raise NotAuthenticated()
    for group, frequency in choices.items():
        check_frequency(group, frequency)
    rows = {
        row.kind: row
        for row in session.scalars(
            select(EmailPreference).where(EmailPreference.user_id == actor.id)
        )
    }
    for group, frequency in choices.items():
        row = rows.get(group)
        if row is None:
            row = EmailPreference(user_id=actor.id, kind=group, frequency=frequency)
            session.add(row)
        row.frequency = frequency
        row.updated_at = now or utcnow()
    session.flush()
    return preferences(session, actor)


def mark_read(
    session: Session, notification_id: int, *, actor: User | None, now: datetime | None = None
) -> Notification:
    """Mark one of the actor's notifications read (someone else's is not found)."""
    item = session.get(Notification, notification_id)
    if actor is None or item is None or item.user_id != actor.id:
        raise NotFound()
    if item.read_at is None:
        item.read_at = now or utcnow()
        session.flush()
        after_commit(session, PUSH, [actor.id])
    return item


def mark_all_read(session: Session, *, actor: User, now: datetime | None = None) -> int:
    """Mark every unread notification of the actor read; how many were."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        after_commit(session, PUSH, [actor.id])
    return count


# ---- follows --------------------------------------------------------------------------------


def _target_consultation(
    session: Session, target_type: str, target_id: int
) -> tuple[Consultation | None, int | None]:
    """The target's consultation (for the viewing rule) and, for a comment, its author."""
    if target_type == FollowTarget.CONSULTATION:
        item = session.get(Consultation, target_id)
        if item is None:
            raise NotFound()
        return item, None
    if target_type == FollowTarget.THREAD:
        thread = session.get(Thread, target_id)
        if thread is None:
            raise NotFound()
        return thread.consultation, None
    if target_type == FollowTarget.COMMENT:
        comment = session.get(Comment, target_id)
        if comment is None:
            raise NotFound()
        return comment.thread.consultation, comment.author_id
    if target_type == FollowTarget.AGENCY and session.get(Agency, target_id) is None:
        raise NotFound()
    return None, None


def set_follow(
    session: Session, target_type: str, target_id: int, *, actor: User | None, active: bool = True
) -> Follow:
    """Follow (or stop following) a consultation, a thread, one's own comment or an agency."""
    if target_type in {t.value for t in FollowTarget}:
        consultation, author_id = _target_consultation(session, target_type, target_id)
    else:
        consultation, author_id = None, None
    check_follow(actor, target_type, consultation=consultation, comment_author_id=author_id)
    assert actor is not None
    row = session.scalar(
        select(Follow).where(
            Follow.user_id == actor.id,
            Follow.target_type == target_type,
            Follow.target_id == target_id,
        )
    )
    if row is None:
        row = Follow(user_id=actor.id, target_type=target_type, target_id=target_id)
        session.add(row)
    row.active = active
    session.flush()
    return row


def follow_own_comment(session: Session, comment: Comment, *, now: datetime | None = None) -> None:
    """Posting follows one's own comment (replies to it notify); switchable afterwards."""
    session.add(
        Follow(
            user_id=comment.author_id,
            target_type=FollowTarget.COMMENT.value,
            target_id=comment.id,
            created_at=now or utcnow(),
        )
    )


# ---- declaring events (in the request) ------------------------------------------------------


def comment_visible(session: Session, comment_id: int) -> None:
    """A comment is now public (posted without a hold, approved or restored): after the commit,
    notify the people it replies to, mentions, or whose followed thread it is in."""
    after_commit(session, COMMENTS, [comment_id])


def consultation_news(session: Session, consultation_id: int, kind: Kind) -> None:
    """A consultation opened, closed or published its outcome: after the commit, tell its
    followers (and, when it opens, the followers of its agency)."""
    after_commit(session, CONSULTATION, consultation_id, kind.value)


# ---- fan-out (in a background job) ----------------------------------------------------------


def _reachable(session: Session, user_ids: Iterable[int]) -> set[int]:
    """Of these people, those who can receive anything: active accounts of real people."""
    ids = sorted(set(user_ids))
    found: set[int] = set()
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        found.update(
            session.scalars(
                select(User.id).where(
                    User.id.in_(chunk), User.is_active.is_(True), User.origin.is_(None)
                )
            )
        )
    return found


def _followers(session: Session, target_type: FollowTarget, target_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Follow.user_id)
            .join(User, User.id == Follow.user_id)
            .where(
                Follow.target_type == target_type.value,
                Follow.target_id == target_id,
                Follow.active.is_(True),
                User.is_active.is_(True),
                User.origin.is_(None),
            )
        )
    )


def _insert(session: Session, rows: Sequence[Mapping[str, object]]) -> list[int]:
    """Write many notifications of one kind at once, each with its recipient's e-mail choice."""
    if not rows:
        return []
    users = [int(r["user_id"]) for r in rows]  # type: ignore[call-overload]
    chosen = frequencies(session, users, str(rows[0]["kind"]))
    written = session.execute(
        insert(Notification).returning(Notification.id, Notification.mail),
        [{**r, "mail": chosen[int(r["user_id"])]} for r in rows],  # type: ignore[call-overload]
    ).all()
    after_commit(session, PUSH, sorted(set(users)))
    now = [int(i) for i, mail in written if mail == "immediate"]
    if now:
        after_commit(session, MAIL_NOW, now)
    return users


def _insert_for_followers(
    session: Session,
    targets: Sequence[tuple[FollowTarget, int]],
    kind: str,
    values: Mapping[str, Any],
    *,
    exclude: Iterable[int] = (),
    told: Sequence[ColumnElement[bool]] = (),
) -> list[int]:
    """Write one notification of `kind` for every reachable follower of these targets in one
    INSERT … SELECT, each with its recipient's e-mail choice: five thousand followers are one
    statement, not five thousand rows sent from here (bench/RESULTS.md, "Reply fan-out").
    Skips `exclude` and anyone who already has a notification matching `told`. The recipients."""
    group = mail_group(kind)
    followers = (
        select(Follow.user_id)
        .where(
            or_(*[and_(Follow.target_type == t.value, Follow.target_id == i) for t, i in targets]),
            Follow.active.is_(True),
        )
        .distinct()
        .subquery()
    )
    user_id = followers.c.user_id
    columns = Notification.__table__.c
    source = (
        select(
            user_id,
            literal(kind, columns.kind.type),
            *[literal(value, columns[name].type) for name, value in values.items()],
            func.coalesce(EmailPreference.frequency, MAIL_DEFAULTS[group]),
        )
        .join(User, User.id == user_id)
        .outerjoin(
            EmailPreference,
            and_(EmailPreference.user_id == user_id, EmailPreference.kind == group),
        )
        .where(User.is_active.is_(True), User.origin.is_(None))
    )
    skip = sorted(set(exclude))
    if skip:
        source = source.where(user_id.not_in(skip))
    if told:
        source = source.where(~exists().where(Notification.user_id == user_id, *told))
    written = session.execute(
        insert(Notification)
        .from_select(["user_id", "kind", *values, "mail"], source)
        .returning(Notification.id, Notification.user_id, Notification.mail)
    ).all()
    users = sorted({int(u) for _, u, _ in written})
    if users:
        after_commit(session, PUSH, users)
    now = sorted(int(i) for i, _, mail in written if mail == "immediate")
    if now:
        after_commit(session, MAIL_NOW, now)
    return users


def mentioned_users(session: Session, text: str) -> list[User]:
    """The people an @name in `text` stands for (every account with that display name)."""
    candidates = sorted(set(mention_candidates(text)))
    if not candidates:
        return []
    users = list(session.scalars(select(User).where(User.display_name.in_(candidates))))
    names = set(_resolve(text, (u.display_name for u in users)))
    return [u for u in users if u.display_name in names]


def fan_out_comment(session: Session, comment_id: int, *, now: datetime | None = None) -> list[int]:
    """Notify about one visible comment; the recipients. Nothing for hidden or pending text,
    nothing twice for the same comment (approving after a hold, a re-run job)."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status != CommentStatus.VISIBLE.value:
        return []
    consultation = comment.thread.consultation
    reasons: dict[int, Kind] = {}
    if comment.parent_id is not None:
        for user_id in _followers(session, FollowTarget.COMMENT, comment.parent_id):
            reasons.setdefault(user_id, Kind.REPLY)
    for user in mentioned_users(session, comment.body):
        if can_view_consultation(user, consultation):
            reasons.setdefault(user.id, Kind.MENTION)
    reasons.pop(comment.author_id, None)
    reachable = _reachable(session, reasons)
    already = set(
        session.scalars(
            select(Notification.user_id).where(
                Notification.comment_id == comment.id,
                Notification.kind.in_([k.value for k in COMMENT_KINDS]),
            )
        )
    )
    stamp = now or utcnow()
    values: dict[str, Any] = {
        "comment_id": comment.id,
        "consultation_id": consultation.id,
        "actor_id": comment.author_id,
        "reason": "",
        "note": "",
        "created_at": stamp,
    }
    rows = [
        {"user_id": user_id, "kind": kind.value, **values}
        for user_id, kind in sorted(reasons.items())
        if user_id in reachable and user_id not in already
    ]
    told = _insert(session, rows)
    # The thread's followers (thousands, perhaps), minus those told for a reason of their own.
    told += _insert_for_followers(
        session,
        [(FollowTarget.THREAD, comment.thread_id)],
        Kind.THREAD_COMMENT.value,
        values,
        exclude={comment.author_id, *reasons},
        told=[
            Notification.comment_id == comment.id,
            Notification.kind.in_([k.value for k in COMMENT_KINDS]),
        ],
    )
    return told


def fan_out_consultation(
    session: Session, consultation_id: int, kind: str, *, now: datetime | None = None
) -> list[int]:
    """Tell the followers of a consultation (and of its agency, when it opens) its news."""
    consultation = session.get(Consultation, consultation_id)
    if consultation is None or consultation.status == ConsultationStatus.DRAFT.value:
        return []
    targets = [(FollowTarget.CONSULTATION, consultation.id)]
    if kind == Kind.CONSULTATION_OPENED:
        targets.append((FollowTarget.AGENCY, consultation.agency_id))
    values = {
        "consultation_id": consultation.id,
        "reason": "",
        "note": "",
        "created_at": now or utcnow(),
    }
    return _insert_for_followers(session, targets, kind, values)


def remind_closing(session: Session, *, now: datetime | None = None) -> int:
    """Tell followers of each open consultation closing within CLOSING_SOON_DAYS, once per
    consultation and person (running it again sends nothing twice). How many were told."""
    now = now or utcnow()
    soon = list(
        session.scalars(
            select(Consultation).where(
                Consultation.status == ConsultationStatus.OPEN.value,
                Consultation.closes_at.is_not(None),
                Consultation.closes_at > now,
                Consultation.closes_at <= now + timedelta(days=CLOSING_SOON_DAYS),
            )
        )
    )
    told = 0
    for consultation in soon:
        told += len(
            _insert_for_followers(
                session,
                [(FollowTarget.CONSULTATION, consultation.id)],
                Kind.CONSULTATION_CLOSING.value,
                {"consultation_id": consultation.id, "reason": "", "note": "", "created_at": now},
                told=[
                    Notification.consultation_id == consultation.id,
                    Notification.kind == Kind.CONSULTATION_CLOSING.value,
                ],
            )
        )
    return told
