"""Sessions of the panel: schedule, members and their speaker labels, invitations and reminders
(who to mail; the web side sends), attendance, and the notes turned into statements.

A statement is a comment of the session's thread (`origin_platform` "focus_group"), written by
a pseudonymous participant per session and label (參與者 A（座談會）, an account that cannot log
in), so it joins the same theme analysis as the online comments; participation counts it with
the imported posts, apart from the people who took part here (deliberation/participation.py),
and nobody votes on it (services.comments.cast_vote refuses). Flush only, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import moderation as policy
from ..errors import Conflict, NotFound, ValidationError
from ..models import Comment, Role, Thread, User, utcnow
from ..sanitize import clean_line
from ..services import comments
from ..services.comment_rows import tokens_of
from ..services.screening import settings_for
from . import notes, queries
from .models import FocusAttendance, FocusGroup, FocusSession, FocusVolunteer

PLATFORM = "focus_group"  # Comment.origin_platform and User.origin of statements
PSEUDONYM_DOMAIN = "imported.invalid"  # the imported participants' domain (services.imports)
UNUSABLE_PASSWORD = "!focus-group"
REMIND_BEFORE = timedelta(hours=48)


@dataclass(frozen=True)
class Recipient:
    address: str
    label: str
    name: str | None  # the account's display name, when the member has an account


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str | None:
    cleaned = clean_line(value or "").strip()
    if not cleaned:
        if required:
            raise ValidationError("focus_session_field", field=field)
        return None
    if len(cleaned) > limit:
        raise ValidationError("focus_session_too_long", field=field, max=limit)
    return cleaned


def _url(value: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 500:
        raise ValidationError("focus_session_bad_url")
    return value


def schedule(
    session: Session,
    group: FocusGroup,
    *,
    starts_at: datetime,
    place: str,
    online_url: str,
    facilitator: str,
    agenda: str,
    thread_id: int,
) -> FocusSession:
    """A session of the drawn panel; every panel member gets a speaker label (A, B, …)."""
    if queries.latest_draw(session, group) is None:
        raise Conflict("focus_not_drawn")
    where = _text(place, "place", 200, required=False)
    link = _url(online_url)
    if where is None and link is None:
        raise ValidationError("focus_session_no_venue")
    thread = session.get(Thread, thread_id)
    if thread is None or thread.consultation_id != group.consultation_id:
        raise ValidationError("focus_session_thread")
    row = FocusSession(
        focus_group_id=group.id,
        starts_at=starts_at,
        place=where,
        online_url=link,
        facilitator=_text(facilitator, "facilitator", 120),
        agenda=(agenda or "").strip()[:5000],
        thread_id=thread.id,
    )
    session.add(row)
    session.flush()
    sync_members(session, group, row)
    return row


def sync_members(session: Session, group: FocusGroup, fs: FocusSession) -> None:
    """Give every panel member (a replacement too) a label; labels, once given, never move."""
    have = {a.volunteer_id for a in fs.attendance}
    used = {a.label for a in fs.attendance}
    members = [v for v in queries.volunteers(session, group) if v.status == "selected"]
    index = 0
    for member in sorted(members, key=lambda v: v.id):
        if member.id in have:
            continue
        while notes.label_for(index) in used:
            index += 1
        label = notes.label_for(index)
        used.add(label)
        fs.attendance.append(FocusAttendance(volunteer_id=member.id, label=label))
    session.flush()


def sessions_of(session: Session, group: FocusGroup) -> list[FocusSession]:
    return list(
        session.scalars(
            select(FocusSession)
            .where(FocusSession.focus_group_id == group.id)
            .order_by(FocusSession.starts_at, FocusSession.id)
        )
    )


def require_session(session: Session, group: FocusGroup, session_id: int) -> FocusSession:
    row = session.get(FocusSession, session_id)
    if row is None or row.focus_group_id != group.id:
        raise NotFound("focus_session_not_found")
    return row


def address_of(volunteer: FocusVolunteer) -> str | None:
    """Where a member's mail goes: their account, or the address their invitation went to."""
    if volunteer.user is not None and volunteer.user.is_active:
        return volunteer.user.email
    if volunteer.invitation is not None:
        return volunteer.invitation.email
    return None  # imported from a list: staff contact them as they recruited them


