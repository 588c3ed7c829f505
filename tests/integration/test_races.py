"""Races against a live server (issue 17 item 7), with real concurrency: 20 simultaneous posts
with one Idempotency-Key store one comment and all answer it; 30 simultaneous votes by one user
are one vote. On PostgreSQL when TEST_DATABASE_URL is set (as in CI), else on SQLite."""

from __future__ import annotations

import threading

import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from config import _database_url
from deliberation.models import Comment, IdempotencyKey, Vote
from tests.databases import isolated_database_url
from tests.realtime.servers import AppServer, post, prepare_database


def _together(n: int, call):  # type: ignore[no-untyped-def]
    """Run call(i) in n threads released at once; the answers in order."""
    barrier = threading.Barrier(n)
    out: list = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            out[i] = call(i)
        except Exception as exc:
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return out


def test_concurrent_repeats_and_votes_never_answer_500(tmp_path):
    with isolated_database_url(tmp_path, "races") as url:
        info = prepare_database(url, posters=2)
        token, thread = info["tokens"][0], info["thread_id"]
        server = AppServer(url, log=tmp_path / "server.log").wait()
        try:
            api = f"{server.url}/api/v1"
            auth = {"Authorization": f"Bearer {token}"}

            def post_once(_i: int) -> requests.Response:
                return requests.post(
                    f"{api}/threads/{thread}/comments",
                    json={"body": "同一個請求送了二十次"},
                    headers={**auth, "Idempotency-Key": "retry-storm-1"},
                    timeout=60,
                )

            answers = _together(20, post_once)
            target = post(server.url, info["tokens"][1], thread, "請投票")["id"]

            def vote(i: int) -> requests.Response:
                return requests.post(
                    f"{api}/comments/{target}/vote",
                    json={"value": (1, -1, 0)[i % 3]},
                    headers=auth,
                    timeout=60,
                )

            votes = _together(30, vote)
            # Both races ran before either is judged (each used to fail on its own).
            assert [getattr(v, "status_code", v) for v in votes] == [200] * 30
            assert [getattr(a, "status_code", a) for a in answers] == [201] * 20
            assert len({a.json()["id"] for a in answers}) == 1
        finally:
            server.stop()

        engine = create_engine(_database_url(url))
        with Session(engine) as s:
            assert s.scalar(select(func.count(IdempotencyKey.id))) == 1
            bodies = s.scalars(select(Comment.body).where(Comment.thread_id == thread)).all()
            assert bodies.count("同一個請求送了二十次") == 1
            rows = s.scalars(select(Vote).where(Vote.comment_id == target)).all()
            assert len(rows) == 1
            comment = s.get(Comment, target)
            counts = (comment.agree_count, comment.disagree_count, comment.pass_count)
            expected = {1: (1, 0, 0), -1: (0, 1, 0), 0: (0, 0, 1)}[rows[0].value]
            assert counts == expected
        engine.dispose()
