"""Plans, theme responses and reviews in the JSON API under /api/v1 (docs/outcomes.md)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from deliberation import plan_rules
from deliberation.errors import ValidationError
from deliberation.plan_links import queries as link_queries
from deliberation.services import consultations, plans, responses, reviews
from deliberation.services.plans import UNSET, IndicatorInput

from ..extensions import db, limiter
from ..openapi.operation import operation
from ..openapi.web import keyset_page, paged
from ..params import int_list, json_body, str_field, str_list
from ..plan_links.views import request_json
from ..security import current_actor
from . import api_bp as bp
from . import schemas as sc
from .views import (
    checklist_view,
    parse_budget,
    parse_day,
    plan_json,
    queue_publish_mails,
    response_json,
    review_json,
)


def _indicators(data: dict[str, Any]) -> list[IndicatorInput]:
    value = data.get("indicators") or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValidationError("invalid_field", field="indicators")
    return [IndicatorInput(str_field(v, "name"), str_field(v, "target")) for v in value]


def _fields(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """Plan fields from a JSON body; with `partial`, absent keys are left out (PATCH)."""
    parsers = {
        "title": lambda: str_field(data, "title"),
        "summary": lambda: str_field(data, "summary"),
        "changes": lambda: str_field(data, "changes"),
        "period_start": lambda: parse_day(data.get("period_start"), "period_start"),
        "period_end": lambda: parse_day(data.get("period_end"), "period_end"),
        "budget": lambda: parse_budget(data.get("budget")),
        "consultation_ids": lambda: int_list(data, "consultations"),
        "co_agency_codes": lambda: str_list(data, "co_agencies"),
        "indicators": lambda: _indicators(data),
    }
    source = {"consultation_ids": "consultations", "co_agency_codes": "co_agencies"}
    out = {}
    for name, parse in parsers.items():
        if partial and source.get(name, name) not in data:
            continue
        out[name] = parse()
    return out


def _plan_body(plan_id: int) -> dict[str, Any]:
    actor = current_actor()
    plan = plans.get_plan(db.session, plan_id, actor)
    overdue = responses.overdue_responses(db.session, [c.id for c in plan.consultations])
    asked = link_queries.for_plan(db.session, plan.id)
    return {**plan_json(plan, overdue=overdue), "link_requests": [request_json(r) for r in asked]}


@bp.get("/plans")
@operation("plans", query=sc.PlanListQuery, responses={200: sc.PlanPage}, errors=(401,))
def list_plans():
    items = plans.list_plans(db.session, current_actor())  # newest first
    page, next_cursor = keyset_page(items, lambda p: [-p.id])
    return paged({"items": [plan_json(p) for p in page]}, next_cursor)


@bp.post("/plans")
@operation("plans", body=sc.PlanBody, responses={201: sc.PlanFull}, errors=(401, 403, 404, 409))
@limiter.limit("30 per minute")
def create_plan():
    actor = current_actor()
    data = json_body()
    lead = None
    if data.get("agency") not in (None, "") and plan_rules.is_admin(actor):
        lead = plans.agency_by_code(db.session, str_field(data, "agency"))
    plan = plans.create_plan(
        db.session, actor=actor, lead_agency=lead, **_fields(data, partial=False)
    )
    return jsonify(_plan_body(plan.id)), 201


@bp.get("/plans/<int:plan_id>")
@operation("plans", responses={200: sc.PlanFull}, errors=(401, 403, 404))
def get_plan(plan_id: int):
    return jsonify(_plan_body(plan_id))


@bp.patch("/plans/<int:plan_id>")
@operation("plans", body=sc.PlanPatch, responses={200: sc.PlanFull}, errors=(401, 403, 404, 409))
def update_plan(plan_id: int):
    """Edit the given fields; {"status": "submitted"} sends the plan to the reviewers."""
    actor = current_actor()
    data = json_body()
    plan = plans.get_plan(db.session, plan_id, actor)
    fields = _fields(data, partial=True)
    status = data.get("status")
    if status not in (None, "submitted", plan.status):
        raise ValidationError("invalid_status", field="status")
    if fields or status is None:
        plans.update_plan(
            db.session, plan, actor=actor, **{k: v for k, v in fields.items() if v is not UNSET}
        )
    if status == "submitted" and plan.status != "submitted":
        plans.submit_plan(db.session, plan, actor=actor)
    return jsonify(_plan_body(plan_id))


@bp.get("/plans/<int:plan_id>/notes")
@operation("plans", responses={200: sc.NoteList}, errors=(401, 403, 404))
def list_notes(plan_id: int):
    plan = plans.get_plan(db.session, plan_id, current_actor())
    return jsonify(
        {
            "items": [
                {
                    "id": n.id,
                    "author_id": n.author_id,
                    "body": n.body,
                    "html": n.html,
                    "created_at": n.created_at.isoformat(),
                }
                for n in plans.notes(db.session, plan)
            ]
        }
    )


@bp.post("/plans/<int:plan_id>/notes")
@operation("plans", body=sc.NoteBody, responses={201: sc.Note}, errors=(401, 403, 404, 409))
def add_note(plan_id: int):
    actor = current_actor()
    data = json_body()
    plan = plans.get_plan(db.session, plan_id, actor)
    note = plans.add_note(db.session, plan, str_field(data, "body"), actor=actor)
    return jsonify({"id": note.id, "body": note.body, "html": note.html}), 201


@bp.get("/plans/<int:plan_id>/checklist")
@operation("plans", responses={200: sc.Checklist}, errors=(401, 403, 404))
def checklist(plan_id: int):
    plan = plans.get_plan(db.session, plan_id, current_actor())
    items = checklist_view(reviews.checklist(db.session, plan))
    return jsonify(
        {
            "ok": all(i["ok"] for i in items),
            "items": [
                {k: i[k] for k in ("key", "ok", "reason", "params", "title", "message", "link")}
                for i in items
            ],
        }
    )


@bp.get("/plans/<int:plan_id>/reviews")
@operation("plans", responses={200: sc.ReviewList}, errors=(401, 403, 404))
def list_reviews(plan_id: int):
    plan = plans.get_plan(db.session, plan_id, current_actor())
    return jsonify({"items": [review_json(r) for r in reviews.history(db.session, plan)]})


@bp.post("/plans/<int:plan_id>/reviews")
@operation(
    "plans", body=sc.ReviewBody, responses={201: sc.ReviewCreated}, errors=(401, 403, 404, 409)
)
def decide(plan_id: int):
    actor = current_actor()
    data = json_body()
    plan = plans.get_plan(db.session, plan_id, actor)
    review = reviews.record_decision(
        db.session,
        plan,
        actor=actor,
        decision=str_field(data, "decision"),
        comments=str_field(data, "comments"),
    )
    return jsonify({**review_json(review), "plan_status": plan.status}), 201


# ---- responses ---------------------------------------------------------------------------------


def _consultation(consultation_id: int):
    return consultations.get_consultation(db.session, consultation_id, current_actor())


@bp.get("/consultations/<int:consultation_id>/responses")
@operation("plans", responses={200: sc.ResponseList}, errors=(404,), public=True)
def list_responses(consultation_id: int):
    """Published answers for everyone; drafts too for the agencies and reviewers."""
    consultation = _consultation(consultation_id)
    if responses.can_see_drafts(db.session, consultation, current_actor()):
        _run, themes = responses.theme_views(db.session, consultation, with_quotes=False)
        items = [
            {
                "theme_key": t.key,
                "label": t.label,
                "size": t.size,
                "response": response_json(t.response) if t.response else None,
            }
            for t in themes
        ]
    else:
        items = [
            {
                "theme_key": p.key,
                "label": p.label,
                "size": p.size,
                "response": response_json(p.response),
            }
            for p in responses.public_outcome(db.session, consultation_id)
        ]
    return jsonify({"items": items})


@bp.put("/consultations/<int:consultation_id>/responses/<theme_key>")
@operation("plans", body=sc.ResponseBody, responses={200: sc.Response}, errors=(401, 403, 404, 409))
def put_response(consultation_id: int, theme_key: str):
    actor = current_actor()
    data = json_body()
    consultation = _consultation(consultation_id)
    response = responses.upsert_response(
        db.session,
        consultation,
        theme_key,
        actor=actor,
        disposition=str_field(data, "disposition"),
        reasoning=str_field(data, "reasoning"),
        responsible_unit=str_field(data, "responsible_unit"),
        due_date=parse_day(data.get("due_date"), "due_date", end_of_day=True),
    )
    return jsonify(response_json(response))


@bp.post("/consultations/<int:consultation_id>/responses/<theme_key>/publish")
@operation("plans", responses={200: sc.Published}, errors=(401, 403, 404, 409))
def publish(consultation_id: int, theme_key: str):
    actor = current_actor()
    consultation = _consultation(consultation_id)
    result = responses.publish(db.session, consultation, [theme_key], actor=actor)
    queue_publish_mails(result)
    return jsonify(
        {**response_json(result.responses[0]), "notified": len(result.notified_user_ids)}
    )


@bp.post("/consultations/<int:consultation_id>/responses/<theme_key>/done")
@operation(
    "plans",
    body=sc.DoneBody,
    body_required=False,
    responses={200: sc.Response},
    errors=(401, 403, 404, 409),
)
def done(consultation_id: int, theme_key: str):
    actor = current_actor()
    data = json_body(optional=True)  # checked against DoneBody
    flag = data.get("done", True)
    if not isinstance(flag, bool):
        raise ValidationError("invalid_field", field="done")
    consultation = _consultation(consultation_id)
    response = responses.set_done(db.session, consultation, theme_key, actor=actor, done=flag)
    return jsonify(response_json(response))
