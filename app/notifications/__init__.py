"""Notifications and follows, web side: the 通知 page, mark read, follow buttons, the JSON API,
the live unread count (the /notifications Socket.IO namespace, one room per person), the
fan-out jobs and the `flask notifications` commands."""

from __future__ import annotations

from flask import Blueprint, Flask

from deliberation.notifications import operations
from deliberation.notifications.queries import is_following, unread_count

from .. import outbox
from ..extensions import db, socketio
from ..security import current_actor

bp = Blueprint("notifications", __name__)
api_bp = Blueprint("notifications_api", __name__)

from . import api, cli, messages, routes  # noqa: E402, F401  (the routes register themselves)
from .live import NotificationsNamespace  # noqa: E402
from .messages import follow_label  # noqa: E402


def init_app(app: Flask) -> None:
    """Register the blueprints, the follow-up handlers, the namespace and the header count."""
    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    outbox.register(app, operations.PUSH, "app.notifications.jobs:push", merge=True)
    outbox.register(app, operations.COMMENTS, "app.notifications.jobs:fan_out_comments", merge=True)
    outbox.register(app, operations.CONSULTATION, "app.notifications.jobs:fan_out_consultation")
    outbox.register(app, operations.MAIL_NOW, "app.notifications.jobs:mail_now", merge=True)
    outbox.register(app, "notifications.deliver", "app.notifications.jobs:deliver_job")
    socketio.on_namespace(NotificationsNamespace())
    app.cli.add_command(cli.group)
    app.jinja_env.globals["unread_notifications"] = _unread_for_header
    app.jinja_env.globals["is_following"] = _is_following
    app.jinja_env.globals["follow_label"] = follow_label


def _unread_for_header() -> int:
    """The unread count the header shows (0 for anonymous readers)."""
    actor = current_actor()
    return unread_count(db.session, actor.id) if actor is not None else 0


def _is_following(target_type: str, target_id: int) -> bool:
    """Whether the logged-in person follows the target (for the follow buttons)."""
    return is_following(db.session, current_actor(), target_type, target_id)
