"""Sending webhook deliveries: the after-commit job and the cron pass over what is due.

Each delivery is claimed first (its next attempt moved past this attempt's deadline by one
conditional UPDATE, committed), then POSTed, then its result recorded and committed: two
workers never send the same attempt, and a crash mid-send leaves it due again after the lease.
Delivery is at least once: receivers drop repeats by X-Zhongyi-Delivery.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import update
from sqlalchemy.orm import Session

from deliberation.models import utcnow
from deliberation.webhooks import operations, queries
from deliberation.webhooks.models import WebhookDelivery
from deliberation.webhooks.rules import signature
from deliberation.webhooks.sending import SendPolicy, post

log = logging.getLogger(__name__)


def policy() -> SendPolicy:
    """The sending rules from the configuration."""
    config = current_app.config
    return SendPolicy(
        connect_timeout=float(config.get("WEBHOOK_CONNECT_TIMEOUT", 3.0)),
        total_timeout=float(config.get("WEBHOOK_TIMEOUT", 10.0)),
        allow_hosts=frozenset(config.get("WEBHOOK_ALLOW_HOSTS") or ()),
    )


def _claim(session: Session, delivery: WebhookDelivery, rules: SendPolicy) -> bool:
    lease = utcnow() + timedelta(seconds=rules.connect_timeout + rules.total_timeout + 30)
    claimed = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery.id,
            WebhookDelivery.next_attempt_at == delivery.next_attempt_at,
            WebhookDelivery.status == delivery.status,
        )
        .values(next_attempt_at=lease)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(getattr(claimed, "rowcount", 0) == 1)


def attempt(session: Session, delivery: WebhookDelivery, rules: SendPolicy) -> bool:
    """One signed POST of `delivery` and its result recorded; True when delivered."""
    if not _claim(session, delivery, rules):
        return False  # another worker has it
    session.refresh(delivery)
    hook = delivery.webhook
    body = operations.body_of(delivery.payload)
    stamp = int(time.time())
    outcome = post(
        hook.url,
        body,
        {
            "X-Zhongyi-Event": delivery.event,
            "X-Zhongyi-Delivery": delivery.uid,
            "X-Zhongyi-Timestamp": str(stamp),
            "X-Zhongyi-Signature": signature(hook.secret, stamp, body),
            "X-Zhongyi-Attempt": str(delivery.attempts + 1),
        },
        rules,
    )
    config = current_app.config
    operations.record_attempt(
        session,
        delivery,
        outcome,
        max_attempts=int(config.get("WEBHOOK_MAX_ATTEMPTS", 8)),
        base=float(config.get("WEBHOOK_BACKOFF_SECONDS", 30.0)),
    )
    session.commit()
    if not outcome.ok:
        log.info(
            "webhook delivery %s to endpoint %s failed (attempt %s): %s",
            delivery.id,
            hook.id,
            delivery.attempts,
            outcome.error,
        )
    return outcome.ok


def deliver(session: Session, delivery_ids: list[int]) -> None:
    """The "webhooks.deliver" follow-up: send these deliveries now (after their commit)."""
    rules = policy()
    for delivery in queries.due(session, delivery_ids):
        attempt(session, delivery, rules)


def retry_due(session: Session) -> tuple[int, int]:
    """Every delivery whose time has come (first tries whose job was lost, and retries):
    (attempted, delivered)."""
    rules = policy()
    tried = sent = 0
    for delivery in queries.due(session):
        tried += 1
        sent += attempt(session, delivery, rules)
    return tried, sent
