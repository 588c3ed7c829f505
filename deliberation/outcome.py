"""The 政策溝通成效 (consultation outcome) section of a plan, generated from the data.

`build_section` reads a plan's linked consultations and returns plain dataclasses: the process,
participation figures (each with a sentence saying what it counts), a per-day series, the latest
analysis snapshot (flagged when stale), themes with quotes and the agency's responses, opinion
groups and consensus statements, and what changed in the plan. Renderers (Markdown, HTML, DOCX,
CSV, JSON) only format this structure; nothing in the section is typed by hand except the agency's
own responses and the plan's "changes".

Only visible comments ever enter a count, a theme, a quote or a member list: pending and hidden
comments are filtered here, in one place.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .errors import Conflict, Forbidden, NotAuthenticated, NotFound
from .models import (
    AnalysisRun,
    Comment,
    CommentStatus,
    Consultation,
    Flag,
    ModerationAction,
    Plan,
    Theme,
    ThemeMember,
    ThemeResponse,
    Thread,
    User,
    Vote,
    utcnow,
)
from .outcome_rules import can_view_outcome, plan_agency_ids, sees_draft_responses
from .sanitize import plain_text
from .services.analysis_runs import is_stale, latest_run
from .services.theme_learning import confirmed_count

VISIBLE = CommentStatus.VISIBLE.value
QUOTES_PER_THEME = 3
QUOTE_CHARS = 140
STATEMENTS_PER_GROUP = 3

# ---- words ------------------------------------------------------------------------------------
# The section is a plan document: its words live here, in zh-TW (the document language) and
# English, so every renderer and every export says the same thing.

TEXT: dict[str, dict[str, str]] = {
    "zh-TW": {
        "title": "政策溝通成效",
        "h_participation": "一、參與概況",
        "h_process": "（一）辦理過程",
        "h_figures": "（二）參與數據",
        "h_imported": "（三）外部平台匯入意見",
        "h_per_day": "（四）每日參與情形",
        "h_themes": "二、意見主題與機關回應",
        "h_groups": "三、意見群體與共識意見",
        "h_changes": "四、計畫因應調整情形",
        "h_notes": "五、資料說明",
        "plan": "計畫名稱",
        "lead_agency": "主責機關",
        "co_agencies": "協辦機關",
        "generated_at": "產製時間",
        "consultation": "諮詢案",
        "agency": "主辦機關",
        "period": "諮詢期間",
        "channels": "參與管道",
        "channel_web": "眾議平台網頁討論（%(threads)s 個討論串）",
        "channel_import": "%(platform)s（匯入 %(n)s 則）",
        "figure": "項目",
        "value": "數值",
        "counts": "計算方式",
        "total": "全計畫合計",
        "platform": "平台",
        "imported_comments": "匯入意見數",
        "imported_participants": "匯入參與者數",
        "date": "日期",
        "comments": "留言",
        "replies": "回覆",
        "imported": "外部匯入",
        "votes": "投票",
        "key": "編號",
        "theme": "主題",
        "size": "留言數",
        "agree": "贊成",
        "disagree": "反對",
        "pass": "略過",
        "stance": "投票立場",
        "keywords": "關鍵詞",
        "quotes": "代表性意見",
        "pinned": "策展釘選",
        "disposition": "處理情形",
        "reasoning": "說明",
        "responsible_unit": "負責單位",
        "due_date": "預定完成日期",
        "no_response": "尚未回應",
        "draft": "草稿",
        "adopted": "採納",
        "partly": "部分採納",
        "not_adopted": "不採納",
        "under_study": "研議中",
        "run": "分析版本",
        "run_line": "第 %(id)s 次分析，完成於 %(finished)s，程式版本 %(version)s",
        "run_inputs": "分析所用資料：%(inputs)s",
        "confirmed": "承辦人員已確認 %(n)s 則留言的主題歸屬。",
        "stale": "【分析快照已過時】",
        "stale_note": "本分析完成後，諮詢之留言、投票或管理狀態已有變動。主題歸屬仍依此快照，"
        "留言數與投票數則依目前可見之留言重新計算；請重新執行分析以更新主題。",
        "no_run": "本諮詢尚未完成意見分析。",
        "no_themes": "本次分析未產生意見主題。",
        "group": "意見群 %(name)s",
        "group_size": "%(n)s 位參與者",
        "consensus": "各意見群共同之意見",
        "consensus_agree": "共同贊成",
        "consensus_disagree": "共同反對",
        "no_groups": "本次分析未產生意見群體（投票資料不足或尚未分析）。",
        "no_changes": "（主責機關尚未填寫計畫因應調整情形。）",
        "comment_ref": "留言 #%(id)s",
        "from_platform": "來源：%(platform)s",
        "audience_drafts": "本版本包含尚未發布之機關回應，均標示為「草稿」，僅供計畫機關內部參考。",
        "audience_published": "本版本僅列已發布之機關回應；尚未發布者以「尚未回應」表示。",
        "generated_note": "本節由眾議平台依諮詢資料自動產生，數據與引文均可追溯至原始留言；"
        "被隱藏或待審核之留言不列入任何數據、主題、引文或匯出檔。",
        "chart_themes": "意見主題規模",
        "chart_stance": "各主題投票立場",
        "chart_participation": "每日參與情形",
        "theme_table_note": "圖表以主題編號標示，完整名稱見上表。",
        "disposition_summary": "回應處理情形統計",
        "members": "成員留言編號",
        "none": "無",
        # figures
        "f_participants": "參與人數",
        "c_participants": "在本平台發表可見留言或回覆、或對可見留言投票之不重複帳號數（不含外部匯入之匿名參與者）",
        "f_comments": "留言數",
        "c_comments": "本平台上目前可見之主留言數（不含回覆、不含外部匯入；待審核及已隱藏者不計）",
        "f_replies": "回覆數",
        "c_replies": "本平台上目前可見之回覆數（回覆他人留言者；待審核及已隱藏者不計）",
        "f_votes": "投票數",
        "c_votes": "對目前可見留言之投票筆數（贊成、反對、略過合計；每人每則一票，可改票，以最後一次為準）",
        "f_flags": "檢舉數",
        "c_flags": "使用者對本諮詢留言提出之檢舉總次數（含其後遭隱藏或已處理者）",
        "f_hidden": "遭隱藏留言數",
        "c_hidden": "曾由管理員依公開規則隱藏之不重複留言數（含其後恢復者）；其內容不列入本節",
        "f_imported": "外部匯入意見數",
        "c_imported": "自其他平台匯入且目前可見之意見數，各平台分列於下表",
        "c_import_platform": "自 %(platform)s 匯入且目前可見之意見數；匯入參與者為其不重複之匿名作者數",
        "c_size": "屬於本主題且目前可見之留言數（依分析快照歸類）",
        "c_stance": "對本主題可見留言之投票筆數（贊成／反對／略過）",
        "c_per_day": "依臺北時間日期計：可見之主留言、回覆、外部匯入意見（依原發表時間）與投票數",
        "inputs_comments": "留言 %(n)s 則",
        "inputs_participants": "參與者 %(n)s 人",
        "inputs_votes": "投票 %(n)s 筆",
        "inputs_excluded": "排除 %(n)s 則",
    },
    "en": {
        "title": "Outcome of public consultation",
        "h_participation": "1. Participation",
        "h_process": "1.1 Process",
        "h_figures": "1.2 Figures",
        "h_imported": "1.3 Posts imported from other platforms",
        "h_per_day": "1.4 Participation per day",
        "h_themes": "2. Themes and the agencies' responses",
        "h_groups": "3. Opinion groups and common ground",
        "h_changes": "4. What changed in the plan",
        "h_notes": "5. About this section",
        "plan": "Plan",
        "lead_agency": "Lead agency",
        "co_agencies": "Co-agencies",
        "generated_at": "Generated",
        "consultation": "Consultation",
        "agency": "Agency",
        "period": "Period",
        "channels": "Channels",
        "channel_web": "Zhongyi web discussion (%(threads)s threads)",
        "channel_import": "%(platform)s (%(n)s imported)",
        "figure": "Figure",
        "value": "Value",
        "counts": "What it counts",
        "total": "All consultations",
        "platform": "Platform",
        "imported_comments": "Imported posts",
        "imported_participants": "Imported participants",
        "date": "Date",
        "comments": "Comments",
        "replies": "Replies",
        "imported": "Imported",
        "votes": "Votes",
        "key": "Key",
        "theme": "Theme",
        "size": "Comments",
        "agree": "Agree",
        "disagree": "Disagree",
        "pass": "Pass",
        "stance": "Votes",
        "keywords": "Keywords",
        "quotes": "Representative comments",
        "pinned": "pinned by the curator",
        "disposition": "Disposition",
        "reasoning": "Reasoning",
        "responsible_unit": "Responsible unit",
        "due_date": "Due date",
        "no_response": "Not yet answered",
        "draft": "draft",
        "adopted": "Adopted",
        "partly": "Partly adopted",
        "not_adopted": "Not adopted",
        "under_study": "Under study",
        "run": "Analysis",
        "run_line": "Run %(id)s, finished %(finished)s, code version %(version)s",
        "run_inputs": "Computed from: %(inputs)s",
        "confirmed": "Staff confirmed the theme of %(n)s comments.",
        "stale": "[Stale analysis snapshot]",
        "stale_note": "Comments, votes or moderation changed after this analysis. Theme membership "
        "still follows the snapshot; comment and vote counts are recomputed from the comments "
        "visible now. Run the analysis again to update the themes.",
        "no_run": "This consultation has not been analysed yet.",
        "no_themes": "The analysis found no themes.",
        "group": "Group %(name)s",
        "group_size": "%(n)s participants",
        "consensus": "Statements all groups agreed on",
        "consensus_agree": "agreed",
        "consensus_disagree": "disagreed",
        "no_groups": "No opinion groups (not enough votes, or not analysed yet).",
        "no_changes": "(The lead agency has not yet described what changed in the plan.)",
        "comment_ref": "comment #%(id)s",
        "from_platform": "from %(platform)s",
        "audience_drafts": "This version includes unpublished responses, each marked as a draft, "
        "for the plan's agencies only.",
        "audience_published": "This version lists published responses only; unpublished ones "
        "appear as not yet answered.",
        "generated_note": "Generated by Zhongyi from the consultation data; every figure and quote "
        "traces back to the comments. Hidden and pending comments never enter a figure, a theme, "
        "a quote or an export.",
        "chart_themes": "Theme sizes",
        "chart_stance": "Votes per theme",
        "chart_participation": "Participation per day",
        "theme_table_note": "Charts label themes by key; the table above gives the full names.",
        "disposition_summary": "Responses by disposition",
        "members": "Member comment ids",
        "none": "none",
        "f_participants": "Participants",
        "c_participants": "Distinct accounts that posted a visible comment or reply on Zhongyi, or "
        "voted on a visible comment (imported pseudonymous participants are not included)",
        "f_comments": "Comments",
        "c_comments": "Visible top-level comments posted on Zhongyi (no replies, no imported "
        "posts; pending and hidden ones are not counted)",
        "f_replies": "Replies",
        "c_replies": "Visible replies to other comments posted on Zhongyi (pending and hidden "
        "ones are not counted)",
        "f_votes": "Votes",
        "c_votes": "Votes on visible comments (agree, disagree and pass; one per person per "
        "comment, the latest counts)",
        "f_flags": "Flags",
        "c_flags": "Times users flagged a comment of this consultation (including comments later "
        "hidden or cleared)",
        "f_hidden": "Hidden comments",
        "c_hidden": "Distinct comments a moderator hid under the published rules (including ones "
        "later restored); their text is not part of this section",
        "f_imported": "Imported posts",
        "c_imported": "Visible posts imported from other platforms; each platform is listed below",
        "c_import_platform": "Visible posts imported from %(platform)s; imported participants are "
        "their distinct pseudonymous authors",
        "c_size": "Visible comments in this theme (membership from the analysis snapshot)",
        "c_stance": "Votes on this theme's visible comments (agree / disagree / pass)",
        "c_per_day": "By Taipei date: visible comments, replies, imported posts (by their original "
        "date) and votes",
        "inputs_comments": "%(n)s comments",
        "inputs_participants": "%(n)s participants",
        "inputs_votes": "%(n)s votes",
        "inputs_excluded": "%(n)s excluded",
    },
}
LANGS = tuple(TEXT)


def text(lang: str, key: str, **params: Any) -> str:
    """A word of the section in its language (zh-TW when unknown)."""
    words = TEXT.get(lang) or TEXT["zh-TW"]
    value = words.get(key, key)
    return value % params if params else value


def normalise_lang(value: str | None) -> str:
    """'en', 'en_US' → 'en'; anything else → 'zh-TW' (the document language)."""
    return "en" if (value or "").lower().startswith("en") else "zh-TW"


# ---- the structure ----------------------------------------------------------------------------


@dataclass
class Figure:
    key: str
    label: str
    value: int
    counts: str  # what exactly is counted


@dataclass
class Channel:
    kind: str  # "web" or "import"
    name: str  # platform code for imports, "zhongyi" for the web
    label: str
    items: int


@dataclass
class PlatformFigure:
    platform: str
    comments: int
    participants: int
    counts: str


@dataclass
class DayPoint:
    date: str  # ISO date, Taipei
    comments: int = 0
    replies: int = 0
    imported: int = 0
    votes: int = 0


@dataclass
class Quote:
    comment_id: int
    permalink: str
    text: str
    pinned: bool = False
    platform: str | None = None


@dataclass
class ResponseOut:
    disposition: str
    disposition_label: str
    reasoning_text: str
    reasoning_html: str  # the sanitizer's output
    responsible_unit: str
    due_date: str | None
    published: bool
    published_at: str | None


@dataclass
class ThemeOut:
    key: str
    label: str
    keywords: list[str]
    size: int
    size_counts: str
    stance: dict[str, int]
    stance_counts: str
    quotes: list[Quote]
    member_ids: list[int]  # visible member comments only
    response: ResponseOut | None


@dataclass
class Statement:
    comment_id: int
    permalink: str
    text: str
    direction: str  # agree / disagree


@dataclass
class GroupOut:
    id: int
    name: str
    label: str
    size: int
    statements: list[Statement]


@dataclass
class RunInfo:
    id: int
    finished_at: str | None
    code_version: str
    params: dict[str, Any]
    input_counts: dict[str, Any]
    stale: bool
    summary: str


@dataclass
class ConsultationOutcome:
    id: int
    title: str
    agency: str
    status: str
    opens_at: str | None
    closes_at: str | None
    period: str
    channels: list[Channel]
    figures: list[Figure]
    imported: list[PlatformFigure]
    per_day: list[DayPoint]
    run: RunInfo | None
    themes: list[ThemeOut]
    groups: list[GroupOut]
    consensus: list[Statement]
    disposition_counts: dict[str, int]


@dataclass
class OutcomeSection:
    plan_id: int
    plan_title: str
    lead_agency: str
    co_agencies: list[str]
    lang: str
    generated_at: str  # ISO, Taipei time
    generated_label: str  # as the document prints it
    include_drafts: bool
    audience_note: str
    consultations: list[ConsultationOutcome]
    totals: list[Figure]
    per_day: list[DayPoint]
    changes_html: str  # the sanitizer's output
    changes_text: str
    changes_paragraphs: list[str]  # one per paragraph or list item ("・" marks items)
    stale: bool
    stale_label: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (every value is a str, int, bool, list, dict or None)."""
        return dataclasses.asdict(self)

    def t(self, key: str, **params: Any) -> str:
        return text(self.lang, key, **params)


