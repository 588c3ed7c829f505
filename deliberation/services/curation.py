"""Curating the themes of a consultation's analysis: rename, merge, split, move, discard, pin.

Every edit works on the latest finished run, is validated first (bad input changes nothing),
applied to that run's Theme / ThemeMember rows and appended to the ThemeEdit log. A later run
replays the whole log, in order, onto its fresh machine themes (whose keys are matched to the
previous run's), so curation survives re-analysis. Edits are written to be replayable: comment
edits say where a comment belongs ("these comments go to T4"), not how far it moved, and replay
skips what no longer applies (a comment hidden since, a theme the model no longer finds).

The edit semantics live in one place, `apply_edit` over an in-memory `RunState`, used both for a
live edit (strict: errors) and for replay (lenient: skip).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from .. import analysis_rules
from ..errors import Conflict, NotFound, ValidationError
from ..models import AnalysisRun, Consultation, Theme, ThemeEdit, ThemeMember, User
from ..sanitize import clean_line
from .analysis_queries import latest_run
from .theme_learning import CONFIRMED, refresh_quotes

ACTIONS = ("rename", "merge", "split", "move", "discard", "undiscard", "pin", "unpin", "confirm")
MAX_LABEL = 200
MAX_PINS = 10
MAX_SELECTED = 1000
N_REPRESENTATIVES = 5
KEY_RE = re.compile(r"^T(\d+)$")


# ---- the in-memory state of a run's themes -------------------------------------------------------


@dataclass
class DraftTheme:
    """One theme while it is being built or edited."""

    key: str
    label: str
    keywords: list[str] = field(default_factory=list)
    members: dict[int, float] = field(default_factory=dict)  # comment id -> weight, in order
    representative_ids: list[int] = field(default_factory=list)
    pinned_ids: list[int] = field(default_factory=list)
    discarded: bool = False
    position: int = 0


@dataclass
class RunState:
    """A run's themes plus what is needed to describe them after edits (per-comment votes at
    snapshot time, near-duplicate groups)."""

    themes: dict[str, DraftTheme]
    comment_votes: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    duplicates: list[list[int]] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)  # themes whose members changed: new quotes
    confirmed: set[int] = field(default_factory=set)  # comments staff placed (weight 1)
    extras: dict[str, dict[str, Any]] = field(default_factory=dict)  # per theme: coherence ...

    def theme_of(self, comment_id: int) -> str | None:
        for key, theme in self.themes.items():
            if comment_id in theme.members:
                return key
        return None

    def index(self) -> dict[int, str]:
        return {cid: key for key, t in self.themes.items() for cid in t.members}


def key_number(key: str) -> int:
    match = KEY_RE.match(key or "")
    return int(match.group(1)) if match else 0


def _theme(state: RunState, key: Any, strict: bool) -> DraftTheme | None:
    theme = state.themes.get(key) if isinstance(key, str) else None
    if theme is None and strict:
        raise NotFound("theme_not_found", key=str(key))
    return theme


def _label(raw: Any) -> str:
    label = clean_line(raw if isinstance(raw, str) else "")
    if not label:
        raise ValidationError("theme_label_required", field="label")
    if len(label) > MAX_LABEL:
        raise ValidationError("theme_label_too_long", field="label", max=MAX_LABEL)
    return label


def _ids(raw: Any) -> list[int]:
    if not isinstance(raw, list | tuple) or not all(
        isinstance(x, int) and not isinstance(x, bool) for x in raw
    ):
        raise ValidationError("invalid_field", field="comment_ids")
    out = list(dict.fromkeys(raw))
    if len(out) > MAX_SELECTED:
        raise ValidationError("too_many_selected", max=MAX_SELECTED)
    return out


def _move(state: RunState, comment_ids: Iterable[int], target: DraftTheme) -> int:
    index = state.index()
    moved = 0
    for cid in comment_ids:
        key = index.get(cid)
        if key is None or key == target.key:
            continue
        source = state.themes[key]
        source.members.pop(cid)
        target.members[cid] = CONFIRMED
        state.touched.update((key, target.key))
        state.confirmed.add(cid)
        moved += 1
    return moved


def apply_edit(
    state: RunState, action: str, payload: dict[str, Any], *, strict: bool
) -> dict[str, Any] | None:
    """Apply one edit to `state`. Strict (a live edit): validate and raise with a stable code,
    returning the payload to log (None: nothing to change). Lenient (replay): skip what no longer
    applies. Nothing in `state` changes before validation has passed."""
    if action == "rename":
        theme = _theme(state, payload.get("key"), strict)
        if theme is None:
            return None
        label = _label(payload.get("label")) if strict else str(payload.get("label") or "")
        if not label or label == theme.label:
            return None
        theme.label = label
        return {"key": theme.key, "label": label}

    if action == "merge":
        source = _theme(state, payload.get("source"), strict)
        target = _theme(state, payload.get("target"), strict)
        if source is None or target is None:
            return None
        if source.key == target.key:
            if strict:
                raise ValidationError("merge_into_itself", key=source.key)
            return None
        _move(state, list(source.members), target)
        target.keywords = list(dict.fromkeys(target.keywords + source.keywords))[:12]
        target.representative_ids += [
            r for r in source.representative_ids if r not in target.representative_ids
        ]
        target.pinned_ids += [p for p in source.pinned_ids if p not in target.pinned_ids]
        target.pinned_ids = target.pinned_ids[:MAX_PINS]
        del state.themes[source.key]
        state.touched.add(target.key)
        return {"source": source.key, "target": target.key}

    if action == "split":
        source = _theme(state, payload.get("source"), strict)
        if source is None:
            return None
        ids = _ids(payload.get("comment_ids")) if strict else list(payload.get("comment_ids") or [])
        if strict and not ids:
            raise ValidationError("split_empty", key=source.key)
        label = _label(payload.get("label")) if strict else str(payload.get("label") or "")
        new_key = payload.get("new_key")
        if strict:
            missing = [cid for cid in ids if cid not in source.members]
            if missing:
                raise ValidationError("comment_not_in_theme", id=missing[0], key=source.key)
            if len(ids) == len(source.members):
                raise ValidationError("split_everything", key=source.key)
            if not isinstance(new_key, str) or new_key in state.themes:
                raise Conflict("theme_key_taken", key=str(new_key))
        index = state.index()
        present = [cid for cid in ids if cid in index]
        if not present or not isinstance(new_key, str):
            return None
        target = state.themes.get(new_key)
        if target is None:
            target = DraftTheme(
                key=new_key,
                label=label or new_key,
                position=max((t.position for t in state.themes.values()), default=0) + 1,
            )
            state.themes[new_key] = target
        _move(state, present, target)
        return {"source": source.key, "new_key": new_key, "label": label, "comment_ids": ids}

    if action == "move":
        target = _theme(state, payload.get("target"), strict)
        if target is None:
            return None
        ids = _ids(payload.get("comment_ids")) if strict else list(payload.get("comment_ids") or [])
        source_key = payload.get("source")
        if strict:
            source = _theme(state, source_key, strict)
            assert source is not None
            if not ids:
                raise ValidationError("move_empty", key=source.key)
            if source.key == target.key:
                raise ValidationError("move_to_same_theme", key=target.key)
            missing = [cid for cid in ids if cid not in source.members]
            if missing:
                raise ValidationError("comment_not_in_theme", id=missing[0], key=source.key)
        if not _move(state, ids, target):
            return None
        return {"source": source_key, "target": target.key, "comment_ids": ids}

    if action in ("discard", "undiscard"):
        theme = _theme(state, payload.get("key"), strict)
        if theme is None:
            return None
        wanted = action == "discard"
        if theme.discarded == wanted:
            return None
        theme.discarded = wanted
        return {"key": theme.key}

    if action in ("pin", "unpin"):
        theme = _theme(state, payload.get("key"), strict)
        if theme is None:
            return None
        cid = payload.get("comment_id")
        if not isinstance(cid, int) or isinstance(cid, bool):
            if strict:
                raise ValidationError("invalid_field", field="comment_id")
            return None
        if action == "pin":
            if cid not in theme.members:
                if strict:
                    raise ValidationError("comment_not_in_theme", id=cid, key=theme.key)
                return None
            if cid in theme.pinned_ids:
                return None
            if len(theme.pinned_ids) >= MAX_PINS:
                if strict:
                    raise ValidationError("too_many_pins", max=MAX_PINS)
                return None
            theme.pinned_ids.append(cid)
            theme.members[cid] = CONFIRMED
            state.confirmed.add(cid)
        else:
            if cid not in theme.pinned_ids:
                return None
            theme.pinned_ids.remove(cid)
        return {"key": theme.key, "comment_id": cid}

    if action == "confirm":
        theme = _theme(state, payload.get("key"), strict)
        if theme is None:
            return None
        ids = _ids(payload.get("comment_ids")) if strict else list(payload.get("comment_ids") or [])
        if strict:
            missing = [cid for cid in ids if cid not in theme.members]
            if missing:
                raise ValidationError("comment_not_in_theme", id=missing[0], key=theme.key)
        ids = [cid for cid in ids if cid in theme.members]
        if not ids:
            return None
        for cid in ids:
            theme.members[cid] = CONFIRMED
        state.confirmed.update(ids)
        return {"key": theme.key, "comment_ids": ids}

    if strict:
        raise ValidationError("invalid_theme_action", field="action")
    return None


def describe(theme: DraftTheme, state: RunState) -> dict[str, Any]:
    """Size, stance, representatives, pins and duplicate groups of a theme after edits."""
    agree = disagree = passes = 0
    for cid in theme.members:
        a, d, p = state.comment_votes.get(cid, (0, 0, 0))
        agree, disagree, passes = agree + a, disagree + d, passes + p
    reps = [r for r in dict.fromkeys(theme.representative_ids) if r in theme.members]
    if len(reps) < min(N_REPRESENTATIVES, len(theme.members)):
        # a theme the curator made (split) has no model representatives: the most agreed-with
        ranked = sorted(
            theme.members,
            key=lambda c: (-(state.comment_votes.get(c, (0, 0, 0))[0]), c),
        )
        reps += [c for c in ranked if c not in reps][: N_REPRESENTATIVES - len(reps)]
    dups = [g for g in state.duplicates if sum(1 for c in g if c in theme.members) * 2 > len(g)]
    return {
        "size": len(theme.members),
        "stance": {"agree": agree, "disagree": disagree, "pass": passes},
        "representative_ids": reps[: N_REPRESENTATIVES * 2],
        "pinned_ids": [p for p in theme.pinned_ids if p in theme.members],
        "duplicate_groups": dups,
    }


# ---- loading and saving a run's state --------------------------------------------------------


def snapshot_extras(run: AnalysisRun) -> tuple[dict[int, tuple[int, int, int]], list[list[int]]]:
    """Per-comment votes and near-duplicate groups kept with the run (see analysis_runs)."""
    extra = run.working or {}
    votes = {int(k): (int(v[0]), int(v[1]), int(v[2])) for k, v in extra.get("votes", {}).items()}
    dups = [[int(c) for c in g] for g in extra.get("duplicates", [])]
    return votes, dups


def load_state(session: Session, run: AnalysisRun) -> RunState:
    """The run's themes as stored."""
    rows = session.scalars(
        select(Theme).where(Theme.run_id == run.id).order_by(Theme.position, Theme.id)
    ).all()
    by_id: dict[int, DraftTheme] = {}
    themes: dict[str, DraftTheme] = {}
    for row in rows:
        draft = DraftTheme(
            key=row.key,
            label=row.label,
            keywords=list(row.keywords or []),
            representative_ids=list(row.representative_ids or []),
            pinned_ids=list(row.pinned_ids or []),
            discarded=row.discarded,
            position=row.position,
        )
        by_id[row.id] = draft
        themes[row.key] = draft
    for theme_id, cid, weight in session.execute(
        select(ThemeMember.theme_id, ThemeMember.comment_id, ThemeMember.weight)
        .where(ThemeMember.run_id == run.id)
        .order_by(ThemeMember.id)
    ):
        by_id[theme_id].members[cid] = weight
    votes, dups = snapshot_extras(run)
    extras = {k: dict(v) for k, v in (run.working or {}).get("themes", {}).items()}
    return RunState(themes=themes, comment_votes=votes, duplicates=dups, extras=extras)


