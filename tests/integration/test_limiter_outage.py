"""Redis down does not take posting down (issue 17 item 4): with RATELIMIT_STORAGE_URI on a Redis
this test starts and then stops, the server keeps answering posts (201, not 500), counts in
memory meanwhile and says so in its log."""

from __future__ import annotations

import shutil
import socket

import pytest

from tests.databases import isolated_database_url
from tests.realtime.servers import AppServer, RedisServer, post, prepare_database

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed"
)


def _redis_keys(port: int) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
        s.sendall(b"DBSIZE\r\n")
        return int(s.recv(64).decode().strip().lstrip(":"))


def test_posting_keeps_working_while_the_limiters_redis_is_down(tmp_path):
    redis = RedisServer().start()
    log = tmp_path / "server.log"
    server = None
    try:
        with isolated_database_url(tmp_path, "outage") as url:
            info = prepare_database(url)
            token, thread = info["tokens"][0], info["thread_id"]
            server = AppServer(
                url,
                log=log,
                env={"SERVE_RATELIMIT": "1", "RATELIMIT_STORAGE_URI": redis.url},
            ).wait()
            post(server.url, token, thread, "Redis 正常時的留言")
            assert _redis_keys(redis.port) > 0  # the limiter counts in Redis

            redis.stop()
            for n in range(3):
                post(server.url, token, thread, f"Redis 停止時的留言 {n}")  # 201, not 500

            redis.start()  # back on the same port: the limiter reconnects by itself
            post(server.url, token, thread, "Redis 回來後的留言")
            server.stop()
            server = None
    finally:
        if server is not None:
            server.stop()
        redis.stop()
    text = log.read_text(errors="replace")
    assert "falling back to in-memory storage" in text
