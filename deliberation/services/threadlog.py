"""The thread log: each thread's gap-free seqs, its events, and the public state keyed on them.

Every change to what a thread shows records one `ThreadEvent` here, in the same transaction as
the change: real-time delivery (app/realtime), resync (`GET …/events?after_seq=`) and the public
page cache (app/cache.py) all key on the thread's `last_event_seq`. Posting, imports, moderation
and link cards write through `record_event` (or `next_seqs` when a comment takes a seq too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from .. import rules
from ..models import Consultation, Thread, ThreadEvent


def next_seqs(session: Session, thread_id: int, *, comment: bool) -> tuple[int, int]:
    """Take the thread's next event seq, and its next comment seq too when `comment` is true.

    One UPDATE ... RETURNING: the row lock it takes is held to commit, so concurrent posters
    queue behind each other and seq order equals commit order, with no gaps. Returns
    (last comment seq, last event seq) after the increment.
    """
    values = {Thread.last_event_seq: Thread.last_event_seq + 1}
    if comment:
        values[Thread.last_comment_seq] = Thread.last_comment_seq + 1
    row = session.execute(
        update(Thread)
        .where(Thread.id == thread_id)
        .values(values)
        .returning(Thread.last_comment_seq, Thread.last_event_seq)
    ).one()
    return row[0], row[1]


def record_event(
    session: Session, thread_id: int, type_: str, comment_id: int | None
) -> ThreadEvent:
    """Append the thread's next event. Every change to what a thread shows must call this, in
    the same transaction: real-time delivery, resync and the public page cache all key on it."""
    _, event_seq = next_seqs(session, thread_id, comment=False)
    event = ThreadEvent(thread_id=thread_id, seq=event_seq, type=type_, comment_id=comment_id)
    session.add(event)
    return event


@dataclass(frozen=True)
class ThreadState:
    """Everything a public rendering of a thread depends on, read in one query.

    Invariant kept by every service: any change to what a thread shows records a thread event,
    so (thread, last_event_seq, consultation state) identifies one public rendering.
    """

    thread_id: int
    last_event_seq: int
    last_comment_seq: int
    locked: bool
    status: str
    updated_at: datetime
    opens_at: datetime | None
    closes_at: datetime | None
    agency_id: int

    def key(self, now: datetime) -> tuple[object, ...]:
        return (
            self.thread_id,
            self.last_event_seq,
            self.locked,
            self.status,
            self.updated_at,
            rules.accepts_comments(self, now),
        )


def thread_state(session: Session | Connection, thread_id: int) -> ThreadState | None:
    """The thread's public state; pass an autocommit Connection to make it one round trip."""
    row = session.execute(
        select(
            Thread.id,
            Thread.last_event_seq,
            Thread.last_comment_seq,
            Thread.locked,
            Consultation.status,
            Consultation.updated_at,
            Consultation.opens_at,
            Consultation.closes_at,
            Consultation.agency_id,
        )
        .join(Consultation, Consultation.id == Thread.consultation_id)
        .where(Thread.id == thread_id)
    ).one_or_none()
    return ThreadState(*row) if row is not None else None
