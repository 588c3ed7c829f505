"""Participation figures and discussion stickiness (黏著度) of a consultation, and the public
reads behind the embeddable widget.

Only visible comments count. Comments imported from other media are counted apart, per platform,
and left out of the stickiness measures, which describe the discussion held *here*:

- people, returning participants and every other count: deliberation/participation.py (one
  definition for every surface; imported pseudonymous voters are never people here);
- replies per comment: visible replies per visible top-level comment;
- median time to first reply: for top-level comments that got a reply from someone else, the
  median time until the first such reply;
- back-and-forth: the share of conversations (a top-level comment and its replies) in which two
  people replied to each other (A replied to B and B replied to A).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from .. import participation as figures_of
from .. import social_rules
from ..errors import Forbidden, NotAuthenticated
from ..models import Comment, CommentStatus, Consultation, Thread, User

VISIBLE = CommentStatus.VISIBLE.value
TAIPEI = ZoneInfo("Asia/Taipei")


@dataclass(frozen=True)
class PlatformCount:
    platform: str
    comments: int
    participants: int  # distinct pseudonymous authors


@dataclass(frozen=True)
class Stickiness:
    participants: int  # commented or voted here
    returning_participants: int
    top_level: int
    replies: int
    answered: int  # top-level comments with a reply from someone else
    median_first_reply_seconds: float | None
    conversations_with_replies: int
    back_and_forth: int

    @property
    def returning_share(self) -> float | None:
        return _share(self.returning_participants, self.participants)

    @property
    def replies_per_comment(self) -> float | None:
        return round(self.replies / self.top_level, 2) if self.top_level else None

    @property
    def back_and_forth_share(self) -> float | None:
        return _share(self.back_and_forth, self.top_level)

    def as_dict(self) -> dict[str, object]:
        return {
            "participants": self.participants,
            "returning_participants": self.returning_participants,
            "returning_share": self.returning_share,
            "top_level_comments": self.top_level,
            "replies": self.replies,
            "replies_per_comment": self.replies_per_comment,
            "answered_comments": self.answered,
            "median_first_reply_seconds": self.median_first_reply_seconds,
            "conversations": self.top_level,
            "conversations_with_replies": self.conversations_with_replies,
            "back_and_forth": self.back_and_forth,
            "back_and_forth_share": self.back_and_forth_share,
        }


@dataclass(frozen=True)
class Participation:
    consultation_id: int
    comments_here: int  # visible comments written here (top-level and replies)
    commenters_here: int
    voters_here: int
    imported_total: int
    imported: list[PlatformCount] = field(default_factory=list)
    stickiness: Stickiness | None = None
    figures: figures_of.Figures | None = None  # the participation_* figures

    def as_dict(self) -> dict[str, object]:
        return {
            "consultation_id": self.consultation_id,
            "participation": self.figures.as_dict() if self.figures else None,
            "here": {
                "comments": self.comments_here,
                "commenters": self.commenters_here,
                "voters": self.voters_here,
            },
            "imported": {
                "comments": self.imported_total,
                "by_platform": [
                    {"platform": p.platform, "comments": p.comments, "participants": p.participants}
                    for p in self.imported
                ],
            },
            "stickiness": self.stickiness.as_dict() if self.stickiness else None,
        }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _require_viewer(actor: User | None, consultation: Consultation) -> None:
    if actor is None:
        raise NotAuthenticated("not_authenticated")
    if not social_rules.can_see_participation(actor, consultation):
        raise Forbidden("import_not_allowed")


def participation(
    session: Session, consultation: Consultation, *, actor: User | None
) -> Participation:
    """Here-versus-imported counts and the stickiness measures, for staff and moderators."""
    _require_viewer(actor, consultation)
    in_consultation = (Thread.consultation_id == consultation.id, Comment.status == VISIBLE)
    rows = session.execute(
        select(
            Comment.id,
            Comment.parent_id,
            Comment.root_id,
            Comment.author_id,
            Comment.created_at,
            Comment.origin_platform,
        )
        .join(Thread, Thread.id == Comment.thread_id)
        .where(*in_consultation)
        .order_by(Comment.id)
    ).all()
    here = [r for r in rows if r.origin_platform is None]
    imported: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        if r.origin_platform is not None:
            imported[r.origin_platform].append(r.author_id)
    figures = figures_of.figures(session, [consultation.id])
    return Participation(
        consultation_id=consultation.id,
        comments_here=len(here),
        commenters_here=figures["participation_commenters"],
        voters_here=figures["participation_voters"],
        imported_total=figures["participation_imported_comments"],
        imported=[
            PlatformCount(platform, len(authors), len(set(authors)))
            for platform, authors in sorted(imported.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ],
        stickiness=_stickiness(here, figures),
        figures=figures,
    )


def _stickiness(rows: Sequence[Any], figures: figures_of.Figures) -> Stickiness:
    by_id = {r.id: r for r in rows}
    top = [r for r in rows if r.parent_id is None]
    replies = [r for r in rows if r.parent_id is not None]

    first_reply: dict[int, datetime] = {}
    pairs: dict[int, set[tuple[int, int]]] = defaultdict(set)  # root → (replier, replied-to)
    has_replies: set[int] = set()
    for r in replies:
        parent = by_id.get(r.parent_id)
        if parent is None:  # the parent is not visible (hidden or pending): no exchange to see
            continue
        root = r.root_id if r.root_id is not None else parent.id
        has_replies.add(root)
        if parent.author_id == r.author_id:
            continue
        pairs[root].add((r.author_id, parent.author_id))
        if parent.parent_id is None and (
            parent.id not in first_reply or r.created_at < first_reply[parent.id]
        ):
            first_reply[parent.id] = r.created_at
    waits = [(first_reply[c.id] - c.created_at).total_seconds() for c in top if c.id in first_reply]
    back_and_forth = sum(
        1 for c in top if any((b, a) in pairs.get(c.id, ()) for (a, b) in pairs.get(c.id, ()))
    )
    return Stickiness(
        participants=figures["participation_people"],
        returning_participants=figures["participation_returning"],
        top_level=len(top),
        replies=len(replies),
        answered=len(first_reply),
        median_first_reply_seconds=round(statistics.median(waits), 1) if waits else None,
        conversations_with_replies=len(has_replies & {c.id for c in top}),
        back_and_forth=back_and_forth,
    )


# ---- the public widget -------------------------------------------------------------------------


def latest_comments(session: Session, consultation_id: int, *, limit: int = 5) -> list[Comment]:
    """The newest visible comments of a consultation, from any of its threads (the widget)."""
    return list(
        session.scalars(
            select(Comment)
            .join(Thread, Thread.id == Comment.thread_id)
            .where(Thread.consultation_id == consultation_id, Comment.status == VISIBLE)
            .options(joinedload(Comment.author))
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(limit)
        )
    )


def visible_count(session: Session, consultation_id: int) -> tuple[int, int]:
    """(visible comments written here, visible imported comments) of a consultation."""
    rows = session.execute(
        select(Comment.origin_platform.is_(None), func.count(Comment.id))
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Thread.consultation_id == consultation_id, Comment.status == VISIBLE)
        .group_by(Comment.origin_platform.is_(None))
    ).all()
    counts = {bool(here): n for here, n in rows}
    return counts.get(True, 0), counts.get(False, 0)
