"""Real-time fan-out benchmark: commit → client receipt with 1,000 subscribers on one thread.

    .venv/bin/python bench/bench_realtime.py [--pin] [--client lean|socketio] [--subscribers 1000]
        [--posts 40] [--client-procs 2] [--scenarios one,redis,flood] [--database-url postgresql://…]

Scenarios (each on fresh server processes started here, on loopback):
  one    one gevent server process, every subscriber on it
  redis  two gevent server processes sharing a redis-server started here; subscribers split
         between them, comments posted to the first (half the deliveries cross Redis)
  flood  one gevent process, comments posted back to back by 4 posters: deliveries/s sustained

Latency = client receipt time − the comment's created_at (set in the posting transaction just
before its commit, so slightly *more* than commit → receipt). Subscribers are spread over
--client-procs processes on the same machine, so the clients' own CPU time is inside the figures:
the default lean clients (raw WebSocket, Socket.IO protocol, events decoded after the run) cost
about a fifth of python-socketio's AsyncClient per message. --pin gives one server its own core.
Also reported: CPU per delivery of the server processes (user and kernel) and of the clients.
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
# --pin: with one server process, the server alone on the first core and the clients (and this
# process, the poster) on the others; with two, one server per core and the rest unpinned.
CLIENT_CPUS: set[int] = set()


# ---- subscribers (in child processes) -------------------------------------------------------


def _subscriber_proc(kind, urls, count, thread_id, ready, go, out, stop_after):  # type: ignore[no-untyped-def]
    runner = _lean_subscribers if kind == "lean" else _subscribers
    asyncio.run(runner(urls, count, thread_id, ready, go, out, stop_after))


async def _subscribers(urls, count, thread_id, ready, go, out, stop_after):  # type: ignore[no-untyped-def]
    """python-socketio AsyncClients (the library's own client: ~5x the CPU per message)."""
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
    cpu0 = time.process_time()
    deadline = time.time() + stop_after
    while time.time() < deadline:
        await asyncio.sleep(0.2)
    out.put(([(s, t, c) for s, t, c in received], time.process_time() - cpu0))
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


EVENT_PREFIX = f'42{NS},["thread_event",'.encode()


class _LeanSocket(asyncio.BufferedProtocol):
    """One minimal Socket.IO v5 / Engine.IO v4 client over a raw WebSocket (RFC 6455).

    It speaks the same protocol as the browser client: the HTTP upgrade (offering
    permessage-deflate as browsers do, and inflating if the server accepts it), the Engine.IO
    open packet, the namespace connect, `subscribe` with an acknowledgement, ping → pong. Each
    `thread_event` is timestamped when its bytes arrive and decoded after the run, so the load
    generator, which shares the two cores with the server, costs as little as it can.
    """

    def __init__(self, host: str, received: list) -> None:  # type: ignore[type-arg]
        import base64
        import zlib

        self.host = host
        self.received = received
        self.control: asyncio.Queue[bytes] = asyncio.Queue()
        self.buf = b""
        self.upgraded = False
        self.inflater: zlib._Decompress | None = None
        self.key = base64.b64encode(os.urandom(16)).decode()
        self.transport: asyncio.Transport | None = None
        # Reads go into one buffer (recv_into): a plain Protocol makes asyncio allocate 256 KiB
        # per read, which is mmap/munmap for every message at this rate.
        self.inbox = bytearray(65536)
        self.view = memoryview(self.inbox)

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        self.transport = transport
        transport.write(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {self.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {self.key}\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
            ).encode()
        )

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.view

    def buffer_updated(self, nbytes: int) -> None:
        now = time.time()
        buf = self.buf + self.inbox[:nbytes]
        if not self.upgraded:
            head, sep, buf = buf.partition(b"\r\n\r\n")
            if not sep:
                self.buf = head
                return
            assert head.startswith(b"HTTP/1.1 101"), head[:200]
            if b"permessage-deflate" in head.lower():
                import zlib

                self.inflater = zlib.decompressobj(-15)
            self.upgraded = True
        while len(buf) >= 2:
            b0, b1 = buf[0], buf[1]
            n, off = b1 & 0x7F, 2
            if n == 126:
                if len(buf) < 4:
                    break
                n, off = int.from_bytes(buf[2:4], "big"), 4
            elif n == 127:
                if len(buf) < 10:
                    break
                n, off = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < off + n:
                break
            payload, buf = buf[off : off + n], buf[off + n :]
            if b0 & 0x40 and self.inflater is not None:  # RSV1: a compressed message
                payload = self.inflater.decompress(payload + b"\x00\x00\xff\xff")
            opcode = b0 & 0x0F
            if opcode == 1:
                if payload.startswith(EVENT_PREFIX):
                    self.received.append((now, payload))
                elif payload == b"2":
                    self.send(b"3")
                else:
                    self.control.put_nowait(payload)
            elif opcode == 9:
                self.send(payload, opcode=0xA)
        self.buf = buf

    def send(self, payload: bytes, opcode: int = 1) -> None:
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        else:
            head += bytes([0x80 | 126]) + n.to_bytes(2, "big")
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        assert self.transport is not None
        self.transport.write(head + mask + masked)


async def _lean_subscribers(urls, count, thread_id, ready, go, out, stop_after):  # type: ignore[no-untyped-def]
    import json
    from urllib.parse import urlsplit

    raw: list[tuple[float, bytes]] = []
    sockets: list[_LeanSocket] = []
    sem = asyncio.Semaphore(50)
    loop = asyncio.get_running_loop()
    subscribe = json.dumps({"thread_id": thread_id, "after_seq": 10**9})

    async def one(i: int) -> None:
        u = urlsplit(urls[i % len(urls)])
        async with sem:
            _t, sock = await loop.create_connection(
                lambda: _LeanSocket(u.netloc, raw), u.hostname, u.port
            )
            opened = await asyncio.wait_for(sock.control.get(), 30)
            assert opened.startswith(b"0{"), opened
            sock.send(f"40{NS},".encode())
            joined = await asyncio.wait_for(sock.control.get(), 30)
            assert joined.startswith(f"40{NS},".encode()), joined
            sock.send(f'42{NS},0["subscribe",{subscribe}]'.encode())
            while True:  # the acknowledgement may follow a viewers message
                msg = await asyncio.wait_for(sock.control.get(), 30)
                if msg.startswith(f"43{NS},0".encode()):
                    assert json.loads(msg[len(f"43{NS},0") :])[0]["ok"], msg
                    break
        sockets.append(sock)

    await asyncio.gather(*(one(i) for i in range(count)))
    ready.set()
    await loop.run_in_executor(None, go.wait)
    cpu0 = time.process_time()
    deadline = time.time() + stop_after
    while time.time() < deadline:
        await asyncio.sleep(0.2)
    cpu = time.process_time() - cpu0
    rows = []
    for t, data in raw:
        event = json.loads(data[len(f"42{NS},") :])[1]
        rows.append((event["seq"], t, (event.get("comment") or {}).get("created_at", "")))
    out.put((rows, cpu))
    for sock in sockets:
        if sock.transport is not None:
            sock.transport.close()


def _run_subscribers(kind, urls, total, procs, thread_id, stop_after):  # type: ignore[no-untyped-def]
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
            args=(kind, urls, share, thread_id, ready, go, out, stop_after),
            daemon=True,
        )
        w.start()
        if CLIENT_CPUS:
            os.sched_setaffinity(w.pid, CLIENT_CPUS)
        readies.append(ready)
        workers.append(w)
    for r in readies:
        if not r.wait(180):
            raise TimeoutError("subscribers did not connect")
    return go, out, workers


