"""Follow, notify, find (issue 14): the three benchmarks of the issue, on PostgreSQL.

    .venv/bin/python bench/bench_notify.py fanout [--followers 0,500,5000] [--replies 7]
    .venv/bin/python bench/bench_notify.py digest [--people 100000] [--per-person 10]
    .venv/bin/python bench/bench_notify.py search [--comments 300000] [--queries 240]

BENCH_DATABASE_URL names the database (default postgresql://postgres@127.0.0.1:5432/bench_notify;
it is dropped and re-created for each run). Each part migrates a fresh database, bulk-loads its
data (not timed), measures, and writes its block of the "## Follow, notify, find (issue 14)"
section of bench/RESULTS.md (`--no-write`: print only).

- fanout: a reply through the JSON API (Flask test client, the whole request) in threads with 0,
  500 and 5,000 followers; the request's median time, and the time from the request's start
  until every follower's notification row exists (the fan-out job, thread pool backend) and
  until the live-count job has pushed every count (Socket.IO through the Redis message queue).
- digest: `flask --app wsgi notifications send-digests` as its own process over N people with
  daily digests and M pending notifications; mail goes through the "file" backend into a temp
  directory (every digest composed, rendered to a MIME message and written). Wall time and the
  command's peak RSS; a second run must send nothing.
- search: N visible comments whose words come from the synthetic zh-TW sets, cut by the app's
  tokenizer; queries of 1–3 words from frequent to rare, through `deliberation.search.search`
  (what /search and the API call) and a few through the HTTP route; p50 / p99.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]
from bench_moderation import fresh_database, machine, pct  # noqa: E402
from people import ndc_staff  # noqa: E402  (bench/people.py)
from results import cpu_reference, write_section  # noqa: E402

SECTION = "## Follow, notify, find (issue 14)"
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/bench_notify"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
DATA = Path("/work/shared/data/synthetic-zh")
LOAD_BEFORE = os.getloadavg()


def make_app(url: str, **extra):  # type: ignore[no-untyped-def]
    from app import create_app
    from config import Config, _database_url

    return create_app(
        Config,
        SQLALCHEMY_DATABASE_URI=_database_url(url),
        RATELIMIT_ENABLED=False,
        MAIL_BACKEND="none",
        **extra,
    )


def migrate(app) -> None:  # type: ignore[no-untyped-def]
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


def copy_rows(app, table: str, columns: list[str], rows) -> int:  # type: ignore[no-untyped-def]
    """COPY rows into a table through psycopg (the fastest bulk load; setup only)."""
    from app.extensions import db

    n = 0
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
                    n += 1
            raw.commit()
        finally:
            raw.close()
    return n


def sql(app, statement: str, **params):  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        result = db.session.execute(text(statement), params)
        rows = result.all() if result.returns_rows else None
        db.session.commit()
        return rows


def base_world(app, *, posters: int = 2):  # type: ignore[no-untyped-def]
    """An agency, its staff, one open consultation with 3 sections, and posters with tokens."""
    from app.extensions import db
    from deliberation.services import accounts, consultations

    with app.app_context():
        s = db.session
        staff = ndc_staff(s)
        agency = staff.agency
        item = consultations.create_consultation(
            s,
            actor=staff,
            title="電動機車購車補助與充電設施推動方案（草案）",
            sections=[consultations.SectionInput(title=f"第{i}條") for i in range(1, 4)],
            status="open",
        )
        tokens, ids = [], []
        for i in range(posters):
            user = accounts.create_user(
                s, email=f"p{i}@bench.tw", display_name=f"發言者{i}", password="bench-password"
            )
            tokens.append(accounts.issue_token(s, user))
            ids.append(user.id)
        s.commit()
        threads = [t.id for t in consultations.ordered_threads(item)]
        return {
            "consultation": item.id,
            "agency": agency.id,
            "threads": threads,
            "tokens": tokens,
            "posters": ids,
        }


def bulk_users(app, n: int, prefix: str, *, start: int = 0) -> None:
    now = datetime.now(UTC)
    copy_rows(
        app,
        "users",
        [
            "email",
            "display_name",
            "password_hash",
            "role",
            "is_active",
            "created_at",
            "email_verified_at",
            "language",
        ],
        (
            (f"{prefix}{i}@bench.tw", f"{prefix}{i}", "x", "citizen", True, now, now, "zh-TW")
            for i in range(start, start + n)
        ),
    )


def header(title: str, extra: str = "") -> list[str]:
    load = os.getloadavg()
    return [
        f"### {title}",
        "",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · Machine: {machine()} · "
        f"reference loop {cpu_reference():.2f} s · load average before "
        f"{LOAD_BEFORE[0]:.2f} / {LOAD_BEFORE[1]:.2f}, after {load[0]:.2f} / {load[1]:.2f} "
        f"(1 / 5 min; the machine was shared){extra}.",
        "",
    ]


# ---- fan-out --------------------------------------------------------------------------------


class JobClock:
    """Wraps the notification jobs to time them (the outbox resolves them by name at run time)."""

    def __init__(self) -> None:
        import app.notifications.jobs as jobs

        self.jobs = jobs
        self.done: dict[str, list[tuple[float, float, int]]] = {"fan": [], "push": []}
        self.lock = threading.Lock()
        fan, push = jobs.fan_out_comments, jobs.push

        def timed_fan(session, comment_ids):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            fan(session, comment_ids)
            with self.lock:
                self.done["fan"].append((t0, time.perf_counter(), len(comment_ids)))

        def timed_push(session, user_ids):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            push(session, user_ids)
            with self.lock:
                self.done["push"].append((t0, time.perf_counter(), len(user_ids)))

        jobs.fan_out_comments = timed_fan  # type: ignore[assignment]
        jobs.push = timed_push  # type: ignore[assignment]

    def wait_push(self, size: int, since: float, timeout: float = 60) -> float:
        """The end time of the first push job of at least `size` people started after `since`."""
        limit = time.perf_counter() + timeout
        while time.perf_counter() < limit:
            with self.lock:
                for t0, t1, n in self.done["push"]:
                    if t0 >= since and n >= size:
                        return t1
            time.sleep(0.005)
        raise TimeoutError("the push job did not finish")


def fanout(args: argparse.Namespace) -> None:
    url = fresh_database(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    app = make_app(url, SOCKETIO_MESSAGE_QUEUE=REDIS, JOBS_BACKEND="thread")
    migrate(app)
    world = base_world(app)
    sizes = [int(x) for x in args.followers.split(",")]
    most = max(sizes)
    bulk_users(app, most, "f")
    ids = [r[0] for r in sql(app, "SELECT id FROM users WHERE email LIKE 'f%' ORDER BY id")]
    client = app.test_client()
    auth = [{"Authorization": f"Bearer {t}"} for t in world["tokens"]]
    roots = {}
    for thread_id, n in zip(world["threads"], sizes, strict=False):
        now = datetime.now(UTC)
        copy_rows(
            app,
            "follows",
            ["user_id", "target_type", "target_id", "active", "created_at"],
            ((u, "thread", thread_id, True, now) for u in ids[:n]),
        )
        r = client.post(
            f"/api/v1/threads/{thread_id}/comments",
            json={"body": "補助應該包含二手車與換電。"},
            headers=auth[0],
        )
        assert r.status_code == 201, r.get_data(as_text=True)
        roots[thread_id] = r.get_json()["id"]
    time.sleep(1)  # the roots' own jobs
    clock = JobClock()
    from sqlalchemy import create_engine, text

    from config import _database_url

    watcher = create_engine(_database_url(url))
    rows = []
    for thread_id, n in zip(world["threads"], sizes, strict=False):
        requests, ready, pushed, fan_jobs, push_jobs = [], [], [], [], []
        for k in range(args.replies + 1):  # the first is a warm-up
            t0 = time.perf_counter()
            r = client.post(
                f"/api/v1/threads/{thread_id}/comments",
                json={
                    "body": f"同意，二手車也該算。第 {k} 次回覆。",
                    "parent_id": roots[thread_id],
                },
                headers=auth[1],
            )
            t1 = time.perf_counter()
            assert r.status_code == 201, r.get_data(as_text=True)
            assert r.get_json()["status"] == "visible"
            reply = r.get_json()["id"]
            expected = n + 1  # the followers, and the root's author (they follow their comment)
            with watcher.connect() as conn:
                while True:
                    got = conn.execute(
                        text("SELECT count(*) FROM notifications WHERE comment_id = :c"),
                        {"c": reply},
                    ).scalar_one()
                    if got >= expected:
                        t2 = time.perf_counter()
                        break
                    if time.perf_counter() - t0 > 120:
                        raise TimeoutError(f"{got} of {expected} notifications after 120 s")
                    time.sleep(0.005)
            t3 = clock.wait_push(expected, t0)
            time.sleep(0.2)
            if k == 0:
                continue
            fan = [j for j in clock.done["fan"] if j[0] >= t0]
            push = [j for j in clock.done["push"] if j[0] >= t0 and j[2] >= expected]
            requests.append((t1 - t0) * 1000)
            ready.append((t2 - t0) * 1000)
            pushed.append((t3 - t0) * 1000)
            fan_jobs.append((fan[0][1] - fan[0][0]) * 1000)
            push_jobs.append((push[0][1] - push[0][0]) * 1000)
        rows.append((n, requests, ready, pushed, fan_jobs, push_jobs))
        print(n, [f"{statistics.median(x):.0f}" for x in rows[-1][1:]], flush=True)
    watcher.dispose()
    lines = header("Reply fan-out (PostgreSQL)")
    lines += [
        f"A reply through `POST /api/v1/threads/<id>/comments` (Flask test client, bearer token, "
        f"the whole request and its commit) in threads followed by {', '.join(map(str, sizes))} "
        f"people; {args.replies} replies each after a warm-up, medians. Jobs on the thread pool "
        f"(JOBS_BACKEND=thread, 2 threads), Socket.IO through the Redis message queue. "
        f"'All rows' is from the request's start until every follower's notification row is "
        f"committed; 'all counts pushed' until the live-count job has emitted every count.",
        "",
        "| followers | request ms | all rows exist ms | all counts pushed ms | fan-out job ms "
        "| push job ms |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n, *series in rows:
        lines.append(
            f"| {n:,} | " + " | ".join(f"{statistics.median(s):.0f}" for s in series) + " |"
        )
    big = rows[-1]
    ok = statistics.median(big[2]) < 5000
    flat = statistics.median(big[1]) < 2 * statistics.median(rows[0][1]) + 20
    lines += [
        "",
        f"Result: the request's time {'does not grow' if flat else 'GROWS'} with followers; "
        f"all {big[0]:,} notifications exist in {statistics.median(big[2]) / 1000:.2f} s "
        f"({'meets' if ok else 'MISSES'} the 5 s target).",
    ]
    finish("Reply fan-out (PostgreSQL)", lines, args)


# ---- digests --------------------------------------------------------------------------------


def digest(args: argparse.Namespace) -> None:
    url = fresh_database(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    app = make_app(url, SEGMENT_ON_WRITE=False)
    migrate(app)
    world = base_world(app)
    t0 = time.perf_counter()
    bulk_users(app, args.people, "d")
    ids = [r[0] for r in sql(app, "SELECT id FROM users WHERE email LIKE 'd%' ORDER BY id")]
    now = datetime.now(UTC)
    copy_rows(
        app,
        "email_preferences",
        ["user_id", "kind", "frequency", "updated_at"],
        ((u, "replies", "daily", now) for u in ids),
    )
    # A few hundred comments in the consultation's threads, replied to and mentioned.
    copy_rows(
        app,
        "comments",
        [
            "thread_id",
            "author_id",
            "depth",
            "seq",
            "body",
            "html",
            "status",
            "version",
            "created_at",
            "agree_count",
            "disagree_count",
            "pass_count",
            "reply_count",
            "pinned",
        ],
        (
            (
                world["threads"][i % 3],
                world["posters"][i % 2],
                0,
                i // 3 + 1,
                f"第 {i} 則：充電站應該設在捷運站旁，補助也該包含換電。",
                f"<p>第 {i} 則：充電站應該設在捷運站旁，補助也該包含換電。</p>",
                "visible",
                1,
                now,
                0,
                0,
                0,
                0,
                False,
            )
            for i in range(600)
        ),
    )
    comments = [r[0] for r in sql(app, "SELECT id FROM comments ORDER BY id")]
    sql(app, "UPDATE comments SET root_id = id")
    kinds = ["reply", "thread_comment", "mention"]
    rng = random.Random(14)
    created = now - timedelta(hours=20)
    copy_rows(
        app,
        "notifications",
        [
            "user_id",
            "kind",
            "comment_id",
            "consultation_id",
            "actor_id",
            "reason",
            "note",
            "created_at",
            "mail",
        ],
        (
            (
                u,
                kinds[k % 3],
                comments[rng.randrange(len(comments))],
                world["consultation"],
                world["posters"][k % 2],
                "",
                "",
                created + timedelta(seconds=k),
                "daily",
            )
            for u in ids
            for k in range(args.per_person)
        ),
    )
    sql(app, "ANALYZE")
    loaded = time.perf_counter() - t0
    pending = sql(app, "SELECT count(*) FROM notifications WHERE emailed_at IS NULL")[0][0]
    print(f"loaded {len(ids):,} people, {pending:,} pending in {loaded:.0f} s", flush=True)
    # tmpfs: the measure is the app's work, not this virtual machine's disk latency
    outbox = Path(tempfile.mkdtemp(prefix="zhongyi-digest-", dir="/dev/shm"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(outbox),
        "SEGMENT_ON_WRITE": "0",
    }
    runs = []
    for _ in range(2):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *map(str, [REPO / ".venv/bin/flask"])]
            + ["--app", "wsgi", "notifications", "send-digests"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert done.returncode == 0, done.stderr[-2000:]
        peak_kb = int(done.stderr.strip().splitlines()[-1])
        summary = done.stdout.strip().splitlines()[-1]
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        runs.append((wall, peak_kb / 1024, cpu, summary))
        print(runs[-1], flush=True)
    files = sum(1 for _ in outbox.iterdir())
    sample = next(outbox.iterdir(), None)
    size = sample.stat().st_size if sample else 0
    shutil.rmtree(outbox)
    left = sql(app, "SELECT count(*) FROM notifications WHERE emailed_at IS NULL")[0][0]
    first, second = runs
    sent = int(re.search(r"sent: (\d+)", first[3]).group(1))  # type: ignore[union-attr]
    again = int(re.search(r"sent: (\d+)", second[3]).group(1))  # type: ignore[union-attr]
    lines = header("Digest run (PostgreSQL)")
    lines += [
        f"{len(ids):,} verified people with daily digests (an `email_preferences` row each) and "
        f"{pending:,} pending notifications ({args.per_person} each: replies, thread comments, "
        f"mentions), bulk-loaded with COPY in {loaded:.0f} s (not timed). "
        f"`flask --app wsgi notifications send-digests` as its own process, MAIL_BACKEND=file: "
        f"every digest composed in the reader's language, built into a MIME message and written "
        f"as an .eml file ({files:,} files, {size:,} bytes each) in a tmpfs directory (/dev/shm). "
        f"Peak RSS from `/usr/bin/time -f %M`.",
        "",
        "| run | wall s | CPU s | peak RSS MiB | output |",
        "|---|---:|---:|---:|---|",
        f"| first | {first[0]:.1f} | {first[2]:.1f} | {first[1]:.0f} | {first[3]} |",
        f"| second (same day) | {second[0]:.1f} | {second[2]:.1f} | {second[1]:.0f} | "
        f"{second[3]} |",
        "",
        f"Result: {sent:,} digests in {first[0]:.0f} s "
        f"({'meets' if first[0] < 300 else 'MISSES'} < 5 min), peak {first[1]:.0f} MiB "
        f"({'meets' if first[1] < 1024 else 'MISSES'} < 1 GB); the second run sent {again} "
        f"({'idempotent' if again == 0 else 'NOT idempotent'}); {left} notifications left "
        f"unsent. The command used {first[2]:.0f} s of CPU in {first[0]:.0f} s of wall time "
        f"({first[2] / first[0]:.0%} of one core: the rest of its time it waited for "
        f"PostgreSQL or for a CPU on the shared machine).",
    ]
    finish("Digest run (PostgreSQL)", lines, args)


# ---- search ---------------------------------------------------------------------------------


def corpus_tokens() -> list[list[str]]:
    """The synthetic comments cut by the app's tokenizer (the stored tokens of each)."""
    from analysis.segment import get_segmenter

    segmenter = get_segmenter()
    out = []
    for name in ("ev-scooter", "long-term-care"):
        with open(DATA / name / "comments.csv", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                tokens = segmenter.tokens(row["comment-body"])
                if tokens:
                    out.append(tokens)
    return out


def is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def load_comments(app, args: argparse.Namespace, words: list[str], docs) -> float:  # type: ignore[no-untyped-def]
    """Migrate and bulk-load the comments; seconds taken."""
    migrate(app)
    world = base_world(app)
    bulk_users(app, 2000, "a")
    authors = [r[0] for r in sql(app, "SELECT id FROM users WHERE email LIKE 'a%'")]
    weights = [1 / (rank + 1) ** 1.05 for rank in range(len(words))]  # Zipf over the corpus
    rng = random.Random(300)
    t0 = time.perf_counter()
    start = datetime.now(UTC) - timedelta(days=60)
    threads = world["threads"]
    seq = dict.fromkeys(threads, 0)

    def rows():  # type: ignore[no-untyped-def]
        for i in range(args.comments):
            base = rng.choice(docs)
            cut = rng.randrange(len(base))
            tokens = base[cut:] + rng.choices(words, weights, k=rng.randint(2, 8)) + base[:cut]
            body = "".join(tokens)
            thread = threads[i % len(threads)]
            seq[thread] += 1
            status = "hidden" if i % 97 == 0 else "visible"
            yield (
                first + i,
                first + i,
                thread,
                authors[i % len(authors)],
                0,
                seq[thread],
                body,
                f"<p>{body}</p>",
                " ".join(t.lower() for t in tokens),
                status,
                1,
                start + timedelta(seconds=17 * i),
                0,
                0,
                0,
                0,
                False,
            )

    first = 1 + sql(app, "SELECT coalesce(max(id), 0) FROM comments")[0][0]
    copy_rows(
        app,
        "comments",
        [
            "id",
            "root_id",
            "thread_id",
            "author_id",
            "depth",
            "seq",
            "body",
            "html",
            "tokens",
            "status",
            "version",
            "created_at",
            "agree_count",
            "disagree_count",
            "pass_count",
            "reply_count",
            "pinned",
        ],
        rows(),
    )
    sql(app, "SELECT setval('comments_id_seq', (SELECT max(id) FROM comments))")
    from sqlalchemy import text

    from app.extensions import db

    with (
        app.app_context(),
        db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn,
    ):
        conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - t0


def search(args: argparse.Namespace) -> None:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    docs = corpus_tokens()
    vocab = Counter(t for d in docs for t in d if is_word(t))
    words = [w for w, _ in vocab.most_common()]
    if args.reuse:  # the comments of an earlier run are there: measure again
        app = make_app(url)
        loaded = 0.0
    else:
        app = make_app(fresh_database(url))
        loaded = load_comments(app, args, words, docs)
    print(f"loaded {args.comments:,} comments in {loaded:.0f} s", flush=True)

    # Document frequencies in the stored tokens, to pick frequent, middling and rare terms.
    df = Counter()
    for (tokens,) in sql(app, "SELECT tokens FROM comments WHERE id % 20 = 0"):
        df.update(set(tokens.split()))
    ranked = [w for w, _ in df.most_common() if is_word(w) and len(w) > 1]
    bands = {
        "frequent": ranked[:30],
        "middling": ranked[len(ranked) // 10 : len(ranked) // 10 + 200],
        "rare": ranked[-400:],
    }
    qrng = random.Random(99)
    queries = []
    for i in range(args.queries):
        band = list(bands)[i % 3]
        n = 1 + (i // 3) % 3
        picked = qrng.sample(bands[band], n) if band != "frequent" else qrng.sample(ranked[:30], n)
        if band == "rare" and n > 1:  # a rare word with common ones (all must be present)
            picked = [picked[0], *qrng.sample(ranked[:200], n - 1)]
        queries.append((band, n, " ".join(picked)))

    from app.extensions import db
    from deliberation.search import queries as search_queries

    timings: dict[tuple[str, int], list[float]] = {}
    found: dict[tuple[str, int], list[int]] = {}
    every = []
    with app.app_context():
        for _band, _n, q in queries[:10]:  # warm-up
            search_queries.search(db.session, q)
            db.session.rollback()
        for band, n, q in queries:
            t1 = time.perf_counter()
            results = search_queries.search(db.session, q)
            ms = (time.perf_counter() - t1) * 1000
            db.session.rollback()
            timings.setdefault((band, n), []).append(ms)
            found.setdefault((band, n), []).append(results.total)
            every.append(ms)
        hidden = sql(app, "SELECT id FROM comments WHERE status = 'hidden' LIMIT 1")[0][0]
    client = app.test_client()
    http = []
    for _band, _n, q in queries[:40]:
        t1 = time.perf_counter()
        r = client.get("/search", query_string={"q": q})
        http.append((time.perf_counter() - t1) * 1000)
        assert r.status_code == 200
        assert f'id="result-c{hidden}"' not in r.get_data(as_text=True)
    api = []
    for _band, _n, q in queries[40:80]:
        t1 = time.perf_counter()
        r = client.get("/api/v1/search", query_string={"q": q})
        api.append((time.perf_counter() - t1) * 1000)
        assert r.status_code == 200
        assert hidden not in [c["id"] for c in r.get_json()["comments"]["items"]]
    lines = header("Search (PostgreSQL)")
    lines += [
        f"{args.comments:,} comments (1 in 97 hidden) in one consultation, bulk-loaded with "
        f"COPY in {loaded:.0f} s (not timed). Their words come from the two synthetic zh-TW sets "
        f"(`/work/shared/data/synthetic-zh`) cut by the app's tokenizer: each comment is one "
        f"source comment rotated at a random point plus 2–8 words drawn from the corpus "
        f"vocabulary ({len(words):,} words) by a Zipf law, so term frequencies run from most "
        f"comments to a handful. {len(queries)} queries of 1–3 words (frequent: among the 30 "
        f"commonest words; middling; rare: among the 400 rarest, with common words beside it), "
        f"each through `deliberation.search.queries.search` (what /search and the API call: "
        f"consultations, sections and one page of comments), after 10 warm-ups.",
        "",
        "| query | n | p50 ms | p99 ms | max ms | median comments found |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for (band, n), times in sorted(timings.items()):
        lines.append(
            f"| {band}, {n} word{'s' if n > 1 else ''} | {len(times)} | "
            f"{statistics.median(times):.1f} | {pct(times, 0.99):.1f} | {max(times):.1f} | "
            f"{statistics.median(found[(band, n)]):,.0f} |"
        )
    p99 = pct(every, 0.99)
    lines += [
        f"| **all** | **{len(every)}** | **{statistics.median(every):.1f}** | **{p99:.1f}** | "
        f"**{max(every):.1f}** | |",
        f"| the page `/search?q=` (test client, whole request) | {len(http)} | "
        f"{statistics.median(http):.1f} | {pct(http, 0.99):.1f} | {max(http):.1f} | |",
        f"| `GET /api/v1/search?q=` | {len(api)} | {statistics.median(api):.1f} | "
        f"{pct(api, 0.99):.1f} | {max(api):.1f} | |",
        "",
        f"Result: p99 {p99:.1f} ms over {args.comments:,} comments — "
        f"{'meets' if p99 < 100 else 'MISSES'} the 100 ms target. A hidden comment was never "
        f"in a result (checked on every page and API answer above).",
    ]
    finish("Search (PostgreSQL)", lines, args)


def finish(title: str, lines: list[str], args: argparse.Namespace) -> None:
    command = " ".join(["bench/bench_notify.py", *sys.argv[1:]])
    lines += ["", f"Command: `nice -n 10 .venv/bin/python {command}`", ""]
    block = "\n".join(lines)
    print(block)
    if not args.no_write:
        write_section(SECTION, INTRO, title, block)


INTRO = f"""{SECTION}

`bench/bench_notify.py` (three parts: `fanout`, `digest`, `search`; PostgreSQL, a fresh
database each, `BENCH_DATABASE_URL`). Targets from the issue: a reply's request time does not
grow with the thread's followers and all 5,000 in-app notifications exist within 5 s; the digest
run for 100,000 people with 1,000,000 pending notifications takes < 5 minutes and < 1 GB; search
p99 < 100 ms over 300,000 comments. Measured on the shared 2-core machine while five other
helpers ran their tests (load average given with each block, often 8–12): the lead re-measures
on a quiet machine.

What the first measurements showed, and what changed (same machine, same kind of load):

- **Fan-out.** The job built one parameter set per follower (`executemany` with RETURNING:
  thousands of bound parameters the driver splits in Python) and the live count was one emit per
  person: 5,000 followers took 3.1 s in the fan-out job and 2.5 s in the push. Now each set of
  followers (thread, consultation, agency, closing reminder) is one `INSERT … SELECT` joined with
  the accounts and e-mail preferences (`operations._insert_for_followers`), unread counts are read
  with the ids written into the SQL, and people with the same count get one emit addressed to
  all their rooms (a handful of Redis publishes instead of 5,000).
- **Digests.** 5,000 digests took 199 s (8.7 ms of CPU each): every entry lazy-loaded its comment,
  every mail opened its own request context, the `EmailMessage` header parser took 2 ms a mail,
  and the notifications were loaded as ORM objects. Now a batch's notifications are plain rows
  with the consultation title, actor name and comment text joined, one request context composes
  a batch, the mail is built with the compat32 classes (app/mail.py), and ids are written into
  the SQL, and a sender thread sends one batch while the next is claimed. Memory stays flat:
  500 people a batch, only ids read up front.
- **Search.** Over 300,000 comments, p99 was 1.8 s (a common word: 2.4 s): every match was
  ranked with `ts_rank`, and PostgreSQL recomputed `to_tsvector` for each row it filtered or
  ranked. Now comments store the vector (generated column `search_vector`, GIN index, migration
  0016) and only the newest 200 matches are ranked (their ids sorted by recency first); more
  than 200 matches shows "More than 200 comments" (docs/search.md).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["fanout", "digest", "search"])
    parser.add_argument("--followers", default="0,500,5000")
    parser.add_argument("--replies", type=int, default=7)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--per-person", type=int, default=10)
    parser.add_argument("--comments", type=int, default=300_000)
    parser.add_argument("--queries", type=int, default=240)
    parser.add_argument("--reuse", action="store_true", help="search: keep the loaded comments")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    {"fanout": fanout, "digest": digest, "search": search}[args.part](args)


if __name__ == "__main__":
    main()
