"""What staff curation teaches the analysis, and what it tells the workspace.

* Examples: every comment staff moved to a theme, confirmed in it or pinned as its quote is a
  labelled example (the latest edit of a comment wins). The next guided run assigns comments
  with the seed themes and these examples together (`analysis.themes` ``examples=``).
* Quotes: after a merge, split or move the affected themes' quotes are chosen again from their
  members' tokens (`analysis.themes.quotes.refresh_quotes`), with the campaign they hold.
* Review: the least certain assignments first (待確認), and how many comments staff confirmed.

Reads and in-memory changes only; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AnalysisRun, Comment, Theme, ThemeEdit, ThemeMember

TEACHING = ("move", "confirm", "pin")  # the edits that say "this comment belongs here"
REVIEW_LIMIT = 30
CONFIRMED = 1.0  # the weight of a member staff confirmed, moved or pinned


class _Draft(Protocol):
    label: str
    members: dict[int, float]
    representative_ids: list[int]


def placed_comments(session: Session, consultation_id: int) -> dict[int, str]:
    """Comment id -> the theme key staff last placed it under (move, confirm or pin)."""
    out: dict[int, str] = {}
    for action, payload in session.execute(
        select(ThemeEdit.action, ThemeEdit.payload)
        .where(ThemeEdit.consultation_id == consultation_id, ThemeEdit.action.in_(TEACHING))
        .order_by(ThemeEdit.id)
    ):
        p = dict(payload or {})
        key = p.get("target") if action == "move" else p.get("key")
        if not isinstance(key, str):
            continue
        ids = p.get("comment_ids") if action != "pin" else [p.get("comment_id")]
        for cid in ids or []:
            if isinstance(cid, int) and not isinstance(cid, bool):
                out[cid] = key
    return out


def examples_for_run(
    session: Session,
    consultation_id: int,
    previous: AnalysisRun | None,
    seed_names: Iterable[str],
) -> dict[str, str]:
    """Staff placements as examples for a guided run: comment id -> seed name, for the themes
    of the previous run whose label is a seed's name (a renamed theme teaches no seed)."""
    if previous is None:
        return {}
    names = set(seed_names)
    label_of = {
        key: label
        for key, label in session.execute(
            select(Theme.key, Theme.label).where(Theme.run_id == previous.id)
        )
    }
    return {
        str(cid): label_of[key]
        for cid, key in placed_comments(session, consultation_id).items()
        if label_of.get(key) in names
    }


def confirmed_count(session: Session, consultation_id: int) -> int:
    """How many distinct comments staff confirmed, moved or pinned in this consultation."""
    return len(placed_comments(session, consultation_id))


def to_review(
    session: Session, run: AnalysisRun, limit: int = REVIEW_LIMIT
) -> list[dict[str, Any]]:
    """The least certain assignments of a run (待確認), least certain first: comment id, theme
    key and label, confidence. Confirmed comments (weight 1) are left out."""
    rows = session.execute(
        select(ThemeMember.comment_id, ThemeMember.weight, Theme.key, Theme.label)
        .join(Theme, Theme.id == ThemeMember.theme_id)
        .where(
            ThemeMember.run_id == run.id,
            ThemeMember.weight < CONFIRMED,
            Theme.discarded.is_(False),
        )
        .order_by(ThemeMember.weight, ThemeMember.comment_id)
        .limit(limit)
    )
    return [
        {"comment_id": cid, "confidence": float(w), "key": key, "label": label}
        for cid, w, key, label in rows
    ]


def member_tokens(session: Session, comment_ids: Iterable[int]) -> dict[int, list[str]]:
    """The analysis tokens of comments, by id."""
    wanted = sorted(set(comment_ids))
    out: dict[int, list[str]] = {}
    for start in range(0, len(wanted), 1000):
        for cid, tokens in session.execute(
            select(Comment.id, Comment.tokens).where(Comment.id.in_(wanted[start : start + 1000]))
        ):
            out[cid] = (tokens or "").split()
    return out


def refresh_quotes(
    session: Session,
    themes: Mapping[str, _Draft],
    touched: Iterable[str],
    *,
    duplicates: list[list[int]],
    votes: Mapping[int, tuple[int, int, int]],
    extras: dict[str, Any],
) -> None:
    """Choose the quotes of the ``touched`` themes again (after a merge, split or move), all
    themes' members taken into account (a quote should be far from the other themes). Sets
    each touched theme's ``representative_ids`` and its campaign in ``extras[key]``."""
    keys = [k for k in touched if k in themes]
    if not keys:
        return
    # the analysis stack (scikit-learn) loads with the first refresh, not with the web app
    from analysis.themes.quotes import refresh_quotes as choose

    members = {k: list(t.members) for k, t in themes.items()}
    tokens = member_tokens(session, (c for ids in members.values() for c in ids))
    got = choose(
        members,
        tokens,
        duplicates=duplicates,
        votes={c: (v[0], v[1]) for c, v in votes.items()},
        n=5,
    )
    for key in keys:
        themes[key].representative_ids = got[key]["representative_ids"]
        extras.setdefault(key, {})["campaign"] = got[key]["campaign"]
