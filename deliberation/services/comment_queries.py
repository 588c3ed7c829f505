"""Reading comments: a thread or a comment as the viewer may see it, a page of a thread with
its replies, the comments after a seq, a user's activity and a comment's revisions.

Reads only. What a viewer sees is decided by the pure rules (`deliberation/rules.py`): hidden
comments keep their place without their text, pending ones show to their author and moderators.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, joinedload

from .. import rules
from ..errors import NotFound
from ..models import Comment, CommentRevision, CommentStatus, Consultation, Thread, User, Vote
from . import links

SORTS = ("oldest", "newest", "agreed", "discussed", "divisive")


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


def _visibility_filter(viewer: User | None):
    """Which rows appear at all: visible, hidden (as a placeholder), and own pending ones."""
    if rules.is_moderator(viewer):
        return True
    shown = Comment.status.in_([CommentStatus.VISIBLE.value, CommentStatus.HIDDEN.value])
    if viewer is None:
        return shown
    return or_(
        shown, (Comment.status == CommentStatus.PENDING.value) & (Comment.author_id == viewer.id)
    )


def _divisiveness():
    """High when many voted and the split is close: (a + d) · min(a, d) / max(a, d)."""
    a, d = Comment.agree_count, Comment.disagree_count
    low = case((a < d, a), else_=d)
    high = case((a > d, a), else_=d)
    return case((high == 0, 0), else_=(a + d) * low * 1.0 / high)


def _order(sort: str):
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
