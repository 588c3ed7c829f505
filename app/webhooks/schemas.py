"""Request and response models of the webhook API (app/webhooks/api.py)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..openapi.operation import Out, Query


class Webhooks(Out):
    """The caller's agency's webhooks (every agency's for an admin); never their secrets."""

    webhooks: list[dict[str, Any]]


class DeliveriesQuery(Query):
    before: int | None = Field(None, ge=1, description="Deliveries with a smaller id (paging)")


class Deliveries(Out):
    """Up to 100 deliveries, newest first; `next_before` pages on."""

    webhook_id: int
    deliveries: list[dict[str, Any]]
    next_before: int | None
