"""Changes to the webhooks: endpoints added, tested, switched off, their secret rotated; events
emitted by the services; each attempt recorded. Flush, never commit.

`emit` writes one delivery row per subscribed endpoint in the transaction of the change and
declares "webhooks.deliver" after its commit: a rolled-back change leaves no row and sends
nothing, and a delivery whose job is lost is still due for `flask webhooks retry-due`.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Forbidden, NotAuthenticated, ValidationError
from ..linkfetch import FetchError
from ..models import Agency, Consultation, User, utcnow
from ..outbox import after_commit
from . import rules
from .models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from .sending import Outcome, SendPolicy, checked_address

if TYPE_CHECKING:
    from ..models import Plan, PlanReview, ThemeResponse

FOLLOW_UP = "webhooks.deliver"


def new_secret() -> str:
    """A fresh HMAC key: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, keys sorted, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _require(actor: User | None, agency_id: int) -> User:
    if actor is None:
        raise NotAuthenticated()
    if not rules.can_manage(actor, agency_id):
        raise Forbidden("webhook_staff_only")
    return actor


def check_destination(url: str, policy: SendPolicy, *, require_https: bool) -> str:
    """The URL, if it may be saved: its form, then the SSRF rules on what it resolves to."""
    url = rules.check_url_form(url, require_https=require_https)
    try:
        checked_address(url, policy)
    except FetchError as error:
        if error.code == "blocked_address":
            raise ValidationError("webhook_blocked_address", field="url") from None
        if error.code == "dns_failed":
            raise ValidationError("webhook_dns_failed", field="url") from None
        raise ValidationError("webhook_bad_url", field="url") from None
    return url


def create(
    session: Session,
    agency: Agency,
    *,
    url: str,
    events: Iterable[str],
    actor: User | None,
    policy: SendPolicy,
    require_https: bool,
) -> Webhook:
    """A new endpoint for `agency`, checked before anything is written; its secret generated."""
    actor = _require(actor, agency.id)
    chosen = rules.check_events(events)
    url = check_destination(url, policy, require_https=require_https)
    count = len(session.scalars(select(Webhook.id).where(Webhook.agency_id == agency.id)).all())
    if count >= rules.MAX_PER_AGENCY:
        raise ValidationError("webhook_too_many", max=rules.MAX_PER_AGENCY)
    hook = Webhook(
        agency_id=agency.id, url=url, secret=new_secret(), events=chosen, created_by_id=actor.id
    )
    session.add(hook)
    session.flush()
    return hook


def set_active(session: Session, hook: Webhook, active: bool, *, actor: User | None) -> Webhook:
    """Switch an endpoint on or off. Off, its waiting deliveries are given up (failed)."""
    _require(actor, hook.agency_id)
    hook.active = active
    hook.updated_at = utcnow()
    if not active:
        for delivery in session.scalars(
            select(WebhookDelivery).where(
                WebhookDelivery.webhook_id == hook.id,
                WebhookDelivery.status.in_(_WAITING),
            )
        ):
            delivery.status = DeliveryStatus.FAILED.value
            delivery.next_attempt_at = None
            delivery.error = "disabled: the endpoint was switched off"
    session.flush()
    return hook


def rotate_secret(session: Session, hook: Webhook, *, actor: User | None) -> Webhook:
    """A new secret; requests signed from now on use it (retries of old events included)."""
    _require(actor, hook.agency_id)
    hook.secret = new_secret()
    hook.updated_at = utcnow()
    session.flush()
    return hook


_WAITING = (DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value)


def _queue(
    session: Session, hooks: Sequence[Webhook], event: str, payload: dict[str, Any]
) -> list[int]:
    digest = hashlib.sha256(body_of(payload)).hexdigest()
    now = utcnow()
    rows = [
        WebhookDelivery(
            webhook_id=hook.id,
            uid=str(uuid.uuid4()),
            event=event,
            payload=payload,
            payload_sha256=digest,
            next_attempt_at=now,
        )
        for hook in hooks
    ]
    session.add_all(rows)
    session.flush()
    ids = [row.id for row in rows]
    if ids:
        after_commit(session, FOLLOW_UP, ids)
    return ids


