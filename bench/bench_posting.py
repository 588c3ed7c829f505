"""Posting benchmark: concurrent posters through the JSON API, served as in production.

One command: `.venv/bin/python bench/bench_posting.py [--seconds 8] [--max-posts 1500]`.
gunicorn with 2 gevent workers on loopback, PostgreSQL (BENCH_DATABASE_URL, default the
`test_security` database; the benchmark works in a schema of its own and drops it), rate limits
off (each poster would otherwise stop at 30 posts a minute). For each number of concurrent
posters (20, 50, 200) it posts to one thread and spread over 20 threads, each run bounded by
time and by a number of posts, and reports posts/s, p50 and p99. `--profile` also profiles
posts in-process (cProfile) and prints where a post's time goes. Writes its section of
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from people import ndc_staff  # noqa: E402  (bench/people.py)

from bench.bench_web import RESULTS, machine, wait_up  # noqa: E402

SECTION = "## Posting: concurrent posters"
LOAD_BEFORE = os.getloadavg()[0]  # read at start-up, before the servers and clients run
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/test_security"
PORT = 5063
THREADS = 20


def write_section(text: str) -> None:
    """Replace (or append) this benchmark's section of bench/RESULTS.md."""
    content = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"{re.escape(SECTION)}\n.*?(?=\n## |\Z)", re.S)
    if pattern.search(content):
        content = pattern.sub(lambda _m: text.rstrip() + "\n", content)
    else:
        content = content.rstrip() + "\n\n" + text
    RESULTS.write_text(content)


def make_schema(url: str) -> tuple[str, str]:
    """A fresh schema for the run: (schema, URL whose search_path is that schema)."""
    from sqlalchemy import create_engine, text

    from config import _database_url

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(_database_url(url))
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return schema, f"{url}{sep}options=-csearch_path%3D{schema}"


