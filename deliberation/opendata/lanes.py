"""One committed state read on several connections at once, for building a large dataset.

A dataset's files must agree with each other (the tallies in comments.csv add up to votes.csv,
participation.csv is the outcome section's figures) even while people vote. So a build reads in
one REPEATABLE READ transaction, and on PostgreSQL it may hand whole files to other connections
that import that transaction's snapshot (`pg_export_snapshot` / `SET TRANSACTION SNAPSHOT`, as
`pg_dump --jobs` does): they read exactly the same rows, and the database works on them side by
side on separate cores (bench/bench_opendata.py).

`Lanes(engine, n)` with n > 1 does that; `Lanes(None)` (SQLite, or tests whose data sit in an
uncommitted transaction another connection cannot see) runs everything on the caller's session,
one piece after another, with the same results.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

T = TypeVar("T")
_SNAPSHOT_ID = re.compile(r"[0-9A-F]+(-[0-9A-F]+)+")
Aside = Callable[[Callable[[Session], T]], "Future[T]"]


def _done(value: T) -> Future[T]:
    future: Future[T] = Future()
    future.set_result(value)
    return future


class Lanes:
    """Where a build reads: one snapshot, and up to `n - 1` more connections on it."""

    def __init__(self, engine: Engine | None, n: int = 1) -> None:
        parallel = engine is not None and engine.dialect.name == "postgresql" and n > 1
        self.engine = engine if parallel else None
        self.n = n if parallel else 1

    @contextlib.contextmanager
    def reading(self, session: Session) -> Iterator[Session]:
        """The session a build reads with: `session` itself, or (several lanes) a session of
        its own in a REPEATABLE READ transaction, rolled back at the end (a build writes
        nothing to the database)."""
        if self.engine is None:
            yield session
            return
        with self.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            own = Session(bind=conn)
            try:
                yield own
            finally:
                own.close()
                conn.rollback()

    @contextlib.contextmanager
    def aside(self, session: Session) -> Iterator[Aside]:
        """A function that runs `work(session)` on another lane and returns its future; with one
        lane it runs at once on `session`. Leaving the block waits for every piece."""
        if self.engine is None:

            def inline(work: Callable[[Session], T]) -> Future[T]:
                return _done(work(session))

            yield inline
            return
        engine = self.engine
        snapshot = str(session.execute(text("SELECT pg_export_snapshot()")).scalar_one())
        if not _SNAPSHOT_ID.fullmatch(snapshot):  # the server's own id; never interpolate more
            raise ValueError(f"unexpected snapshot id {snapshot!r}")

        def on_snapshot(work: Callable[[Session], T]) -> T:
            with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
                # the first statement of the transaction: it reads what `session` reads
                conn.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
                # the lanes are the parallelism: no parallel workers of their own on top
                conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
                other = Session(bind=conn)
                try:
                    return work(other)
                finally:
                    other.close()
                    conn.rollback()

        with ThreadPoolExecutor(self.n - 1, thread_name_prefix="opendata") as pool:

            def submit(work: Callable[[Session], T]) -> Future[T]:
                return pool.submit(on_snapshot, work)

            yield submit