def refresh(session: Session, run: AnalysisRun | None, state: RunState) -> None:
    """New quotes for the themes an edit (or a replay) changed, and their extras kept with the
    run (a theme merged away loses its extras)."""
    refresh_quotes(
        session,
        state.themes,
        sorted(state.touched),
        duplicates=state.duplicates,
        votes=state.comment_votes,
        extras=state.extras,
    )
    state.touched.clear()
    state.extras = {k: v for k, v in state.extras.items() if k in state.themes}
    if run is not None:
        run.working = {**(run.working or {}), "themes": state.extras}


def save_state(session: Session, run: AnalysisRun, state: RunState) -> None:
    """Write `state` over the run's Theme / ThemeMember rows (only what changed)."""
    rows = {
        row.key: row for row in session.scalars(select(Theme).where(Theme.run_id == run.id)).all()
    }
    for key, draft in state.themes.items():
        row = rows.get(key)
        if row is None:
            row = Theme(run_id=run.id, key=key, label=draft.label)
            session.add(row)
            rows[key] = row
        info = describe(draft, state)
        row.label = draft.label
        row.position = draft.position
        row.keywords = list(draft.keywords)
        row.discarded = draft.discarded
        row.size = info["size"]
        row.stance = info["stance"]
        row.representative_ids = info["representative_ids"]
        row.pinned_ids = info["pinned_ids"]
        row.duplicate_groups = info["duplicate_groups"]
    session.flush()
    current = dict(
        session.execute(
            select(ThemeMember.comment_id, ThemeMember.theme_id).where(ThemeMember.run_id == run.id)
        ).all()
    )
    for key, draft in state.themes.items():
        theme_id = rows[key].id
        moved = [cid for cid in draft.members if current.get(cid) != theme_id]
        for start in range(0, len(moved), 500):
            session.execute(
                update(ThemeMember)
                .where(
                    ThemeMember.run_id == run.id,
                    ThemeMember.comment_id.in_(moved[start : start + 500]),
                )
                .values(theme_id=theme_id)
            )
    confirmed = sorted(state.confirmed)
    for start in range(0, len(confirmed), 500):
        session.execute(
            update(ThemeMember)
            .where(
                ThemeMember.run_id == run.id,
                ThemeMember.comment_id.in_(confirmed[start : start + 500]),
            )
            .values(weight=CONFIRMED)
        )
    gone = [row.id for key, row in rows.items() if key not in state.themes]
    if gone:
        session.execute(delete(ThemeMember).where(ThemeMember.theme_id.in_(gone)))
        session.execute(delete(Theme).where(Theme.id.in_(gone)))
    session.flush()
    session.expire_all()


