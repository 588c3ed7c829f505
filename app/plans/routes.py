"""Plan pages: the list, create and edit, a plan with its checklist and decisions, and the
staff page that answers each theme of a consultation and publishes the answers."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from deliberation import plan_rules
from deliberation.errors import Forbidden, NotAuthenticated, ValidationError
from deliberation.models import Agency, Role, utcnow
from deliberation.plan_links import queries as link_queries
from deliberation.services import analysis_runs, consultations, plans, responses, reviews
from deliberation.services.plans import IndicatorInput

from ..errors import message_for
from ..extensions import db
from ..security import current_actor
from ..transaction import discard_changes
from . import bp
from .views import (
    checklist_view,
    day_value,
    outcome_links,
    parse_budget,
    parse_day,
    queue_publish_mails,
)


def _require_login():
    actor = current_actor()
    if actor is None:
        raise NotAuthenticated()
    return actor


def _plan_context(plan_id: int):
    """The logged-in actor and the plan they may see (404 otherwise)."""
    actor = _require_login()
    return actor, plans.get_plan(db.session, plan_id, actor)


# ---- the plan form ------------------------------------------------------------------------------


def _form_values() -> dict[str, Any]:
    """The plan form as typed (kept to show again after an error)."""
    f = request.form
    names, targets = f.getlist("indicator_name"), f.getlist("indicator_target")
    return {
        "title": f.get("title", ""),
        "agency": f.get("agency", ""),
        "summary": f.get("summary", ""),
        "period_start": f.get("period_start", ""),
        "period_end": f.get("period_end", ""),
        "budget": f.get("budget", ""),
        "changes": f.get("changes", ""),
        "consultations": [int(x) for x in f.getlist("consultations") if x.isdigit()],
        "co_agencies": f.getlist("co_agencies"),
        "indicators": [
            {"name": n, "target": t}
            for n, t in zip(names, targets + [""] * len(names), strict=False)
        ],
    }


def _plan_values(plan) -> dict[str, Any]:
    return {
        "title": plan.title,
        "agency": plan.lead_agency.code,
        "summary": plan.summary,
        "period_start": day_value(plan.period_start),
        "period_end": day_value(plan.period_end),
        "budget": "" if plan.budget is None else str(plan.budget),
        "changes": plan.changes,
        # Pending requests stay asked for when the form is saved again.
        "consultations": [c.id for c in plan.consultations]
        + [
            r.consultation_id
            for r in link_queries.for_plan(db.session, plan.id)
            if r.status == "pending"
        ],
        "co_agencies": [a.code for a in plan.co_agencies],
        "indicators": [{"name": i.name, "target": i.target} for i in plan.indicators],
    }


def _parsed(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": values["title"],
        "summary": values["summary"],
        "period_start": parse_day(values["period_start"], "period_start"),
        "period_end": parse_day(values["period_end"], "period_end"),
        "budget": parse_budget(values["budget"]),
        "changes": values["changes"],
        "consultation_ids": values["consultations"],
        "co_agency_codes": values["co_agencies"],
        "indicators": [IndicatorInput(i["name"], i["target"]) for i in values["indicators"]],
    }


def _render_form(values: dict[str, Any], *, plan=None, error: str | None = None, status: int = 200):
    actor = current_actor()
    rows = list(values["indicators"]) + [{"name": "", "target": ""}] * 2
    return (
        render_template(
            "plans/form.html",
            plan=plan,
            values=values,
            indicator_rows=rows,
            error=error,
            consultation_choices=consultations.list_consultations(db.session, actor),
            agencies=list(db.session.scalars(select(Agency).order_by(Agency.code))),
            is_admin=plan_rules.is_admin(actor),
        ),
        status,
    )


@bp.get("/plans")
def index():
    actor = _require_login()
    items = plans.list_plans(db.session, actor)
    return render_template(
        "plans/index.html",
        plans=items,
        can_create=actor.role in (Role.STAFF, Role.ADMIN),
    )


@bp.route("/plans/new", methods=["GET", "POST"])
def new():
    actor = _require_login()
    if actor.role not in (Role.STAFF, Role.ADMIN):
        raise Forbidden("plan_staff_only")
    if request.method == "GET":
        values = _plan_values_blank()
        preset = request.args.get("consultation", "")
        if preset.isdigit():
            values["consultations"] = [int(preset)]
        return _render_form(values)[0]
    values = _form_values()
    try:
        lead = None
        if plan_rules.is_admin(actor):
            lead = plans.agency_by_code(db.session, values["agency"])
        plan = plans.create_plan(db.session, actor=actor, lead_agency=lead, **_parsed(values))
    except ValidationError as err:
        discard_changes()
        return _render_form(values, error=message_for(err.code, **err.params), status=400)
    flash(_("Plan created."), "success")
    return redirect(url_for(".detail", plan_id=plan.id), 303)


def _plan_values_blank() -> dict[str, Any]:
    return {
        "title": "",
        "agency": "",
        "summary": "",
        "period_start": "",
        "period_end": "",
        "budget": "",
        "changes": "",
        "consultations": [],
        "co_agencies": [],
        "indicators": [],
    }


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
def edit(plan_id: int):
    actor, plan = _plan_context(plan_id)
    if not plan_rules.can_edit_plan(actor, plan.lead_agency_id):
        raise Forbidden("not_lead_agency")
    if request.method == "GET":
        return _render_form(_plan_values(plan), plan=plan)[0]
    values = _form_values()
    try:
        plans.update_plan(db.session, plan, actor=actor, **_parsed(values))
    except ValidationError as err:
        discard_changes()
        plan = plans.get_plan(db.session, plan_id, actor)
        return _render_form(
            values, plan=plan, error=message_for(err.code, **err.params), status=400
        )
    flash(_("Plan saved."), "success")
    return redirect(url_for(".detail", plan_id=plan_id), 303)


# ---- one plan ----------------------------------------------------------------------------------


@bp.get("/plans/<int:plan_id>")
def detail(plan_id: int):
    actor, plan = _plan_context(plan_id)
    now = utcnow()
    ids = [c.id for c in plan.consultations]
    return render_template(
        "plans/detail.html",
        plan=plan,
        notes=plans.notes(db.session, plan),
        overdue=responses.overdue_responses(db.session, ids, now=now),
        consultation_titles={c.id: c.title for c in plan.consultations},
        checklist=checklist_view(reviews.checklist(db.session, plan, now=now)),
        history=reviews.history(db.session, plan),
        can_edit=plan_rules.can_edit_plan(actor, plan.lead_agency_id),
        editable=plan.status in plan_rules.EDITABLE,
        can_decide=plan_rules.can_decide(actor) and plan.status == "submitted",
        outcome=outcome_links(plan.id),
        link_requests=link_queries.for_plan(db.session, plan.id),
    )


@bp.post("/plans/<int:plan_id>/notes")
def add_note(plan_id: int):
    actor, plan = _plan_context(plan_id)
    try:
        plans.add_note(db.session, plan, request.form.get("body", ""), actor=actor)
    except ValidationError as err:
        discard_changes()
        flash(message_for(err.code, **err.params), "error")
        return redirect(url_for(".detail", plan_id=plan_id, _anchor="notes"), 303)
    return redirect(url_for(".detail", plan_id=plan_id, _anchor="notes"), 303)


@bp.post("/plans/<int:plan_id>/submit")
def submit(plan_id: int):
    actor, plan = _plan_context(plan_id)
    if request.form.get("confirm") != "yes":  # the confirmation step on the plan page
        flash(_("Please confirm that the plan should be sent for review."), "error")
        return redirect(
            url_for(".detail", plan_id=plan_id, confirm=1, _anchor="send-for-review"), 303
        )
    plans.submit_plan(db.session, plan, actor=actor)
    flash(_("The plan was sent to the reviewers."), "success")
    return redirect(url_for(".detail", plan_id=plan_id), 303)


@bp.post("/plans/<int:plan_id>/reviews")
def decide(plan_id: int):
    actor, plan = _plan_context(plan_id)
    try:
        reviews.record_decision(
            db.session,
            plan,
            actor=actor,
            decision=request.form.get("decision", ""),
            comments=request.form.get("comments", ""),
        )
    except ValidationError as err:
        discard_changes()
        flash(message_for(err.code, **err.params), "error")
        return redirect(url_for(".detail", plan_id=plan_id, _anchor="decision"), 303)
    flash(_("Decision recorded."), "success")
    return redirect(url_for(".detail", plan_id=plan_id, _anchor="reviews"), 303)


# ---- answering the themes of a consultation ---------------------------------------------------


def _responses_context(consultation_id: int):
    actor = _require_login()
    consultation = consultations.get_consultation(db.session, consultation_id, actor)
    if not responses.can_see_drafts(db.session, consultation, actor):
        raise Forbidden("not_agency_staff")
    return actor, consultation


def _render_responses(
    actor,
    consultation,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, dict] | None = None,
    status: int = 200,
):
    run, themes = responses.theme_views(db.session, consultation)
    linked_plans = [
        p
        for p in plans.list_plans(db.session, actor)
        if consultation.id in {c.id for c in p.consultations}
    ]
    return (
        render_template(
            "plans/responses.html",
            consultation=consultation,
            run=run,
            stale=run is not None and analysis_runs.is_stale(db.session, run),
            themes=themes,
            can_respond=plan_rules.can_respond(actor, consultation.agency_id),
            errors=errors or {},
            typed=typed or {},
            dispositions=plan_rules.DISPOSITIONS,
            linked_plans=linked_plans,
        ),
        status,
    )


@bp.get("/staff/consultations/<int:consultation_id>/responses")
def responses_page(consultation_id: int):
    actor, consultation = _responses_context(consultation_id)
    return _render_responses(actor, consultation)[0]


@bp.post("/staff/consultations/<int:consultation_id>/responses/<theme_key>")
def save_response(consultation_id: int, theme_key: str):
    actor, consultation = _responses_context(consultation_id)
    f = request.form
    typed = {
        "disposition": f.get("disposition", ""),
        "reasoning": f.get("reasoning", ""),
        "responsible_unit": f.get("responsible_unit", ""),
        "due_date": f.get("due_date", ""),
    }
    try:
        responses.upsert_response(
            db.session,
            consultation,
            theme_key,
            actor=actor,
            disposition=typed["disposition"],
            reasoning=typed["reasoning"],
            responsible_unit=typed["responsible_unit"],
            due_date=parse_day(typed["due_date"], "due_date", end_of_day=True),
        )
        if f.get("publish"):
            result = responses.publish(db.session, consultation, [theme_key], actor=actor)
        else:
            result = None
    except ValidationError as err:
        discard_changes()
        actor, consultation = _responses_context(consultation_id)
        return _render_responses(
            actor,
            consultation,
            errors={theme_key: message_for(err.code, **err.params)},
            typed={theme_key: typed},
            status=400,
        )
    if result is not None:
        queue_publish_mails(result)
        flash(
            _("Response published; %(n)s people were notified.", n=len(result.notified_user_ids)),
            "success",
        )
    else:
        flash(_("Response saved as a draft."), "success")
    return redirect(
        url_for(".responses_page", consultation_id=consultation_id, _anchor=f"theme-{theme_key}"),
        303,
    )


@bp.post("/staff/consultations/<int:consultation_id>/responses/publish")
def publish_all(consultation_id: int):
    actor, consultation = _responses_context(consultation_id)
    keys = request.form.getlist("theme_key") or None
    try:
        result = responses.publish(db.session, consultation, keys, actor=actor)
    except ValidationError as err:
        discard_changes()
        flash(message_for(err.code, **err.params), "error")
        return redirect(url_for(".responses_page", consultation_id=consultation_id), 303)
    queue_publish_mails(result)
    flash(
        _(
            "%(count)s responses published; %(n)s people were notified.",
            count=len(result.responses),
            n=len(result.notified_user_ids),
        ),
        "success",
    )
    return redirect(url_for(".responses_page", consultation_id=consultation_id), 303)


@bp.post("/staff/consultations/<int:consultation_id>/responses/<theme_key>/done")
def mark_done(consultation_id: int, theme_key: str):
    actor, consultation = _responses_context(consultation_id)
    responses.set_done(
        db.session, consultation, theme_key, actor=actor, done=request.form.get("done", "1") == "1"
    )
    return redirect(
        url_for(".responses_page", consultation_id=consultation_id, _anchor=f"theme-{theme_key}"),
        303,
    )