def recipients(
    session: Session, group: FocusGroup, fs: FocusSession
) -> tuple[list[Recipient], int]:
    """(who gets the session's mail, how many members have no address here): a read; the
    labels of replacements are given when they take their seat (operations.withdraw)."""
    out: list[Recipient] = []
    missing = 0
    for a in fs.attendance:
        if a.volunteer.status != "selected":
            continue
        address = address_of(a.volunteer)
        if address is None:
            missing += 1
            continue
        name = a.volunteer.user.display_name if a.volunteer.user is not None else None
        out.append(Recipient(address, a.label, name))
    return out, missing


def mark_mailed(fs: FocusSession, kind: str, now: datetime | None = None) -> None:
    """Record that the invitation ("invite") or the reminder ("remind") went out."""
    if kind == "invite":
        fs.invited_at = now or utcnow()
    else:
        fs.reminded_at = now or utcnow()


def due_reminders(session: Session, now: datetime | None = None) -> list[FocusSession]:
    """Sessions starting within REMIND_BEFORE whose panel was invited and not yet reminded."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(FocusSession).where(
                FocusSession.invited_at.is_not(None),
                FocusSession.reminded_at.is_(None),
                FocusSession.starts_at > now,
                FocusSession.starts_at <= now + REMIND_BEFORE,
            )
        )
    )


def record_attendance(fs: FocusSession, present: set[int]) -> int:
    """Who came (attendance row ids); everyone else listed is recorded absent. Returns how many came."""
    for a in fs.attendance:
        a.attended = a.id in present
    return sum(1 for a in fs.attendance if a.attended)


def _speaker(session: Session, fs: FocusSession, label: str) -> User:
    """The pseudonymous author of one session's label, created on first use."""
    email = f"focus-{fs.id}-{label.lower()}@{PSEUDONYM_DOMAIN}"
    user = session.scalar(select(User).where(User.email == email))
    if user is not None:
        return user
    user = User(
        email=email,
        display_name=f"參與者 {label}（座談會）",
        password_hash=UNUSABLE_PASSWORD,
        role=Role.CITIZEN.value,
        is_active=False,
        origin=PLATFORM,
    )
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None
    return user


def statements_of(session: Session, fs: FocusSession) -> list[Comment]:
    return list(
        session.scalars(
            select(Comment)
            .where(
                Comment.thread_id == fs.thread_id,
                Comment.origin_platform == PLATFORM,
                Comment.origin_url.startswith(f"focus-group:{fs.id}#", autoescape=True),
            )
            .order_by(Comment.id)
        )
    )


def add_notes(
    session: Session, fs: FocusSession, text: str, *, actor: User, now: datetime | None = None
) -> list[Comment]:
    """Parse the notes (every line checked first) and add each statement to the thread.

    Automatic moderation applies as to any post (a name or a phone number in a transcript is
    held for review); slow mode does not: these are words said at the session."""
    now = now or utcnow()
    labels = {a.label: a for a in fs.attendance}
    parsed = notes.parse(text, labels)
    thread = session.get(Thread, fs.thread_id)
    assert thread is not None
    count = (
        session.scalar(
            select(func.count(Comment.id)).where(
                Comment.thread_id == fs.thread_id,
                Comment.origin_platform == PLATFORM,
                Comment.origin_url.startswith(f"focus-group:{fs.id}#", autoescape=True),
            )
        )
        or 0
    )
    settings = settings_for(session, thread.consultation_id)
    written: list[Comment] = []
    for n, statement in enumerate(parsed, start=count + 1):
        author = _speaker(session, fs, statement.label)
        tokens = tokens_of(statement.text)
        hold = policy.hold_for(
            statement.text,
            settings,
            author_joined=author.created_at,
            now=now,
            tokens=tokens.split() if tokens else None,
            author_is_moderator=False,
        )
        written.append(
            comments.insert_comment(
                session,
                thread,
                author=author,
                text=statement.text,
                tokens=tokens,
                hold=hold,
                parent=None,
                now=now,
                origin_platform=PLATFORM,
                origin_url=f"focus-group:{fs.id}#{n}",
                origin_posted_at=fs.starts_at,
                imported_by_id=actor.id,
            )
        )
        if labels[statement.label].attended is None:
            labels[statement.label].attended = True  # whoever spoke was there
    session.flush()
    return written
