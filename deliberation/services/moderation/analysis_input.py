"""What analysis may read: the only door through which analysis gets comment text and votes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.rules import WITHDRAWN_TEXT
from ...models import Comment, Thread, Vote
from ...sanitize import plain_text
from .common import VISIBLE


@dataclass(frozen=True)
class AnalysisComment:
    id: int
    thread_id: int
    author_id: int
    text: str  # plain text of the (possibly redacted) sanitized HTML
    tokens: tuple[str, ...]


def visible_comments_for_analysis(session: Session, consultation_id: int) -> list[AnalysisComment]:
    """The only comment text analysis gets: visible comments, after any redaction.

    Pending and hidden comments are left out entirely; text comes from the stored sanitized HTML
    (which redaction rewrote), never from anything kept for the audit trail.
    """
    rows = session.execute(
        select(Comment.id, Comment.thread_id, Comment.author_id, Comment.html, Comment.tokens)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Thread.consultation_id == consultation_id, Comment.status == VISIBLE)
        .where(Comment.body != WITHDRAWN_TEXT)  # withdrawn by its deleted author (issue 13)
        .order_by(Comment.id)
    ).all()
    return [
        AnalysisComment(
            id=r.id,
            thread_id=r.thread_id,
            author_id=r.author_id,
            text=plain_text(r.html),
            tokens=tuple((r.tokens or "").split()),
        )
        for r in rows
    ]


def visible_votes_for_analysis(
    session: Session, consultation_id: int
) -> list[tuple[int, int, int]]:
    """(user_id, comment_id, value) for votes on visible comments only."""
    return [
        (r.user_id, r.comment_id, r.value)
        for r in session.execute(
            select(Vote.user_id, Vote.comment_id, Vote.value)
            .join(Comment, Comment.id == Vote.comment_id)
            .join(Thread, Thread.id == Comment.thread_id)
            .where(Thread.consultation_id == consultation_id, Comment.status == VISIBLE)
            .order_by(Vote.id)
        )
    ]