def emit(
    session: Session, event: str, payload: dict[str, Any], *, agency_ids: Iterable[int]
) -> list[int]:
    """Queue `event` for every active endpoint of these agencies that takes it; sent after the
    commit (nothing for a rollback). Returns the delivery ids."""
    agencies = sorted(set(agency_ids))
    if not agencies:
        return []
    hooks = [
        hook
        for hook in session.scalars(
            select(Webhook)
            .where(Webhook.agency_id.in_(agencies), Webhook.active.is_(True))
            .order_by(Webhook.id)
        )
        if event in (hook.events or [])
    ]
    if not hooks:
        return []
    body = {"event": event, "occurred_at": utcnow().isoformat(), "data": payload}
    return _queue(session, hooks, event, body)


def send_test(session: Session, hook: Webhook, *, actor: User | None) -> int:
    """A "ping" to this endpoint now (after the commit), to check the receiver and its
    signature check; logged like any delivery."""
    actor = _require(actor, hook.agency_id)
    body = {
        "event": WebhookEvent.PING.value,
        "occurred_at": utcnow().isoformat(),
        "data": {"webhook_id": hook.id, "agency": hook.agency.code},
    }
    return _queue(session, [hook], WebhookEvent.PING.value, body)[0]


def record_attempt(
    session: Session,
    delivery: WebhookDelivery,
    outcome: Outcome,
    *,
    now: datetime | None = None,
    max_attempts: int = rules.MAX_ATTEMPTS,
    base: float = rules.BACKOFF_SECONDS,
    rng: random.Random | None = None,
) -> WebhookDelivery:
    """One attempt's result: delivered, due again after a backoff, or given up."""
    now = now or utcnow()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_code = outcome.status
    delivery.error = outcome.error
    status, following = rules.next_step(
        delivery.attempts, outcome.ok, now, max_attempts=max_attempts, base=base, rng=rng
    )
    delivery.status = status
    delivery.next_attempt_at = following
    if outcome.ok:
        delivery.delivered_at = now
    session.flush()
    return delivery


# ---- the events the services emit (one line at each place a change is made) ----------------


def _consultation(consultation: Consultation) -> dict[str, Any]:
    return {
        "id": consultation.id,
        "title": consultation.title,
        "status": consultation.status,
        "agency": consultation.agency.code,
        "path": f"/consultations/{consultation.id}",
    }


def consultation_closed(session: Session, consultation: Consultation) -> list[int]:
    """consultation.closed, to the consultation's agency."""
    payload = {"consultation": _consultation(consultation)}
    return emit(
        session, WebhookEvent.CONSULTATION_CLOSED, payload, agency_ids=[consultation.agency_id]
    )


def responses_published(
    session: Session, consultation: Consultation, responses: Sequence[ThemeResponse]
) -> list[int]:
    """response.published: the answers made public in one publish, to the consultation's agency."""
    payload = {
        "consultation": _consultation(consultation),
        "responses": [
            {
                "theme_key": r.theme_key,
                "theme": r.published_label,
                "disposition": r.disposition,
                "responsible_unit": r.responsible_unit,
                "due_date": r.due_date.date().isoformat() if r.due_date else None,
                "published_at": r.published_at.isoformat() if r.published_at else None,
            }
            for r in responses
        ],
        "path": f"/consultations/{consultation.id}",
    }
    return emit(
        session, WebhookEvent.RESPONSE_PUBLISHED, payload, agency_ids=[consultation.agency_id]
    )


def _plan(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "title": plan.title,
        "status": plan.status,
        "lead_agency": plan.lead_agency.code,
        "co_agencies": sorted(a.code for a in plan.co_agencies),
        "consultations": sorted(c.id for c in plan.consultations),
        "path": f"/plans/{plan.id}",
    }


def _plan_agencies(plan: Plan) -> list[int]:
    return [plan.lead_agency_id, *(a.id for a in plan.co_agencies)]


def plan_submitted(session: Session, plan: Plan) -> list[int]:
    """plan.submitted, to the plan's lead and co-agencies."""
    return emit(
        session, WebhookEvent.PLAN_SUBMITTED, {"plan": _plan(plan)}, agency_ids=_plan_agencies(plan)
    )


def plan_decided(session: Session, plan: Plan, review: PlanReview) -> list[int]:
    """plan.decided (accepted or returned, with the reviewer's comments), to its agencies."""
    payload = {
        "plan": _plan(plan),
        "decision": review.decision,
        "comments": review.comments,
        "decided_at": (review.created_at or utcnow()).isoformat(),
    }
    return emit(session, WebhookEvent.PLAN_DECIDED, payload, agency_ids=_plan_agencies(plan))
