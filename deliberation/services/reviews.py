"""The reviewer's checklist (審議機關) and decisions on submitted plans.

Each checklist item is a dict {key, passed, ok, reason, params, link_hint}: `passed` (and its
older name `ok`) says whether it holds, `reason` is a stable code the web layer puts into words,
`link_hint` says where to go to fix it ({"kind": ..., "id": ...}).

The items follow from what the plan's 政策溝通成效 section requires: its own sections written
(the summary and 四、計畫因應調整情形, neither empty nor a placeholder), the plan period, closed
consultations analysed on their final data, a published response for every theme, nothing
overdue, participation figures, and figures no older than the latest analysis."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .. import plan_rules
from ..errors import Conflict, Forbidden, NotAuthenticated, ValidationError
from ..models import (
    AnalysisStatus,
    Comment,
    CommentStatus,
    Consultation,
    ConsultationStatus,
    Plan,
    PlanReview,
    PlanStatus,
    ReviewDecision,
    Thread,
    User,
    utcnow,
)
from ..sanitize import render_markdown
from ..webhooks import operations as webhooks
from . import analysis_runs, responses

CHECKLIST_KEYS = (
    "plan_summary",
    "plan_changes",
    "plan_period",
    "consultations_closed",
    "analysis_final",
    "responses_published",
    "no_overdue",
    "participation",
    "outcome_current",
)
MAX_COMMENTS = 10_000
CLOSED = {ConsultationStatus.CLOSED.value, ConsultationStatus.CONCLUDED.value}


def _item(
    key: str, ok: bool, reason: str, link: dict[str, Any] | None = None, **params: Any
) -> dict[str, Any]:
    return {
        "key": key,
        "passed": ok,
        "ok": ok,
        "reason": reason,
        "params": params,
        "link_hint": link or {},
    }


def _unless_any(
    key: str, offenders: list[Consultation], fail: str, ok: str, **ok_params: Any
) -> dict[str, Any]:
    """Fail on the first offending consultation (linked, with its title), else pass."""
    if offenders:
        first = offenders[0]
        return _item(key, False, fail, {"kind": "consultation", "id": first.id}, title=first.title)
    return _item(key, True, ok, **ok_params)


def plan_items(plan: Plan) -> list[dict[str, Any]]:
    """The plan's own required parts: summary, 四、計畫因應調整情形, period."""
    edit = {"kind": "plan_edit", "id": plan.id}
    items = []
    for key, value in (("plan_summary", plan.summary), ("plan_changes", plan.changes)):
        if not (value or "").strip():
            items.append(_item(key, False, "section_empty", edit, section=key))
        elif plan_rules.is_placeholder(value):
            items.append(
                _item(key, False, "section_placeholder", edit, section=key, text=value.strip()[:40])
            )
        else:
            items.append(_item(key, True, "section_written", section=key))
    if plan.period_start is None or plan.period_end is None:
        items.append(_item("plan_period", False, "period_missing", edit))
    else:
        items.append(_item("plan_period", True, "period_set"))
    return items


