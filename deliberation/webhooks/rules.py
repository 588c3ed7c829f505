"""Pure rules of the webhooks: who may manage an agency's endpoints, which events an endpoint
may take, the URL's form, the signature and the retry schedule. No database, no network."""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Iterable
from datetime import datetime, timedelta

from .. import rules
from ..errors import ValidationError
from ..linkfetch import FetchError, parse_target
from ..models import Role
from .models import WebhookEvent

SUBSCRIBABLE = tuple(e.value for e in WebhookEvent if e is not WebhookEvent.PING)
MAX_URL = 2000
MAX_PER_AGENCY = 10
SIGNATURE_PREFIX = "sha256="
# The default schedule (configurable: WEBHOOK_MAX_ATTEMPTS, WEBHOOK_BACKOFF_SECONDS): attempts
# 1..8 with waits of 30 s, 1, 2, 4, 8, 16, 32 min (each ±20 %) between them, about an hour in all.
MAX_ATTEMPTS = 8
BACKOFF_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 6 * 3600.0
JITTER = 0.2


def can_manage(user: rules.Actor | None, agency_id: int) -> bool:
    """The agency's own staff and admins add, test, disable and read an agency's webhooks."""
    if user is None or not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.STAFF and user.agency_id == agency_id


def check_events(events: Iterable[str]) -> list[str]:
    """The events asked for, in the canonical order; at least one, all known."""
    chosen = set(events)
    unknown = chosen - set(SUBSCRIBABLE)
    if unknown:
        raise ValidationError("webhook_bad_event", field="events", event=sorted(unknown)[0][:40])
    if not chosen:
        raise ValidationError("webhook_no_events", field="events")
    return [e for e in SUBSCRIBABLE if e in chosen]


def check_url_form(url: str, *, require_https: bool) -> str:
    """The URL's form (before any address check): http(s), a host, no credentials, no
    fragment; https when the configuration requires it (production)."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL:
        raise ValidationError("webhook_bad_url", field="url")
    try:
        target = parse_target(url)
    except FetchError:
        raise ValidationError("webhook_bad_url", field="url") from None
    if "#" in url:
        raise ValidationError("webhook_bad_url", field="url")
    if require_https and target.scheme != "https":
        raise ValidationError("webhook_https_required", field="url")
    return url


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Zhongyi-Signature value: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def verify(secret: str, timestamp: int | str, body: bytes, header: str) -> bool:
    """Whether `header` is the signature of this body at this timestamp (constant time)."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def backoff(
    attempts: int,
    *,
    base: float = BACKOFF_SECONDS,
    cap: float = BACKOFF_CAP_SECONDS,
    rng: random.Random | None = None,
) -> timedelta:
    """The wait after the `attempts`-th failed attempt: base·2^(attempts−1), capped, ±20 %
    jitter so endpoints that failed together are not retried in lockstep."""
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    spread = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return timedelta(seconds=delay * spread)


def next_step(
    attempts: int,
    succeeded: bool,
    now: datetime,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    base: float = BACKOFF_SECONDS,
    rng: random.Random | None = None,
) -> tuple[str, datetime | None]:
    """(status, next attempt) after `attempts` attempts, the last of which succeeded or not."""
    if succeeded:
        return "delivered", None
    if attempts >= max_attempts:
        return "failed", None
    return "retrying", now + backoff(attempts, base=base, rng=rng)
