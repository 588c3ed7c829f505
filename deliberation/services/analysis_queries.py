"""Reading analysis runs: the newest run of a consultation, a run by id, and whether a run's
input has changed since (the fingerprint). The outcome report, the reviewer checklist, curation
and the Polis export rely on these; computing a run is `analysis_runs`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import analysis_rules
from ..errors import NotFound
from ..models import (
    AnalysisRun,
    AnalysisStatus,
    Comment,
    CommentStatus,
    Consultation,
    Thread,
    User,
    Vote,
)


def latest_run(
    session: Session, consultation_id: int, *, done_only: bool = True
) -> AnalysisRun | None:
    """The newest run of a consultation (the newest finished one by default)."""
    query = select(AnalysisRun).where(AnalysisRun.consultation_id == consultation_id)
    if done_only:
        query = query.where(AnalysisRun.status == AnalysisStatus.DONE.value)
    return session.scalars(query.order_by(AnalysisRun.id.desc()).limit(1)).first()


def input_fingerprint(
    session: Session, consultation_id: int, votes: VoteTotals | None = None
) -> str:
    """A hash of everything analysis reads: which comments are visible, at which version, the
    votes on them and the theme settings. Any post, edit, vote, hide, restore or settings change
    changes it. `votes`: the vote totals when the caller counted them in a pass of its own."""
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
    if votes is None:
        votes = vote_totals(session, consultation_id)
    digest.update(f"votes:{votes.visible}:{votes.value_sum}:{votes.last}".encode())
    # the theme settings too (left out while there are none, so older snapshots stay fresh)
    settings = session.scalar(
        select(Consultation.analysis_settings).where(Consultation.id == consultation_id)
    )
    if settings and (settings.get("n_themes") is not None or settings.get("seed_themes")):
        params = {k: settings.get(k) for k in ("n_themes", "seed_themes")}
        digest.update(json.dumps(params, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


class VoteTotals(NamedTuple):
    """What analysis fingerprints of a consultation's votes: the votes on visible comments,
    the sum of value × comment id over them, and the newest vote on any of its comments."""

    visible: int
    value_sum: int
    last: datetime | None


def vote_totals(session: Session, consultation_id: int) -> VoteTotals:
    counted = session.execute(
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
    return VoteTotals(int(counted[0]), int(counted[1]), last_vote)


def is_stale(session: Session, run: AnalysisRun, votes: VoteTotals | None = None) -> bool:
    """True when the visible input changed since the run read it."""
    return run.input_fingerprint != input_fingerprint(session, run.consultation_id, votes)


def active_run(session: Session, consultation_id: int) -> AnalysisRun | None:
    """The newest queued or running run, if any."""
    return session.scalars(
        select(AnalysisRun)
        .where(
            AnalysisRun.consultation_id == consultation_id,
            AnalysisRun.status.in_((AnalysisStatus.QUEUED.value, AnalysisStatus.RUNNING.value)),
        )
        .order_by(AnalysisRun.id.desc())
        .limit(1)
    ).first()


def newest_run(session: Session, consultation_id: int) -> AnalysisRun | None:
    """The newest run in any state."""
    return latest_run(session, consultation_id, done_only=False)


def get_run(session: Session, run_id: int, *, actor: User | None) -> AnalysisRun:
    """A run the actor may read, or NotFound / Forbidden."""
    run = session.get(AnalysisRun, run_id)
    if run is None:
        raise NotFound("analysis_run_not_found")
    analysis_rules.require_view(actor, run.consultation)
    return run


# The citizens' opinion map is shown once the latest finished analysis clustered at least this
# many participants (each with at least 7 votes, Polis's rule) into two groups or more: with
# fewer, a "group" is a handful of people and its statements say little about anyone.
OPINION_MAP_MIN_PARTICIPANTS = 20
OPINION_MAP_STATEMENTS = 3  # statements shown per group


def opinion_map(session: Session, consultation_id: int) -> dict | None:
    """What the consultation page shows citizens about the opinion groups of the latest
    finished analysis, or None below the threshold: each group's size and the statements it
    agrees on most distinctively (agree share), and the statements every group agreed with
    (group-informed consensus). Only comments visible now are quoted."""
    run = latest_run(session, consultation_id)
    groups = (run.groups or {}) if run is not None else {}
    if (
        len(groups.get("groups") or []) < 2
        or int(groups.get("n_clustered") or 0) < OPINION_MAP_MIN_PARTICIPANTS
    ):
        return None
    wanted: list[tuple[int, int, float]] = []  # (group index, comment id, agree share)
    for g, group in enumerate(groups["groups"]):
        agreed = [e for e in group.get("representative", []) if e.get("repful_for") == "agree"]
        wanted += [(g, int(e["comment_id"]), float(e.get("rate", 0))) for e in agreed]
    uniting = [
        int(e["comment_id"]) for e in groups.get("consensus", []) if e.get("direction") == "agree"
    ]
    ids = {cid for _, cid, _ in wanted} | set(uniting)
    html = (
        dict(
            session.execute(
                select(Comment.id, Comment.html).where(
                    Comment.id.in_(ids), Comment.status == CommentStatus.VISIBLE.value
                )
            ).all()
        )
        if ids
        else {}
    )
    out_groups = []
    for g, group in enumerate(groups["groups"]):
        statements = [
            {"comment_id": cid, "html": html[cid], "agree": rate}
            for gg, cid, rate in wanted
            if gg == g and cid in html
        ][:OPINION_MAP_STATEMENTS]
        out_groups.append({"number": g + 1, "size": int(group["size"]), "statements": statements})
    return {
        "run_id": run.id if run is not None else None,
        "participants": int(groups.get("n_clustered") or 0),
        "groups": out_groups,
        "uniting": [{"comment_id": cid, "html": html[cid]} for cid in uniting if cid in html],
    }
