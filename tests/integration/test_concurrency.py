"""Concurrent posters on one thread: seq stays gap-free and commit order equals seq order."""

from __future__ import annotations

import threading

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.database import _sqlite_fixes
from deliberation.models import Base, Comment, Thread, ThreadEvent, User
from deliberation.services import accounts, comments, consultations

WRITERS = 6
POSTS_EACH = 8


def test_concurrent_posts_get_gap_free_seqs_in_commit_order(empty_database_url):
    engine = (
        create_engine(empty_database_url, pool_size=WRITERS + 2)
        if "postgresql" in empty_database_url
        else create_engine(empty_database_url)
    )
    if engine.dialect.name == "sqlite":
        _sqlite_fixes(engine)
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        agency = accounts.get_or_create_agency(s, "NDC")
        staff = accounts.create_user(
            s,
            email="s@example.tw",
            display_name="承辦",
            password="long password",
            role="staff",
            agency=agency,
        )
        item = consultations.create_consultation(s, actor=staff, title="併發測試", status="open")
        writers = [
            accounts.create_user(
                s, email=f"w{i}@example.tw", display_name=f"w{i}", password="long password"
            )
            for i in range(WRITERS)
        ]
        s.commit()
        thread_id = consultations.general_thread(item).id
        writer_ids = [w.id for w in writers]

    violations: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def write(user_id: int) -> None:
        try:
            barrier.wait()
            for n in range(POSTS_EACH):
                with Session(engine) as s:
                    thread = comments.get_thread(s, thread_id, None)
                    user = s.get(User, user_id)
                    c = comments.post_comment(s, thread, actor=user, body=f"{user_id}-{n}")
                    seq = c.seq
                    s.commit()
                with Session(engine) as check:
                    # Everything before me is already committed: no later seq overtook an earlier one.
                    before = check.scalar(
                        select(func.count(Comment.id)).where(
                            Comment.thread_id == thread_id, Comment.seq < seq
                        )
                    )
                    if before != seq - 1:
                        violations.append(
                            f"seq {seq} committed with only {before} earlier rows visible"
                        )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(uid,)) for uid in writer_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    assert not violations, violations[:5]
    with Session(engine) as s:
        seqs = s.scalars(
            select(Comment.seq).where(Comment.thread_id == thread_id).order_by(Comment.seq)
        ).all()
        events = s.scalars(
            select(ThreadEvent.seq)
            .where(ThreadEvent.thread_id == thread_id)
            .order_by(ThreadEvent.seq)
        ).all()
        last = s.get(Thread, thread_id)
        assert seqs == list(range(1, WRITERS * POSTS_EACH + 1))
        assert events == list(range(1, WRITERS * POSTS_EACH + 1))
        assert last.last_comment_seq == WRITERS * POSTS_EACH
    engine.dispose()
