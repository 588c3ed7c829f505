"""The after-commit outbox, app side: which handler runs a follow-up, and the one dispatcher.

The domain declares follow-ups by logical name (`deliberation.outbox.after_commit`). Each area
registers the handlers it owns in its init_app::

    outbox.register(app, "links.fetch_previews", "app.links.jobs:fetch_previews", merge=True)
    outbox.register(app, "realtime.broadcast", "app.realtime.broadcast:send", inline=True)

- inline: called as ``fn(*args)`` in this process right after the commit (real-time broadcasts:
  low latency, never through a queue). It runs inside SQLAlchemy's after_commit hook, so it must
  not use the database session.
- a job (the default): handed to app/jobs.py (thread pool, RQ, or eager) as ``fn(session, *args)``
  with its own session and commit. With the eager backend (tests), and with the thread pool in
  a CLI command (`run_jobs_here`: the pool would be cut off when the command exits), the job
  runs in this process and session instead; SQL cannot run inside the commit hook, so it waits
  in ``session.info`` until the commit point (app/transaction.py) calls `run_deferred` right
  after its commit.
- merge: the follow-ups of one transaction with this name each carry one list; they are joined
  (deduplicated, sorted) into a single call, so posting many comments queues one fetch.

A handler that fails is logged and never turns a committed action into an error.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy.orm import Session, scoped_session

from deliberation import outbox

from . import jobs

log = logging.getLogger(__name__)

_REGISTRY = "zhongyi_outbox"  # app.extensions: dict[str, Handler]
_DEFERRED = "zhongyi_outbox_deferred"  # session.info: eager jobs to run after the commit
_HERE = "_zhongyi_jobs_here"  # g: this unit runs thread-pool jobs itself (a CLI command)


@dataclass(frozen=True)
class Handler:
    target: str  # "pkg.module:function", importable by an RQ worker
    inline: bool = False
    merge: bool = False


def init_app(app: Flask) -> None:
    """Give the app its registry and install the dispatcher (once per process)."""
    app.extensions.setdefault(_REGISTRY, {})
    outbox.set_dispatcher(dispatch)


def register(
    app: Flask, name: str, target: str, *, inline: bool = False, merge: bool = False
) -> None:
    """Map the logical follow-up `name` to the function at `target` ("pkg.module:function")."""
    registry: dict[str, Handler] = app.extensions.setdefault(_REGISTRY, {})
    registry[name] = Handler(target, inline=inline, merge=merge)


def handlers(app: Flask) -> dict[str, Handler]:
    """The registered handlers by name."""
    registry: dict[str, Handler] = app.extensions.get(_REGISTRY, {})
    return registry


def dispatch(session: Session, follow_ups: Sequence[outbox.FollowUp]) -> None:
    """Hand each committed follow-up to its handler (called by the outbox after a commit)."""
    if not has_app_context():
        log.debug("no app: dropping %d follow-ups", len(follow_ups))
        return
    registry = handlers(current_app)
    backend = current_app.config.get("JOBS_BACKEND", "thread")
    here = backend == "eager" or (backend == "thread" and g.get(_HERE, False))
    for follow_up in _merged(follow_ups, registry):
        handler = registry.get(follow_up.name)
        if handler is None:
            log.error("no handler is registered for the follow-up %r", follow_up.name)
            continue
        try:
            if handler.inline:
                jobs.resolve(handler.target)(*follow_up.args)
            elif here:
                session.info.setdefault(_DEFERRED, []).append((handler.target, follow_up.args))
            else:
                jobs.submit(handler.target, *follow_up.args)
        except Exception:  # the change is committed: a failed follow-up is logged, not raised
            log.exception("follow-up %s failed", follow_up.name)


def run_jobs_here() -> None:
    """In this app context, run thread-pool jobs in the caller after its commit (CLI commands)."""
    g.setdefault(_HERE, True)


def run_deferred(session: Session | scoped_session[Any]) -> None:
    """Run the eager jobs that the last commits deferred, until none is left."""
    if isinstance(session, scoped_session):
        session = session()
    for _round in range(100):  # a job's own commit may defer more
        waiting: list[tuple[str, tuple[Any, ...]]] = session.info.pop(_DEFERRED, [])
        if not waiting:
            return
        for target, args in waiting:
            try:
                jobs.run_here(target, *args)
            except Exception:
                session.rollback()
                log.exception("job %s%r failed", target, args)
    log.error("follow-ups kept deferring more follow-ups; stopped after 100 rounds")


def _merged(
    follow_ups: Sequence[outbox.FollowUp], registry: dict[str, Handler]
) -> list[outbox.FollowUp]:
    merged: dict[str, set[Any]] = {}
    result: list[outbox.FollowUp] = []
    for follow_up in follow_ups:
        handler = registry.get(follow_up.name)
        if handler is None or not handler.merge:
            result.append(follow_up)
            continue
        if follow_up.name not in merged:
            merged[follow_up.name] = set()
            result.append(outbox.FollowUp(follow_up.name, ()))  # a placeholder, filled below
        for item in follow_up.args:
            merged[follow_up.name].update(item)
    return [
        outbox.FollowUp(f.name, (sorted(merged[f.name]),)) if f.name in merged else f
        for f in result
    ]
