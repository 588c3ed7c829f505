"""Real-time fan-out benchmark: commit → client receipt with 1,000 subscribers on one thread.

    .venv/bin/python bench/bench_realtime.py [--subscribers 1000] [--posts 40] [--client-procs 2]

Scenarios (each on fresh server processes started here, on loopback):
  one    one gevent server process, every subscriber on it
  redis  two gevent server processes sharing a redis-server started here; subscribers split
         between them, comments posted to the first (half the deliveries cross Redis)
  flood  one gevent process, comments posted back to back by 4 posters: deliveries/s sustained

Latency = client receipt time − the comment's created_at (set in the posting transaction just
before its commit, so slightly *more* than commit → receipt). Subscribers are python-socketio
AsyncClients over WebSocket, spread over --client-procs processes on the same machine, so the
clients' own CPU time is inside the figures. Needs aiohttp (AsyncClient's WebSocket transport).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.realtime.servers import AppServer, RedisServer, post, prepare_database  # noqa: E402

NS = "/threads"


# ---- subscribers (in child processes) -------------------------------------------------------


def _subscriber_proc(urls, count, thread_id, ready, go, out, stop_after):  # type: ignore[no-untyped-def]
    asyncio.run(_subscribers(urls, count, thread_id, ready, go, out, stop_after))


async def _subscribers(urls, count, thread_id, ready, go, out, stop_after):  # type: ignore[no-untyped-def]
    import socketio

    received: list[tuple[int, float, str]] = []  # (seq, receipt time, created_at)
    clients = []
    sem = asyncio.Semaphore(50)

    async def one(i: int) -> None:
        c = socketio.AsyncClient(reconnection=False)

        @c.on("thread_event", namespace=NS)
        async def on_event(event):  # type: ignore[no-untyped-def]
            now = time.time()
            comment = event.get("comment") or {}
            received.append((event["seq"], now, comment.get("created_at", "")))

        async with sem:
            await c.connect(
                urls[i % len(urls)], namespaces=[NS], transports=["websocket"], wait_timeout=30
            )
            ack = await c.call(
                "subscribe", {"thread_id": thread_id, "after_seq": 10**9}, namespace=NS, timeout=30
            )
            assert ack["ok"], ack
        clients.append(c)

    await asyncio.gather(*(one(i) for i in range(count)))
    ready.set()
    await asyncio.get_running_loop().run_in_executor(None, go.wait)
    deadline = time.time() + stop_after
    while time.time() < deadline:
        await asyncio.sleep(0.2)
    out.put([(s, t, c) for s, t, c in received])
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


def _run_subscribers(urls, total, procs, thread_id, stop_after):  # type: ignore[no-untyped-def]
    ctx = mp.get_context("spawn")
    go = ctx.Event()
    out = ctx.Queue()
    readies, workers = [], []
    for p in range(procs):
        ready = ctx.Event()
        share = total // procs + (1 if p < total % procs else 0)
        # Each process connects to the URLs in turn, so with two servers half go to each.
        w = ctx.Process(
            target=_subscriber_proc,
            args=(urls, share, thread_id, ready, go, out, stop_after),
            daemon=True,
        )
        w.start()
        readies.append(ready)
        workers.append(w)
    for r in readies:
        if not r.wait(180):
            raise TimeoutError("subscribers did not connect")
    return go, out, workers


def _collect(out, workers):  # type: ignore[no-untyped-def]
    rows = []
    for _ in workers:
        rows.extend(out.get(timeout=120))
    for w in workers:
        w.join(30)
    return rows


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _latencies(rows) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _seq, t, created in rows:
        if created:
            out.append((t - datetime.fromisoformat(created).timestamp()) * 1000)
    return out


# ---- scenarios ------------------------------------------------------------------------------


def latency(urls, post_url, info, args, label):  # type: ignore[no-untyped-def]
    go, out, workers = _run_subscribers(
        urls,
        args.subscribers,
        args.client_procs,
        info["thread_id"],
        stop_after=args.posts * args.gap + 5,
    )
    go.set()
    time.sleep(0.5)
    for n in range(args.posts):
        post(post_url, info["tokens"][0], info["thread_id"], f"fan-out {label} {n}")
        time.sleep(args.gap)
    rows = _collect(out, workers)
    lat = _latencies(rows)
    expected = args.posts * args.subscribers
    return {
        "scenario": label,
        "deliveries": len(rows),
        "expected": expected,
        "p50_ms": _pct(lat, 0.5),
        "p99_ms": _pct(lat, 0.99),
        "max_ms": max(lat),
    }


def flood(urls, post_url, info, args):  # type: ignore[no-untyped-def]
    duration = args.flood_seconds
    go, out, workers = _run_subscribers(
        urls, args.subscribers, args.client_procs, info["thread_id"], stop_after=duration + 15
    )
    go.set()
    time.sleep(0.5)
    stop = time.monotonic() + duration
    posted = [0]

    def poster(token: str) -> None:
        while time.monotonic() < stop:
            post(post_url, token, info["thread_id"], "flood")
            posted[0] += 1

    threads = [threading.Thread(target=poster, args=(t,)) for t in info["tokens"][1:5]]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = _collect(out, workers)
    lat = _latencies(rows)
    last = max(t for _s, t, _c in rows) if rows else t0
    return {
        "scenario": "flood",
        "posts": posted[0],
        "posts_per_s": posted[0] / duration,
        "deliveries": len(rows),
        "expected": posted[0] * args.subscribers,
        "deliveries_per_s": len(rows) / max(last - t0, 1e-9),
        "p50_ms": _pct(lat, 0.5),
        "p99_ms": _pct(lat, 0.99),
        "max_ms": max(lat),
    }


def machine() -> str:
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = next(
            (
                ln.split(":", 1)[1].strip()
                for ln in lscpu.splitlines()
                if ln.startswith("Model name")
            ),
            platform.processor(),
        )
    except OSError:
        model = platform.processor()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{model}, {os.cpu_count()} cores, {mem:.1f} GiB RAM, Python {platform.python_version()}"
        f", {platform.system()} {platform.release()}"
    )


def _fresh_database(base: str | None, tmp: str, scenario: str) -> str:
    """A new SQLite file, or a new schema on the PostgreSQL server of `base`.

    Use PostgreSQL for the flood: under gevent a SQLite writer waiting for the file lock blocks
    the whole process (the lock holder cannot run to release it).
    """
    if not base:
        return f"sqlite:///{tmp}/{scenario}.sqlite3"
    from sqlalchemy import create_engine, text

    from config import _database_url

    schema = f"bench_rt_{scenario}_{os.getpid()}"
    engine = create_engine(_database_url(base))
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    sep = "&" if "?" in base else "?"
    return f"{_database_url(base)}{sep}options=-csearch_path%3D{schema}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=40)
    parser.add_argument("--gap", type=float, default=0.25, help="seconds between posts")
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--flood-seconds", type=float, default=8)
    parser.add_argument("--scenarios", default="one,redis,flood")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="postgresql://… (a fresh schema per scenario); SQLite files if unset",
    )
    args = parser.parse_args()
    print(machine())
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in args.scenarios.split(","):
            url = _fresh_database(args.database_url, tmp, scenario)
            info = prepare_database(url, posters=5)
            redis = RedisServer().start() if scenario == "redis" else None
            queue = redis.url if redis else None
            servers = [
                AppServer(url, queue=queue, gevent=True, log=Path(tmp) / f"{scenario}{i}.log")
                for i in range(2 if redis else 1)
            ]
            try:
                for s in servers:
                    s.wait()
                urls = [s.url for s in servers]
                for u in urls:  # warm up: first-request imports, pools, prepared statements
                    for _ in range(3):
                        post(u, info["tokens"][0], info["thread_id"], "warm-up")
                if scenario == "flood":
                    r = flood(urls, urls[0], info, args)
                else:
                    r = latency(urls, urls[0], info, args, scenario)
            finally:
                for s in servers:
                    s.stop()
                if redis:
                    redis.stop()
            results.append(r)
            print(
                {k: (round(v, 1) if isinstance(v, float) else v) for k, v in r.items()}, flush=True
            )
    print("median p99 (ms):", statistics.median(r["p99_ms"] for r in results))


if __name__ == "__main__":
    main()
