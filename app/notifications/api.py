"""JSON API of notifications and follows under /api/v1."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from deliberation.models import Notification
from deliberation.notifications import operations, queries

from ..extensions import db
from ..openapi.operation import operation
from ..openapi.web import cursor_page, next_page_cursor, paged
from ..params import int_arg, json_body
from . import api_bp
from . import schemas as sc
from .messages import describe, excerpt, target_url
from .routes import me


def notification_json(item: Notification) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "text": describe(item),
        "excerpt": excerpt(item),
        "url": target_url(item),
        "comment_id": item.comment_id,
        "consultation_id": item.consultation_id,
        "created_at": item.created_at.isoformat(),
        "read": item.read_at is not None,
    }


@api_bp.get("/notifications")
@operation(
    "notifications", query=sc.NotificationQuery, responses={200: sc.NotificationPage}, errors=(401,)
)
def notifications():
    """My notifications, newest first: ?page=, ?unread=1."""
    page = queries.notifications_page(
        db.session,
        me(),
        page=cursor_page(int_arg("page", 1, low=1)),
        unread_only=request.args.get("unread") == "1",
    )
    return paged(
        {
            "items": [notification_json(i) for i in page.items],
            "unread": page.unread,
            "total": page.total,
            "page": page.page,
            "pages": page.pages,
        },
        next_page_cursor(page.page, page.pages),
    )


@api_bp.get("/notifications/unread-count")
@operation("notifications", responses={200: sc.Count}, errors=(401,))
def unread_count():
    return jsonify({"count": queries.unread_count(db.session, me().id)})


@api_bp.post("/notifications/<int:notification_id>/read")
@operation("notifications", responses={200: sc.MarkedRead}, errors=(401, 404))
def mark_read(notification_id: int):
    actor = me()
    item = operations.mark_read(db.session, notification_id, actor=actor)
    db.session.flush()
    return jsonify(
        {"id": item.id, "read": True, "unread": queries.unread_count(db.session, actor.id)}
    )


@api_bp.post("/notifications/read-all")
@operation("notifications", responses={200: sc.MarkedAll}, errors=(401,))
def mark_all_read():
    actor = me()
    count = operations.mark_all_read(db.session, actor=actor)
    return jsonify({"marked": count, "unread": 0})


@api_bp.get("/follows/<target_type>/<int:target_id>")
@operation("notifications", responses={200: sc.Following}, errors=(401, 404))
def following(target_type: str, target_id: int):
    actor = me()
    return jsonify(
        {
            "target_type": target_type,
            "target_id": target_id,
            "following": queries.is_following(db.session, actor, target_type, target_id),
        }
    )


@api_bp.put("/follows/<target_type>/<int:target_id>")
@operation("notifications", responses={200: sc.Following}, errors=(401, 404))
def follow(target_type: str, target_id: int):
    row = operations.set_follow(db.session, target_type, target_id, actor=me(), active=True)
    return jsonify({"target_type": target_type, "target_id": target_id, "following": row.active})


@api_bp.delete("/follows/<target_type>/<int:target_id>")
@operation("notifications", responses={200: sc.Following}, errors=(401, 404))
def unfollow(target_type: str, target_id: int):
    row = operations.set_follow(db.session, target_type, target_id, actor=me(), active=False)
    return jsonify({"target_type": target_type, "target_id": target_id, "following": row.active})


@api_bp.get("/notifications/settings")
@operation("notifications", responses={200: sc.Preferences}, errors=(401,))
def settings():
    """How I get each group by e-mail: {replies, answers, consultations, moderation}."""
    return jsonify(operations.preferences(db.session, me()))


@api_bp.put("/notifications/settings")
@operation("notifications", body=sc.PreferencesBody, responses={200: sc.Preferences}, errors=(401,))
def change_settings():
    """Change some groups: {"replies": "weekly", ...}; immediate, daily, weekly or never."""
    body = json_body()
    choices = {str(k): str(v) for k, v in body.items()}
    return jsonify(operations.set_preferences(db.session, choices, actor=me()))
