"""JSON-safe thread event payloads, as every public reader may see them.

A payload is built from the comment's *current* state, not the state when the event was written:
a comment hidden after it was posted resyncs as hidden, and hidden or pending text is never in a
payload. Any event type works (comment_created, comment_edited, votes_changed, and whatever the
moderation services record), so new event types need no change here.

    {"thread_id": 1, "seq": 7, "type": "comment_created", "comment_id": 12,
     "comment": {... the API's comment shape for an anonymous reader ...},
     "votes": {"agree": 0, "disagree": 0, "pass": 0}}

`comment` is left out when the public may not know the comment at all (a pending one); the
reader still advances its seq, and removes the comment if it showed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from . import rules
from .models import Comment, CommentStatus, ThreadEvent
from .services import links as _links
from .trust.rules import official_of

# Event types that change a comment's vote counts (clients update counts only).
VOTE_EVENTS = frozenset({"votes_changed"})
# A comment's link cards were filled in by the background fetch (deliberation/services/links.py).
LINKS_READY = "links_ready"
# Statuses the public list shows at all (hidden ones as a placeholder without text).
PUBLIC_STATUSES = frozenset({CommentStatus.VISIBLE.value, CommentStatus.HIDDEN.value})


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def public_comment(comment: Comment, viewer: rules.Actor | None = None) -> dict[str, Any]:
    """A comment as this viewer (anonymous by default) gets it: the API and events share it.

    Text only when the viewer may read it — never for hidden ones."""
    readable = rules.can_see_comment_text(viewer, comment)
    return {
        "id": comment.id,
        "thread_id": comment.thread_id,
        "seq": comment.seq,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "author": author_of(comment),
        "html": comment.html if readable else "",
        "status": comment.status,
        "created_at": _iso(comment.created_at),
        "edited_at": _iso(comment.edited_at),
        "version": comment.version,
        "reply_count": comment.reply_count,
        "votes": votes_of(comment),
        "pinned": bool(comment.pinned),
        "origin": origin_of(comment),
        # Link cards ({url, title, site_name, description, image, provider, embed, status});
        # a links_ready event carries them once the background fetch has filled them in.
        "links": _links.cards_of(comment) if readable else [],
    }


def author_of(comment: Comment) -> dict[str, Any]:
    """Who wrote it; `official` ({role, agency: {code, name} | None}) is the 「官方」 badge of
    agency staff, moderators, reviewers and admins, None for everyone else."""
    official = official_of(comment.author)
    return {
        "id": comment.author.id,
        "name": comment.author.display_name,
        "official": official.as_json() if official is not None else None,
    }


def origin_of(comment: Comment) -> dict[str, Any] | None:
    """Where an imported comment came from (issue 7), or None for one written here."""
    if comment.origin_platform is None:
        return None
    return {
        "platform": comment.origin_platform,
        "url": comment.origin_url,
        "posted_at": _iso(comment.origin_posted_at),
    }


def votes_of(comment: Comment) -> dict[str, int]:
    return {
        "agree": comment.agree_count,
        "disagree": comment.disagree_count,
        "pass": comment.pass_count,
    }


def event_payload(
    *, thread_id: int, seq: int, type_: str, comment_id: int | None, comment: Comment | None
) -> dict[str, Any]:
    """One event for the public: the comment's current state, never unreadable text."""
    data: dict[str, Any] = {
        "thread_id": thread_id,
        "seq": seq,
        "type": type_,
        "comment_id": comment_id,
    }
    if comment is not None and comment.status in PUBLIC_STATUSES:
        data["comment"] = public_comment(comment)
        if type_ in VOTE_EVENTS:
            data["votes"] = votes_of(comment)
        if type_ == LINKS_READY:
            data["links"] = data["comment"]["links"]
    return data


def payloads(session: Session, events: Sequence[ThreadEvent]) -> list[dict[str, Any]]:
    """Payloads for these events in the order given, loading their comments in one query."""
    ids = {e.comment_id for e in events if e.comment_id is not None}
    found = _comments(session, ids)
    return [
        event_payload(
            thread_id=e.thread_id,
            seq=e.seq,
            type_=e.type,
            comment_id=e.comment_id,
            comment=found.get(e.comment_id) if e.comment_id is not None else None,
        )
        for e in events
    ]


def _comments(session: Session, ids: Iterable[int]) -> dict[int, Comment]:
    ids = list(ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(Comment)
        .where(Comment.id.in_(ids))
        .options(joinedload(Comment.author))
        .execution_options(populate_existing=True)
    )
    found = {c.id: c for c in rows}
    _links.preload(session, list(found.values()))  # fresh cards, one query
    return found


def events_after(
    session: Session, thread_id: int, *, after_seq: int = 0, limit: int = 100
) -> tuple[list[dict[str, Any]], int, bool]:
    """Events with seq > after_seq in seq order: (payloads, seq to continue from, more to come).

    The caller checks that the reader may see the thread at all (drafts are not public).
    """
    rows = list(
        session.scalars(
            select(ThreadEvent)
            .where(ThreadEvent.thread_id == thread_id, ThreadEvent.seq > after_seq)
            .order_by(ThreadEvent.seq.asc())
            .limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1].seq if rows else after_seq
    return payloads(session, rows), last, more