# ---- helpers ----------------------------------------------------------------------------------


def permalink(comment_id: int) -> str:
    return f"/comments/{comment_id}"


def _truncate(value: str, limit: int = QUOTE_CHARS) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)


def paragraphs(html: str) -> list[str]:
    """Sanitized HTML as plain-text paragraphs for documents without HTML (DOCX, Markdown):
    one per paragraph, heading or list item; list items start with "・"."""
    out = []
    for piece in _BLOCK_END.split(html or ""):
        line = plain_text(piece)
        if line:
            out.append(f"・{line}" if re.search(r"<li[\s>]", piece, re.IGNORECASE) else line)
    return out


def format_date(value: datetime | None, lang: str, tz: ZoneInfo) -> str:
    """A date as plan documents write it: 民國 years in zh-TW (115年3月1日), ISO in English."""
    if value is None:
        return ""
    local = value.astimezone(tz)
    if lang == "zh-TW":
        return f"{local.year - 1911}年{local.month}月{local.day}日"
    return local.date().isoformat()


def _iso(value: datetime | None, tz: ZoneInfo) -> str | None:
    return value.astimezone(tz).isoformat(timespec="seconds") if value else None


# ---- reading the plan -------------------------------------------------------------------------


def load_plan(session: Session, plan_id: int, *, actor: User | None, trusted: bool = False) -> Plan:
    """The plan, if this actor may read its outcome section (trusted: the server's CLI)."""
    plan = session.scalars(
        select(Plan)
        .where(Plan.id == plan_id)
        .options(selectinload(Plan.co_agencies), selectinload(Plan.consultations))
    ).first()
    if plan is None:
        raise NotFound("plan_not_found")
    if not trusted:
        if actor is None:
            raise NotAuthenticated()
        if not can_view_outcome(actor, plan_agency_ids(plan)):
            raise Forbidden("outcome_forbidden")
    return plan