def replay(session: Session, consultation_id: int, state: RunState) -> int:
    """Apply every logged edit of the consultation, oldest first; returns how many applied."""
    applied = 0
    for edit in session.scalars(
        select(ThemeEdit).where(ThemeEdit.consultation_id == consultation_id).order_by(ThemeEdit.id)
    ):
        if apply_edit(state, edit.action, dict(edit.payload or {}), strict=False) is not None:
            applied += 1
    return applied


# ---- live edits --------------------------------------------------------------------------------


def _current_run(session: Session, consultation: Consultation) -> AnalysisRun:
    run = latest_run(session, consultation.id)
    if run is None:
        raise NotFound("no_analysis")
    # serialise concurrent curators on the run (a no-op on SQLite, whose writers queue anyway)
    session.execute(select(AnalysisRun.id).where(AnalysisRun.id == run.id).with_for_update())
    return run


def next_key(session: Session, consultation_id: int, state: RunState | None = None) -> str:
    """A theme key never used in this consultation ("T" + one more than the highest)."""
    keys = set(
        session.scalars(
            select(Theme.key)
            .join(AnalysisRun, AnalysisRun.id == Theme.run_id)
            .where(AnalysisRun.consultation_id == consultation_id)
        )
    )
    for payload in session.scalars(
        select(ThemeEdit.payload).where(
            ThemeEdit.consultation_id == consultation_id, ThemeEdit.action == "split"
        )
    ):
        keys.add(str((payload or {}).get("new_key", "")))
    if state is not None:
        keys.update(state.themes)
    return f"T{max((key_number(k) for k in keys), default=0) + 1}"


