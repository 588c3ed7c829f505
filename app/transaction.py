"""One commit point: every web request and every CLI command is one unit of work.

Views and commands call services (which flush, never commit) and never commit themselves:

- `commit_point` wraps every view of the app (create_app applies it to all endpoints): when
  the view returns a response below 400 the session is committed, otherwise (a 4xx/5xx page,
  or any exception) it is rolled back. A message flashed by the view reaches the user only if
  the commit succeeded. After the commit the outbox's deferred jobs run (eager backend).
- `cli_unit` does the same for a click command: commit when it returns, roll back on any
  error, a domain error becomes a one-line ClickException in the user's words. Its follow-up
  jobs run in the command's process after the commit (with RQ they are queued as usual).
- `discard_changes()` is for a view that catches a refused action (a DomainError) and goes on
  to show it: everything this request wrote so far is rolled back before the page is built.
- `commit()` commits now, for the rare unit that must see the outcome of its commit (the
  idempotent comment API catches a concurrent duplicate) or that commits in stages (a CLI
  command running a long analysis).

Jobs (app/jobs.py) commit their own work: a job is its own unit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import click
from flask import Flask, current_app, g, has_request_context, message_flashed, session
from werkzeug.wrappers import Response

from deliberation.errors import DomainError

from . import outbox
from .errors import message_for
from .extensions import db

P = ParamSpec("P")
R = TypeVar("R")
_FLASHED = "_zhongyi_flashed"  # g: the (category, message) pairs flashed in this unit
_WRAPPED = "_zhongyi_commit_point"  # marks a view already wrapped


def commit() -> None:
    """Commit the session now and run the follow-ups the commit deferred."""
    db.session.commit()
    outbox.run_deferred(db.session)


def discard_changes() -> None:
    """Roll back everything written in this unit so far (the action was refused)."""
    db.session.rollback()


def commit_point(view: Callable[..., Any]) -> Callable[..., Response]:
    """Run a view as one unit of work: commit on success, roll back on any error."""
    if getattr(view, _WRAPPED, False):
        return view

    @functools.wraps(view)
    def unit(*args: Any, **kwargs: Any) -> Response:
        g.setdefault(_FLASHED, [])
        try:
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code >= 400:
                db.session.rollback()
            else:
                commit()
        except BaseException:
            db.session.rollback()
            _unflash()
            raise
        return response

    setattr(unit, _WRAPPED, True)
    return unit


def wrap_views(app: Flask) -> None:
    """Make every registered endpoint a commit point (called last by create_app)."""
    for endpoint, view in list(app.view_functions.items()):
        app.view_functions[endpoint] = commit_point(view)
    message_flashed.connect(_remember_flash, app)


def cli_unit(command: Callable[P, R]) -> Callable[P, R]:
    """Run a click command as one unit of work: commit when it returns, roll back on error."""

    @functools.wraps(command)
    def unit(*args: P.args, **kwargs: P.kwargs) -> R:
        outbox.run_jobs_here()  # a command waits for its follow-ups before it exits
        try:
            result = command(*args, **kwargs)
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(_message(error)) from None
        except BaseException:
            db.session.rollback()
            raise
        commit()
        return result

    return unit


def _message(error: DomainError) -> str:
    return str(message_for(error.code, **error.params))


def _remember_flash(_app: Flask, message: str, category: str) -> None:
    if has_request_context():
        g.setdefault(_FLASHED, []).append((category, message))


def _unflash() -> None:
    """Take back the messages flashed by a unit that did not commit."""
    flashed: list[tuple[str, Any]] = g.pop(_FLASHED, [])
    if not flashed or "_flashes" not in session:
        return
    kept = list(session["_flashes"])
    for item in flashed:
        if item in kept:
            kept.remove(item)
    session["_flashes"] = kept
