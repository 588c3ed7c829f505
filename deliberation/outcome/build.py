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

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .. import participation
from ..errors import Conflict, Forbidden, NotAuthenticated, NotFound
from ..focus_groups import outcome as focus_outcome
from ..models import Consultation, Plan, PlanStatus, Thread, User, utcnow
from ..outcome_rules import can_view_outcome, plan_agency_ids, sees_draft_responses
from ..plan_rules import can_read_consultation_work
from ..polls import outcome as poll_outcome
from ..sanitize import plain_text
from ..services import reviews
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
from .words import TEXT, format_date, iso, paragraphs, platform_name, text

# Once a plan is submitted or accepted, the version one downloads by default is the published one.
PUBLISHED_BY_DEFAULT = {PlanStatus.SUBMITTED.value, PlanStatus.ACCEPTED.value}


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
    consultation is linked.

    Draft responses can be included only for the plan's agencies' staff and admins (never for
    reviewers), or when a trusted caller asks for them; by default they are, except once the plan
    is submitted or accepted, when the default is the published version. The draft notice is
    printed exactly when an unpublished response is in the section."""
    plan = load_plan(session, plan_id, actor=actor, trusted=trusted)
    lang = lang if lang in TEXT else "zh-TW"
    zone = ZoneInfo(tz)
    allowed_drafts = trusted or sees_draft_responses(actor, plan_agency_ids(plan))
    if include_drafts is None:
        include_drafts = plan.status not in PUBLISHED_BY_DEFAULT
    drafts = include_drafts and allowed_drafts
    linked = sorted(plan.consultations, key=lambda c: c.id)
    if not linked:
        raise Conflict("plan_has_no_consultation", plan=plan.title)

    # Draft responses of each consultation through the one rule (plan_rules), per consultation:
    # linking a consultation to a plan never lets another agency read its drafts.
    outcomes = [
        _consultation(
            session,
            c,
            lang,
            zone,
            drafts
            and (trusted or can_read_consultation_work(actor, c.agency_id, plan_agency_ids(plan))),
        )
        for c in linked
    ]
    total = participation.figures(session, [c.id for c in linked])
    stale = any(o.run is not None and o.run.stale for o in outcomes)
    has_drafts = any(
        th.response is not None and not th.response.published for o in outcomes for th in o.themes
    )
    now = utcnow()
    section = OutcomeSection(
        plan_id=plan.id,
        plan_title=plan.title,
        plan_status=plan.status,
        plan_period=_period(plan.period_start, plan.period_end, lang, zone),
        lead_agency=plan.lead_agency.name,
        co_agencies=[a.name for a in sorted(plan.co_agencies, key=lambda a: a.id)],
        lang=lang,
        generated_at=iso(now, zone) or "",
        generated_label=f"{format_date(now, lang, zone)} {now.astimezone(zone):%H:%M}",
        include_drafts=has_drafts,
        audience_note=text(lang, "audience_drafts" if has_drafts else "audience_published"),
        consultations=outcomes,
        totals=_figures(total, lang),
        participation=total.as_dict(),
        participation_dictionary=participation.dictionary(lang),
        returning_window=_window(total, lang, zone),
        per_day=_days(total),
        changes_html=plan.changes_html or "",
        changes_text=plain_text(plan.changes_html or ""),
        changes_paragraphs=paragraphs(plan.changes_html or ""),
        stale=stale,
        stale_label=text(lang, "stale") if stale else "",
    )
    section.checklist = reviews.checklist(session, plan)
    section.polls = poll_outcome.blocks(session, linked, lang)  # 民調與代表性
    section.notes = [text(lang, "generated_note"), section.audience_note]
    if section.returning_window:
        section.notes.append(text(lang, "returning_window", window=section.returning_window))
    if stale:
        section.notes.insert(0, text(lang, "stale") + text(lang, "stale_note"))
    return section


def _period(start: datetime | None, end: datetime | None, lang: str, zone: ZoneInfo) -> str:
    first, last = format_date(start, lang, zone), format_date(end, lang, zone)
    return f"{first} – {last}" if (first or last) else ""


def _window(figures: participation.Figures, lang: str, zone: ZoneInfo) -> str:
    first, last = figures.returning_window
    if not first or not last:
        return ""
    as_time = [datetime.fromisoformat(d).replace(hour=12, tzinfo=zone) for d in (first, last)]
    return _period(as_time[0], as_time[1], lang, zone)


def _figures(figures: participation.Figures, lang: str) -> list[Figure]:
    return [
        Figure(key, participation.label(key, lang), figures[key], participation.counts(key, lang))
        for key in participation.SECTION_KEYS
    ]


def _days(figures: participation.Figures) -> list[DayPoint]:
    return [DayPoint(d.date, d.comments, d.replies, d.imported, d.votes) for d in figures.days]


def _consultation(
    session: Session, consultation: Consultation, lang: str, zone: ZoneInfo, drafts: bool
) -> ConsultationOutcome:
    cid = consultation.id
    figures = participation.figures(session, [cid])
    thread_count = (
        session.scalar(select(func.count(Thread.id)).where(Thread.consultation_id == cid)) or 0
    )
    imported = [
        PlatformFigure(
            platform=p.platform,
            platform_label=platform_name(p.platform, lang),
            comments=p.comments,
            participants=p.participants,
            counts=text(lang, "c_import_platform", platform=platform_name(p.platform, lang)),
        )
        for p in figures.platforms
    ]
    here = figures["participation_comments"] + figures["participation_replies"]
    channels = [
        Channel("web", "zhongyi", text(lang, "channel_web", threads=thread_count), here)
    ] + [
        Channel(
            "import",
            p.platform,
            text(lang, "channel_import", platform=p.platform_label, n=p.comments),
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

    return ConsultationOutcome(
        id=cid,
        title=consultation.title,
        agency=consultation.agency.name,
        status=consultation.status,
        opens_at=iso(consultation.opens_at, zone),
        closes_at=iso(consultation.closes_at, zone),
        period=_period(consultation.opens_at, consultation.closes_at, lang, zone),
        channels=channels,
        figures=_figures(figures, lang),
        participation=figures.as_dict(),
        imported=imported,
        per_day=_days(figures),
        run=run_info,
        themes=themes,
        groups=groups,
        consensus=consensus,
        disposition_counts=disposition_counts,
        focus_group=focus_outcome.subsection(session, cid, run, lang, zone),
    )


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
