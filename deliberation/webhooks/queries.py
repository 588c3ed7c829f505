"""Reads of the webhooks: an agency's endpoints, an endpoint's delivery log, what is due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from ..errors import NotFound
from ..models import utcnow
from .models import DeliveryStatus, Webhook, WebhookDelivery

LOG_PAGE = 20


def get(session: Session, webhook_id: int) -> Webhook:
    hook = session.get(Webhook, webhook_id)
    if hook is None:
        raise NotFound("webhook_not_found")
    return hook


def of_agencies(session: Session, agency_ids: Sequence[int] | None) -> list[Webhook]:
    """The endpoints of these agencies (None: every agency's, for admins), oldest first."""
    stmt = select(Webhook).options(joinedload(Webhook.agency)).order_by(Webhook.id)
    if agency_ids is not None:
        stmt = stmt.where(Webhook.agency_id.in_(agency_ids))
    return list(session.scalars(stmt))


def log(
    session: Session, webhook_id: int, *, before: int | None = None, limit: int = LOG_PAGE
) -> list[WebhookDelivery]:
    """An endpoint's deliveries, newest first (`before`: older than this delivery id)."""
    stmt = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    if before is not None:
        stmt = stmt.where(WebhookDelivery.id < before)
    return list(session.scalars(stmt.order_by(WebhookDelivery.id.desc()).limit(limit)))


def counts(session: Session, webhook_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """{webhook id: {status: deliveries}}."""
    out: dict[int, dict[str, int]] = {i: {} for i in webhook_ids}
    if not webhook_ids:
        return out
    for hook_id, status, n in session.execute(
        select(WebhookDelivery.webhook_id, WebhookDelivery.status, func.count(WebhookDelivery.id))
        .where(WebhookDelivery.webhook_id.in_(webhook_ids))
        .group_by(WebhookDelivery.webhook_id, WebhookDelivery.status)
    ):
        out[hook_id][status] = n
    return out


def due(
    session: Session,
    ids: Sequence[int] | None = None,
    *,
    now: datetime | None = None,
    limit: int = 500,
) -> list[WebhookDelivery]:
    """Deliveries waiting whose time has come, on endpoints still active (oldest first);
    `ids` narrows to those (the after-commit job)."""
    now = now or utcnow()
    stmt = (
        select(WebhookDelivery)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .options(joinedload(WebhookDelivery.webhook))
        .where(
            WebhookDelivery.status.in_(
                (DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value)
            ),
            WebhookDelivery.next_attempt_at <= now,
            Webhook.active.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )
    if ids is not None:
        stmt = stmt.where(WebhookDelivery.id.in_(ids))
    return list(session.scalars(stmt))
