"""Shared by the pages and the API: loading with permission checks, and JSON shapes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from deliberation import analysis_rules
from deliberation.errors import NotFound
from deliberation.models import (
    AnalysisRun,
    AnalysisStatus,
    Comment,
    CommentStatus,
    Consultation,
    Theme,
    ThemeEdit,
    ThemeMember,
    User,
)
from deliberation.services import analysis_runs

from ..api.serialize import iso
from ..errors import message_for
from ..extensions import db

STAGES = {
    "queued": _l("Waiting for a worker"),
    "loading": _l("Reading comments and votes"),
    "themes": _l("Finding themes"),
    "groups": _l("Finding opinion groups"),
    "saving": _l("Saving and applying curation edits"),
    "done": _l("Done"),
}


def stage_label(stage: str) -> str:
    return str(STAGES.get(stage, stage))


def consultation_for(consultation_id: int, actor: User | None, *, curate: bool = False):
    """The consultation, after the view (or curate) rule; NotFound when it does not exist."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound("consultation_not_found")
    if curate:
        analysis_rules.require_curate(actor, consultation)
    else:
        analysis_rules.require_view(actor, consultation)
    return consultation


def error_text(run: AnalysisRun) -> str:
    """The run's failure in the reader's language (the stored error starts with a code)."""
    if not run.error:
        return ""
    code, _, detail = run.error.partition(": ")
    if code == "too_few_comments":
        return message_for(
            "run_too_few_comments",
            n=(run.input_counts or {}).get("comments", 0),
            min=(run.params or {}).get("min_comments", analysis_runs.MIN_COMMENTS),
        )
    if code in ("no_themes", "abandoned", "internal"):
        return message_for(f"run_{code}")
    return detail or run.error


def run_json(run: AnalysisRun, *, stale: bool | None = None) -> dict[str, Any]:
    """A run's state and snapshot metadata."""
    out: dict[str, Any] = {
        "id": run.id,
        "consultation_id": run.consultation_id,
        "status": run.status,
        "progress": run.progress,
        "stage": run.stage,
        "stage_label": stage_label(run.stage),
        "error": error_text(run) if run.status == AnalysisStatus.FAILED.value else "",
        "error_code": run.error.partition(":")[0] if run.error else "",
        "params": run.params or {},
        "code_version": run.code_version,
        "input_counts": run.input_counts or {},
        "input_fingerprint": run.input_fingerprint,
        "started_by_id": run.started_by_id,
        "created_at": iso(run.created_at),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
    }
    if stale is not None:
        out["stale"] = stale
    return out


def themes_of(run: AnalysisRun) -> list[Theme]:
    return list(
        db.session.scalars(
            select(Theme).where(Theme.run_id == run.id).order_by(Theme.position, Theme.id)
        )
    )


def members_by_theme(run: AnalysisRun) -> dict[int, list[tuple[int, float]]]:
    """Per theme id: its members as (comment id, confidence), by comment id."""
    out: dict[int, list[tuple[int, float]]] = {}
    for theme_id, cid, weight in db.session.execute(
        select(ThemeMember.theme_id, ThemeMember.comment_id, ThemeMember.weight)
        .where(ThemeMember.run_id == run.id)
        .order_by(ThemeMember.comment_id)
    ):
        out.setdefault(theme_id, []).append((cid, float(weight)))
    return out


def theme_json(
    theme: Theme,
    members: list[tuple[int, float]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": theme.key,
        "label": theme.label,
        "position": theme.position,
        "keywords": list(theme.keywords or []),
        "size": theme.size,
        "stance": theme.stance or {},
        "representative_ids": list(theme.representative_ids or []),
        "pinned_ids": list(theme.pinned_ids or []),
        "duplicate_groups": list(theme.duplicate_groups or []),
        "discarded": theme.discarded,
    }
    if members is not None:
        out["member_comment_ids"] = [cid for cid, _ in members]
        # 0-1: how sure the analysis is of each member (1: staff confirmed, moved or pinned it)
        out["confidence"] = {str(cid): round(w, 3) for cid, w in members}
    extra = extra or {}
    out["coherence"] = extra.get("coherence")
    out["possibly_mixed"] = bool(extra.get("mixed"))
    out["suggested_split"] = list(extra.get("split") or [])
    out["campaign"] = extra.get("campaign")
    return out


def edits_since(run: AnalysisRun) -> int:
    """How many curator edits were made on this snapshot after it was computed (renames,
    merges, …): they change the themes shown, so the page must not say that nothing changed."""
    return int(
        db.session.scalar(select(func.count(ThemeEdit.id)).where(ThemeEdit.run_id == run.id)) or 0
    )


def visible_comments(ids: Iterable[int]) -> dict[int, Comment]:
    """Comments by id, visible ones only: text hidden since a snapshot is never shown."""
    wanted = sorted({int(i) for i in ids})
    out: dict[int, Comment] = {}
    for start in range(0, len(wanted), 500):
        for comment in db.session.scalars(
            select(Comment).where(
                Comment.id.in_(wanted[start : start + 500]),
                Comment.status == CommentStatus.VISIBLE.value,
            )
        ):
            out[comment.id] = comment
    return out