def edit(
    session: Session,
    consultation: Consultation,
    action: str,
    payload: dict[str, Any],
    *,
    actor: User | None,
) -> ThemeEdit | None:
    """Validate and apply one curation edit to the latest finished run, and log it.

    Returns the logged edit, or None when the edit changes nothing (renaming to the same label,
    discarding a discarded theme ...). Raises with a stable code, changing nothing, otherwise."""
    analysis_rules.require_curate(actor, consultation)
    assert actor is not None
    if action not in ACTIONS:
        raise ValidationError("invalid_theme_action", field="action")
    run = _current_run(session, consultation)
    state = load_state(session, run)
    payload = dict(payload)
    if action == "split":
        payload["new_key"] = next_key(session, consultation.id, state)
    logged = apply_edit(state, action, payload, strict=True)
    if logged is None:
        return None
    refresh(session, run, state)
    save_state(session, run, state)
    row = ThemeEdit(
        consultation_id=consultation.id,
        run_id=run.id,
        actor_id=actor.id,
        action=action,
        payload=logged,
    )
    session.add(row)
    session.flush()
    return row


def rename(
    session: Session, consultation: Consultation, key: str, label: str, *, actor: User | None
) -> ThemeEdit | None:
    """Give a theme the curator's label."""
    return edit(session, consultation, "rename", {"key": key, "label": label}, actor=actor)


