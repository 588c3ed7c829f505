"""Comments and votes: posting, replying, editing, voting, and reading a thread back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload

from .. import rules
from ..errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationError
from ..models import (
    Comment,
    CommentRevision,
    CommentStatus,
    Consultation,
    Thread,
    ThreadEvent,
    User,
    Vote,
    utcnow,
)
from ..sanitize import render_markdown
from . import links

if TYPE_CHECKING:
    from ..moderation import Hold

MAX_COMMENT_CHARS = 5000
VOTE_VALUES = {1: "agree", -1: "disagree", 0: "pass"}
SORTS = ("oldest", "newest", "agreed", "discussed", "divisive")

# Segmentation at write time is optional wiring: the web app installs the analysis tokenizer
# here, so the domain stays free of any particular text-analysis package.
Tokenizer = Callable[[str], list[str]]
_tokenizer: Tokenizer | None = None


def set_tokenizer(tokenizer: Tokenizer | None) -> None:
    """Install the function that turns comment text into analysis tokens at write time."""
    global _tokenizer
    _tokenizer = tokenizer


def tokenizer() -> Tokenizer | None:
    """The installed write-time tokenizer (moderation matches keywords on its tokens too)."""
    return _tokenizer


def _tokens(text: str) -> str | None:
    if _tokenizer is None:
        return None
    return " ".join(_tokenizer(text))


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


def _bump_seqs(session: Session, thread_id: int, *, comment: bool) -> tuple[int, int]:
    """Take the thread's next comment seq and/or event seq.

    One UPDATE ... RETURNING: the row lock it takes is held to commit, so concurrent posters
    queue behind each other and seq order equals commit order, with no gaps.
    """
    values = {Thread.last_event_seq: Thread.last_event_seq + 1}
    if comment:
        values[Thread.last_comment_seq] = Thread.last_comment_seq + 1
    row = session.execute(
        update(Thread)
        .where(Thread.id == thread_id)
        .values(values)
        .returning(Thread.last_comment_seq, Thread.last_event_seq)
    ).one()
    return row[0], row[1]


def record_event(
    session: Session, thread_id: int, type_: str, comment_id: int | None
) -> ThreadEvent:
    """Append the thread's next event. Every change to what a thread shows must call this, in
    the same transaction: real-time delivery, resync and the public page cache all key on it."""
    _, event_seq = _bump_seqs(session, thread_id, comment=False)
    event = ThreadEvent(thread_id=thread_id, seq=event_seq, type=type_, comment_id=comment_id)
    session.add(event)
    return event


def get_thread(session: Session, thread_id: int, viewer: User | None) -> Thread:
    """The thread with its consultation, or NotFound if missing or not visible to the viewer."""
    thread = session.scalar(
        select(Thread)
        .where(Thread.id == thread_id)
        .options(
            joinedload(Thread.consultation).joinedload(Consultation.agency),
            joinedload(Thread.section),
        )
    )
    if thread is None or not rules.can_view_consultation(viewer, thread.consultation):
        raise NotFound("thread_not_found")
    return thread


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
    from . import moderation  # imported here: moderation builds on this module

    tokens = _tokens(text)
    hold = moderation.screen_post(session, thread, actor, text, tokens, now)
    return _insert_comment(
        session, thread, author=actor, text=text, tokens=tokens, hold=hold, parent=parent, now=now
    )


def _insert_comment(
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
    from . import moderation

    comment_seq, event_seq = _bump_seqs(session, thread.id, comment=True)
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
        _add_to_ancestors(session, parent, +1)
    session.add(
        ThreadEvent(
            thread_id=thread.id, seq=event_seq, type="comment_created", comment_id=comment.id
        )
    )
    if hold is not None:
        moderation.record_hold(session, comment, hold, before="", now=now)
    session.flush()
    links.attach(session, comment, now=now)  # link cards, fetched after the commit
    return comment


def _add_to_ancestors(session: Session, parent: Comment, delta: int) -> None:
    ids = []
    node: Comment | None = parent
    while node is not None:
        ids.append(node.id)
        node = node.parent
    session.execute(
        update(Comment)
        .where(Comment.id.in_(ids))
        .values(reply_count=Comment.reply_count + delta)
        .execution_options(synchronize_session="fetch")
    )


def get_comment(session: Session, comment_id: int, viewer: User | None) -> Comment:
    """The comment if it exists in a consultation the viewer may see."""
    comment = session.scalar(
        select(Comment)
        .where(Comment.id == comment_id)
        .options(
            joinedload(Comment.author), joinedload(Comment.thread).joinedload(Thread.consultation)
        )
    )
    if comment is None or not rules.can_view_consultation(viewer, comment.thread.consultation):
        raise NotFound("comment_not_found")
    if comment.status == CommentStatus.PENDING and not rules.can_see_comment_text(viewer, comment):
        raise NotFound("comment_not_found")
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
    from . import moderation

    assert actor is not None
    moderation.check_participation(session, actor, now)
    _rewrite(session, comment, text, now)
    moderation.screen_edit(session, comment, actor, now)  # new text may need review again
    return comment


def _rewrite(session: Session, comment: Comment, text: str, now: datetime) -> None:
    """Replace a comment's text, keeping the old one as a revision (edits and re-imports)."""
    # Compare-and-set on the version: of two concurrent edits from the same base, one loses.
    result = session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.version == comment.version)
        .values(
            body=text,
            html=render_markdown(text),
            tokens=_tokens(text),
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


def _count_column(value: int):  # type: ignore[no-untyped-def]
    return {1: Comment.agree_count, -1: Comment.disagree_count, 0: Comment.pass_count}[value]


def _insert_for(session: Session):  # type: ignore[no-untyped-def]
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
    _refuse(rules.posting_refusal(actor, comment.thread.consultation, comment.thread.locked, now))
    from . import moderation

    moderation.check_participation(session, actor, now)

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


# ---- reading a thread -------------------------------------------------------------------


def _visibility_filter(viewer: User | None):  # type: ignore[no-untyped-def]
    """Which rows appear at all: visible, hidden (as a placeholder), and own pending ones."""
    if rules.is_moderator(viewer):
        return True
    shown = Comment.status.in_([CommentStatus.VISIBLE.value, CommentStatus.HIDDEN.value])
    if viewer is None:
        return shown
    return or_(
        shown, (Comment.status == CommentStatus.PENDING.value) & (Comment.author_id == viewer.id)
    )


def _divisiveness():  # type: ignore[no-untyped-def]
    """High when many voted and the split is close: (a + d) · min(a, d) / max(a, d)."""
    a, d = Comment.agree_count, Comment.disagree_count
    low = case((a < d, a), else_=d)
    high = case((a > d, a), else_=d)
    return case((high == 0, 0), else_=(a + d) * low * 1.0 / high)


def _order(sort: str):  # type: ignore[no-untyped-def]
    return {
        "oldest": [Comment.seq.asc()],
        "newest": [Comment.seq.desc()],
        "agreed": [Comment.agree_count.desc(), Comment.seq.asc()],
        "discussed": [Comment.reply_count.desc(), Comment.seq.asc()],
        "divisive": [_divisiveness().desc(), Comment.seq.asc()],
    }[sort]


@dataclass
class ThreadPage:
    roots: list[Comment]
    children: dict[int, list[Comment]] = field(default_factory=dict)
    my_votes: dict[int, int] = field(default_factory=dict)
    total_roots: int = 0
    page: int = 1
    pages: int = 1
    sort: str = "oldest"


def thread_page(
    session: Session,
    thread: Thread,
    viewer: User | None,
    *,
    sort: str = "oldest",
    page: int = 1,
    per_page: int = 20,
    root_id: int | None = None,
) -> ThreadPage:
    """A page of top-level comments with all their replies, in a fixed number of queries.

    With root_id, the page is the subtree under that comment ("continue this thread").
    """
    if sort not in SORTS:
        sort = "oldest"
    vis = _visibility_filter(viewer)
    base = select(Comment).where(Comment.thread_id == thread.id, vis)
    if root_id is not None:
        focus = session.scalar(
            base.where(Comment.id == root_id).options(joinedload(Comment.author))
        )
        if focus is None:
            raise NotFound("comment_not_found")
        roots, total, page, pages = [focus], 1, 1, 1
        tree_root = focus.root_id
    else:
        top = base.where(Comment.parent_id.is_(None))
        total = session.scalar(select(func.count()).select_from(top.subquery())) or 0
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        roots = list(
            session.scalars(
                top.options(joinedload(Comment.author))
                .order_by(Comment.pinned.desc(), *_order(sort))
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
        )
        tree_root = None
    root_ids = [tree_root] if tree_root is not None else [c.id for c in roots]
    children: dict[int, list[Comment]] = {}
    if root_ids:
        replies = session.scalars(
            base.where(Comment.root_id.in_(root_ids), Comment.parent_id.is_not(None))
            .options(joinedload(Comment.author))
            .order_by(Comment.seq.asc())
        )
        for reply in replies:
            children.setdefault(reply.parent_id, []).append(reply)  # type: ignore[arg-type]
    my_votes: dict[int, int] = {}
    if viewer is not None and roots:
        all_ids = [c.id for c in roots] + [c.id for kids in children.values() for c in kids]
        my_votes = dict(
            session.execute(
                select(Vote.comment_id, Vote.value).where(
                    Vote.user_id == viewer.id, Vote.comment_id.in_(all_ids)
                )
            ).all()
        )
    links.preload(session, roots + [c for kids in children.values() for c in kids])
    return ThreadPage(
        roots=roots,
        children=children,
        my_votes=my_votes,
        total_roots=total,
        page=page,
        pages=pages,
        sort=sort,
    )


def comments_after(
    session: Session, thread: Thread, viewer: User | None, *, after_seq: int = 0, limit: int = 100
) -> tuple[list[Comment], int]:
    """Comments with seq > after_seq in seq order, and the seq to continue from."""
    items = list(
        session.scalars(
            select(Comment)
            .where(
                Comment.thread_id == thread.id, Comment.seq > after_seq, _visibility_filter(viewer)
            )
            .options(joinedload(Comment.author))
            .order_by(Comment.seq.asc())
            .limit(limit)
        )
    )
    links.preload(session, items)  # each comment's link cards, in one query
    if len(items) == limit:
        return items, items[-1].seq
    # Everything up to the thread's counter was considered, hidden-from-you rows included.
    return items, max(after_seq, thread.last_comment_seq)


def user_activity(
    session: Session, user: User, *, limit: int = 50
) -> tuple[list[Comment], list[tuple[Vote, Comment]]]:
    """A user's own comments (any status) and votes, newest first."""
    comments = list(
        session.scalars(
            select(Comment)
            .where(Comment.author_id == user.id)
            .options(joinedload(Comment.thread).joinedload(Thread.consultation))
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(limit)
        )
    )
    votes: list[tuple[Vote, Comment]] = list(
        session.execute(
            select(Vote, Comment)
            .join(Comment, Vote.comment_id == Comment.id)
            .where(Vote.user_id == user.id)
            .options(joinedload(Comment.thread).joinedload(Thread.consultation))
            .order_by(Vote.updated_at.desc(), Vote.id.desc())
            .limit(limit)
        ).all()
    )
    return comments, votes


def revisions(session: Session, comment: Comment) -> list[CommentRevision]:
    return list(
        session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id == comment.id)
            .order_by(CommentRevision.version.asc())
        )
    )


