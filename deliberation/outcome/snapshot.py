"""What the latest analysis snapshot says, for the outcome section: the run's line, the themes
with their visible members, quotes and the agencies' responses, opinion groups and consensus."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (
    AnalysisRun,
    Comment,
    CommentStatus,
    Theme,
    ThemeMember,
    ThemeResponse,
    Thread,
    Vote,
)
from ..rules import exportable_text
from ..sanitize import plain_text
from ..services.analysis_runs import is_stale
from ..services.theme_learning import confirmed_count
from .structure import GroupOut, Quote, ResponseOut, RunInfo, Statement, ThemeOut, permalink
from .words import format_date, iso, platform_name, text

VISIBLE = CommentStatus.VISIBLE.value
QUOTES_PER_THEME = 3
QUOTE_CHARS = 140
STATEMENTS_PER_GROUP = 3


def _truncate(value: str, limit: int = QUOTE_CHARS) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def run_info(session: Session, run: AnalysisRun, lang: str, zone: ZoneInfo) -> RunInfo:
    counts = dict(run.input_counts or {})
    parts = [
        text(lang, f"inputs_{name}", n=counts[name])
        for name in ("comments", "participants", "votes", "excluded")
        if isinstance(counts.get(name), int)
    ]
    summary = text(
        lang,
        "run_line",
        id=run.id,
        finished=format_date(run.finished_at, lang, zone) or "—",
        version=run.code_version or "—",
    )
    if parts:
        summary += ("；" if lang == "zh-TW" else "; ") + text(
            lang, "run_inputs", inputs=("、" if lang == "zh-TW" else ", ").join(parts)
        )
    confirmed = confirmed_count(session, run.consultation_id)
    summary += ("。" if lang == "zh-TW" else ". ") + text(lang, "confirmed", n=confirmed)
    return RunInfo(
        id=run.id,
        finished_at=iso(run.finished_at, zone),
        code_version=run.code_version or "",
        params=dict(run.params or {}),
        input_counts=counts,
        stale=is_stale(session, run),
        summary=summary,
    )


def _visible_texts(
    session: Session, consultation_id: int, ids: Iterable[int]
) -> dict[int, tuple[str, str | None]]:
    """id -> (plain text, platform) for the given ids that are visible comments of this
    consultation; anything else (hidden, pending, elsewhere) is simply absent."""
    wanted = sorted({int(i) for i in ids if isinstance(i, int) and not isinstance(i, bool)})
    if not wanted:
        return {}
    rows = session.execute(
        select(Comment.id, Comment.html, Comment.status, Comment.origin_platform)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(
            Comment.id.in_(wanted),
            Thread.consultation_id == consultation_id,
            Comment.status == VISIBLE,
        )
    ).all()
    # Quotes reach every export: the export rule decides their text (visible only).
    return {
        r.id: (_truncate(plain_text(exportable_text(r.status, r.html))), r.origin_platform)
        for r in rows
    }


def themes(
    session: Session, run: AnalysisRun, cid: int, lang: str, zone: ZoneInfo, drafts: bool
) -> list[ThemeOut]:
    themes = [
        t for t in session.scalars(select(Theme).where(Theme.run_id == run.id)) if not t.discarded
    ]
    members: dict[int, list[int]] = defaultdict(list)
    for theme_id, comment_id in session.execute(
        select(ThemeMember.theme_id, ThemeMember.comment_id)
        .join(Comment, Comment.id == ThemeMember.comment_id)
        .where(ThemeMember.run_id == run.id, Comment.status == VISIBLE)
        .order_by(ThemeMember.comment_id)
    ):
        members[theme_id].append(comment_id)
    stance: dict[int, dict[str, int]] = defaultdict(lambda: {"agree": 0, "disagree": 0, "pass": 0})
    names = {1: "agree", -1: "disagree", 0: "pass"}
    for theme_id, value, n in session.execute(
        select(ThemeMember.theme_id, Vote.value, func.count(Vote.id))
        .join(Comment, Comment.id == ThemeMember.comment_id)
        .join(Vote, Vote.comment_id == Comment.id)
        .where(ThemeMember.run_id == run.id, Comment.status == VISIBLE)
        .group_by(ThemeMember.theme_id, Vote.value)
    ):
        if value in names:
            stance[theme_id][names[value]] += int(n)
    responses = {
        r.theme_key: r
        for r in session.scalars(select(ThemeResponse).where(ThemeResponse.consultation_id == cid))
    }
    candidates: list[int] = []
    for theme in themes:
        candidates += list(theme.pinned_ids or []) + list(theme.representative_ids or [])
    texts = _visible_texts(session, cid, candidates)

    out: list[ThemeOut] = []
    for theme in themes:
        pinned = [i for i in (theme.pinned_ids or []) if i in texts]
        quotes: list[Quote] = []
        seen: set[int] = set()
        for cid_ in pinned + [i for i in (theme.representative_ids or []) if i in texts]:
            if cid_ in seen or len(quotes) >= QUOTES_PER_THEME:
                continue
            seen.add(cid_)
            body, platform = texts[cid_]
            quotes.append(
                Quote(
                    cid_,
                    permalink(cid_),
                    body,
                    cid_ in pinned,
                    platform,
                    platform_name(platform, lang) if platform else None,
                )
            )
        response = responses.get(theme.key)
        if response is not None and response.published_at is None and not drafts:
            response = None
        out.append(
            ThemeOut(
                key=theme.key,
                label=theme.label,
                keywords=[str(k) for k in (theme.keywords or [])],
                size=len(members.get(theme.id, [])),
                size_counts=text(lang, "c_size"),
                stance=dict(stance[theme.id]),
                stance_counts=text(lang, "c_stance"),
                quotes=quotes,
                member_ids=members.get(theme.id, []),
                response=_response(response, lang, zone) if response is not None else None,
            )
        )
    out.sort(key=lambda t: (-t.size, _key_order(t.key)))
    return out


def _key_order(key: str) -> tuple[int, str]:
    digits = "".join(ch for ch in key if ch.isdigit())
    return (int(digits) if digits else 0, key)


def _response(row: ThemeResponse, lang: str, zone: ZoneInfo) -> ResponseOut:
    return ResponseOut(
        disposition=row.disposition,
        disposition_label=text(lang, row.disposition),
        reasoning_text=plain_text(row.reasoning_html or ""),
        reasoning_html=row.reasoning_html or "",
        responsible_unit=row.responsible_unit or "",
        due_date=row.due_date.astimezone(zone).date().isoformat() if row.due_date else None,
        due_date_label=format_date(row.due_date, lang, zone) or None,
        published=row.published_at is not None,
        published_at=iso(row.published_at, zone),
    )


def _comment_id(item: Any) -> int | None:
    value = item.get("comment_id") if isinstance(item, dict) else item
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def groups(
    session: Session, run: AnalysisRun, cid: int, lang: str
) -> tuple[list[GroupOut], list[Statement]]:
    """Opinion groups and consensus statements from the run's stored result; any shape we do
    not recognise is left out rather than guessed at."""
    data = run.groups if isinstance(run.groups, dict) else {}
    raw_groups = [g for g in (data.get("groups") or []) if isinstance(g, dict)]
    raw_consensus = [c for c in (data.get("consensus") or []) if isinstance(c, dict | int)]
    ids: list[int] = []
    for group in raw_groups:
        ids += [i for i in map(_comment_id, group.get("representative") or []) if i is not None]
    ids += [i for i in map(_comment_id, raw_consensus) if i is not None]
    texts = _visible_texts(session, cid, ids)

    def statement(item: Any) -> Statement | None:
        comment_id = _comment_id(item)
        if comment_id is None or comment_id not in texts:
            return None
        direction = ""
        if isinstance(item, dict):
            direction = str(item.get("direction") or item.get("repful_for") or "")
        return Statement(comment_id, permalink(comment_id), texts[comment_id][0], direction)

    groups: list[GroupOut] = []
    for index, group in enumerate(raw_groups):
        raw_id = group.get("id")
        gid = raw_id if isinstance(raw_id, int) else index
        name = chr(ord("A") + gid) if 0 <= gid < 26 else str(gid + 1)
        size = group.get("size")
        if not isinstance(size, int):
            size = len(group.get("participants") or [])
        statements = [s for s in map(statement, group.get("representative") or []) if s]
        groups.append(
            GroupOut(
                gid, name, text(lang, "group", name=name), size, statements[:STATEMENTS_PER_GROUP]
            )
        )
    consensus = [s for s in map(statement, raw_consensus) if s]
    return groups, consensus
