"""Webhooks for agencies' systems (issue 19): the staff page, /api/v1/webhooks, the delivery
job behind the "webhooks.deliver" follow-up and `flask webhooks retry-due` (cron)."""

from __future__ import annotations

from flask import Blueprint, Flask

from deliberation.webhooks import models as _models  # noqa: F401  (the tables, with the schema)

from .. import outbox

bp = Blueprint("webhooks", __name__)
api_bp = Blueprint("webhooks_api", __name__)

FOLLOW_UP = "webhooks.deliver"  # declared by deliberation/webhooks/operations._queue
JOB = "app.webhooks.jobs:deliver"

from . import api, cli, messages, routes  # noqa: E402, F401  (the routes register themselves)


def init_app(app: Flask) -> None:
    """Register this area's blueprints, its follow-up and CLI; refuse unsafe production config."""
    if app.config.get("WEBHOOK_ALLOW_HOSTS") and not app.config.get(
        "WEBHOOK_ALLOW_HOSTS_PERMITTED", True
    ):
        raise RuntimeError(
            "WEBHOOK_ALLOW_HOSTS lets webhooks reach loopback servers; it is for tests and "
            "local demos only and is refused in production. Unset it."
        )
    outbox.register(app, FOLLOW_UP, JOB, merge=True)
    app.cli.add_command(cli.group)
    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