def _collect(out, workers):  # type: ignore[no-untyped-def]
    """Every delivery (seq, receipt time, created_at) and the clients' CPU seconds in all."""
    rows, cpu = [], 0.0
    for _ in workers:
        got, seconds = out.get(timeout=120)
        rows.extend(got)
        cpu += seconds
    for w in workers:
        w.join(30)
    return rows, cpu


def _cpu_seconds(pids: list[int]) -> tuple[float, float]:
    """(user, system) CPU seconds these processes have used so far (Linux /proc)."""
    user = system = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        user += int(fields[11])  # utime (field 14)
        system += int(fields[12])  # stime (field 15)
    tick = os.sysconf("SC_CLK_TCK")
    return user / tick, system / tick


def _cost(rows, client_cpu, before, after) -> dict:  # type: ignore[no-untyped-def]
    """CPU per delivery: the server's (user and kernel: sending to 1,000 sockets on loopback also
    runs the receiving side of TCP in the sender's system call) and the clients'."""
    n = max(len(rows), 1)
    user, system = after[0] - before[0], after[1] - before[1]
    return {
        "server_cpu_us_per_delivery": (user + system) / n * 1e6,
        "server_user_us": user / n * 1e6,
        "server_sys_us": system / n * 1e6,
        "client_cpu_us_per_delivery": client_cpu / n * 1e6,
    }


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