def drop_schema(url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    from config import _database_url

    engine = create_engine(_database_url(url))
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def seed(url: str, posters: int) -> dict:
    """Tables, an open consultation with THREADS threads, and `posters` citizens with tokens."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from config import _database_url
    from deliberation.models import Base
    from deliberation.services import accounts, consultations

    engine = create_engine(_database_url(url))
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        staff = ndc_staff(s)
        item = consultations.create_consultation(
            s,
            actor=staff,
            title="發言效能測試",
            status="open",
            sections=[
                consultations.SectionInput(title=f"第{i}條", body="內容") for i in range(1, THREADS)
            ],
        )
        tokens = []
        for i in range(posters):
            user = accounts.create_user(
                s, email=f"p{i}@bench.tw", display_name=f"發言者{i}", password="bench-password"
            )
            tokens.append(accounts.issue_token(s, user))
        s.commit()
        threads = [t.id for t in consultations.ordered_threads(item)]
    engine.dispose()
    return {"threads": threads[:THREADS], "tokens": tokens}


def serve(url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ZHONGYI_ENV": "production",
        "SECRET_KEY": "bench-secret-" + "x" * 40,
        "SESSION_COOKIE_SECURE": "0",
        "ZHONGYI_GEVENT": "1",
        "SOCKETIO_ASYNC_MODE": "gevent",
        "RATELIMIT_ENABLED": "0",
    }
    cmd = [
        str(REPO / ".venv" / "bin" / "gunicorn"),
        "-k",
        "gevent",
        "-w",
        "2",
        "--worker-connections",
        "1000",
        "-b",
        f"127.0.0.1:{PORT}",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    return subprocess.Popen(cmd, cwd=REPO, env=env)


async def run_load(
    base: str, tokens: list[str], threads: list[int], seconds: float, max_posts: int
) -> dict[str, float]:
    """len(tokens) posters post back to back until the time or the post budget is spent."""
    import aiohttp

    latencies: list[float] = []
    failures = 0
    budget = [max_posts]
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def poster(i: int) -> None:
            nonlocal failures
            headers = {"Authorization": f"Bearer {tokens[i]}"}
            n = 0
            while time.perf_counter() < deadline and budget[0] > 0:
                budget[0] -= 1
                thread = threads[(i + n) % len(threads)]
                n += 1
                started = time.perf_counter()
                async with http.post(
                    f"{base}/api/v1/threads/{thread}/comments",
                    json={"body": f"第 {n} 則：我支持擴大**補助**，並公開審查標準。"},
                    headers=headers,
                ) as r:
                    await r.read()
                    if r.status != 201:
                        failures += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(poster(i) for i in range(len(tokens))))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "posts": len(latencies),
        "rate": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "failed": failures,
    }


def profile(url: str, info: dict, posts: int) -> list[tuple[str, float]]:
    """Where an API post's time goes, in-process through the test client: cumulative seconds per
    area, from cProfile over `posts` posts to one thread."""
    os.environ["DATABASE_URL"] = url
    from app import create_app
    from config import Config, _database_url

    app = create_app(
        Config,
        SQLALCHEMY_DATABASE_URI=_database_url(url),
        RATELIMIT_ENABLED=False,
        JOBS_BACKEND="eager",
    )
    client = app.test_client()
    headers = {"Authorization": f"Bearer {info['tokens'][0]}"}
    thread = info["threads"][1]
    for n in range(20):  # warm-up: jieba's dictionary, connections
        client.post(
            f"/api/v1/threads/{thread}/comments", json={"body": f"暖身 {n}"}, headers=headers
        )
    from sqlalchemy import event

    from app.extensions import db

    statements = [0]

    def count(*_args: object) -> None:
        statements[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    prof = cProfile.Profile()
    started = time.perf_counter()
    prof.enable()
    for n in range(posts):
        client.post(
            f"/api/v1/threads/{thread}/comments",
            json={"body": f"第 {n} 則：我支持擴大**補助**，並公開審查標準。"},
            headers=headers,
        )
    prof.disable()
    total = time.perf_counter() - started
    stats = pstats.Stats(prof)
    # Self time per area (no overlap): where the CPU (or the wait inside a library) is spent.
    areas = {
        "psycopg (driver; includes waiting for PostgreSQL)": ("psycopg",),
        "SQLAlchemy (ORM, SQL compilation)": ("sqlalchemy",),
        "jieba segmentation": ("jieba", "analysis/segment"),
        "markdown + bleach + html5lib (sanitizer)": ("markdown", "bleach", "html5lib"),
        "Flask, Werkzeug, test client": ("flask", "werkzeug"),
        "this project's code": ("/app/", "/deliberation/"),
    }
    out: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        for area, needles in areas.items():
            if any(n in filename for n in needles):
                out[area] += tt
                break
        else:
            out["everything else (stdlib, json, logging, …)"] += tt
    rows = [("whole request (in-process, per post)", total / posts)]
    rows += [(area, seconds / posts) for area, seconds in sorted(out.items(), key=lambda x: -x[1])]
    rows.append((f"SQL statements per post: {statements[0] / posts:.1f}", 0.0))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--max-posts", type=int, default=1500)
    parser.add_argument("--posters", default="20,50,200")
    parser.add_argument("--profile", type=int, default=0, help="profile this many posts")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    counts = [int(n) for n in args.posters.split(",")]
    schema, schema_url = make_schema(url)
    rows = []
    try:
        info = seed(schema_url, max(counts))
        proc = serve(schema_url)
        try:
            wait_up(f"http://127.0.0.1:{PORT}/api/v1/consultations", timeout=60)
            base = f"http://127.0.0.1:{PORT}"
            asyncio.run(run_load(base, info["tokens"][:10], info["threads"][:1], 2, 200))  # warm
            for n in counts:
                for spread, threads in (
                    ("one thread", info["threads"][:1]),
                    ("20 threads", info["threads"]),
                ):
                    r = asyncio.run(
                        run_load(base, info["tokens"][:n], threads, args.seconds, args.max_posts)
                    )
                    rows.append({"posters": n, "spread": spread, **r})
                    print(
                        f"{n:4} posters, {spread:10}: {r['rate']:6.0f} posts/s  p50 {r['p50']:7.1f} ms"
                        f"  p99 {r['p99']:7.1f} ms  ({r['posts']:.0f} posts, {r['failed']:.0f} failed)",
                        flush=True,
                    )
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        profile_rows = profile(schema_url, info, args.profile) if args.profile else []
    finally:
        drop_schema(url, schema)
    lines = [
        SECTION,
        "",
        f"Date: {date.today().isoformat()}. Machine: {machine()}.",
        f"Command: `.venv/bin/python bench/bench_posting.py --seconds {args.seconds:g} "
        f"--max-posts {args.max_posts} --posters {args.posters}"
        + (f" --profile {args.profile}" if args.profile else "")
        + "`.",
        "gunicorn, 2 gevent workers, PostgreSQL, rate limits off, loopback; the client (aiohttp, one "
        "process) shares the same 2 cores. Each run stops at the time or the post budget, whichever "
        "comes first. "
        f"Load average before the run: {LOAD_BEFORE:.1f}, after: {os.getloadavg()[0]:.1f} "
        "(above ~1 means something else shared the cores: re-run quietly).",
        "",
        "| posters | threads | posts/s | p50 ms | p99 ms | posts | failed |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['posters']} | {r['spread']} | {r['rate']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} "
            f"| {r['posts']:.0f} | {r['failed']:.0f} |"
        )
    if profile_rows:
        lines += [
            "",
            f"Where a post's time goes (cProfile, {args.profile} posts to one thread through the "
            "test client in one process, PostgreSQL; self time per area, so the rows add up):",
            "",
            "| area | ms per post |",
            "|---|---|",
        ]
        lines += [
            f"| {area} | {seconds * 1000:.2f} |" if seconds else f"| {area} | |"
            for area, seconds in profile_rows
        ]
    if profile_rows:
        whole = profile_rows[0][1]
        db_share = sum(v for k, v in profile_rows if k.startswith(("psycopg", "SQLAlchemy")))
        lines += [
            "",
            f"Reading: {db_share / whole:.0%} of a post is the database path (the driver waiting "
            "for PostgreSQL, and SQLAlchemy) — "
            f"{profile_rows[-1][0].split(': ')[1]} statements per post (loads and "
            "checks, `UPDATE threads … RETURNING` for the seq, the inserts, the commit); the sanitizer and "
            "jieba are a few per cent. On one thread every post takes the thread row's lock from "
            "its `UPDATE` until its commit, so posts to one thread are serial: its rate is at most "
            "1 / (time from the UPDATE to the commit). "
            f"CPU budget: 200 posts/s at {whole * 1000:.0f} ms of server CPU a post (in-process, "
            f"before PostgreSQL's own work and the client's) needs {200 * whole:.1f} cores; this "
            "machine has 2, shared with PostgreSQL and the load generator.",
        ]
    write_section("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
