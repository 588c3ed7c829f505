"""/api/v1: a consultation's poll (questions and one's own answer), answering, the results."""

from __future__ import annotations

from flask import jsonify

from deliberation.errors import Forbidden, ValidationError
from deliberation.polls import operations, queries, results, rules
from deliberation.services import consultations

from ..extensions import db
from ..openapi.operation import operation
from ..params import json_body
from ..security import current_actor
from . import api_bp
from . import schemas as sc
from .views import representativeness_json, results_json


@api_bp.get("/consultations/<int:consultation_id>/poll")
@operation("polls", responses={200: sc.Poll}, errors=(404,), public=True)
def poll(consultation_id: int):
    """Everyone: the questions and the background categories; an account also gets its answer."""
    actor = current_actor()
    consultation = consultations.get_consultation(db.session, consultation_id, actor)
    item = queries.require_poll(db.session, consultation_id)
    mine = queries.response_of(db.session, item, actor)
    margins = queries.margins_of(db.session, consultation_id)
    return jsonify(
        {
            "id": item.id,
            "title": item.title,
            "notice_version": item.notice_version,
            "questions": [
                {
                    "id": q.id,
                    "position": q.position,
                    "kind": q.kind,
                    "prompt": q.prompt,
                    "options": q.options,
                }
                for q in item.questions
            ],  # fmt: skip
            "demographic_questions": rules.categories_of(margins),
            "results_visible": rules.results_visible(actor, consultation),
            "mine": None
            if mine is None
            else {"answers": mine.answers, "demographics": mine.demographics},
        }
    )


@api_bp.put("/consultations/<int:consultation_id>/poll/response")
@operation(
    "polls",
    body=sc.AnswerBody,
    responses={200: sc.Answer, 201: sc.Answer},
    errors=(401, 403, 404, 409),
)
def answer(consultation_id: int):
    """A verified account: {"answers": {"<question id>": 0 | [0, 2]}, "demographics":
    {category: feature}, "consent": true, "notice_version": "…"} → 201 first time, 200 after."""
    actor = current_actor()
    consultations.get_consultation(db.session, consultation_id, actor)
    item = queries.require_poll(db.session, consultation_id)
    data = json_body()  # checked against AnswerBody
    if not isinstance(data.get("answers"), dict):
        raise ValidationError("invalid_field", field="answers")
    demographics = data.get("demographics") or {}
    if not isinstance(demographics, dict) or not all(
        isinstance(v, str) for v in demographics.values()
    ):
        raise ValidationError("invalid_field", field="demographics")
    row, created = operations.answer(
        db.session,
        item,
        actor=actor,
        answers=data["answers"],
        demographics=demographics,
        consent=data.get("consent") is True,
        notice_version=str(data.get("notice_version", "")),
    )
    body = {"answers": row.answers, "demographics": row.demographics, "created": created}
    return jsonify(body), 201 if created else 200


@api_bp.get("/consultations/<int:consultation_id>/poll/results")
@operation("polls", responses={200: sc.Results}, errors=(403, 404), public=True)
def poll_results(consultation_id: int):
    """Staff at any time, everyone after the close: raw and weighted results, design effect,
    effective n, margins of error, and the representativeness picture."""
    actor = current_actor()
    consultation = consultations.get_consultation(db.session, consultation_id, actor)
    item = queries.require_poll(db.session, consultation_id)
    if not rules.results_visible(actor, consultation):
        raise Forbidden("poll_results_after_close")
    body = results_json(results.poll_results(db.session, item))
    body["representativeness"] = representativeness_json(
        results.representativeness(db.session, consultation)
    )
    return jsonify(body)
