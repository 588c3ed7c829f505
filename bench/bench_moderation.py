"""Moderation queue benchmark: the queue page with 10,000 pending comments.

One command: `.venv/bin/python bench/bench_moderation.py [--requests 60] [--pending 10000]`.
The database is a fresh SQLite file by default; set BENCH_DATABASE_URL (e.g.
postgresql://postgres@127.0.0.1:5432/zhongyi_bench_mod, created if missing) for PostgreSQL.
It migrates, seeds 10,000 pending comments (plus visible and flagged ones) in 3 consultations,
logs a moderator in and times the queue page through the Flask test client (full request:
routing, session, queries, template), several filter combinations, N requests each after a
warm-up. Writes the "## Moderation queue" section of bench/RESULTS.md (the target: p95 < 100 ms).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from people import ndc_staff  # noqa: E402  (bench/people.py)
from results import write_section  # noqa: E402  (bench/results.py, next to this script)

RESULTS = REPO / "bench" / "RESULTS.md"
SECTION = "## Moderation queue"
SQLITE_FILE = Path("/tmp/zhongyi_bench_moderation.sqlite3")
TARGET_MS = 100.0


def fresh_database(url: str | None) -> str:
    """An empty database: a new SQLite file, or a PostgreSQL database dropped and re-created."""
    if not url:
        SQLITE_FILE.unlink(missing_ok=True)
        return f"sqlite:///{SQLITE_FILE}"
    from sqlalchemy import create_engine, text

    from config import _database_url

    base, name = url.rsplit("/", 1)
    admin = create_engine(_database_url(base + "/postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url


def seed(app, pending: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Migrate, then insert the queue's contents in bulk (as if posted over weeks)."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select, update

    from app.extensions import db
    from deliberation.models import Comment, Flag, ModerationAction, Thread, User
    from deliberation.services import accounts, consultations
    from deliberation.services.consultations import SectionInput

    rng = random.Random(4)
    with app.app_context():
        upgrade()
        session = db.session
        staff = ndc_staff(session)
        moderator = accounts.create_user(
            session,
            email="mod@bench.tw",
            display_name="管理員",
            password="bench-password",
            role="moderator",
        )
        authors = [
            User(email=f"u{i}@bench.tw", display_name=f"市民{i}", password_hash="x")
            for i in range(300)
        ]
        session.add_all(authors)
        session.flush()
        threads: list[Thread] = []
        for n in range(3):
            item = consultations.create_consultation(
                session,
                actor=staff,
                title=f"草案 {n + 1}：數位治理與資料開放",
                sections=[SectionInput(title=f"第{i}條") for i in range(1, 3)],
                status="open",
            )
            session.flush()
            threads += list(consultations.ordered_threads(item))
        session.commit()
        start = datetime.now(UTC) - timedelta(days=30)
        holds = ["personal_data", "keyword", "link_spam", "premoderation", "flag_threshold"]
        rows = []
        seqs = {t.id: 0 for t in threads}
        total = pending + pending // 2  # plus visible comments, some of them flagged
        for i in range(total):
            thread = threads[i % len(threads)]
            seqs[thread.id] += 1
            is_pending = i < pending
            body = f"第 {i} 則留言：關於資料開放的時程與格式，我認為應該更明確。" * 3
            rows.append(
                {
                    "thread_id": thread.id,
                    "author_id": authors[rng.randrange(len(authors))].id,
                    "depth": 0,
                    "seq": seqs[thread.id],
                    "body": body,
                    "html": f"<p>{body}</p>",
                    "tokens": "資料 開放 時程 格式",
                    "status": "pending" if is_pending else "visible",
                    "held_by": holds[i % len(holds)] if is_pending else None,
                    "flag_count": (i % 4) if not is_pending and i % 7 == 0 else 0,
                    "version": 1,
                    "created_at": start + timedelta(seconds=150 * i),
                    "agree_count": 0,
                    "disagree_count": 0,
                    "pass_count": 0,
                    "reply_count": 0,
                    "pinned": False,
                }
            )
        for chunk in range(0, len(rows), 2000):
            session.execute(insert(Comment), rows[chunk : chunk + 2000])
        session.execute(update(Comment).where(Comment.root_id.is_(None)).values(root_id=Comment.id))
        for thread in threads:
            session.execute(
                update(Thread)
                .where(Thread.id == thread.id)
                .values(last_comment_seq=seqs[thread.id], last_event_seq=seqs[thread.id])
            )
        flagged = list(
            session.execute(select(Comment.id, Comment.flag_count).where(Comment.flag_count > 0))
        )
        flags = [
            {
                "comment_id": cid,
                "user_id": authors[(cid + k) % len(authors)].id,
                "reason": ["spam", "harassment", "off_topic"][k % 3],
                "note": "",
                "created_at": start,
            }
            for cid, count in flagged
            for k in range(count)
        ]
        if flags:
            session.execute(insert(Flag), flags)
        log = [
            {
                "created_at": start,
                "action": "hold",
                "target_type": "comment",
                "target_id": cid,
                "comment_id": cid,
                "reason": "",
                "rule": "premoderation",
                "note": "",
                "before_status": "",
                "after_status": "pending",
            }
            for (cid,) in session.execute(
                select(Comment.id).where(Comment.status == "pending").limit(2000)
            )
        ]
        session.execute(insert(ModerationAction), log)
        session.commit()
        first_consultation = threads[0].consultation_id
        return {"moderator": moderator.id, "consultation": first_consultation}


def machine() -> str:
    model = "unknown CPU"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        found = re.search(r"Model name:\s*(.+)", out)
        model = found.group(1).strip() if found else model
    except (OSError, subprocess.CalledProcessError):
        pass
    ram = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    return f"{model}, {os.cpu_count()} logical cores, {ram} RAM, Python {platform.python_version()}"


def measure(client, url: str, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    for _ in range(5):  # warm-up: template compilation, connection pool, SQLite page cache
        assert client.get(url).status_code == 200
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, url
    return times


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--pending", type=int, default=10_000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    url = fresh_database(os.environ.get("BENCH_DATABASE_URL"))
    from app import create_app
    from config import Config, _database_url

    app = create_app(
        Config,
        SQLALCHEMY_DATABASE_URI=_database_url(url),
        SEGMENT_ON_WRITE=False,
        RATELIMIT_ENABLED=False,
    )
    t0 = time.perf_counter()
    ids = seed(app, args.pending)
    seeded = time.perf_counter() - t0
    client = app.test_client()
    with client.session_transaction() as s:  # logged in as the moderator (Flask-Login's keys)
        s["_user_id"] = str(ids["moderator"])
        s["_fresh"] = True
    pages = -(-args.pending // 25)
    urls = {
        "queue, first page (default: needs review, oldest first)": "/moderation/",
        "pending only, one consultation, one hold rule": (
            f"/moderation/?status=pending&consultation={ids['consultation']}&reason=keyword"
        ),
        "flagged, most flagged first": "/moderation/?status=flagged&sort=flags",
        f"page {pages // 2} of {pages}": f"/moderation/?status=pending&page={pages // 2}",
        "waiting ≥ 1 week, newest first": "/moderation/?age=168&sort=newest",
    }
    results = {}
    for label, path in urls.items():
        results[label] = measure(client, path, args.requests)
    html = client.get("/moderation/?status=pending").get_data(as_text=True)
    assert html.count('class="mod-item"') == 25, "the queue page did not list a full page"
    everything = [t for times in results.values() for t in times]
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite (file)"
    lines = [
        f"### {engine}",
        "",
        f"Date: 2026-11-27 · Machine: {machine()}.",
        "",
        f"{args.pending:,} pending comments (plus {args.pending // 2:,} visible ones, some "
        f"flagged) over 3 consultations, seeded in {seeded:.1f} s; each view requested "
        f"{args.requests} times after 5 warm-ups.",
        "",
        "| view | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|",
    ]
    for label, times in results.items():
        lines.append(
            f"| {label} | {statistics.median(times):.1f} | {pct(times, 0.95):.1f} | "
            f"{max(times):.1f} |"
        )
    p95 = pct(everything, 0.95)
    lines += [
        f"| **all {len(everything)} requests** | **{statistics.median(everything):.1f}** | "
        f"**{p95:.1f}** | **{max(everything):.1f}** |",
        "",
        f"Result: p95 {p95:.1f} ms — {'meets' if p95 < TARGET_MS else 'MISSES'} the "
        f"{TARGET_MS:.0f} ms target.",
        "",
    ]
    block = "\n".join(lines)
    print(block)
    if not args.no_write:
        write_section(SECTION, INTRO, engine, block)


INTRO = f"""{SECTION}

`bench/bench_moderation.py` (one command; SQLite file by default, PostgreSQL with
`BENCH_DATABASE_URL`) migrates a fresh database, seeds the queue, logs a moderator in and times
the queue page through the Flask test client — the whole request: routing, session, the count,
the page of 25 (ids ordered and cut first, then the 25 rows with parent, author, thread and
flags), the tab counts and the template. Target: p95 < {TARGET_MS:.0f} ms. Indexes used:
`ix_comments_status_created` (status, created_at) and `ix_comments_flag_count` (migration 0002).
"""


if __name__ == "__main__":
    main()
