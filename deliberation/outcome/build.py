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

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..errors import Conflict, Forbidden, NotAuthenticated, NotFound
from ..models import (
    Comment,
    CommentStatus,
    Consultation,
    Flag,
    ModerationAction,
    Plan,
    Thread,
    User,
    Vote,
    utcnow,
)
from ..outcome_rules import can_view_outcome, plan_agency_ids, sees_draft_responses
from ..sanitize import plain_text
from ..services.analysis_runs import latest_run
from . import snapshot
from .structure import (
    Channel,
    ConsultationOutcome,
    DayPoint,
    Figure,
    OutcomeSection,
    PlatformFigure,
)
from .words import TEXT, format_date, iso, paragraphs, text

VISIBLE = CommentStatus.VISIBLE.value


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
        generated_at=iso(now, zone) or "",
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
    run_info = snapshot.run_info(session, run, lang, zone) if run is not None else None
    themes = snapshot.themes(session, run, cid, lang, zone, drafts) if run is not None else []
    groups, consensus = snapshot.groups(session, run, cid, lang) if run is not None else ([], [])
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
        opens_at=iso(consultation.opens_at, zone),
        closes_at=iso(consultation.closes_at, zone),
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
