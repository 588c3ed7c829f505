"""Analysis runs of a consultation: versioned snapshots of themes and opinion groups.

The functions other areas rely on (the outcome report, the reviewer checklist) live in
`analysis_queries` and are importable from here too: `latest_run`, `input_fingerprint`,
`is_stale`. This module starts runs and computes them: it reads only what moderation lets
analysis read, fits `analysis.themes` and `analysis.groups`, and replays curation (`curation`).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import itertools
import logging
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from .. import analysis_rules
from ..errors import NotFound
from ..models import (
    AnalysisRun,
    AnalysisStatus,
    Comment,
    CommentStatus,
    Consultation,
    ConsultationStatus,
    Theme,
    ThemeMember,
    Thread,
    User,
    utcnow,
)
from ..opendata.refresh import dataset_changed
from . import curation, theme_learning, theme_settings
from .analysis_queries import active_run as active_run
from .analysis_queries import get_run as get_run
from .analysis_queries import input_fingerprint as input_fingerprint
from .analysis_queries import is_stale as is_stale
from .analysis_queries import latest_run as latest_run
from .analysis_queries import newest_run as newest_run
from .comment_rows import tokenizer
from .moderation import visible_comments_for_analysis, visible_votes_for_analysis

log = logging.getLogger(__name__)


# ---- starting and executing a run ----------------------------------------------------------------
#
# A run is a row first (queued), executed later outside the web request (app/jobs.py). Its
# snapshot is everything a report needs to say what it was computed from: `params`,
# `code_version`, `input_counts`, `input_fingerprint`, the times, the themes as rows and the
# opinion groups (`groups`). `working` holds what later runs and curation need: the machine themes
# before curation ("machine": key -> comment ids, matched by the next run for stable keys), each
# comment's votes at read time ("votes": id -> [agree, disagree, pass]) and the near-duplicate
# groups ("duplicates").

MIN_COMMENTS = 10  # fewer visible comments than this: the run fails with a clear reason
ACTIVE_TIMEOUT = timedelta(hours=1)  # a queued/running run older than this was abandoned
# Opinion groups use at most this many comments, the most voted on: the PCA step is cubic in the
# number of comments (10,000 comments took minutes), and rarely voted comments barely shape the axes.
GROUP_MAX_COMMENTS = 1000
MATCH_SHARE = 0.5  # a new machine theme takes an old key when they share this much of the smaller

Progress = Callable[[AnalysisRun], None]


class RunFailed(Exception):
    """A run that cannot finish, with a stable code and an English explanation."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """The package version plus `git describe` when available, plus a hash of the analysis
    sources (what decides the results) — so a report can name the exact code."""
    try:
        package = importlib.metadata.version("zhongyi")
    except importlib.metadata.PackageNotFoundError:
        package = "0"
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for path in sorted((root / "analysis").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".txt") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    source = digest.hexdigest()[:10]
    described = ""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--tags", "--dirty"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=3,
            check=False,
        )
        if done.returncode == 0:
            described = done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        described = ""
    parts = [package] + ([described] if described else []) + [f"analysis.{source}"]
    return "+".join(parts)[:64]


def due_for_analysis(session: Session, now: datetime) -> list[Consultation]:
    """Consultations whose comment period is over (closed, or open past closes_at) and whose
    latest finished analysis is missing or stale, with no run queued or running."""
    ended = session.scalars(
        select(Consultation)
        .where(
            (Consultation.status == ConsultationStatus.CLOSED.value)
            | (
                (Consultation.status == ConsultationStatus.OPEN.value)
                & Consultation.closes_at.is_not(None)
                & (Consultation.closes_at <= now)
            )
        )
        .order_by(Consultation.id)
    ).all()
    due = []
    for consultation in ended:
        if active_run(session, consultation.id) is not None:
            continue
        run = latest_run(session, consultation.id)
        if run is None or is_stale(session, run):
            due.append(consultation)
    return due


def start_run(
    session: Session,
    consultation: Consultation,
    *,
    actor: User | None,
    system: bool = False,
    now: datetime | None = None,
) -> tuple[AnalysisRun, bool]:
    """Queue a run of the consultation: (run, created). A run already queued or running is
    returned instead of a second one. `system=True` (closing, the CLI) needs no actor."""
    if not system:
        analysis_rules.require_curate(actor, consultation)
    now = now or utcnow()
    # two clicks at once queue one run: the consultation row serialises them (PostgreSQL)
    session.execute(
        select(Consultation.id).where(Consultation.id == consultation.id).with_for_update()
    )
    current = active_run(session, consultation.id)
    if current is not None:
        if now - current.created_at < ACTIVE_TIMEOUT:
            return current, False
        current.status = AnalysisStatus.FAILED.value
        current.error = "abandoned: The run did not finish in time and was given up."
        current.finished_at = now
    run = AnalysisRun(
        consultation_id=consultation.id,
        status=AnalysisStatus.QUEUED.value,
        progress=0,
        stage="queued",
        started_by_id=actor.id if actor is not None else None,
        created_at=now,
    )
    session.add(run)
    session.flush()
    return run, True


def _step(run: AnalysisRun, stage: str, percent: int, progress: Progress | None) -> None:
    run.stage = stage
    run.progress = percent
    if progress is not None:
        progress(run)


def _counts(session: Session, consultation_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Comment.status, func.count(Comment.id))
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Thread.consultation_id == consultation_id)
        .group_by(Comment.status)
    ).all()
    return {status: n for status, n in rows}


def _imported(session: Session, consultation_id: int) -> dict[str, int]:
    """Visible comments brought in from elsewhere, per platform (the rest were written here)."""
    rows = session.execute(
        select(Comment.origin_platform, func.count(Comment.id))
        .join(Thread, Thread.id == Comment.thread_id)
        .where(
            Thread.consultation_id == consultation_id,
            Comment.status == CommentStatus.VISIBLE.value,
            Comment.origin_platform.is_not(None),
        )
        .group_by(Comment.origin_platform)
        .order_by(Comment.origin_platform)
    ).all()
    return {str(platform): n for platform, n in rows}


def _match_keys(previous: dict[str, list[int]], new: list[set[int]], first_free: int) -> list[str]:
    """Stable keys for the new machine themes: the Hungarian assignment on shared comments with
    the previous run's machine themes; a pair counts when it shares at least MATCH_SHARE of the
    smaller side's comments present in both runs. The rest get fresh keys from `first_free`."""
    # NumPy and SciPy load with the first run, not with the web app (as in execute_run)
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    keys: list[str | None] = [None] * len(new)
    prev_keys = list(previous)
    if prev_keys and new:
        prev_sets = [set(previous[k]) for k in prev_keys]
        common = set().union(*prev_sets) & set().union(*new)
        overlap = np.array([[len(p & n & common) for n in new] for p in prev_sets], dtype=float)
        rows, cols = linear_sum_assignment(-overlap)
        for i, j in zip(rows, cols, strict=True):
            smaller = min(len(prev_sets[i] & common), len(new[j] & common))
            if smaller and overlap[i, j] >= MATCH_SHARE * smaller:
                keys[j] = prev_keys[i]
    counter = itertools.count(first_free)
    return [key if key is not None else f"T{next(counter)}" for key in keys]