def build_section(
    session: Session,
    plan_id: int,
    *,
    actor: User | None,
    trusted: bool = False,
    include_drafts: bool | None = None,
    lang: str = "zh-TW",
    tz: str = "Asia/Taipei",
) -> OutcomeSection:
    """The plan's outcome section, from the data. Raises `plan_has_no_consultation` (409) when no
    consultation is linked. Draft responses are included only for the plan's agencies' staff and
    admins (never for reviewers), or when a trusted caller asks for them."""
    plan = load_plan(session, plan_id, actor=actor, trusted=trusted)
    lang = lang if lang in TEXT else "zh-TW"
    zone = ZoneInfo(tz)
    allowed_drafts = trusted or sees_draft_responses(actor, plan_agency_ids(plan))
    drafts = allowed_drafts if include_drafts is None else (include_drafts and allowed_drafts)
    linked = sorted(plan.consultations, key=lambda c: c.id)
    if not linked:
        raise Conflict("plan_has_no_consultation", plan=plan.title)

    outcomes: list[ConsultationOutcome] = []
    all_participants: set[int] = set()
    for consultation in linked:
        outcome, participants = _consultation(session, consultation, lang, zone, drafts)
        outcomes.append(outcome)
        all_participants |= participants

    totals = _totals(outcomes, len(all_participants), lang)
    per_day = _merge_days(o.per_day for o in outcomes)
    stale = any(o.run is not None and o.run.stale for o in outcomes)
    now = utcnow()
    section = OutcomeSection(
        plan_id=plan.id,
        plan_title=plan.title,
        lead_agency=plan.lead_agency.name,
        co_agencies=[a.name for a in sorted(plan.co_agencies, key=lambda a: a.id)],
        lang=lang,
        generated_at=_iso(now, zone) or "",
        generated_label=f"{format_date(now, lang, zone)} {now.astimezone(zone):%H:%M}",
        include_drafts=drafts,
        audience_note=text(lang, "audience_drafts" if drafts else "audience_published"),
        consultations=outcomes,
        totals=totals,
        per_day=per_day,
        changes_html=plan.changes_html or "",
        changes_text=plain_text(plan.changes_html or ""),
        changes_paragraphs=paragraphs(plan.changes_html or ""),
        stale=stale,
        stale_label=text(lang, "stale") if stale else "",
    )
    section.notes = [text(lang, "generated_note"), section.audience_note]
    if stale:
        section.notes.insert(0, text(lang, "stale") + text(lang, "stale_note"))
    return section


