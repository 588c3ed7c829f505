"""Tables of the webhooks: one endpoint per row (an agency's URL, its secret, the events it
takes) and the delivery log (each event to each endpoint: attempts, status, the answer)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models.base import Base, utcnow
from ..models.base import enum_check as _in

if TYPE_CHECKING:
    from ..models.core import Agency


class WebhookEvent(enum.StrEnum):
    CONSULTATION_CLOSED = "consultation.closed"
    RESPONSE_PUBLISHED = "response.published"
    PLAN_SUBMITTED = "plan.submitted"
    PLAN_DECIDED = "plan.decided"
    PING = "ping"  # the staff page's "send a test"; never subscribed to


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # written with the change, not tried yet
    RETRYING = "retrying"  # failed, tried again at next_attempt_at
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # every attempt failed, or the endpoint was disabled


class Webhook(Base):
    """An agency's endpoint: where to POST, the HMAC secret, which events, on or off."""

    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_agency", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    url: Mapped[str] = mapped_column(String(2000))
    # The HMAC-SHA256 key, kept as is: the sender needs it to sign. Shown on the staff page to
    # those who may manage the endpoint (they could point it anywhere anyway); rotatable.
    secret: Mapped[str] = mapped_column(String(64))
    # The WebhookEvent values it takes (never "ping", which is sent on request).
    events: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()


class WebhookDelivery(Base):
    """One event for one endpoint: the exact JSON sent on every attempt, and how it went."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(_in("status", DeliveryStatus), name="status_valid"),
        CheckConstraint(_in("event", WebhookEvent), name="event_valid"),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        Index("ix_webhook_deliveries_webhook", "webhook_id", "id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"))
    # The X-Zhongyi-Delivery header: the same on every attempt, so receivers can drop repeats.
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    event: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    payload_sha256: Mapped[str] = mapped_column(String(64))  # of the body as sent
    status: Mapped[str] = mapped_column(String(12), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    response_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")  # a short code and detail, no secret
    next_attempt_at: Mapped[datetime | None]  # when it is due (None: nothing more to do)
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    webhook: Mapped[Webhook] = relationship()
