"""The /threads Socket.IO namespace: watch threads live; posting stays on the HTTP API.

Client → server (each with an acknowledgement callback):
  subscribe   {thread_id, after_seq}  → {ok, thread_id, events: [...], last_seq, more, viewers}
  unsubscribe {thread_id}             → {ok, thread_id}
Server → client:
  thread_event {thread_id, seq, type, comment_id, comment?, votes?}   (deliberation.events)
  viewers      {thread_id, count}
Errors are acknowledgements {ok: false, error: {code, message}}; a handler never crashes the
connection. Every join is authorised with the same rule as the pages (drafts: agency staff and
admins only), the Origin is checked on connect, and each connection has a token bucket.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request
from flask_socketio import Namespace, join_room, leave_room

from deliberation import events as thread_events
from deliberation.errors import DomainError
from deliberation.services import comments

from ..errors import message_for
from ..extensions import db
from ..params import MAX_ID
from ..security import current_actor
from .broadcast import NAMESPACE, room

log = logging.getLogger(__name__)

MAX_EVENT_BYTES = 2048  # a subscribe is ~40 bytes; anything this large is not ours
MAX_SUBSCRIPTIONS = 20  # threads one connection may watch at once
BACKLOG_LIMIT = 200  # missed events sent with the subscribe answer; the rest via HTTP
BUCKET_SIZE = 20  # events a connection may send in a burst ...
BUCKET_RATE = 5.0  # ... refilled at this many per second
MAX_STRIKES = 50  # refused events before the connection is closed
VIEWERS_INTERVAL = 1.0  # seconds between viewer-count announcements per thread


class BadEvent(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class _Connection:
    __slots__ = ("threads", "tokens", "stamp", "strikes")

    def __init__(self) -> None:
        self.threads: set[int] = set()
        self.tokens = float(BUCKET_SIZE)
        self.stamp = time.monotonic()
        self.strikes = 0

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(BUCKET_SIZE, self.tokens + (now - self.stamp) * BUCKET_RATE)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.strikes += 1
        return False


def _error(code: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message_for(code)}}


def _int_field(data: dict[str, Any], name: str, *, low: int, default: int | None = None) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low or value > MAX_ID:
        raise BadEvent("invalid_event")
    return value


def origin_allowed(environ: dict[str, Any], allowed: list[str] | None) -> bool:
    """Browsers send Origin: it must be this site (or a configured origin). Non-browser clients
    send none and are treated like any anonymous reader."""
    origin = environ.get("HTTP_ORIGIN")
    if not origin:
        return True
    if allowed is not None and ("*" in allowed or origin in allowed):
        return True
    parts = urlsplit(origin)
    host = environ.get("HTTP_X_FORWARDED_HOST") or environ.get("HTTP_HOST", "")
    return parts.netloc == host.split(",")[0].strip()


class ThreadsNamespace(Namespace):
    """Rooms per thread, joined only after the viewing rule allows it."""

    def __init__(self, namespace: str = NAMESPACE) -> None:
        super().__init__(namespace)
        self._connections: dict[str, _Connection] = {}
        self._lock = threading.Lock()
        self._announced: dict[int, float] = {}  # thread → when its count was last sent
        self._scheduled: set[int] = set()  # threads with a trailing announcement pending

    # ---- dispatch: every client event goes through one guarded path ----------------------

    def trigger_event(self, event: str, *args: Any) -> Any:
        if event in ("connect", "disconnect"):
            return super().trigger_event(event, *args)
        return self.socketio._handle_event(self._dispatch, event, self.namespace, *args)

    def _dispatch(self, *args: Any) -> Any:
        event = request.event["message"]  # type: ignore[attr-defined]
        conn = self._connections.get(request.sid)  # type: ignore[attr-defined]
        if conn is None:
            return _error("not_connected")
        if not conn.allow():
            if conn.strikes > MAX_STRIKES:
                log.warning("closing a socket that keeps flooding: %s", request.sid)  # type: ignore[attr-defined]
                self.disconnect(request.sid)  # type: ignore[attr-defined]
            return _error("too_many_requests")
        handler = {"subscribe": self._subscribe, "unsubscribe": self._unsubscribe}.get(event)
        if handler is None:
            return _error("unknown_event")
        try:
            if len(args) != 1 or not isinstance(args[0], dict):
                raise BadEvent("invalid_event")
            if len(json.dumps(args[0], default=str)) > MAX_EVENT_BYTES:
                raise BadEvent("payload_too_large")
            return handler(conn, args[0])
        except BadEvent as bad:
            return _error(bad.code)
        except DomainError as error:
            db.session.rollback()
            return _error(error.code)
        except Exception:
            log.exception("socket event %s failed", event)
            db.session.rollback()
            return _error("server_error")

    # ---- connection ------------------------------------------------------------------------

    def on_connect(self, auth: Any = None) -> bool:
        allowed = current_app.extensions.get("zhongyi_realtime_origins")
        if not origin_allowed(request.environ, allowed):
            raise ConnectionRefusedError("origin_not_allowed")
        with self._lock:
            self._connections[request.sid] = _Connection()  # type: ignore[attr-defined]
        _viewers().start()
        return True

    def on_disconnect(self, reason: Any = None) -> None:
        with self._lock:
            conn = self._connections.pop(request.sid, None)  # type: ignore[attr-defined]
        if conn is None:
            return
        for thread_id in conn.threads:
            _viewers().change(thread_id, -1)
            self._announce(thread_id)

    # ---- events ----------------------------------------------------------------------------

    def _subscribe(self, conn: _Connection, data: dict[str, Any]) -> dict[str, Any]:
        thread_id = _int_field(data, "thread_id", low=1)
        after_seq = _int_field(data, "after_seq", low=0, default=0)
        # Authorise every join with the pages' rule: a draft is NotFound unless you manage it.
        comments.get_thread(db.session, thread_id, current_actor())
        new = thread_id not in conn.threads
        if new and len(conn.threads) >= MAX_SUBSCRIPTIONS:
            raise BadEvent("too_many_subscriptions")
        # Join first, then read the backlog: an event committed in between arrives both ways
        # and the client drops the duplicate by seq; none can fall between the two.
        join_room(room(thread_id))
        conn.threads.add(thread_id)
        items, last_seq, more = thread_events.events_after(
            db.session, thread_id, after_seq=after_seq, limit=BACKLOG_LIMIT
        )
        db.session.rollback()  # read-only; end the transaction before network work
        viewers = _viewers()
        count = viewers.change(thread_id, +1) if new else viewers.total(thread_id)
        if new:
            self._announce(thread_id)
        return {
            "ok": True,
            "thread_id": thread_id,
            "events": items,
            "last_seq": last_seq,
            "more": more,
            "viewers": count,
        }

    def _unsubscribe(self, conn: _Connection, data: dict[str, Any]) -> dict[str, Any]:
        thread_id = _int_field(data, "thread_id", low=1)
        if thread_id in conn.threads:
            conn.threads.discard(thread_id)
            leave_room(room(thread_id))
            _viewers().change(thread_id, -1)
            self._announce(thread_id)
        return {"ok": True, "thread_id": thread_id}

    def _announce(self, thread_id: int) -> None:
        """Tell the room how many are viewing, at most once per VIEWERS_INTERVAL per thread.

        Announcing every join at once would cost O(n²) messages when n people open a busy
        thread together; instead the first change goes out at once and later ones within the
        interval collapse into one trailing announcement of the then-current count.
        """
        interval = current_app.config.get("REALTIME_VIEWERS_INTERVAL", VIEWERS_INTERVAL)
        viewers = _viewers()
        now = time.monotonic()
        with self._lock:
            if thread_id in self._scheduled:
                return
            wait = self._announced.get(thread_id, -interval) + interval - now
            if wait > 0:
                self._scheduled.add(thread_id)
            else:
                self._announced[thread_id] = now
        if wait > 0:
            self.socketio.start_background_task(self._announce_later, thread_id, viewers, wait)
        else:
            self._emit_viewers(thread_id, viewers.total(thread_id))

    def _announce_later(self, thread_id: int, viewers: Any, wait: float) -> None:
        self.socketio.sleep(wait)
        with self._lock:
            self._scheduled.discard(thread_id)
            self._announced[thread_id] = time.monotonic()
        self._emit_viewers(thread_id, viewers.total(thread_id))

    def _emit_viewers(self, thread_id: int, count: int) -> None:
        try:
            self.socketio.emit(
                "viewers",
                {"thread_id": thread_id, "count": count},
                to=room(thread_id),
                namespace=self.namespace,
            )
        except Exception:
            log.warning("could not announce the viewer count of thread %s", thread_id)


def _viewers():
    return current_app.extensions["zhongyi_viewers"]
