"""Persist first, broadcast after commit.

Every service that changes a thread writes a ThreadEvent row in the same transaction
(`comments.record_event`). These session hooks notice those rows and build their public payloads
just before the transaction commits (while the session can still read); the sending is a
follow-up on the after-commit outbox ("realtime.broadcast", an inline handler: it runs in this
process right after the commit, never through a job queue). A rolled-back transaction emits
nothing, and a savepoint rolled back inside a committed transaction drops its own events.

The hooks watch every SQLAlchemy Session, so they also cover the tests' per-test sessions and
any future service; outside a Flask app with real-time enabled (a script, a worker) they only
keep a list that is thrown away.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from deliberation import events as thread_events
from deliberation.models import ThreadEvent
from deliberation.outbox import after_commit

log = logging.getLogger(__name__)

NAMESPACE = "/threads"
EVENT = "thread_event"
_PENDING = "zhongyi_realtime_pending"  # ThreadEvent rows flushed in this transaction
FOLLOW_UP = "realtime.broadcast"  # the outbox name of `send`
_installed = False


def room(thread_id: int) -> str:
    return f"thread:{thread_id}"


def install() -> None:
    """Listen on every Session (once per process)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _collect)
    event.listen(Session, "before_commit", _prepare)
    event.listen(Session, "after_rollback", _discard)
    _installed = True


def _collect(session: Session, _flush_context: Any) -> None:
    # In after_flush, session.new still lists what this flush inserted.
    new = [obj for obj in session.new if isinstance(obj, ThreadEvent)]
    if new:
        session.info.setdefault(_PENDING, []).extend(new)


def _prepare(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint; the outer commit decides
    if session.new or session.dirty:
        session.flush()  # the commit would flush anyway; do it first so no event is missed
    pending: list[ThreadEvent] = session.info.pop(_PENDING, [])
    if not pending or not has_app_context():
        return
    server = current_app.extensions.get("zhongyi_realtime")
    if server is None:
        return
    # Rows of a rolled-back savepoint are no longer persistent: they never happened.
    kept = sorted((e for e in pending if inspect(e).persistent), key=lambda e: (e.thread_id, e.seq))
    if not kept:
        return
    try:
        payloads = thread_events.payloads(session, kept)
    except Exception:  # never let a broadcast problem fail the user's action
        log.exception("could not build thread event payloads")
        return
    after_commit(session, FOLLOW_UP, payloads)


def send(payloads: list[dict[str, Any]]) -> None:
    """The outbox's inline handler: emit payloads built before a commit that has succeeded."""
    server = current_app.extensions.get("zhongyi_realtime") if has_app_context() else None
    if server is not None:
        emit_events(server, payloads)


def _discard(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)


def emit_events(server: Any, payloads: list[dict[str, Any]]) -> None:
    """Send each payload to its thread's room (through the message queue when there is one).

    Delivery is at most once: a client that misses one sees a gap in seq and fetches it
    from GET /api/v1/threads/<id>/events, so a failed emit is logged, never raised.
    """
    for payload in payloads:
        try:
            server.emit(EVENT, payload, to=room(payload["thread_id"]), namespace=NAMESPACE)
        except Exception:
            log.exception("could not emit thread event %s", payload.get("seq"))
