"""Outcome-loop benchmark: the user-facing commands on a real Polis conversation.

One command: `.venv/bin/python bench/bench_outcome.py [--runs 3] [--folder DIR]`.
A fresh SQLite file by default; set BENCH_DATABASE_URL (e.g.
postgresql://postgres@127.0.0.1:5432/zhongyi_bench_outcome, created if missing) for PostgreSQL.
Times, in-process through Flask's CLI runner (the same code as `flask --app wsgi …`):
`consultations import-polis` of the largest open-data conversation (austria-climate: 522
comments, 1,117 participants, ~62k vote rows), `analysis run --wait` on it (themes with the
automatic choice of k, opinion groups, stable keys, saving the snapshot), and
`plans export-outcome` as DOCX and as Markdown after every theme is answered and published.
Each step runs `--runs` times (a new slug per import, a new run per analysis); medians are
written to the "## Outcome loop" section of bench/RESULTS.md. No target is set by the issue;
the figures say what a staff member waits for.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from bench_moderation import fresh_database, machine  # noqa: E402
from people import ndc_staff  # noqa: E402  (bench/people.py)
from results import write_section  # noqa: E402

RESULTS = REPO / "bench" / "RESULTS.md"
SECTION = "## Outcome loop"
SQLITE_FILE = Path("/tmp/zhongyi_bench_outcome.sqlite3")
DEFAULT_FOLDER = REPO.parent / "shared/data/polis-opendata/austria-climate.5twd2jsnkf.2022-08-08"


def timed(fn) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        SQLITE_FILE.unlink(missing_ok=True)
        url = f"sqlite:///{SQLITE_FILE}"
    else:
        url = fresh_database(url)
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from config import Config, _database_url
    from deliberation.models import User
    from deliberation.services import analysis_runs, plans, responses

    app = create_app(Config, SQLALCHEMY_DATABASE_URI=_database_url(url), JOBS_BACKEND="eager")
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
        staff = ndc_staff(db.session)
        db.session.commit()
        staff_id = staff.id

    imports, runs, docx, md = [], [], [], []
    consultation_id = 0
    counts = ""
    for i in range(args.runs):
        seconds, result = timed(
            lambda i=i: runner.invoke(
                args=[
                    "consultations",
                    "import-polis",
                    str(args.folder),
                    "--agency",
                    "NDC",
                    "--slug",
                    f"bench-{i}",
                ]
            )
        )
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        imports.append(seconds)
        consultation_id = int(result.stdout.strip())  # type: ignore[attr-defined]
    for _ in range(args.runs):
        seconds, result = timed(
            lambda: runner.invoke(args=["analysis", "run", str(consultation_id), "--wait"])
        )
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        runs.append(seconds)
        counts = result.stdout.strip().splitlines()[-1]  # type: ignore[attr-defined]
    with app.app_context():
        staff = db.session.get(User, staff_id)
        run = analysis_runs.latest_run(db.session, consultation_id)
        assert run is not None
        consultation = run.consultation
        keys = [t.key for t in run.themes if not t.discarded]
        for key in keys:
            responses.upsert_response(
                db.session,
                consultation,
                key,
                actor=staff,
                disposition="adopted",
                reasoning="納入計畫第三章辦理。",
                responsible_unit="綜合規劃處",
            )
        responses.publish(db.session, consultation, keys, actor=staff)
        plan = plans.create_plan(
            db.session, actor=staff, title="效能評估計畫", consultation_ids=[consultation_id]
        )
        db.session.commit()
        plan_id = plan.id
        n_themes = len(keys)
        assert db.session.scalar(select(User.id).limit(1)) is not None
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, bucket in (("docx", docx), ("md", md)):
            for _ in range(args.runs):
                out = Path(tmp) / f"outcome.{fmt}"
                seconds, result = timed(
                    lambda fmt=fmt, out=out: runner.invoke(
                        args=[
                            "plans",
                            "export-outcome",
                            str(plan_id),
                            "--format",
                            fmt,
                            "--out",
                            str(out),
                        ]
                    )
                )
                assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
                bucket.append(seconds)
            size = out.stat().st_size
            if fmt == "docx":
                docx_size = size

    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite (file)"

    def cell(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} ({', '.join(f'{v:.2f}' for v in values)})"

    lines = [
        f"### {engine}",
        "",
        f"Date: 2026-11-27 · Machine: {machine()}.",
        f"Conversation: `{args.folder.name}`; last run: {counts}",
        "",
        "| step (command) | median s (runs) |",
        "|---|---:|",
        f"| `consultations import-polis` | {cell(imports)} |",
        f"| `analysis run --wait` | {cell(runs)} |",
        f"| `plans export-outcome --format docx` ({n_themes} themes, 3 charts, "
        f"{docx_size / 1024:.0f} KiB) | {cell(docx)} |",
        f"| `plans export-outcome --format md` | {cell(md)} |",
        "",
    ]
    block = "\n".join(lines)
    print(block)
    if not args.no_write:
        write_section(SECTION, INTRO, engine, block)


INTRO = f"""{SECTION}

`bench/bench_outcome.py` (one command; SQLite file by default, PostgreSQL with
`BENCH_DATABASE_URL`) times the commands staff run on a real conversation, in-process through
Flask's CLI runner: Polis import, an analysis run to completion (themes with the automatic choice
of k, opinion groups, stable keys, the snapshot), and the outcome section exported as DOCX and
Markdown with every theme answered. The issue sets no target; these are the waits.
"""


if __name__ == "__main__":
    main()
