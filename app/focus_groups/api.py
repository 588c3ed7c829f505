"""/api/v1: the public summary of a consultation's focus group, and the staff's draw."""

from __future__ import annotations

from flask import jsonify

from deliberation.errors import ValidationError
from deliberation.focus_groups import lottery, operations, queries, rules
from deliberation.services import consultations

from ..extensions import db
from ..openapi.operation import operation
from ..params import json_body
from ..security import current_actor
from . import api_bp
from . import schemas as sc
from .routes import consultation_for_staff


@api_bp.get("/consultations/<int:consultation_id>/focus-group")
@operation("focus-groups", responses={200: sc.Summary}, errors=(404,), public=True)
def summary(consultation_id: int):
    """Everyone: pool size and the draw's summary; a volunteer also gets their own probability."""
    actor = current_actor()
    consultations.get_consultation(db.session, consultation_id, actor)
    group = queries.require_group(db.session, consultation_id)
    mine = queries.volunteer_of(db.session, group, actor)
    body = {
        "panel_size": group.panel_size,
        "pool_size": queries.pool_size(db.session, group),
        "draw": queries.public_summary(queries.latest_draw(db.session, group)),
        "me": None if mine is None else {"status": mine.status, "probability": mine.probability},
    }
    return jsonify(body)


@api_bp.post("/consultations/<int:consultation_id>/focus-group/draw")
@operation(
    "focus-groups", body=sc.DrawBody, responses={201: sc.DrawRecord}, errors=(401, 403, 404, 409)
)
def draw(consultation_id: int):
    """Staff: {"seed": 42, "size": 12, "algorithm": "maximin"} → the audit record."""
    consultation, actor = consultation_for_staff(consultation_id)
    data = json_body()  # checked against DrawBody
    if not isinstance(data.get("seed"), int):
        raise ValidationError("invalid_field", field="seed")
    group = queries.require_group(db.session, consultation.id)
    row = operations.draw(
        db.session,
        group,
        actor=actor,
        seed=data["seed"],
        size=data.get("size") if isinstance(data.get("size"), int) else None,
        algorithm=str(data.get("algorithm", lottery.DEFAULT_ALGORITHM)),
        max_pool=rules.WEB_DRAW_MAX,
    )
    return jsonify(row.record), 201