def _consultation(
    session: Session, consultation: Consultation, lang: str, zone: ZoneInfo, drafts: bool
) -> tuple[ConsultationOutcome, set[int]]:
    cid = consultation.id
    in_consultation = Thread.consultation_id == cid
    visible_rows = session.execute(
        select(
            Comment.id,
            Comment.author_id,
            Comment.parent_id,
            Comment.origin_platform,
            Comment.created_at,
            Comment.origin_posted_at,
            User.origin,
        )
        .join(Thread, Thread.id == Comment.thread_id)
        .join(User, User.id == Comment.author_id)
        .where(in_consultation, Comment.status == VISIBLE)
        .order_by(Comment.id)
    ).all()
    vote_rows = session.execute(
        select(Vote.user_id, Vote.value, Vote.created_at, User.origin)
        .join(Comment, Comment.id == Vote.comment_id)
        .join(Thread, Thread.id == Comment.thread_id)
        .join(User, User.id == Vote.user_id)
        .where(in_consultation, Comment.status == VISIBLE)
    ).all()
    flags = session.scalar(
        select(func.count(Flag.id))
        .join(Comment, Comment.id == Flag.comment_id)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(in_consultation)
    )
    hidden = session.scalar(
        select(func.count(func.distinct(ModerationAction.comment_id))).where(
            ModerationAction.consultation_id == cid,
            ModerationAction.action == "hide",
            ModerationAction.comment_id.is_not(None),
        )
    )
    thread_count = session.scalar(select(func.count(Thread.id)).where(in_consultation)) or 0

    participants: set[int] = set()
    web_comments = web_replies = 0
    platforms: dict[str, list[int]] = defaultdict(list)  # platform -> author ids
    days: dict[str, DayPoint] = {}

    def day(when: datetime) -> DayPoint:
        key = when.astimezone(zone).date().isoformat()
        return days.setdefault(key, DayPoint(date=key))

    for row in visible_rows:
        if row.origin_platform:
            platforms[row.origin_platform].append(row.author_id)
            day(row.origin_posted_at or row.created_at).imported += 1
            continue
        if row.origin is None:
            participants.add(row.author_id)
        if row.parent_id is None:
            web_comments += 1
            day(row.created_at).comments += 1
        else:
            web_replies += 1
            day(row.created_at).replies += 1
    for vote in vote_rows:
        if vote.origin is None:
            participants.add(vote.user_id)
        day(vote.created_at).votes += 1

    imported_total = sum(len(v) for v in platforms.values())
    figures = [
        Figure(
            "participants",
            text(lang, "f_participants"),
            len(participants),
            text(lang, "c_participants"),
        ),
        Figure("comments", text(lang, "f_comments"), web_comments, text(lang, "c_comments")),
        Figure("replies", text(lang, "f_replies"), web_replies, text(lang, "c_replies")),
        Figure("votes", text(lang, "f_votes"), len(vote_rows), text(lang, "c_votes")),
        Figure("flags", text(lang, "f_flags"), int(flags or 0), text(lang, "c_flags")),
        Figure("hidden", text(lang, "f_hidden"), int(hidden or 0), text(lang, "c_hidden")),
        Figure("imported", text(lang, "f_imported"), imported_total, text(lang, "c_imported")),
    ]
    imported = [
        PlatformFigure(
            platform=name,
            comments=len(authors),
            participants=len(set(authors)),
            counts=text(lang, "c_import_platform", platform=name),
        )
        for name, authors in sorted(platforms.items())
    ]
    channels = [
        Channel(
            "web",
            "zhongyi",
            text(lang, "channel_web", threads=thread_count),
            web_comments + web_replies,
        )
    ] + [
        Channel(
            "import",
            p.platform,
            text(lang, "channel_import", platform=p.platform, n=p.comments),
            p.comments,
        )
        for p in imported
    ]

    run = latest_run(session, cid)
    run_info = _run_info(session, run, lang, zone) if run is not None else None
    themes = _themes(session, run, cid, lang, zone, drafts) if run is not None else []
    groups, consensus = _groups(session, run, cid, lang) if run is not None else ([], [])
    disposition_counts: dict[str, int] = {}
    for theme in themes:
        key = theme.response.disposition if theme.response else "none"
        disposition_counts[key] = disposition_counts.get(key, 0) + 1

    opens = format_date(consultation.opens_at, lang, zone)
    closes = format_date(consultation.closes_at, lang, zone)
    outcome = ConsultationOutcome(
        id=cid,
        title=consultation.title,
        agency=consultation.agency.name,
        status=consultation.status,
        opens_at=_iso(consultation.opens_at, zone),
        closes_at=_iso(consultation.closes_at, zone),
        period=f"{opens} – {closes}" if (opens or closes) else "",
        channels=channels,
        figures=figures,
        imported=imported,
        per_day=[days[k] for k in sorted(days)],
        run=run_info,
        themes=themes,
        groups=groups,
        consensus=consensus,
        disposition_counts=disposition_counts,
    )
    return outcome, participants


