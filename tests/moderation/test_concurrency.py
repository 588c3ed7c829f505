"""Moderators acting on one comment at the same moment, on a real database with real
transactions: exactly one change wins, every other gets a conflict or a harmless no-op, and the
log has exactly one row for the change."""

from __future__ import annotations

import threading

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.database import _sqlite_fixes
from deliberation.errors import Conflict
from deliberation.models import Base, Comment, ModerationAction, User
from deliberation.services import accounts, comments, consultations, moderation

MODERATORS = 6


def test_simultaneous_moderators_one_wins_the_rest_conflict_or_repeat(empty_database_url):
    engine = create_engine(
        empty_database_url,
        **({"pool_size": MODERATORS + 2} if "postgresql" in empty_database_url else {}),
    )
    if engine.dialect.name == "sqlite":
        _sqlite_fixes(engine)
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        staff = accounts.create_user(
            s,
            email="s@example.tw",
            display_name="承辦",
            password="long password",
            role="staff",
            agency=accounts.get_or_create_agency(s, "NDC"),
        )
        item = consultations.create_consultation(s, actor=staff, title="併發審核", status="open")
        author = accounts.create_user(
            s, email="a@example.tw", display_name="a", password="long password"
        )
        mods = [
            accounts.create_user(
                s,
                email=f"m{i}@example.tw",
                display_name=f"m{i}",
                password="long password",
                role="moderator",
            )
            for i in range(MODERATORS)
        ]
        s.commit()
        c = comments.post_comment(
            s, consultations.general_thread(item), actor=author, body="有爭議的留言"
        )
        s.commit()
        comment_id, version = c.id, c.version
        mod_ids = [m.id for m in mods]

    outcomes: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(MODERATORS)
    lock = threading.Lock()

    def moderate(i: int, user_id: int) -> None:
        action = {"action": "hide", "reason": "spam"} if i % 2 == 0 else {"action": "pin"}
        try:
            barrier.wait()  # (SQLite takes its write lock at BEGIN: read nothing before this)
            with Session(engine) as s:
                actor = s.get(User, user_id)
                try:
                    result = moderation.act_on_comment(
                        s, comment_id, actor=actor, expected_version=version, **action
                    )
                    s.commit()
                    outcome = f"{action['action']}:{'changed' if result.changed else 'same'}"
                except Conflict as err:
                    s.rollback()
                    outcome = f"{action['action']}:{err.code}"
            with lock:
                outcomes.append(outcome)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=moderate, args=(i, u)) for i, u in enumerate(mod_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    changed = [o for o in outcomes if o.endswith(":changed")]
    assert len(changed) == 1, outcomes
    assert all(o.endswith((":changed", ":same", ":moderation_conflict")) for o in outcomes), (
        outcomes
    )
    with Session(engine) as s:
        rows = list(
            s.scalars(select(ModerationAction).where(ModerationAction.comment_id == comment_id))
        )
        assert len(rows) == 1 and f"{rows[0].action}:changed" == changed[0]
        final = s.get(Comment, comment_id)
        assert final.version == version + 1
    engine.dispose()
