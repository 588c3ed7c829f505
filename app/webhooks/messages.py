"""Words of the webhooks area: error codes, events and delivery states."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from ..errors import MESSAGES

MESSAGES.update(
    {
        "webhook_not_found": _l("This webhook does not exist."),
        "webhook_staff_only": _l("Only the agency's own staff can manage its webhooks."),
        "webhook_bad_url": _l(
            "Enter the receiver's full address, starting with https:// (or http:// outside "
            "production), without a user name, password or #fragment."
        ),
        "webhook_https_required": _l(
            "The receiver's address must start with https:// on this site."
        ),
        "webhook_blocked_address": _l(
            "This address points into a private, loopback or link-local network, which this "
            "site never connects to. Use the receiver's public address. Nothing was saved."
        ),
        "webhook_dns_failed": _l(
            "The receiver's host name could not be resolved. Check the address. Nothing was saved."
        ),
        "webhook_bad_event": _l("Unknown event “%(event)s”."),
        "webhook_no_events": _l("Choose at least one event to send."),
        "webhook_too_many": _l("An agency can have at most %(max)s webhooks."),
        "webhook_unknown_agency": _l("Choose the agency the webhook belongs to."),
    }
)

EVENTS: dict[str, Any] = {
    "consultation.closed": _l("A consultation closed"),
    "response.published": _l("Theme responses published"),
    "plan.submitted": _l("A plan was submitted for review"),
    "plan.decided": _l("A plan was accepted or returned"),
    "ping": _l("Test delivery"),
}
DELIVERY_STATUSES: dict[str, Any] = {
    "pending": _l("Waiting to be sent"),
    "retrying": _l("Failed; will retry"),
    "delivered": _l("Delivered"),
    "failed": _l("Gave up"),
}
