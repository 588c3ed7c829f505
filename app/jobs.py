"""Background jobs: work that must not hold up a web request (link previews, analysis runs).

A job is a function `f(session, *args) -> None` named by its import path ("pkg.module:func").
It runs in an app context with its own database session and commits its own work (a job is its
own unit of work, the one place outside app/transaction.py that commits).

Backends (JOBS_BACKEND):
- "thread" (default, the embedded set-up): a small in-process thread pool.
- "rq": enqueued on Redis (JOBS_REDIS_URL) for `rq worker zhongyi` processes (docs/deploy.md).
- "eager": run at once in the caller's app context and session (tests: their per-test
  transaction is invisible to other connections, so a job must share it).

Jobs are submitted by the after-commit outbox (app/outbox.py) once the change that declared
them has committed, so a job never sees a half-written action.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app

from .extensions import db

log = logging.getLogger(__name__)

_executor: ThreadPoolExecutor | None = None
_worker_app: Flask | None = None


def resolve(path: str) -> Callable[..., Any]:
    """The function named by "pkg.module:func"."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def _run_in_context(path: str, args: tuple[Any, ...]) -> None:
    fn = resolve(path)
    try:
        fn(db.session, *args)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("job %s%r failed", path, args)
        raise
    finally:
        db.session.remove()  # type: ignore[attr-defined]  # the scoped_session's own method


def _run_with_app(app: Flask, path: str, args: tuple[Any, ...]) -> None:
    with app.app_context():
        _run_in_context(path, args)


def run_job(path: str, *args: Any) -> None:
    """Entry point for an RQ worker: builds the app once per worker process."""
    global _worker_app
    if _worker_app is None:
        from . import create_app

        _worker_app = create_app()
    _run_with_app(_worker_app, path, args)


def run_here(path: str, *args: Any) -> None:
    """Run job `path` now, in the caller's app context and session, and commit its work."""
    resolve(path)(db.session, *args)
    db.session.commit()


def submit(path: str, *args: Any) -> Future[None] | None:
    """Run job `path` with `args` in the configured backend. Returns a Future for "thread"."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    backend = app.config.get("JOBS_BACKEND", "thread")
    if backend == "eager":
        run_here(path, *args)
        return None
    if backend == "rq":
        from redis import Redis
        from rq import Queue

        queue = Queue(
            app.config.get("JOBS_QUEUE", "zhongyi"),
            connection=Redis.from_url(app.config["JOBS_REDIS_URL"]),
        )
        queue.enqueue(run_job, path, *args, job_timeout=app.config.get("JOBS_TIMEOUT", 1800))
        return None
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(
            max_workers=app.config.get("JOBS_THREADS", 2), thread_name_prefix="zhongyi-job"
        )
    return _executor.submit(_run_with_app, app, path, args)