def latency(urls, post_url, info, args, label, pids):  # type: ignore[no-untyped-def]
    go, out, workers = _run_subscribers(
        args.client,
        urls,
        args.subscribers,
        args.client_procs,
        info["thread_id"],
        stop_after=args.posts * args.gap + 5,
    )
    cpu0 = _cpu_seconds(pids)
    go.set()
    time.sleep(0.5)
    for n in range(args.posts):
        post(post_url, info["tokens"][0], info["thread_id"], f"fan-out {label} {n}")
        time.sleep(args.gap)
    rows, client_cpu = _collect(out, workers)
    cpu1 = _cpu_seconds(pids)
    lat = _latencies(rows)
    expected = args.posts * args.subscribers
    return {
        "scenario": label,
        "deliveries": len(rows),
        "expected": expected,
        "p50_ms": _pct(lat, 0.5),
        "p99_ms": _pct(lat, 0.99),
        "max_ms": max(lat),
        **_cost(rows, client_cpu, cpu0, cpu1),
    }


def flood(urls, post_url, info, args, pids):  # type: ignore[no-untyped-def]
    duration = args.flood_seconds
    go, out, workers = _run_subscribers(
        args.client,
        urls,
        args.subscribers,
        args.client_procs,
        info["thread_id"],
        stop_after=duration + 15,
    )
    cpu0 = _cpu_seconds(pids)
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
    rows, client_cpu = _collect(out, workers)
    cpu1 = _cpu_seconds(pids)
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
        **_cost(rows, client_cpu, cpu0, cpu1),
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
    from bench.results import cpu_reference

    return (
        f"{model}, {os.cpu_count()} cores, {mem:.1f} GiB RAM, Python {platform.python_version()}"
        f", {platform.system()} {platform.release()}; reference loop {cpu_reference():.2f} s CPU"
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
        "--client",
        choices=["lean", "socketio"],
        default="lean",
        help="lean: minimal protocol clients (default); socketio: python-socketio AsyncClient",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="postgresql://… (a fresh schema per scenario); SQLite files if unset",
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="pin the server process to core 0 and the clients and poster to the other cores",
    )
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
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
                pids = [s.proc.pid for s in servers]
                CLIENT_CPUS.clear()
                if args.pin:
                    for i, pid in enumerate(pids):
                        os.sched_setaffinity(pid, {cpus[i % len(cpus)]})
                    if len(pids) == 1:
                        CLIENT_CPUS.update(cpus[1:])
                os.sched_setaffinity(0, CLIENT_CPUS or set(cpus))
                if scenario == "flood":
                    r = flood(urls, urls[0], info, args, pids)
                else:
                    r = latency(urls, urls[0], info, args, scenario, pids)
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
