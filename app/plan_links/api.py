"""/api/v1/plan-link-requests: list, accept, decline."""

from __future__ import annotations

from flask import jsonify

from deliberation.plan_links import operations, queries

from ..extensions import db
from ..openapi.operation import operation
from ..security import current_actor
from . import api_bp as bp
from . import schemas as sc
from .views import request_json


@bp.get("/plan-link-requests")
@operation("plan-links", responses={200: sc.LinkRequests}, errors=(401,))
def list_requests():
    actor = current_actor()
    return jsonify({"items": [request_json(r) for r in queries.visible_to(db.session, actor)]})


@bp.get("/plan-link-requests/<int:request_id>")
@operation("plan-links", responses={200: sc.LinkRequest}, errors=(401, 403, 404))
def get_request(request_id: int):
    return jsonify(request_json(queries.get_request(db.session, request_id, current_actor())))


@bp.post("/plan-link-requests/<int:request_id>/<any(accept, decline):decision>")
@operation("plan-links", responses={200: sc.LinkRequest}, errors=(401, 403, 404, 409))
def decide(request_id: int, decision: str):
    actor = current_actor()
    row = queries.get_request(db.session, request_id, actor)
    (operations.accept if decision == "accept" else operations.decline)(
        db.session, row, actor=actor
    )
    return jsonify(request_json(row))
