"""The after-commit outbox: follow-up work declared where data changes, run only once it is committed.

A service that changes data and needs something to happen afterwards (fetch link previews,
broadcast thread events, analyse a closed consultation, send mail) declares it in the same
transaction::

    after_commit(session, "links.fetch_previews", preview_ids)

The name is logical; the web app maps it to a handler at start-up (app/outbox.py), so the domain
never names an app module. Follow-ups are kept per transaction in ``session.info``:

- when the outermost transaction commits, its follow-ups go, in declaration order, to the one
  dispatcher installed with `set_dispatcher` (exactly once);
- when a transaction rolls back, its follow-ups are dropped: a rolled-back change queues nothing;
- a savepoint (``session.begin_nested()``) keeps its own list: released, its follow-ups join the
  enclosing transaction's; rolled back, only they are dropped.

Without a dispatcher (a script using the domain on its own) committed follow-ups are dropped.
The dispatcher runs inside SQLAlchemy's ``after_commit`` hook, where the session may not emit SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

_KEY = "zhongyi_outbox"  # session.info: list[_Entry] of the open transactions


@dataclass(frozen=True)
class FollowUp:
    """One piece of work to do after the commit: a logical handler name and its arguments."""

    name: str
    args: tuple[Any, ...]


@dataclass
class _Entry:
    transaction: SessionTransaction  # the root or savepoint whose fate decides this follow-up
    follow_up: FollowUp


Dispatcher = Callable[[Session, Sequence[FollowUp]], None]
_dispatcher: Dispatcher | None = None
_installed = False


def after_commit(session: Session | scoped_session[Any], name: str, *args: Any) -> None:
    """Declare `name(*args)` to run once the current transaction has committed.

    `args` must be plain, JSON-like values (ids, lists, dicts): a background job gets them
    through a queue, and ORM objects are expired after the commit.
    """
    install()
    # a scoped_session (Flask-SQLAlchemy's db.session) stands for the current context's Session
    own: Session = session() if isinstance(session, scoped_session) else session
    if not own.in_transaction():
        own.begin()
    transaction = own.get_nested_transaction() or own.get_transaction()
    assert transaction is not None
    entries: list[_Entry] = own.info.setdefault(_KEY, [])
    entries.append(_Entry(transaction, FollowUp(name, tuple(args))))


def pending(session: Session | scoped_session[Any]) -> list[FollowUp]:
    """The follow-ups declared in the open transactions (for tests and debugging)."""
    entries: list[_Entry] = session.info.get(_KEY, [])
    return [entry.follow_up for entry in entries]


def set_dispatcher(dispatcher: Dispatcher | None) -> None:
    """Install the one function that receives each committed transaction's follow-ups."""
    global _dispatcher
    _dispatcher = dispatcher
    install()


def install() -> None:
    """Listen on every Session (once per process)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_commit", _committed)
    event.listen(Session, "after_transaction_end", _ended)
    _installed = True


def _real(transaction: SessionTransaction | None) -> SessionTransaction | None:
    """The nearest enclosing savepoint or root (flushes open internal subtransactions)."""
    while transaction is not None and not transaction.nested and transaction.parent is not None:
        transaction = transaction.parent
    return transaction


def _committed(session: Session) -> None:
    entries: list[_Entry] | None = session.info.get(_KEY)
    if not entries:
        return
    # after_commit fires for the root and for every released savepoint; the one committing is
    # the innermost savepoint if there is one (it is closed only after this hook).
    current = session.get_nested_transaction() or session.get_transaction()
    if current is None:
        return
    if current.nested:
        parent = _real(current.parent)
        for entry in entries:
            if entry.transaction is current and parent is not None:
                entry.transaction = parent
        return
    ready = [entry.follow_up for entry in entries if entry.transaction is current]
    session.info.pop(_KEY, None)
    if ready and _dispatcher is not None:
        _dispatcher(session, ready)


def _ended(session: Session, transaction: SessionTransaction) -> None:
    # Whatever is still tagged with a transaction that has ended was not committed with it:
    # a rollback (of the root or a savepoint) or a close without commit. Drop it.
    if not transaction.nested and transaction.parent is not None:
        return  # an internal subtransaction (a flush); follow-ups never belong to one
    entries: list[_Entry] | None = session.info.get(_KEY)
    if entries:
        kept = [entry for entry in entries if entry.transaction is not transaction]
        if kept:
            session.info[_KEY] = kept
        else:
            session.info.pop(_KEY, None)
