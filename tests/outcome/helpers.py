"""Outcome-section scenes: a plan with one consultation whose comments are visible, hidden,
pending and imported, an analysis run with themes and groups, and responses (one draft).
Rows are created directly with small factories, independent of the plans and analysis areas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.extensions import db
from deliberation.models import (
    AnalysisRun,
    Comment,
    Consultation,
    ModerationAction,
    Plan,
    PlanAgency,
    PlanConsultation,
    Theme,
    ThemeMember,
    ThemeResponse,
    User,
    utcnow,
)
from deliberation.sanitize import render_markdown
from deliberation.services import comments
from deliberation.services.analysis_runs import input_fingerprint
from tests.factories import make_comment, make_user

HIDDEN_TEXT = "HIDDENSECRET 這則已被隱藏"


PENDING_TEXT = "PENDINGSECRET 這則待審核"


def make_plan(
    lead, consultations: list[Consultation] = (), *, co=(), title="數位治理中程個案計畫", changes=""
) -> Plan:  # type: ignore[no-untyped-def]
    plan = Plan(
        title=title,
        lead_agency_id=lead.id,
        changes=changes,
        changes_html=render_markdown(changes) if changes else "",
    )
    db.session.add(plan)
    db.session.flush()
    for c in consultations:
        db.session.add(PlanConsultation(plan_id=plan.id, consultation_id=c.id))
    for agency in co:
        db.session.add(PlanAgency(plan_id=plan.id, agency_id=agency.id))
    db.session.commit()
    db.session.expire(plan)
    return plan


def vote(comment: Comment, user: User, value: int) -> None:
    comments.cast_vote(db.session, comment.id, actor=user, value=value)
    db.session.commit()


def hide(comment: Comment, moderator: User) -> None:
    comment.status = "hidden"
    db.session.add(
        ModerationAction(
            actor_id=moderator.id,
            action="hide",
            target_type="comment",
            target_id=comment.id,
            comment_id=comment.id,
            thread_id=comment.thread_id,
            consultation_id=comment.thread.consultation_id,
            reason="harassment",
            before_status="visible",
            after_status="hidden",
        )
    )
    db.session.commit()


def imported(thread, platform: str, body: str, n: int) -> Comment:  # type: ignore[no-untyped-def]
    author = make_user(name=f"{platform}網友{n}")
    author.origin = platform
    comment = make_comment(thread, author, body=body)
    comment.origin_platform = platform
    comment.origin_url = f"https://{platform}.example/{n}"
    comment.origin_posted_at = utcnow() - timedelta(days=2)
    db.session.commit()
    return comment


def make_run(consultation: Consultation, themes: list[dict], *, groups=None) -> AnalysisRun:  # type: ignore[no-untyped-def]
    run = AnalysisRun(
        consultation_id=consultation.id,
        status="done",
        progress=100,
        params={"n_themes": len(themes)},
        code_version="0.1.0+test",
        input_counts={"comments": 6, "participants": 5, "votes": 3, "excluded": 2},
        input_fingerprint=input_fingerprint(db.session, consultation.id),
        groups=groups,
        started_at=utcnow(),
        finished_at=utcnow(),
    )
    db.session.add(run)
    db.session.flush()
    for position, spec in enumerate(themes):
        theme = Theme(
            run_id=run.id,
            key=spec["key"],
            position=position,
            label=spec["label"],
            keywords=spec.get("keywords", []),
            size=len(spec["members"]),
            stance={"agree": 99, "disagree": 99, "pass": 99},  # stale numbers: must be recomputed
            representative_ids=[c.id for c in spec.get("representative", [])],
            pinned_ids=[c.id for c in spec.get("pinned", [])],
            discarded=spec.get("discarded", False),
        )
        db.session.add(theme)
        db.session.flush()
        for member in spec["members"]:
            db.session.add(ThemeMember(run_id=run.id, theme_id=theme.id, comment_id=member.id))
    db.session.commit()
    return run


def respond(consultation, key, disposition, reasoning, *, published=True, unit="", due=None):  # type: ignore[no-untyped-def]
    row = ThemeResponse(
        consultation_id=consultation.id,
        theme_key=key,
        disposition=disposition,
        reasoning=reasoning,
        reasoning_html=render_markdown(reasoning),
        responsible_unit=unit,
        due_date=due,
        published_at=utcnow() if published else None,
    )
    db.session.add(row)
    db.session.commit()
    return row


@dataclass
class Scene:
    plan: Plan
    consultation: Consultation
    run: AnalysisRun
    lead_staff: User
    co_staff: User
    other_staff: User
    reviewer: User
    admin: User
    citizen: User
    c: dict[str, Comment]