def merge(
    session: Session, consultation: Consultation, source: str, target: str, *, actor: User | None
) -> ThemeEdit | None:
    """Move every comment of `source` into `target`; `source` is gone."""
    return edit(session, consultation, "merge", {"source": source, "target": target}, actor=actor)


def split(
    session: Session,
    consultation: Consultation,
    source: str,
    comment_ids: Sequence[int],
    label: str,
    *,
    actor: User | None,
) -> ThemeEdit | None:
    """Move the selected comments of `source` into a new theme named `label`."""
    return edit(
        session,
        consultation,
        "split",
        {"source": source, "comment_ids": list(comment_ids), "label": label},
        actor=actor,
    )


def move(
    session: Session,
    consultation: Consultation,
    source: str,
    comment_ids: Sequence[int],
    target: str,
    *,
    actor: User | None,
) -> ThemeEdit | None:
    """Move the selected comments of `source` to `target`."""
    return edit(
        session,
        consultation,
        "move",
        {"source": source, "comment_ids": list(comment_ids), "target": target},
        actor=actor,
    )


def discard(
    session: Session,
    consultation: Consultation,
    key: str,
    *,
    undo: bool = False,
    actor: User | None,
) -> ThemeEdit | None:
    """Mark a theme as noise (or take that back)."""
    return edit(
        session, consultation, "undiscard" if undo else "discard", {"key": key}, actor=actor
    )


def pin(
    session: Session,
    consultation: Consultation,
    key: str,
    comment_id: int,
    *,
    undo: bool = False,
    actor: User | None,
) -> ThemeEdit | None:
    """Pin a member comment as a representative quote of its theme (or unpin it)."""
    return edit(
        session,
        consultation,
        "unpin" if undo else "pin",
        {"key": key, "comment_id": comment_id},
        actor=actor,
    )


def edit_log(
    session: Session, consultation: Consultation, *, actor: User | None, limit: int = 500
) -> list[ThemeEdit]:
    """The consultation's curation edits, newest first."""
    analysis_rules.require_view(actor, consultation)
    return list(
        session.scalars(
            select(ThemeEdit)
            .where(ThemeEdit.consultation_id == consultation.id)
            .order_by(ThemeEdit.id.desc())
            .limit(limit)
        )
    )
