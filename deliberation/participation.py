"""One definition of every participation figure (issue 15).

`figures(session, consultation_ids)` counts, for one consultation or several together (a plan),
the figures every surface shows: the outcome section and its exports, the analysis workspace,
the participation page and the API. `DICTIONARY` says in zh-TW and English what each one counts;
surfaces print its labels instead of writing their own.

The rules, in one place:
- Only comments visible now count as taking part; votes count when the comment voted on is
  visible now. Pending and hidden comments are counted only in the status figures.
- People *here* are registered accounts (``User.origin IS NULL``). Pseudonymous participants
  brought in by an import (Polis, Facebook, …) are counted apart, never added to people here.
- A returning participant took part here (comment, reply or first vote) on at least two different
  calendar days, Taipei time, within the window: the consultation's period when it is set,
  otherwise all of its activity. The window is reported with the figure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from .models import Comment, CommentStatus, Consultation, Flag, ModerationAction, Thread, User, Vote

VISIBLE = CommentStatus.VISIBLE.value
TAIPEI = ZoneInfo("Asia/Taipei")

# key -> language -> (label, what it counts). Keys are what the JSON exports and the API carry.
DICTIONARY: dict[str, dict[str, tuple[str, str]]] = {
    "participation_people": {
        "zh-TW": (
            "本平台參與人數",
            "在本平台發表可見留言或回覆、或對可見留言投票之不重複註冊帳號數（不含外部匯入之化名參與者）",
        ),
        "en": (
            "People who took part here",
            "Distinct registered accounts that posted a visible comment or reply here, or voted "
            "on a visible comment (pseudonymous imported participants are counted apart)",
        ),
    },
    "participation_commenters": {
        "zh-TW": ("留言者人數", "在本平台發表至少一則可見留言或回覆之不重複註冊帳號數"),
        "en": (
            "People who commented",
            "Distinct registered accounts with at least one visible comment or reply here",
        ),
    },
    "participation_voters": {
        "zh-TW": ("投票者人數", "對至少一則可見留言投票之不重複註冊帳號數"),
        "en": (
            "People who voted",
            "Distinct registered accounts that voted on at least one visible comment",
        ),
    },
    "participation_commented_and_voted": {
        "zh-TW": ("既留言又投票者人數", "同時為留言者與投票者之不重複註冊帳號數"),
        "en": (
            "People who commented and voted",
            "Distinct registered accounts that both commented and voted",
        ),
    },
    "participation_returning": {
        "zh-TW": (
            "回訪參與者人數",
            "在統計期間內，於至少兩個不同日期（臺北時間）在本平台留言、回覆或首次投票之註冊帳號數；"
            "統計期間為諮詢期間，未設定者以全部參與紀錄計",
        ),
        "en": (
            "Returning participants",
            "Registered accounts that commented, replied or first voted here on at least two "
            "different days (Taipei time) within the window: the consultation period, or all "
            "activity when no period is set",
        ),
    },
    "participation_comments": {
        "zh-TW": ("留言數", "本平台上目前可見之主留言數（不含回覆、不含外部匯入）"),
        "en": (
            "Comments",
            "Visible top-level comments posted here (no replies, no imported posts)",
        ),
    },
    "participation_replies": {
        "zh-TW": ("回覆數", "本平台上目前可見之回覆數"),
        "en": ("Replies", "Visible replies posted here"),
    },
    "participation_votes": {
        "zh-TW": (
            "投票數",
            "註冊帳號對目前可見留言之投票筆數（同意、不同意、略過合計；每人每則一票，以最後一次為準）",
        ),
        "en": (
            "Votes",
            "Votes by registered accounts on visible comments (agree, disagree and pass; one per "
            "person per comment, the latest counts)",
        ),
    },
    "participation_imported_comments": {
        "zh-TW": ("外部匯入意見數", "自其他平台匯入且目前可見之意見數，各平台分列"),
        "en": (
            "Imported posts",
            "Visible posts imported from other platforms, each platform listed apart",
        ),
    },
    "participation_imported_participants": {
        "zh-TW": (
            "匯入參與者人數",
            "匯入之可見意見之化名作者，及對可見留言投票之匯入化名參與者，不重複計算；不計入本平台參與人數",
        ),
        "en": (
            "Imported participants",
            "Distinct pseudonymous imported participants who wrote a visible imported post or "
            "voted on a visible comment; not part of the people who took part here",
        ),
    },
    "participation_imported_votes": {
        "zh-TW": ("匯入投票數", "匯入化名參與者對目前可見留言之投票筆數"),
        "en": (
            "Imported votes",
            "Votes by pseudonymous imported participants on visible comments",
        ),
    },
    "participation_comments_visible": {
        "zh-TW": ("可見留言總數", "目前可見之留言、回覆及匯入意見合計"),
        "en": (
            "Visible comments in all",
            "Visible comments, replies and imported posts together",
        ),
    },
    "participation_comments_pending": {
        "zh-TW": ("待審核留言數", "目前待審核之留言（其內容不列入任何數據或引文）"),
        "en": (
            "Comments awaiting review",
            "Comments awaiting review now (their text enters no figure or quote)",
        ),
    },
    "participation_comments_hidden": {
        "zh-TW": ("已隱藏留言數", "目前已依公開規則隱藏之留言（其內容不列入任何數據或引文）"),
        "en": (
            "Hidden comments",
            "Comments hidden now under the published rules (their text enters no figure or quote)",
        ),
    },
    "participation_flags": {
        "zh-TW": ("檢舉數", "使用者對本諮詢留言提出之檢舉總次數（含其後遭隱藏或已處理者）"),
        "en": (
            "Flags",
            "Times users flagged a comment of this consultation (including comments later "
            "hidden or cleared)",
        ),
    },
    "participation_moderator_hidden": {
        "zh-TW": (
            "曾遭隱藏留言數",
            "曾由管理員依公開規則隱藏之不重複留言數（含其後恢復者）",
        ),
        "en": (
            "Comments ever hidden",
            "Distinct comments a moderator hid under the published rules (including ones later "
            "restored)",
        ),
    },
}
KEYS = tuple(DICTIONARY)
# The figures the outcome section's table shows, in order (all of KEYS).
SECTION_KEYS = KEYS


def label(key: str, lang: str) -> str:
    """What a figure is called, in zh-TW or English."""
    return DICTIONARY[key]["en" if lang == "en" else "zh-TW"][0]


def counts(key: str, lang: str) -> str:
    """What a figure counts, in zh-TW or English."""
    return DICTIONARY[key]["en" if lang == "en" else "zh-TW"][1]


def dictionary(lang: str) -> list[dict[str, str]]:
    """The data dictionary in one language: key, label, what it counts."""
    return [{"key": k, "label": label(k, lang), "counts": counts(k, lang)} for k in KEYS]


@dataclass
class Day:
    date: str  # ISO date, Taipei
    comments: int = 0
    replies: int = 0
    imported: int = 0
    votes: int = 0


@dataclass
class PlatformCount:
    platform: str
    comments: int
    participants: int  # distinct pseudonymous authors


@dataclass
class Figures:
    """The participation figures of one or more consultations (see DICTIONARY)."""

    values: dict[str, int]
    returning_window: tuple[str | None, str | None]  # ISO dates (Taipei), inclusive
    platforms: list[PlatformCount] = field(default_factory=list)
    days: list[Day] = field(default_factory=list)

    def __getitem__(self, key: str) -> int:
        return self.values[key]

    def as_dict(self) -> dict[str, object]:
        """The participation_* keys with their values, and the returning window."""
        out: dict[str, object] = dict(self.values)
        out["participation_returning_window"] = {
            "from": self.returning_window[0],
            "to": self.returning_window[1],
        }
        return out


def _hour(session: Session, column: Any) -> Any:
    """The UTC hour of a time column as an integer (hours since 1970), in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column) / 3600), Integer)
    # SQLite keeps UTC text; strftime('%s') gives whole seconds (integer division floors)
    return cast(func.strftime("%s", column), Integer) / 3600


