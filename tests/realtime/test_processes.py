"""Two real server processes on loopback sharing a Redis queue: delivery across processes, a
Redis outage in the middle of a stream of posts, and 20 concurrent posters on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from deliberation.models import Comment, ThreadEvent
from tests.databases import isolated_database_url

from .follower import Follower
from .servers import AppServer, RedisServer, post, prepare_database

pytestmark = [pytest.mark.redis, pytest.mark.slow]

# python-socketio's client logs and retries while a server restarts; its background threads use
# requests sessions that may be garbage-collected unclosed at teardown (third-party, harmless).
pytestmark.append(pytest.mark.filterwarnings("ignore::ResourceWarning"))
pytestmark.append(
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
)


def _require_redis_server() -> None:
    if shutil.which("redis-server") is None:
        if os.environ.get("ZHONGYI_REQUIRE_SERVICES"):
            pytest.fail("redis-server is required in CI (apt-get install redis-server)")
        pytest.skip("redis-server is not installed: the cross-process tests start their own")


@pytest.fixture(scope="module")
def shared_database_url(tmp_path_factory) -> Iterator[str]:
    """One database both processes use: a SQLite file, or a schema on the test PostgreSQL."""
    with isolated_database_url(tmp_path_factory.mktemp("rt"), prefix="rt") as url:
        yield url


@pytest.fixture(scope="module")
def cluster(shared_database_url, tmp_path_factory) -> Iterator[dict]:
    _require_redis_server()
    info = prepare_database(shared_database_url, posters=20)
    logs = tmp_path_factory.mktemp("rt-logs")
    redis = RedisServer().start()
    a = AppServer(shared_database_url, queue=redis.url, log=logs / "a.log")
    b = AppServer(shared_database_url, queue=redis.url, log=logs / "b.log")
    try:
        a.wait(), b.wait()
        yield {**info, "a": a, "b": b, "redis": redis, "db": shared_database_url}
    finally:
        a.stop(), b.stop(), redis.stop()


def _until(condition, timeout: float, tick=None) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if tick:
            tick()
        time.sleep(0.05)
    return condition()


def _last_seq(base: str, thread_id: int) -> int:
    """The thread's latest event seq, walking the events API to its end."""
    import requests

    after = 0
    while True:
        body = requests.get(
            f"{base}/api/v1/threads/{thread_id}/events",
            params={"after_seq": after, "limit": 200},
            timeout=5,
        ).json()
        after = body["last_seq"]
        if not body["more"]:
            return after


def test_a_comment_posted_on_process_a_reaches_a_subscriber_on_process_b(cluster):
    thread_id, other = cluster["thread_id"], cluster["other_thread_id"]
    on_b = Follower(cluster["b"].url, thread_id).connect()
    elsewhere = Follower(cluster["b"].url, other).connect()
    try:
        assert _until(lambda: on_b.sio.connected and elsewhere.sio.connected, 5)
        time.sleep(0.3)  # the subscribe acknowledgements
        start = time.monotonic()
        made = post(cluster["a"].url, cluster["tokens"][0], thread_id, "跨行程的留言")
        assert _until(lambda: on_b.live >= 1, 5), "no live event reached process B"
        elapsed = time.monotonic() - start
        event = on_b.applied[-1]
        assert event["comment"]["id"] == made["id"] and "跨行程的留言" in event["comment"]["html"]
        assert elapsed < 2
        assert elsewhere.applied == []
    finally:
        on_b.close(), elsewhere.close()


def test_after_a_redis_outage_every_subscriber_holds_every_comment_once_in_order(cluster):
    a, b, redis = cluster["a"], cluster["b"], cluster["redis"]
    thread_id, token = cluster["thread_id"], cluster["tokens"][1]
    followers = [Follower(a.url, thread_id), Follower(b.url, thread_id), Follower(b.url, thread_id)]
    start_seq = _last_seq(a.url, thread_id)
    for f in followers:
        f.last_seq = start_seq
        f.connect()
    try:
        assert _until(lambda: all(f.sio.connected for f in followers), 5)
        time.sleep(0.3)
        for n in range(45):
            if n == 10:
                redis.stop()  # the queue drops out mid-stream
            if n == 25:
                redis.start()  # and comes back on the same port
            post(a.url, token, thread_id, f"串流第{n}則")
            time.sleep(0.04)
        during_outage = followers[1].live
        # Keep posting until process B hears from Redis again (its listener retries with backoff).
        n = 45
        resumed = False
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not resumed:
            post(a.url, token, thread_id, f"恢復後第{n}則")
            n += 1
            resumed = _until(lambda: followers[1].live > during_outage + 0, 0.5)
        assert resumed, "process B never received live events again after Redis came back"
        post(a.url, token, thread_id, "最後一則")
        end_seq = _last_seq(a.url, thread_id)
        expected = list(range(start_seq + 1, end_seq + 1))

        def converged() -> bool:
            return all(f.seqs() == expected for f in followers)

        # Only the gap timer runs here (no heartbeat): the next live event after the gap
        # triggers the fetch of what was missed.
        assert _until(converged, 15, tick=lambda: [f.tick() for f in followers])
        for f in followers:
            seqs = f.seqs()
            assert seqs == expected and len(set(seqs)) == len(seqs)
            bodies = [e["comment"]["id"] for e in f.applied]
            assert len(set(bodies)) == len(bodies)  # every comment exactly once
        # Subscribers on B really lost events during the outage and got them back by resync.
        assert followers[1].resynced > 0 and followers[2].resynced > 0
        assert followers[1].live < len(expected)
    finally:
        for f in followers:
            f.close()


def test_twenty_concurrent_posters_on_postgresql_get_seqs_without_gap_or_duplicate(cluster):
    if not cluster["db"].startswith("postgresql"):
        if os.environ.get("ZHONGYI_REQUIRE_SERVICES"):
            pytest.fail("TEST_DATABASE_URL (PostgreSQL) is required in CI")
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    thread_id = cluster["other_thread_id"]
    watcher = Follower(cluster["b"].url, thread_id).connect()
    barrier = threading.Barrier(20)
    targets = [cluster["a"].url, cluster["b"].url]

    def one(i: int) -> int:
        barrier.wait()
        return post(targets[i % 2], cluster["tokens"][i], thread_id, f"同時第{i}則")["seq"]

    try:
        with ThreadPoolExecutor(20) as pool:
            seqs = sorted(pool.map(one, range(20)))
        engine = create_engine(cluster["db"])
        with Session(engine) as s:
            stored = s.scalars(
                select(Comment.seq).where(Comment.thread_id == thread_id).order_by(Comment.seq)
            ).all()
            events = s.scalars(
                select(ThreadEvent.seq)
                .where(ThreadEvent.thread_id == thread_id)
                .order_by(ThreadEvent.seq)
            ).all()
        engine.dispose()
        assert seqs == list(range(1, 21))
        assert list(stored) == list(range(1, 21)) and list(events) == list(range(1, 21))
        assert _until(lambda: watcher.seqs() == list(range(1, 21)), 10, tick=watcher.tick)
    finally:
        watcher.close()