@dataclass(frozen=True)
class ThreadState:
    """Everything a public rendering of a thread depends on, read in one query.

    Invariant kept by every service: any change to what a thread shows records a thread event,
    so (thread, last_event_seq, consultation state) identifies one public rendering.
    """

    thread_id: int
    last_event_seq: int
    last_comment_seq: int
    locked: bool
    status: str
    updated_at: datetime
    opens_at: datetime | None
    closes_at: datetime | None
    agency_id: int

    def key(self, now: datetime) -> tuple[object, ...]:
        return (
            self.thread_id,
            self.last_event_seq,
            self.locked,
            self.status,
            self.updated_at,
            rules.accepts_comments(self, now),
        )


def thread_state(session: Session | Connection, thread_id: int) -> ThreadState | None:
    """The thread's public state; pass an autocommit Connection to make it one round trip."""
    row = session.execute(
        select(
            Thread.id,
            Thread.last_event_seq,
            Thread.last_comment_seq,
            Thread.locked,
            Consultation.status,
            Consultation.updated_at,
            Consultation.opens_at,
            Consultation.closes_at,
            Consultation.agency_id,
        )
        .join(Consultation, Consultation.id == Thread.consultation_id)
        .where(Thread.id == thread_id)
    ).one_or_none()
    return ThreadState(*row) if row is not None else None
