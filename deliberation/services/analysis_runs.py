"""Analysis runs of a consultation: versioned snapshots of themes and opinion groups.

The functions other areas rely on (the outcome report, the reviewer checklist) are at the top:
`latest_run`, `input_fingerprint`, `is_stale`.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AnalysisRun, AnalysisStatus, Comment, CommentStatus, Thread, Vote


def latest_run(
    session: Session, consultation_id: int, *, done_only: bool = True
) -> AnalysisRun | None:
    """The newest run of a consultation (the newest finished one by default)."""
    query = select(AnalysisRun).where(AnalysisRun.consultation_id == consultation_id)
    if done_only:
        query = query.where(AnalysisRun.status == AnalysisStatus.DONE.value)
    return session.scalars(query.order_by(AnalysisRun.id.desc()).limit(1)).first()


def input_fingerprint(session: Session, consultation_id: int) -> str:
    """A hash of everything analysis reads: which comments are visible, at which version, and
    the votes on them. Any post, edit, vote, hide or restore changes it."""
    digest = hashlib.sha256()
    rows = session.execute(
        select(Comment.id, Comment.version)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(
            Thread.consultation_id == consultation_id,
            Comment.status == CommentStatus.VISIBLE.value,
        )
        .order_by(Comment.id)
    )
    for comment_id, version in rows:
        digest.update(f"{comment_id}:{version};".encode())
    votes = session.execute(
        select(func.count(Vote.id), func.coalesce(func.sum(Vote.value * Vote.comment_id), 0))
        .join(Comment, Comment.id == Vote.comment_id)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(
            Thread.consultation_id == consultation_id,
            Comment.status == CommentStatus.VISIBLE.value,
        )
    ).one()
    last_vote = session.scalar(
        select(func.max(Vote.updated_at))
        .join(Comment, Comment.id == Vote.comment_id)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Thread.consultation_id == consultation_id)
    )
    digest.update(f"votes:{votes[0]}:{votes[1]}:{last_vote}".encode())
    return digest.hexdigest()


def is_stale(session: Session, run: AnalysisRun) -> bool:
    """True when the visible input changed since the run read it."""
    return run.input_fingerprint != input_fingerprint(session, run.consultation_id)