def _fit_groups(
    votes: list[tuple[int, int, int]], comment_ids: list[int]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Opinion groups from the vote matrix (participant ids are not kept in the snapshot)."""
    import scipy.sparse as sp

    from analysis.groups import OpinionGroups
    from analysis.polis import InputError

    params = {**OpinionGroups(n_init=20).get_params(), "max_comments": GROUP_MAX_COMMENTS}
    participants = sorted({u for u, _, _ in votes})
    if not votes:
        return {"groups": [], "consensus": [], "divisive": [], "note": "no_votes"}, params
    per_comment: dict[int, int] = {}
    for _, c, _ in votes:
        per_comment[c] = per_comment.get(c, 0) + 1
    if len(per_comment) > GROUP_MAX_COMMENTS:
        top = sorted(per_comment, key=lambda c: (-per_comment[c], c))[:GROUP_MAX_COMMENTS]
        comment_ids = sorted(top)
    params["comments_used"] = min(len(per_comment), GROUP_MAX_COMMENTS)
    p_index = {u: i for i, u in enumerate(participants)}
    c_index = {c: j for j, c in enumerate(comment_ids)}
    rows = [p_index[u] for u, c, _ in votes if c in c_index]
    cols = [c_index[c] for _, c, _ in votes if c in c_index]
    vals = [float(v) for _, c, v in votes if c in c_index]
    matrix = sp.csr_array((vals, (rows, cols)), shape=(len(participants), len(comment_ids)))
    model = OpinionGroups(n_init=20)
    try:
        model.fit(
            matrix,
            participant_ids=[str(u) for u in participants],
            comment_ids=[str(c) for c in comment_ids],
        )
    except InputError as err:
        return {"groups": [], "consensus": [], "divisive": [], "note": str(err)}, params
    out = model.to_dict()

    def ids(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**e, "comment_id": int(e["comment_id"])} for e in entries]

    return {
        "groups": [
            {"id": g["id"], "size": g["size"], "representative": ids(g["representative"])}
            for g in out["groups"]
        ],
        "consensus": ids(out["consensus"]),
        "divisive": ids(out["divisive"]),
        "k": out["k"],
        "silhouette": out["silhouette"],
        "n_participants": out["n_participants"],
        "n_clustered": out["n_clustered"],
    }, params


def execute_run(
    session: Session,
    run_id: int,
    progress: Progress | None = None,
    *,
    min_comments: int = MIN_COMMENTS,
    theme_params: dict[str, Any] | None = None,
) -> AnalysisRun:
    """Compute the run's snapshot. `progress(run)` is called after each stage (a job commits
    there so a page can poll). A run that is not queued is returned untouched (a retried job).
    Failure is a state, not an exception: status "failed" with a readable `error`."""
    # the analysis stack (scikit-learn, SciPy) loads on the first run, not with the web app
    from analysis.themes import ThemeError, ThemeModel

    run = session.get(AnalysisRun, run_id)
    if run is None:
        raise NotFound("analysis_run_not_found")
    if run.status != AnalysisStatus.QUEUED.value:
        return run
    run.status = AnalysisStatus.RUNNING.value
    run.started_at = utcnow()
    run.code_version = code_version()
    _step(run, "loading", 5, progress)
    try:
        # the input: only what moderation lets analysis read
        fingerprint = input_fingerprint(session, run.consultation_id)
        comments = visible_comments_for_analysis(session, run.consultation_id)
        votes = visible_votes_for_analysis(session, run.consultation_id)
        by_status = _counts(session, run.consultation_id)
        tally: dict[int, list[int]] = {c.id: [0, 0, 0] for c in comments}
        for _user, cid, value in votes:
            if cid in tally:
                tally[cid][0 if value > 0 else 1 if value < 0 else 2] += 1
        hidden = by_status.get(CommentStatus.HIDDEN.value, 0)
        pending = by_status.get(CommentStatus.PENDING.value, 0)
        run.input_fingerprint = fingerprint
        run.input_counts = {
            "comments": len(comments),
            "participants": len({c.author_id for c in comments} | {u for u, _, _ in votes}),
            "votes": len(votes),
            "excluded": hidden + pending,
            "hidden": hidden,
            "pending": pending,
            # Of "comments", how many were imported, per platform (issue 7: counted apart).
            "imported": _imported(session, run.consultation_id),
        }
        # the deployment's defaults (config), then the consultation's own theme settings
        consultation = session.get(Consultation, run.consultation_id)
        params = dict(theme_params or {})
        own = theme_settings.theme_params(consultation) if consultation is not None else {}
        if own:
            params.pop("n_themes", None)
            params.pop("seed_themes", None)
            params.update(own)
        # staff placements (moves, confirmations, pins) teach a guided run
        if params.get("seed_themes"):
            examples = theme_learning.examples_for_run(
                session,
                run.consultation_id,
                latest_run(session, run.consultation_id),
                [seed["name"] for seed in params["seed_themes"]],
            )
            if examples:
                params["examples"] = examples
        model = ThemeModel(random_state=0, **params)
        run.params = {"min_comments": min_comments, "themes": model.summary_params()}
        if params.get("seed_themes"):
            run.params["seed_names"] = [seed["name"] for seed in params["seed_themes"]]
        if len(comments) < min_comments:
            raise RunFailed(
                "too_few_comments",
                f"Too few comments to analyse: {len(comments)} visible, "
                f"at least {min_comments} needed.",
            )
        fallback = tokenizer()
        token_lists = [
            list(c.tokens) or (list(fallback(c.text)) if fallback and c.text else [])
            for c in comments
        ]
        _step(run, "themes", 15, progress)

        # themes (the slow part)
        try:
            model.fit(
                token_lists,
                ids=[str(c.id) for c in comments],
                texts=[c.text or "" for c in comments],
                votes=[(tally[c.id][0], tally[c.id][1]) for c in comments],
            )
        except ThemeError as err:
            raise RunFailed("no_themes", f"No themes could be found: {err}") from err
        run.params = {
            **run.params,
            "themes": {**model.summary_params(), "k": model.k_, "path": model.path_},
        }
        _step(run, "groups", 60, progress)

        # opinion groups from votes
        groups, group_params = _fit_groups(votes, [c.id for c in comments])
        run.params = {**run.params, "groups": group_params}
        _step(run, "saving", 85, progress)

        # stable keys, curation replayed, rows written: all or nothing
        with session.begin_nested():
            previous = latest_run(session, run.consultation_id)
            prev_machine = (previous.working or {}).get("machine", {}) if previous else {}
            new_sets = [{int(i) for i in t.comment_ids} for t in model.themes_]
            first_free = curation.key_number(curation.next_key(session, run.consultation_id))
            keys = _match_keys(
                {k: [int(i) for i in v] for k, v in prev_machine.items()}, new_sets, first_free
            )
            duplicates = [[int(i) for i in d.comment_ids] for d in model.duplicates_]
            state = curation.RunState(
                themes={},
                comment_votes={cid: (v[0], v[1], v[2]) for cid, v in tally.items()},
                duplicates=duplicates,
            )
            confidence = model.assignments_
            key_of = {theme.id: key for key, theme in zip(keys, model.themes_, strict=True)}
            for position, (key, theme) in enumerate(zip(keys, model.themes_, strict=True)):
                state.themes[key] = curation.DraftTheme(
                    key=key,
                    label=theme.label[:200],
                    keywords=list(theme.keywords),
                    # a member's weight is the model's confidence in it (1: staff placed it)
                    members={int(i): float(confidence[i]["confidence"]) for i in theme.comment_ids},
                    representative_ids=[int(i) for i in theme.representative_ids],
                    position=position,
                )
                state.extras[key] = _theme_extras(theme)
            machine = {key: sorted(new_sets[j]) for j, key in enumerate(keys)}
            applied = curation.replay(session, run.consultation_id, state)
            curation.refresh(session, None, state)
            run.groups = groups
            run.working = {
                "machine": machine,
                "votes": {str(cid): v for cid, v in tally.items()},
                "duplicates": duplicates,
                "edits_applied": applied,
                "unassigned": len(model.unassigned_ids_),
                "themes": state.extras,
                "examples": len(params.get("examples") or {}),
                # a comment's secondary theme (multi-label: shown, never counted twice)
                "secondary": {
                    cid: key_of[a["secondary"]]
                    for cid, a in confidence.items()
                    if a.get("secondary") in key_of
                },
            }
            _write_state(session, run, state)
            run.status = AnalysisStatus.DONE.value
            run.stage = "done"
            run.progress = 100
            run.finished_at = utcnow()
            session.flush()
    except RunFailed as err:
        _fail(run, f"{err.code}: {err.message}")
    except Exception as err:  # a bug or a broken input must not leave the run "running"
        log.exception("analysis run %s failed", run_id)
        _fail(run, f"internal: {type(err).__name__}: {err}"[:2000])
    dataset_changed(session, run.consultation)  # its open dataset, rebuilt after the commit
    if progress is not None:
        progress(run)
    else:
        session.flush()
    return run


def _theme_extras(theme: Any) -> dict[str, Any]:
    """What the workspace shows beside a machine theme: coherence, the 可能混雜 flag with its
    suggested split, and the campaign its first quote stands for."""
    return {
        "coherence": theme.coherence,
        "mixed": theme.mixed,
        "split": [int(i) for i in theme.split_suggestion or []],
        "campaign": (
            {"comment_id": int(theme.campaign["comment_id"]), "size": theme.campaign["size"]}
            if theme.campaign
            else None
        ),
    }


def _fail(run: AnalysisRun, error: str) -> None:
    run.status = AnalysisStatus.FAILED.value
    run.error = error
    run.finished_at = utcnow()


def _write_state(session: Session, run: AnalysisRun, state: Any) -> None:
    """Insert the themes and their members of a new run in bulk."""
    member_rows: list[dict[str, Any]] = []
    for draft in state.themes.values():
        info = curation.describe(draft, state)
        row = Theme(
            run_id=run.id,
            key=draft.key,
            position=draft.position,
            label=draft.label,
            keywords=list(draft.keywords),
            discarded=draft.discarded,
            **info,
        )
        session.add(row)
        session.flush()
        member_rows += [
            {"run_id": run.id, "theme_id": row.id, "comment_id": cid, "weight": weight}
            for cid, weight in draft.members.items()
        ]
    for start in range(0, len(member_rows), 2000):
        session.execute(insert(ThemeMember), member_rows[start : start + 2000])
    session.flush()


def run_summary(run: AnalysisRun) -> str:
    """One line for the CLI and logs."""
    counts = run.input_counts or {}
    if run.status == AnalysisStatus.FAILED.value:
        return f"run {run.id} failed: {run.error}"
    return (
        f"run {run.id} {run.status}: {len(run.themes)} themes from {counts.get('comments', 0)} "
        f"comments, {counts.get('participants', 0)} participants, {counts.get('votes', 0)} votes "
        f"({counts.get('excluded', 0)} hidden/pending excluded), code {run.code_version}"
    )