def _run_info(session: Session, run: AnalysisRun, lang: str, zone: ZoneInfo) -> RunInfo:
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
        finished_at=_iso(run.finished_at, zone),
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
        select(Comment.id, Comment.html, Comment.origin_platform)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(
            Comment.id.in_(wanted),
            Thread.consultation_id == consultation_id,
            Comment.status == VISIBLE,
        )
    ).all()
    return {r.id: (_truncate(plain_text(r.html)), r.origin_platform) for r in rows}


def _themes(
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
            quotes.append(Quote(cid_, permalink(cid_), body, cid_ in pinned, platform))
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
        due_date=format_date(row.due_date, lang, zone) or None,
        published=row.published_at is not None,
        published_at=_iso(row.published_at, zone),
    )


def _comment_id(item: Any) -> int | None:
    value = item.get("comment_id") if isinstance(item, dict) else item
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _groups(
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


def _totals(outcomes: list[ConsultationOutcome], participants: int, lang: str) -> list[Figure]:
    totals: list[Figure] = []
    for figure in outcomes[0].figures:
        value = (
            participants
            if figure.key == "participants"
            else sum(f.value for o in outcomes for f in o.figures if f.key == figure.key)
        )
        totals.append(Figure(figure.key, figure.label, value, figure.counts))
    return totals


def _merge_days(series: Iterable[list[DayPoint]]) -> list[DayPoint]:
    days: dict[str, DayPoint] = {}
    for points in series:
        for p in points:
            d = days.setdefault(p.date, DayPoint(date=p.date))
            d.comments += p.comments
            d.replies += p.replies
            d.imported += p.imported
            d.votes += p.votes
    return [days[k] for k in sorted(days)]


def themes_rows(section: OutcomeSection) -> list[dict[str, Any]]:
    """One row per theme (all consultations), for the CSV export: visible member ids only."""
    rows = []
    for c in section.consultations:
        for t in c.themes:
            rows.append(
                {
                    "consultation_id": c.id,
                    "run_id": c.run.id if c.run else "",
                    "run_stale": "stale" if c.run and c.run.stale else "",
                    "theme_key": t.key,
                    "label": t.label,
                    "size": t.size,
                    "agree": t.stance.get("agree", 0),
                    "disagree": t.stance.get("disagree", 0),
                    "pass": t.stance.get("pass", 0),
                    "disposition": t.response.disposition if t.response else "",
                    "response_published": (
                        "" if t.response is None else ("yes" if t.response.published else "draft")
                    ),
                    "quote_comment_ids": " ".join(str(q.comment_id) for q in t.quotes),
                    "member_comment_ids": " ".join(str(i) for i in t.member_ids),
                }
            )
    return rows
