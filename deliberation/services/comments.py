"""Comments and votes: posting, replying, editing and voting (reads: `comment_queries`).

Every check runs before any write. A new or changed text is screened first (`screening`:
sanctions, slow mode, which automatic hold applies); the comment then takes the thread's next
seq and event (`threadlog`), its sanitized HTML and its write-time tokens (`comment_rows`), and
any hold is recorded by moderation (`moderation.holds`). Link cards are attached last (`links`).

The reads, `record_event`, `thread_state` and the tokenizer are re-exported here (``x as x``),
so callers keep writing `comments.thread_page`, `comments.record_event` and so on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload

from .. import rules
from ..errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationError
from ..models import (
    Comment,
    CommentRevision,
    CommentStatus,
    Thread,
    ThreadEvent,
    User,
    Vote,
    utcnow,
)
from ..moderation import Hold
from ..notifications import operations as notifications
from ..sanitize import render_markdown
from . import links, screening
from .comment_queries import SORTS as SORTS
from .comment_queries import ThreadPage as ThreadPage
from .comment_queries import comments_after as comments_after
from .comment_queries import get_comment as get_comment
from .comment_queries import get_thread as get_thread
from .comment_queries import revisions as revisions
from .comment_queries import thread_page as thread_page
from .comment_queries import user_activity as user_activity
from .comment_rows import add_to_ancestors, tokens_of
from .comment_rows import set_tokenizer as set_tokenizer
from .comment_rows import tokenizer as tokenizer
from .moderation import record_hold, screen_edit
from .threadlog import ThreadState as ThreadState
from .threadlog import next_seqs, record_event
from .threadlog import thread_state as thread_state

MAX_COMMENT_CHARS = 5000
VOTE_VALUES = {1: "agree", -1: "disagree", 0: "pass"}


def _refuse(code: str | None, **params: object) -> None:
    if code is None:
        return
    if code == "not_authenticated":
        raise NotAuthenticated(code)
    raise Forbidden(code, **params)


def _check_body(body: str | None, max_chars: int) -> str:
    text = (body or "").strip()
    if not text:
        raise ValidationError("empty_comment", field="body")
    if len(text) > max_chars:
        raise ValidationError("comment_too_long", field="body", max=max_chars, length=len(text))
    return text


def post_comment(
    session: Session,
    thread: Thread,
    *,
    actor: User | None,
    body: str,
    parent_id: int | None = None,
    now: datetime | None = None,
    max_chars: int = MAX_COMMENT_CHARS,
) -> Comment:
    """Post a comment, or a reply when parent_id is given. Every check runs before any write."""
    now = now or utcnow()
    _refuse(rules.posting_refusal(actor, thread.consultation, thread.locked, now))
    assert actor is not None
    text = _check_body(body, max_chars)

    parent = None
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or parent.thread_id != thread.id:
            raise NotFound("parent_not_found")
        if parent.status == CommentStatus.HIDDEN:
            raise Conflict("parent_hidden")
        if parent.status != CommentStatus.VISIBLE and not rules.can_see_comment_text(actor, parent):
            raise NotFound("parent_not_found")
        if parent.depth + 1 > rules.MAX_DEPTH:
            raise Conflict("thread_too_deep")

    # Sanctions, slow mode and automatic holds (pre-moderation, personal data, keywords, links).
    tokens = tokens_of(text)
    hold = screening.screen_post(session, thread, actor, text, tokens, now)
    return insert_comment(
        session, thread, author=actor, text=text, tokens=tokens, hold=hold, parent=parent, now=now
    )


def insert_comment(
    session: Session,
    thread: Thread,
    *,
    author: User,
    text: str,
    tokens: str | None,
    hold: Hold | None,
    parent: Comment | None,
    now: datetime,
    **extra: object,
) -> Comment:
    """Write a screened comment: next seq, sanitized HTML, its event and any hold's log row.

    Shared by posting and by imports (which pass the origin columns in `extra`)."""
    comment_seq, event_seq = next_seqs(session, thread.id, comment=True)
    comment = Comment(
        thread_id=thread.id,
        author_id=author.id,
        parent_id=parent.id if parent else None,
        root_id=parent.root_id if parent else None,
        depth=parent.depth + 1 if parent else 0,
        seq=comment_seq,
        body=text,
        html=render_markdown(text),
        tokens=tokens,
        status=CommentStatus.PENDING.value if hold else CommentStatus.VISIBLE.value,
        held_by=hold.rule if hold else None,
        created_at=now,
        **extra,
    )
    session.add(comment)
    session.flush()
    if parent is None:
        comment.root_id = comment.id
    elif hold is None:  # public reply counts never include pending replies
        add_to_ancestors(session, parent, +1)
    session.add(
        ThreadEvent(
            thread_id=thread.id, seq=event_seq, type="comment_created", comment_id=comment.id
        )
    )
    if hold is not None:
        record_hold(session, comment, hold, before="", now=now)
    notifications.follow_own_comment(session, comment, now=now)  # replies notify its author
    session.flush()
    links.attach(session, comment, now=now)  # link cards, fetched after the commit
    if hold is None:
        notifications.comment_visible(session, comment.id)  # replies, mentions: after the commit
    return comment


def edit_comment(
    session: Session,
    comment: Comment,
    *,
    actor: User | None,
    body: str,
    expected_version: int | None = None,
    now: datetime | None = None,
    window: timedelta = timedelta(minutes=15),
    max_chars: int = MAX_COMMENT_CHARS,
) -> Comment:
    """The author edits within the window; the previous text is kept as a revision."""
    now = now or utcnow()
    _refuse(
        rules.edit_refusal(actor, comment, now, window), minutes=int(window.total_seconds() // 60)
    )
    consultation = comment.thread.consultation
    if not rules.accepts_comments(consultation, now):
        raise Forbidden("consultation_not_open")
    text = _check_body(body, max_chars)
    if expected_version is not None and expected_version != comment.version:
        raise Conflict("stale_edit", current_version=comment.version)
    if text == comment.body:
        return comment
    assert actor is not None
    screening.check_participation(session, actor, now)
    rewrite_comment(session, comment, text, now)
    screen_edit(session, comment, actor, now)  # new text may need review again
    return comment


def rewrite_comment(session: Session, comment: Comment, text: str, now: datetime) -> None:
    """Replace a comment's text, keeping the old one as a revision (edits and re-imports)."""
    # Compare-and-set on the version: of two concurrent edits from the same base, one loses.
    result = session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.version == comment.version)
        .values(
            body=text,
            html=render_markdown(text),
            tokens=tokens_of(text),
            version=Comment.version + 1,
            edited_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult for UPDATE
        raise Conflict("stale_edit")
    session.add(
        CommentRevision(
            comment_id=comment.id,
            version=comment.version,
            body=comment.body,
            html=comment.html,
            created_at=comment.edited_at or comment.created_at,
            replaced_at=now,
        )
    )
    record_event(session, comment.thread_id, "comment_edited", comment.id)
    session.flush()
    session.refresh(comment)
    links.attach(session, comment, now=now)  # the new text may add or drop links


@dataclass(frozen=True)
class VoteCounts:
    agree: int
    disagree: int
    passed: int

    def as_dict(self) -> dict[str, int]:
        return {"agree": self.agree, "disagree": self.disagree, "pass": self.passed}


def _count_column(value: int):
    return {1: Comment.agree_count, -1: Comment.disagree_count, 0: Comment.pass_count}[value]


def _insert_for(session: Session):
    """INSERT … ON CONFLICT for the session's database (PostgreSQL or SQLite)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def cast_vote(
    session: Session,
    comment_id: int,
    *,
    actor: User | None,
    value: object,
    now: datetime | None = None,
) -> tuple[Comment, VoteCounts]:
    """Agree (1), disagree (-1) or pass (0) on a visible comment; voting again changes the vote."""
    now = now or utcnow()
    if actor is None:
        raise NotAuthenticated("not_authenticated")
    if isinstance(value, bool) or not isinstance(value, int) or value not in VOTE_VALUES:
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value not in VOTE_VALUES:
            raise ValidationError("invalid_vote", field="value")
    comment = session.scalar(
        select(Comment)
        .where(Comment.id == comment_id)
        .options(joinedload(Comment.thread).joinedload(Thread.consultation))
    )
    if comment is None or not rules.can_view_consultation(actor, comment.thread.consultation):
        raise NotFound("comment_not_found")
    if comment.status != CommentStatus.VISIBLE:
        raise NotFound("comment_not_found")
    if comment.origin_platform == "focus_group":  # words said at a session (focus_groups.sessions)
        raise Conflict("vote_focus_group_statement")
    _refuse(rules.posting_refusal(actor, comment.thread.consultation, comment.thread.locked, now))
    screening.check_participation(session, actor, now)

    # An upsert: of concurrent first votes by one user, one inserts and the others (held by the
    # unique index until it commits) find its row and change it, instead of failing (500).
    row = {"comment_id": comment.id, "user_id": actor.id, "value": value}
    inserted = session.execute(
        _insert_for(session)(Vote)
        .values(**row, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["comment_id", "user_id"])
        .returning(Vote.id)
    ).first()
    vote = (
        None
        if inserted is not None
        else session.scalar(
            select(Vote)
            .where(Vote.comment_id == comment.id, Vote.user_id == actor.id)
            .with_for_update()
        )
    )
    changes: dict = {}
    if inserted is not None:
        changes[_count_column(value)] = _count_column(value) + 1
    elif vote is not None and vote.value != value:
        changes[_count_column(vote.value)] = _count_column(vote.value) - 1
        changes[_count_column(value)] = _count_column(value) + 1
        vote.value = value
        vote.updated_at = now
    if changes:
        session.execute(
            update(Comment)
            .where(Comment.id == comment.id)
            .values(changes)
            .execution_options(synchronize_session=False)
        )
        record_event(session, comment.thread_id, "votes_changed", comment.id)
    session.flush()
    session.refresh(comment)
    return comment, VoteCounts(comment.agree_count, comment.disagree_count, comment.pass_count)
