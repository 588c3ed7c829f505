"""/api/v1/webhooks: an agency's endpoints (never their secrets) and their delivery log."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from deliberation.webhooks import queries
from deliberation.webhooks.models import Webhook, WebhookDelivery

from ..extensions import db
from ..openapi.operation import operation
from ..params import int_arg
from . import api_bp
from . import schemas as sc
from .routes import manager, scope, webhook_for


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _hook(hook: Webhook, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": hook.id,
        "agency": hook.agency.code,
        "url": hook.url,
        "events": list(hook.events or []),
        "active": hook.active,
        "created_at": _iso(hook.created_at),
        "deliveries": counts,
    }


def _delivery(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "delivery": d.uid,
        "event": d.event,
        "status": d.status,
        "attempts": d.attempts,
        "response_code": d.response_code,
        "error": d.error,
        "payload_sha256": d.payload_sha256,
        "created_at": _iso(d.created_at),
        "last_attempt_at": _iso(d.last_attempt_at),
        "next_attempt_at": _iso(d.next_attempt_at),
        "delivered_at": _iso(d.delivered_at),
    }


@api_bp.get("/webhooks")
@operation("webhooks", responses={200: sc.Webhooks}, errors=(401, 403))
def webhooks():
    actor = manager()
    hooks = queries.of_agencies(db.session, scope(actor))
    counts = queries.counts(db.session, [h.id for h in hooks])
    return jsonify({"webhooks": [_hook(h, counts[h.id]) for h in hooks]})


@api_bp.get("/webhooks/<int:webhook_id>/deliveries")
@operation(
    "webhooks",
    query=sc.DeliveriesQuery,
    responses={200: sc.Deliveries},
    errors=(401, 403, 404),
)
def deliveries(webhook_id: int):
    hook, _actor = webhook_for(webhook_id)
    before = int_arg("before", None, low=1)
    rows = queries.log(db.session, hook.id, before=before, limit=100)
    return jsonify(
        {
            "webhook_id": hook.id,
            "deliveries": [_delivery(d) for d in rows],
            "next_before": rows[-1].id if len(rows) == 100 else None,
        }
    )
