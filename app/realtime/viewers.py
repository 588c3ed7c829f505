"""How many people are viewing each thread: per process in memory, or summed across processes
through Redis when the app runs with a message queue.

With Redis, each process writes its own count into a hash per thread (field = process id) and
refreshes a heartbeat; counts of a process that stopped without cleaning up are ignored once its
heartbeat is older than STALE_SECONDS.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import cast

log = logging.getLogger(__name__)

STALE_SECONDS = 90


class LocalViewers:
    """Counts for this process only (the embedded single-process server)."""

    def __init__(self) -> None:
        self._counts: Counter[int] = Counter()
        self._lock = threading.Lock()

    def change(self, thread_id: int, delta: int) -> int:
        """Add delta viewers to a thread; returns the new total."""
        with self._lock:
            self._counts[thread_id] = max(0, self._counts[thread_id] + delta)
            if not self._counts[thread_id]:
                del self._counts[thread_id]
            return self.local(thread_id)

    def start(self) -> None:
        """Nothing to keep alive for in-memory counts."""

    def local(self, thread_id: int) -> int:
        return self._counts.get(thread_id, 0)

    def total(self, thread_id: int) -> int:
        return self.local(thread_id)


class RedisViewers(LocalViewers):
    """Per-process counts published to Redis; the total is their sum over live processes."""

    def __init__(self, url: str, spawn: Callable[[Callable[[], None]], object]) -> None:
        super().__init__()
        import redis

        self._spawn = spawn
        self._started = False
        self._redis = redis.Redis.from_url(
            url, socket_connect_timeout=0.5, socket_timeout=0.5, decode_responses=True
        )
        self.process = uuid.uuid4().hex[:12]

    def _key(self, thread_id: int) -> str:
        return f"zhongyi:viewers:{thread_id}"

    def change(self, thread_id: int, delta: int) -> int:
        local = super().change(thread_id, delta)
        try:
            pipe = self._redis.pipeline()
            if local:
                pipe.hset(self._key(thread_id), self.process, f"{local}:{int(time.time())}")
            else:
                pipe.hdel(self._key(thread_id), self.process)
            pipe.expire(self._key(thread_id), STALE_SECONDS * 4)
            pipe.hgetall(self._key(thread_id))
            fields = pipe.execute()[-1]
        except Exception:  # Redis away: fall back to what this process knows
            log.warning("viewer count: Redis unavailable, showing this process's count")
            return local
        return self._sum(fields)

    def total(self, thread_id: int) -> int:
        try:
            return self._sum(cast(dict[str, str], self._redis.hgetall(self._key(thread_id))))
        except Exception:
            return self.local(thread_id)

    def start(self) -> None:
        """Start the heartbeat (once, on the first connection)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        self._spawn(self._beat_forever)

    def _beat_forever(self) -> None:
        while True:
            time.sleep(STALE_SECONDS / 3)
            self.heartbeat()

    def heartbeat(self) -> None:
        """Refresh this process's entries so other processes keep counting them."""
        with self._lock:
            snapshot = dict(self._counts)
        now = int(time.time())
        try:
            pipe = self._redis.pipeline()
            for thread_id, count in snapshot.items():
                pipe.hset(self._key(thread_id), self.process, f"{count}:{now}")
                pipe.expire(self._key(thread_id), STALE_SECONDS * 4)
            pipe.execute()
        except Exception:
            log.warning("viewer count heartbeat: Redis unavailable")

    @staticmethod
    def _sum(fields: dict[str, str]) -> int:
        now = time.time()
        total = 0
        for value in fields.values():
            count, _, stamp = value.partition(":")
            if count.isdigit() and stamp.isdigit() and now - int(stamp) < STALE_SECONDS:
                total += int(count)
        return total
