"""Pure permission and state-transition rules, shared by pages, the API and socket handlers.

Nothing here touches the database: each rule looks at objects it is given and answers.
Rules that refuse return the stable error code the caller raises or shows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from .models import CommentStatus, ConsultationStatus, Role

MAX_DEPTH = (
    32  # replies deeper than this are refused; the page shows "continue this thread" far earlier
)

# draft → open → closed → concluded; a closed consultation may be reopened (deadline extended).
TRANSITIONS: dict[str, frozenset[str]] = {
    ConsultationStatus.DRAFT: frozenset({ConsultationStatus.OPEN}),
    ConsultationStatus.OPEN: frozenset({ConsultationStatus.CLOSED}),
    ConsultationStatus.CLOSED: frozenset({ConsultationStatus.OPEN, ConsultationStatus.CONCLUDED}),
    ConsultationStatus.CONCLUDED: frozenset(),
}


class Actor(Protocol):
    id: int
    role: str
    agency_id: int | None
    is_active: bool

    @property
    def email_verified(self) -> bool: ...


class ConsultationLike(Protocol):
    @property
    def agency_id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def opens_at(self) -> datetime | None: ...
    @property
    def closes_at(self) -> datetime | None: ...


class CommentLike(Protocol):
    author_id: int
    status: str
    created_at: datetime


def is_moderator(user: Actor | None) -> bool:
    """Moderators and admins see and act on pending and hidden comments."""
    return user is not None and user.role in (Role.MODERATOR, Role.ADMIN)


def can_create_consultation(user: Actor | None) -> bool:
    return user is not None and user.role == Role.STAFF and user.agency_id is not None


def can_manage_consultation(user: Actor | None, consultation: ConsultationLike) -> bool:
    """Staff of the consultation's agency, or an admin."""
    if user is None:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.STAFF and user.agency_id == consultation.agency_id


def draft_agency_ids(user: Actor | None) -> frozenset[int] | None:
    """Whose draft consultations this person sees: None for every agency's (an admin), else
    the agencies whose drafts they may see (their own, as its staff; none for anyone else).

    The one rule of draft visibility: `can_view_consultation` asks it for one consultation,
    and every list of consultations (the list, search, the API) filters with it in SQL
    (`services.consultations.visible_consultation`)."""
    if user is not None and user.role == Role.ADMIN:
        return None
    if user is not None and user.role == Role.STAFF and user.agency_id is not None:
        return frozenset({user.agency_id})
    return frozenset()


def can_view_consultation(user: Actor | None, consultation: ConsultationLike) -> bool:
    """Drafts are seen only by the people who can manage them; everything else is public."""
    if consultation.status != ConsultationStatus.DRAFT:
        return True
    agencies = draft_agency_ids(user)
    return agencies is None or consultation.agency_id in agencies


def accepts_comments(consultation: ConsultationLike, now: datetime) -> bool:
    """Open status and inside the opening window."""
    if consultation.status != ConsultationStatus.OPEN:
        return False
    if consultation.opens_at is not None and now < consultation.opens_at:
        return False
    return not (consultation.closes_at is not None and now >= consultation.closes_at)


def participation_refusal(user: Actor | None) -> str | None:
    """Why this account may not take part at all (comment, reply, vote, flag), or None.

    Anyone may read; taking part needs a logged-in, active account whose e-mail address has
    been verified (a mailed link), so one person cannot flood a discussion with made-up
    addresses. Pages, the API and Socket.IO all reach this rule through the services."""
    if user is None:
        return "not_authenticated"
    if not user.is_active:
        return "account_inactive"
    if not user.email_verified:
        return "email_unverified"
    return None


def posting_refusal(
    user: Actor | None, consultation: ConsultationLike, thread_locked: bool, now: datetime
) -> str | None:
    """Why this user may not comment or vote here now, or None if they may."""
    refusal = participation_refusal(user)
    if refusal is not None:
        return refusal
    assert user is not None
    if not accepts_comments(consultation, now):
        return "consultation_not_open"
    if thread_locked:
        return "thread_locked"
    return None


def edit_refusal(
    user: Actor | None, comment: CommentLike, now: datetime, window: timedelta
) -> str | None:
    """Why this user may not edit this comment now, or None if they may."""
    if user is None:
        return "not_authenticated"
    if comment.author_id != user.id:
        return "not_author"
    if comment.status == CommentStatus.HIDDEN:
        return "comment_hidden"
    if now - comment.created_at > window:
        return "edit_window_passed"
    return None


def can_see_comment_text(user: Actor | None, comment: CommentLike) -> bool:
    """Visible text is public; pending text is shown to its author; moderators see all."""
    if comment.status == CommentStatus.VISIBLE:
        return True
    if is_moderator(user):
        return True
    return (
        user is not None
        and comment.status == CommentStatus.PENDING
        and comment.author_id == user.id
    )


def transition_allowed(current: str, new: str) -> bool:
    return new == current or new in TRANSITIONS.get(current, frozenset())


def exportable_text(status: str, text: str | None) -> str:
    """The one rule for every export (Polis CSV, the outcome's CSV/JSON/DOCX/Markdown/HTML, open
    data): a file carries only what the public may read. A hidden or pending comment keeps its
    row (id and status) with an empty body, whoever downloads it — a file outlives the
    permission that produced it."""
    return (text or "") if status == CommentStatus.VISIBLE else ""