def checklist(session: Session, plan: Plan, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every check, each passed or failed with the reason and where to fix it."""
    now = now or utcnow()
    linked = sorted(plan.consultations, key=lambda c: c.id)
    own = plan_items(plan)
    if not linked:
        edit = {"kind": "plan_edit", "id": plan.id}
        return own + [
            _item(key, False, "no_consultations", edit) for key in CHECKLIST_KEYS[len(own) :]
        ]

    items: list[dict[str, Any]] = own
    # 1. every linked consultation is closed (or concluded)
    still_open = [c for c in linked if c.status not in CLOSED]
    items.append(
        _unless_any(
            "consultations_closed",
            still_open,
            "consultation_not_closed",
            "all_closed",
            count=len(linked),
        )
    )

    # 2. analysis run on the final data: a finished run of a closed consultation, input unchanged
    runs = {c.id: analysis_runs.latest_run(session, c.id) for c in linked}
    stale = {
        cid: run is not None and analysis_runs.is_stale(session, run) for cid, run in runs.items()
    }
    failure = None
    for c in linked:
        run = runs[c.id]
        link = {"kind": "analysis", "id": c.id}
        if run is None:
            failure = _item("analysis_final", False, "no_analysis", link, title=c.title)
        elif c.status not in CLOSED:
            failure = _item("analysis_final", False, "analysis_while_open", link, title=c.title)
        elif stale[c.id]:
            failure = _item("analysis_final", False, "analysis_stale", link, title=c.title)
        if failure:
            break
    items.append(failure or _item("analysis_final", True, "analysis_final_ok"))

    # 3. every kept theme of each latest run has a published answer with reasoning
    failure = None
    for c in linked:
        run = runs[c.id]
        link = {"kind": "responses", "id": c.id}
        if run is None:
            failure = _item("responses_published", False, "no_analysis", link, title=c.title)
            break
        answers = responses.responses_by_key(session, c.id)
        missing = [
            t.label
            for t in responses.live_themes(session, run)
            if t.key not in answers
            or answers[t.key].published_at is None
            or not (answers[t.key].reasoning or "").strip()
        ]
        if missing:
            failure = _item(
                "responses_published",
                False,
                "themes_unanswered",
                link,
                title=c.title,
                count=len(missing),
                themes="、".join(missing[:5]),
            )
            break
    items.append(failure or _item("responses_published", True, "all_answered"))

    # 4. no follow-up overdue
    overdue = responses.overdue_responses(session, [c.id for c in linked], now=now)
    items.append(
        _item(
            "no_overdue",
            False,
            "responses_overdue",
            {"kind": "responses", "id": overdue[0].consultation_id},
            count=len(overdue),
        )
        if overdue
        else _item("no_overdue", True, "none_overdue")
    )

    # 5. participation figures: visible comments (written here or imported) exist
    counts = dict(
        session.execute(
            select(Thread.consultation_id, func.count(Comment.id))
            .join(Comment, Comment.thread_id == Thread.id)
            .where(
                Thread.consultation_id.in_([c.id for c in linked]),
                Comment.status == CommentStatus.VISIBLE.value,
            )
            .group_by(Thread.consultation_id)
        ).all()
    )
    empty = [c for c in linked if not counts.get(c.id)]
    items.append(
        _unless_any(
            "participation",
            empty,
            "no_participation",
            "participation_ok",
            count=sum(counts.values()),
        )
    )

    # 6. the outcome section is generated from the latest snapshot: no newer run pending or
    # failed, and the snapshot still matches the data
    failure = None
    for c in linked:
        link = {"kind": "analysis", "id": c.id}
        newest = analysis_runs.latest_run(session, c.id, done_only=False)
        if runs[c.id] is None or newest is None:
            failure = _item("outcome_current", False, "no_analysis", link, title=c.title)
        elif newest.id != runs[c.id].id:  # type: ignore[union-attr]
            code = (
                "newer_run_failed"
                if newest.status == AnalysisStatus.FAILED
                else "newer_run_pending"
            )
            failure = _item("outcome_current", False, code, link, title=c.title)
        elif stale[c.id]:
            failure = _item("outcome_current", False, "snapshot_stale", link, title=c.title)
        if failure:
            break
    items.append(failure or _item("outcome_current", True, "outcome_current_ok"))
    return items


def record_decision(
    session: Session, plan: Plan, *, actor: User | None, decision: str, comments: str = ""
) -> PlanReview:
    """A reviewer accepts a submitted plan or returns it with comments; the checklist as it
    stands is kept with the decision."""
    if actor is None:
        raise NotAuthenticated()
    if not plan_rules.can_decide(actor):
        raise Forbidden("reviewers_only")
    if decision not in plan_rules.DECISIONS:
        raise ValidationError("invalid_review_decision", field="decision")
    comments = (comments or "").strip()
    if len(comments) > MAX_COMMENTS:
        raise ValidationError("body_too_long", field="comments", max=MAX_COMMENTS)
    if decision == ReviewDecision.RETURN and not comments:
        raise ValidationError("return_needs_comments", field="comments")
    if plan.status != PlanStatus.SUBMITTED:
        raise Conflict("plan_not_submitted", state=plan.status)
    snapshot = [
        {
            "key": i["key"],
            "passed": i["passed"],
            "ok": i["ok"],
            "reason": i["reason"],
            "params": i["params"],
        }
        for i in checklist(session, plan)
    ]
    review = PlanReview(
        plan_id=plan.id,
        reviewer_id=actor.id,
        decision=decision,
        comments=comments,
        comments_html=render_markdown(comments),
        checklist=snapshot,
    )
    session.add(review)
    plan.status = (
        PlanStatus.ACCEPTED.value
        if decision == ReviewDecision.ACCEPT
        else PlanStatus.RETURNED.value
    )
    plan.updated_at = utcnow()
    session.flush()
    webhooks.plan_decided(session, plan, review)  # sent after the commit
    return review


def history(session: Session, plan: Plan) -> list[PlanReview]:
    """Every decision on the plan, newest first."""
    return list(
        session.scalars(
            select(PlanReview)
            .where(PlanReview.plan_id == plan.id)
            .options(selectinload(PlanReview.reviewer))
            .order_by(PlanReview.id.desc())
        )
    )
