"""The live unread count: a /notifications Socket.IO namespace with one room per person.

It shares the page's one Socket.IO connection (the client multiplexes /threads and
/notifications over it). On connect a logged-in person joins ``user:<id>`` and gets their
count at once; after any commit that changes it the push job sends the new count there:
``unread {count}``. Anonymous connections are refused. No client event is accepted.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import current_app, request
from flask_socketio import Namespace, emit, join_room

from deliberation.notifications.queries import unread_count

from ..extensions import db
from ..realtime.namespace import origin_allowed
from ..security import current_actor

log = logging.getLogger(__name__)

NAMESPACE = "/notifications"
EVENT = "unread"


def room(user_id: int) -> str:
    return f"user:{user_id}"


class NotificationsNamespace(Namespace):
    """One room per logged-in person; the server only speaks."""

    def __init__(self, namespace: str = NAMESPACE) -> None:
        super().__init__(namespace)

    def on_connect(self, auth: Any = None) -> bool:
        allowed = current_app.extensions.get("zhongyi_realtime_origins")
        if not origin_allowed(request.environ, allowed):
            raise ConnectionRefusedError("origin_not_allowed")
        actor = current_actor()
        if actor is None:
            raise ConnectionRefusedError("not_authenticated")
        join_room(room(actor.id))
        count = unread_count(db.session, actor.id)
        db.session.rollback()  # read-only; end the transaction before network work
        emit(EVENT, {"count": count})
        return True


ROOMS_PER_EMIT = 500  # rooms named in one message (a message queue carries it as one publish)


def send_counts(counts: Mapping[int, int]) -> None:
    """Send each person their unread count (through the message queue when there is one).

    People with the same count get one message addressed to all their rooms: a reply in a
    thread with 5,000 followers is a handful of publishes, not 5,000 (bench/RESULTS.md,
    "Reply fan-out")."""
    server = current_app.extensions.get("zhongyi_realtime")
    if server is None:
        return
    by_count: dict[int, list[str]] = {}
    for user_id, count in sorted(counts.items()):
        by_count.setdefault(count, []).append(room(user_id))
    for count, rooms in by_count.items():
        for start in range(0, len(rooms), ROOMS_PER_EMIT):
            chunk = rooms[start : start + ROOMS_PER_EMIT]
            try:
                server.emit(
                    EVENT,
                    {"count": count},
                    to=chunk if len(chunk) > 1 else chunk[0],
                    namespace=NAMESPACE,
                )
            except Exception:
                log.exception("could not send the unread count to %s rooms", len(chunk))
