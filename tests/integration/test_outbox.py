"""The after-commit outbox: follow-ups run once after the commit, never for a rolled-back change.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (the `session` fixture).
"""

from __future__ import annotations

import logging

import pytest

from app import jobs
from app import outbox as app_outbox
from app.extensions import db
from deliberation.models import Agency
from deliberation.outbox import after_commit, pending

CALLS: list[tuple[str, tuple[object, ...]]] = []


def record(*args: object) -> None:
    """An inline handler: remembers its call."""
    CALLS.append(("inline", args))


def record_job(_session: object, *args: object) -> None:
    """A job handler (eager backend: runs in the caller's session after the commit point)."""
    CALLS.append(("job", args))


def explode(*_args: object) -> None:
    raise RuntimeError("handler failed")


@pytest.fixture
def handlers(app, session, monkeypatch):
    CALLS.clear()
    registry = app.extensions["zhongyi_outbox"]
    for name, handler in {
        "test.inline": app_outbox.Handler(f"{__name__}:record", inline=True),
        "test.job": app_outbox.Handler(f"{__name__}:record_job"),
        "test.merged": app_outbox.Handler(f"{__name__}:record_job", merge=True),
        "test.explode": app_outbox.Handler(f"{__name__}:explode", inline=True),
    }.items():
        monkeypatch.setitem(registry, name, handler)
    yield CALLS
    CALLS.clear()


def _change(code: str) -> None:
    db.session.add(Agency(code=code, name=f"機關{code}"))
    db.session.flush()


def test_a_committed_change_runs_each_follow_up_once(handlers):
    _change("OB1")
    after_commit(db.session, "test.inline", 1, "一")
    after_commit(db.session, "test.inline", 2)
    db.session.commit()
    assert handlers == [("inline", (1, "一")), ("inline", (2,))]
    _change("OB2")
    db.session.commit()  # a later commit runs nothing again
    assert len(handlers) == 2


def test_a_rolled_back_change_queues_nothing(handlers):
    _change("OB3")
    after_commit(db.session, "test.inline", "never")
    after_commit(db.session, "test.job", "never")
    db.session.rollback()
    assert pending(db.session) == []
    _change("OB4")
    db.session.commit()
    app_outbox.run_deferred(db.session)
    assert handlers == []


def test_a_rolled_back_savepoint_drops_only_its_own_follow_ups(handlers):
    _change("OB5")
    after_commit(db.session, "test.inline", "outer")
    with pytest.raises(RuntimeError), db.session.begin_nested():
        _change("OB6")
        after_commit(db.session, "test.inline", "rolled back")
        raise RuntimeError("refused")
    with db.session.begin_nested():
        after_commit(db.session, "test.inline", "released")
        with db.session.begin_nested():
            after_commit(db.session, "test.inline", "released inside")
    assert [f.args[0] for f in pending(db.session)] == ["outer", "released", "released inside"]
    assert handlers == []  # a released savepoint is not a commit
    db.session.commit()
    assert handlers == [
        ("inline", ("outer",)),
        ("inline", ("released",)),
        ("inline", ("released inside",)),
    ]


def test_a_follow_up_declared_in_a_rolled_back_outer_transaction_is_dropped_with_it(handlers):
    _change("OB7")
    with db.session.begin_nested():
        after_commit(db.session, "test.inline", "released, then the whole thing rolled back")
    db.session.rollback()
    db.session.commit()
    assert handlers == []


def test_jobs_are_handed_to_the_backend_after_the_commit_only(handlers, app, monkeypatch):
    submitted = []
    monkeypatch.setitem(app.config, "JOBS_BACKEND", "thread")
    monkeypatch.setattr(jobs, "submit", lambda path, *args: submitted.append((path, args)))
    _change("OB8")
    after_commit(db.session, "test.job", 7)
    assert submitted == []
    db.session.commit()
    assert submitted == [(f"{__name__}:record_job", (7,))]


def test_with_the_eager_backend_jobs_wait_for_the_commit_point(handlers):
    _change("OB9")
    after_commit(db.session, "test.job", 8)
    db.session.commit()
    assert handlers == []  # SQL cannot run inside the commit hook
    app_outbox.run_deferred(db.session)
    assert handlers == [("job", (8,))]
    app_outbox.run_deferred(db.session)
    assert len(handlers) == 1


def test_merged_follow_ups_become_one_call(handlers):
    after_commit(db.session, "test.merged", [3, 1])
    after_commit(db.session, "test.merged", [2, 3])
    db.session.commit()
    app_outbox.run_deferred(db.session)
    assert handlers == [("job", ([1, 2, 3],))]


def test_a_failing_or_unknown_handler_never_fails_the_commit(handlers, caplog):
    _change("OC1")
    after_commit(db.session, "test.explode")
    after_commit(db.session, "test.nobody-registered-this")
    after_commit(db.session, "test.inline", "still runs")
    with caplog.at_level(logging.ERROR):
        db.session.commit()
    assert handlers == [("inline", ("still runs",))]
    assert "follow-up test.explode failed" in caplog.text
    assert "test.nobody-registered-this" in caplog.text
    assert db.session.scalar(db.select(Agency.id).where(Agency.code == "OC1"))


def test_every_follow_up_the_code_declares_has_a_handler(app):
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    declared = set()
    for folder in ("deliberation", "app"):
        for path in (root / folder).rglob("*.py"):
            declared |= set(
                re.findall(r'after_commit\(\s*\w+(?:\.\w+)?,\s*"([\w.]+)"', path.read_text())
            )
    assert {"links.fetch_previews", "analysis.run_on_close"} <= declared
    registered = app_outbox.handlers(app)
    assert declared <= registered.keys()
    for name in (
        "realtime.broadcast",
        "mail.send",
        "analysis.run",
        "notifications.comments",  # declared through constants (deliberation/notifications)
        "notifications.consultation",
        "notifications.push",
    ):
        assert name in registered
    for handler in registered.values():
        assert callable(jobs.resolve(handler.target))
