"""Web benchmark: a 200-comment thread page and its comments API, served as in production.

One command: `.venv/bin/python bench/bench_web.py [--duration 15] [--runs 3]`.
Needs PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/zhongyi_bench;
the database is created if missing) and `wrk` (Debian package). Writes its section of
bench/RESULTS.md. Server and load generator share this machine's cores; the figures say so.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from people import ndc_staff  # noqa: E402  (bench/people.py)

RESULTS = REPO / "bench" / "RESULTS.md"
SECTION = "## Web: thread page and comments API"
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/zhongyi_bench"
PORT = 5057


def ensure_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    from config import _database_url

    base, name = url.rsplit("/", 1)
    admin = create_engine(_database_url(base + "/postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def seed(url: str) -> int:
    """Migrate and load a consultation whose general thread has 200 comments and many votes."""
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    os.environ["DATABASE_URL"] = url
    from app import create_app
    from app.extensions import db
    from config import _database_url
    from deliberation.services import accounts, comments, consultations
    from deliberation.services.consultations import SectionInput

    app = create_app(SQLALCHEMY_DATABASE_URI=_database_url(url))
    with app.app_context():
        s = db.session
        staff = ndc_staff(s)
        item = consultations.create_consultation(
            s,
            actor=staff,
            title="效能測試草案",
            summary="200 則留言的討論串",
            body="全文",
            sections=[SectionInput(title="第一條", body="內容")],
            status="open",
        )
        users = [
            accounts.create_user(
                s, email=f"u{i}@bench.tw", display_name=f"市民{i}", password="bench-password"
            )
            for i in range(30)
        ]
        thread = consultations.general_thread(item)
        posted = []
        for i in range(200):
            parent = posted[i // 3] if i % 3 == 2 and posted else None
            c = comments.post_comment(
                s,
                thread,
                actor=users[i % 30],
                body=f"第 {i} 則意見：我認為**補助**應該擴大到二手車，並且公開審查標準。"
                * (1 + i % 3),
                parent_id=parent.id if parent else None,
            )
            posted.append(c)
            for v in range(i % 7):
                comments.cast_vote(s, c.id, actor=users[(i + v + 1) % 30], value=(1, -1, 0)[v % 3])
        s.commit()
        return thread.id


def wait_up(url: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not come up at {url}")


def wrk(url: str, duration: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": ms("50%"),
        "p99": ms("99%"),
        "non2xx": float(errors.group(1)) if errors else 0.0,
    }


SERVERS = {
    "gunicorn gevent x2": ["-k", "gevent", "-w", "2", "--worker-connections", "1000"],
    "gunicorn sync x2": ["-k", "sync", "-w", "2"],
    "gunicorn gthread x2 (8 threads)": ["-k", "gthread", "-w", "2", "--threads", "8"],
}


def serve(url: str, args: list[str]) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ZHONGYI_ENV": "production",
        "SECRET_KEY": "bench-secret",
        "SESSION_COOKIE_SECURE": "0",
        "ZHONGYI_GEVENT": "1" if "gevent" in args else "0",
        "SOCKETIO_ASYNC_MODE": "gevent" if "gevent" in args else "threading",
    }
    cmd = [
        str(REPO / ".venv" / "bin" / "gunicorn"),
        *args,
        "-b",
        f"127.0.0.1:{PORT}",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    return subprocess.Popen(cmd, cwd=REPO, env=env)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, Python {platform.python_version()}, PostgreSQL on the same machine"


def write_section(text: str) -> None:
    content = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"{re.escape(SECTION)}\n.*?(?=\n## |\Z)", re.S)
    if pattern.search(content):
        content = pattern.sub(text.rstrip() + "\n", content)
    else:
        content = content.rstrip() + "\n\n" + text
    RESULTS.write_text(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--servers", default=",".join(SERVERS))
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    ensure_database(url)
    thread_id = seed(url)
    targets = {
        "thread page (anonymous)": f"http://127.0.0.1:{PORT}/threads/{thread_id}",
        "comments API, 200 items": f"http://127.0.0.1:{PORT}/api/v1/threads/{thread_id}/comments?limit=200",
    }
    rows = []
    for name in args.servers.split(","):
        proc = serve(url, SERVERS[name])
        try:
            wait_up(targets["thread page (anonymous)"])
            for target, target_url in targets.items():
                wrk(target_url, 3, args.connections)  # warm-up
                runs = [wrk(target_url, args.duration, args.connections) for _ in range(args.runs)]
                row = {
                    "server": name,
                    "target": target,
                    "rps": statistics.median(r["rps"] for r in runs),
                    "p50": statistics.median(r["p50"] for r in runs),
                    "p99": statistics.median(r["p99"] for r in runs),
                    "non2xx": sum(r["non2xx"] for r in runs),
                }
                rows.append(row)
                print(
                    f"{name:34} {target:26} {row['rps']:8.0f} req/s  p50 {row['p50']:6.1f} ms  p99 {row['p99']:6.1f} ms  non-2xx {row['non2xx']:.0f}",
                    flush=True,
                )
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    lines = [
        SECTION,
        "",
        f"Date: {date.today().isoformat()}. Machine: {machine()}.",
        f"Command: `.venv/bin/python bench/bench_web.py --duration {args.duration} --runs {args.runs} --connections {args.connections}`.",
        f"Load: `wrk -t2 -c{args.connections}` on the same 2 cores as the server and PostgreSQL, so every figure "
        "below is for server + database + load generator sharing two cores. Medians of the runs.",
        "The thread has 200 comments (a third of them replies) and ~600 votes; the page shows the first 20 "
        "top-level comments with all their replies; the API call returns all 200 comments.",
        "",
        "| server | target | req/s (median) | p50 ms | p99 ms | non-2xx |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['server']} | {r['target']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['non2xx']:.0f} |"
        )
    write_section("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
