"""The outcome section's 座談會 subsection, and the workspace's per-theme count of statements.

Self-contained (its own words in zh-TW and English) so the outcome section only calls
`subsection()` and renders the block: who was drawn, from how many, by which quotas, the
sessions, and what the panel said, by theme of the consultation's latest analysis run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AnalysisRun, Comment, CommentStatus, Theme, ThemeMember, Thread, User
from ..sanitize import plain_text
from . import queries
from .models import FocusGroup
from .sessions import PLATFORM, sessions_of

QUOTES_PER_THEME = 5
MAX_CHARS = 300

WORDS: dict[str, dict[str, str]] = {
    "zh-TW": {
        "heading": "（六）政策提案座談會",
        "drawn": (
            "以公平抽籤自 %(pool)s 位報名者中選出 %(size)s 位（演算法 %(algorithm)s，"
            "公開隨機種子 %(seed)s；報名者中最低的中選機率為 %(min)s）。"
        ),
        "quotas": "配額（席次下限–上限）",
        "category": "類別",
        "feature": "選項",
        "seats": "席次",
        "sessions": "場次",
        "session_line": "%(date)s，%(venue)s，主持人 %(facilitator)s：出席 %(came)s／%(members)s 人",
        "by_theme": "依主題整理的發言",
        "counted": (
            "座談會共 %(n)s 則發言，與線上意見一起進行主題分析，但另行計數：不列入上方參與數據，"
            "也不開放投票。發言者以「參與者 A、B……」代稱，不具名。"
        ),
        "theme_line": "%(label)s：%(n)s 則",
        "unthemed": "未歸入主題",
        "none": "尚無座談會發言紀錄。",
        "more": "（另有 %(n)s 則）",
        "online": "線上",
        "not_drawn": "座談會尚未抽籤。",
    },
    "en": {
        "heading": "1.6 Focus group (座談會)",
        "drawn": (
            "%(size)s members drawn by a fair lottery from %(pool)s volunteers (algorithm "
            "%(algorithm)s, published seed %(seed)s; the smallest chance of any volunteer was "
            "%(min)s)."
        ),
        "quotas": "Quotas (seats, minimum–maximum)",
        "category": "Category",
        "feature": "Feature",
        "seats": "Seats",
        "sessions": "Sessions",
        "session_line": "%(date)s, %(venue)s, facilitated by %(facilitator)s: %(came)s of %(members)s came",
        "by_theme": "What the panel said, by theme",
        "counted": (
            "The panel made %(n)s statements. They join the same theme analysis as the online "
            "comments but are counted apart: not in the participation figures above, and not "
            "voted on. Speakers are named Participant A, B … never by name."
        ),
        "theme_line": "%(label)s: %(n)s",
        "unthemed": "Not in a theme",
        "none": "No statements from the focus group yet.",
        "more": "(and %(n)s more)",
        "online": "online",
        "not_drawn": "The focus group has not been drawn yet.",
    },
}


def word(lang: str, key: str, **params: Any) -> str:
    text = WORDS["en" if lang == "en" else "zh-TW"][key]
    return text % params if params else text


@dataclass
class FocusStatement:
    comment_id: int
    permalink: str
    speaker: str  # "參與者 A"
    text: str


@dataclass
class FocusTheme:
    key: str
    label: str
    count: int
    statements: list[FocusStatement]
    more: int  # statements beyond those quoted
    more_label: str = ""


@dataclass
class FocusGroupSection:
    heading: str
    summary: str
    quotas_heading: str
    quotas: list[dict[str, Any]]  # category, feature, min, max
    sessions_heading: str
    sessions: list[str]  # one printed line each
    by_theme_heading: str
    counted: str
    themes: list[FocusTheme] = field(default_factory=list)
    words: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def statements_query(consultation_id: int) -> Any:
    return (
        select(Comment.id, Comment.html, User.display_name)
        .join(Thread, Thread.id == Comment.thread_id)
        .join(User, User.id == Comment.author_id)
        .where(
            Thread.consultation_id == consultation_id,
            Comment.origin_platform == PLATFORM,
            Comment.status == CommentStatus.VISIBLE.value,
        )
        .order_by(Comment.id)
    )


def theme_counts(session: Session, run: AnalysisRun) -> dict[str, int]:
    """Per theme key: how many of its visible members are focus-group statements."""
    rows = session.execute(
        select(Theme.key, func.count(ThemeMember.comment_id))
        .join(Theme, Theme.id == ThemeMember.theme_id)
        .join(Comment, Comment.id == ThemeMember.comment_id)
        .where(
            ThemeMember.run_id == run.id,
            Comment.origin_platform == PLATFORM,
            Comment.status == CommentStatus.VISIBLE.value,
        )
        .group_by(Theme.key)
    ).all()
    return {key: int(n) for key, n in rows}


def _speaker(display_name: str) -> str:
    return display_name.split("（", 1)[0].strip()


def _venue(lang: str, place: str | None, link: str | None) -> str:
    parts = [p for p in (place, word(lang, "online") if link else None) if p]
    return (" / " if lang == "en" else "、").join(parts)


def subsection(
    session: Session,
    consultation_id: int,
    run: AnalysisRun | None,
    lang: str,
    zone: ZoneInfo,
) -> FocusGroupSection | None:
    """The 座談會 block of one consultation, or None when it has no drawn focus group."""
    group: FocusGroup | None = queries.group_of(session, consultation_id)
    if group is None:
        return None
    draw = queries.latest_draw(session, group)
    if draw is None:
        return None
    r = draw.record
    lines = []
    for fs in sessions_of(session, group):
        local = fs.starts_at.astimezone(zone)
        date = (
            f"{local.year - 1911}年{local.month}月{local.day}日 {local:%H:%M}"
            if lang != "en"
            else f"{local:%Y-%m-%d %H:%M}"
        )
        lines.append(
            word(
                lang,
                "session_line",
                date=date,
                venue=_venue(lang, fs.place, fs.online_url),
                facilitator=fs.facilitator,
                came=sum(1 for a in fs.attendance if a.attended),
                members=len(fs.attendance),
            )
        )
    statements = session.execute(statements_query(consultation_id)).all()
    by_id = {
        s.id: FocusStatement(
            comment_id=s.id,
            permalink=f"/comments/{s.id}",
            speaker=_speaker(s.display_name),
            text=_truncate(plain_text(s.html)),
        )
        for s in statements
    }
    themes: list[FocusTheme] = []
    placed: set[int] = set()
    if run is not None and by_id:
        members: dict[int, list[int]] = {}
        for theme_id, comment_id in session.execute(
            select(ThemeMember.theme_id, ThemeMember.comment_id)
            .where(ThemeMember.run_id == run.id, ThemeMember.comment_id.in_(list(by_id)))
            .order_by(ThemeMember.comment_id)
        ):
            members.setdefault(theme_id, []).append(comment_id)
        for theme in session.scalars(
            select(Theme).where(Theme.run_id == run.id).order_by(Theme.position, Theme.id)
        ):
            ids = members.get(theme.id, [])
            if theme.discarded or not ids:
                continue
            placed.update(ids)
            themes.append(_theme(lang, theme.key, theme.label, ids, by_id))
    rest = [i for i in by_id if i not in placed]
    if rest:
        themes.append(_theme(lang, "", word(lang, "unthemed"), rest, by_id))
    return FocusGroupSection(
        heading=word(lang, "heading"),
        summary=word(
            lang,
            "drawn",
            pool=r.get("pool_size", 0),
            size=len(r.get("panel", [])),
            algorithm=r.get("algorithm_run", r.get("algorithm", "")),
            seed=r.get("seed", ""),
            min=f"{float(r.get('min_probability', 0)) * 100:.1f}%",
        ),
        quotas_heading=word(lang, "quotas"),
        quotas=list(r.get("quotas", [])),
        sessions_heading=word(lang, "sessions"),
        sessions=lines,
        by_theme_heading=word(lang, "by_theme"),
        counted=word(lang, "counted", n=len(by_id)) if by_id else word(lang, "none"),
        themes=themes,
        words={k: word(lang, k) for k in ("category", "feature", "seats")},
    )


def _theme(
    lang: str, key: str, label: str, ids: list[int], by_id: dict[int, FocusStatement]
) -> FocusTheme:
    more = max(0, len(ids) - QUOTES_PER_THEME)
    return FocusTheme(
        key=key,
        label=label,
        count=len(ids),
        statements=[by_id[i] for i in ids[:QUOTES_PER_THEME]],
        more=more,
        more_label=word(lang, "more", n=more) if more else "",
    )


def _truncate(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"