def _day(value: datetime) -> date:
    return value.astimezone(TAIPEI).date()


def figures(session: Session, consultation_ids: Iterable[int]) -> Figures:
    """Every participation figure of these consultations, counted together."""
    ids = sorted(set(consultation_ids))
    in_scope = Thread.consultation_id.in_(ids)
    rows = session.execute(
        select(
            Comment.author_id,
            Comment.parent_id,
            Comment.origin_platform,
            Comment.created_at,
            Comment.origin_posted_at,
            Thread.consultation_id,
            User.origin,
        )
        .join(Thread, Thread.id == Comment.thread_id)
        .join(User, User.id == Comment.author_id)
        .where(in_scope, Comment.status == VISIBLE)
        .execution_options(yield_per=5000)  # a large consultation's comments, a batch at a time
    )
    # Votes are counted in the database per (person, UTC hour, imported or not, in the window
    # or not): a consultation's millions of votes arrive as one row per person per hour they
    # voted in (bench/bench_opendata.py). Taiwan's offset is whole hours, so an hour has one
    # Taipei date; the window is tested on each vote's own time, as for comments.
    hour = _hour(session, Vote.created_at)
    in_period = case(
        (
            and_(
                or_(Consultation.opens_at.is_(None), Vote.created_at >= Consultation.opens_at),
                or_(Consultation.closes_at.is_(None), Vote.created_at <= Consultation.closes_at),
            ),
            1,
        ),
        else_=0,
    )
    imported_vote = case((User.origin.is_not(None), 1), else_=0)
    votes = session.execute(
        select(Vote.user_id, hour, imported_vote, in_period, func.count(Vote.id))
        .join(Comment, Comment.id == Vote.comment_id)
        .join(Thread, Thread.id == Comment.thread_id)
        .join(Consultation, Consultation.id == Thread.consultation_id)
        .join(User, User.id == Vote.user_id)
        .where(in_scope, Comment.status == VISIBLE)
        .group_by(Vote.user_id, hour, imported_vote, in_period)
    )
    by_status = dict(
        session.execute(
            select(Comment.status, func.count(Comment.id))
            .join(Thread, Thread.id == Comment.thread_id)
            .where(in_scope)
            .group_by(Comment.status)
        ).all()
    )
    flags = session.scalar(
        select(func.count(Flag.id))
        .join(Comment, Comment.id == Flag.comment_id)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(in_scope)
    )
    ever_hidden = session.scalar(
        select(func.count(func.distinct(ModerationAction.comment_id))).where(
            ModerationAction.consultation_id.in_(ids),
            ModerationAction.action == "hide",
            ModerationAction.comment_id.is_not(None),
        )
    )
    periods = {
        c.id: (c.opens_at, c.closes_at)
        for c in session.scalars(select(Consultation).where(Consultation.id.in_(ids)))
    }

    commenters: set[int] = set()
    voters: set[int] = set()
    imported_people: set[int] = set()
    platforms: dict[str, list[int]] = defaultdict(list)
    top = replies = imported_votes = here_votes = 0
    active: dict[int, set[date]] = defaultdict(set)
    window: list[date] = []  # the first and last day anyone took part in the period
    days: dict[str, Day] = {}
    # Taiwan's offset is whole hours: one date (and its row of `days`) per UTC hour, so the
    # millions of votes of a large consultation are counted without a date computed for each.
    day_of_hour: dict[int, tuple[date, Day]] = {}

    def hour_of(when: datetime) -> tuple[date, Day]:
        hour = int(when.timestamp()) // 3600
        found = day_of_hour.get(hour)
        if found is None:
            local = _day(when)
            key = local.isoformat()
            found = day_of_hour[hour] = (local, days.setdefault(key, Day(date=key)))
        return found

    def taipei_day(when: datetime) -> date:
        return hour_of(when)[0]

    def took_part(when: date) -> None:
        if not window:
            window.extend((when, when))
        elif when < window[0]:
            window[0] = when
        elif when > window[1]:
            window[1] = when

    def in_window(cid: int, when: datetime) -> bool:
        opens, closes = periods.get(cid, (None, None))
        return (opens is None or when >= opens) and (closes is None or when <= closes)

    def day(when: datetime) -> Day:
        return hour_of(when)[1]

    for r in rows:
        if r.origin_platform is not None or r.origin is not None:
            platforms[r.origin_platform or r.origin].append(r.author_id)
            imported_people.add(r.author_id)
            day(r.origin_posted_at or r.created_at).imported += 1
            continue
        commenters.add(r.author_id)
        if r.parent_id is None:
            top += 1
            day(r.created_at).comments += 1
        else:
            replies += 1
            day(r.created_at).replies += 1
        if in_window(r.consultation_id, r.created_at):
            active[r.author_id].add(taipei_day(r.created_at))
            took_part(taipei_day(r.created_at))
    for user_id, utc_hour, is_imported, in_window_, n in votes:
        when, row = hour_of(datetime.fromtimestamp(int(utc_hour) * 3600, UTC))
        row.votes += n
        if is_imported:
            imported_people.add(user_id)
            imported_votes += n
            continue
        voters.add(user_id)
        here_votes += n
        if in_window_:
            active[user_id].add(when)
            took_part(when)

    bounds = [p for pair in periods.values() for p in pair if p is not None]
    span: tuple[str | None, str | None]
    if bounds and all(o is not None and c is not None for o, c in periods.values()):
        span = (_day(min(bounds)).isoformat(), _day(max(bounds)).isoformat())
    elif window:
        span = (min(window).isoformat(), max(window).isoformat())
    else:
        span = (None, None)
    values = {
        "participation_people": len(commenters | voters),
        "participation_commenters": len(commenters),
        "participation_voters": len(voters),
        "participation_commented_and_voted": len(commenters & voters),
        "participation_returning": sum(1 for d in active.values() if len(d) >= 2),
        "participation_comments": top,
        "participation_replies": replies,
        "participation_votes": here_votes,
        "participation_imported_comments": sum(len(a) for a in platforms.values()),
        "participation_imported_participants": len(imported_people),
        "participation_imported_votes": imported_votes,
        "participation_comments_visible": int(by_status.get(VISIBLE, 0)),
        "participation_comments_pending": int(by_status.get(CommentStatus.PENDING.value, 0)),
        "participation_comments_hidden": int(by_status.get(CommentStatus.HIDDEN.value, 0)),
        "participation_flags": int(flags or 0),
        "participation_moderator_hidden": int(ever_hidden or 0),
    }
    return Figures(
        values=values,
        returning_window=span,
        platforms=[
            PlatformCount(name, len(authors), len(set(authors)))
            for name, authors in sorted(platforms.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ],
        days=[days[k] for k in sorted(days)],
    )


def people(session: Session, consultation_ids: Iterable[int]) -> dict[str, set[int]]:
    """The accounts behind participation_commenters and participation_voters (the same rules:
    visible comments, registered accounts here, imports apart): {"commenters", "voters"}."""
    ids = sorted(set(consultation_ids))
    commenters = session.scalars(
        select(Comment.author_id)
        .distinct()
        .join(Thread, Thread.id == Comment.thread_id)
        .join(User, User.id == Comment.author_id)
        .where(
            Thread.consultation_id.in_(ids),
            Comment.status == VISIBLE,
            Comment.origin_platform.is_(None),
            User.origin.is_(None),
        )
    )
    voters = session.scalars(
        select(Vote.user_id)
        .distinct()
        .join(Comment, Comment.id == Vote.comment_id)
        .join(Thread, Thread.id == Comment.thread_id)
        .join(User, User.id == Vote.user_id)
        .where(Thread.consultation_id.in_(ids), Comment.status == VISIBLE, User.origin.is_(None))
    )
    return {"commenters": set(commenters), "voters": set(voters)}
