"""Benchmark opinion groups (analysis.groups) and measure agreement with Polis's own groups.

Run from the repository root:  .venv/bin/python bench/bench_analysis_groups.py [--quick] [--replay]

Times OpinionGroups.fit on synthetic sparse vote matrices (5 latent opinion groups, about 7.5% of
the cells voted, fixed seed) at 10,000 and 100,000 participants x 1,000 comments, then fits every
conversation in ../shared/data/polis-opendata and reports agreement with the export's group-id.
With --replay it also replays each conversation's votes.csv through Polis's live updates
(OpinionGroups.fit_history, one update per second of votes): minutes of CPU per large conversation.
Writes the "## Analysis: opinion groups" section of bench/RESULTS.md (other sections untouched).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.groups import OpinionGroups, agreement_with_reference  # noqa: E402
from analysis.polis import read_comments, read_participants_votes, read_votes  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "polis-opendata"
RESULTS = ROOT / "bench" / "RESULTS.md"
HEADING = "## Analysis: opinion groups"
DATE = "2026-11-27"
TARGETS = {10_000: 5.0, 100_000: 60.0}
BELOW_TARGET_NOTE = (
    'Below 0.95, and why (details and measurements in docs/analysis.md, "Agreement with '
    'Polis"): london.youth.policing opens with 13 demographic statements that Polis treats as '
    "meta (zeroed); the export has no meta flag, so this is inferred from their text. Set aside, with Polis's k = 3, the groups match "
    "exactly (1.000), and the silhouette alone picks k = 2 (0.875). scoop-hivemind.ubi's groups "
    "split people by whether they voted on statements added a week later, which no projection "
    "of the final votes reproduces (nearest-Polis-centre oracle 0.59): stored state from an "
    "older Polis computation. football-concussions (0.941) and scoop-hivemind.freshwater (0.940) "
    "are the boundary Polis reached through warm-started k-means over its update history "
    "(oracle 0.98 and 0.94). Replaying votes.csv through today's Polis update (--replay: "
    "warm-started k-means, group-k smoother, one update per second of votes) does not close "
    "these gaps: london reaches Polis's k = 3 but 0.542, freshwater 0.803, ubi 0.483 (k 2); these "
    "conversations were computed by older Polis versions. No constant is tuned per conversation; "
    "these stay xfail with floors in tests/unit/analysis/test_groups.py."
)


def synthetic_votes(
    n_participants: int,
    n_comments: int = 1000,
    density: float = 0.075,
    n_groups: int = 5,
    seed: int = 0,
) -> tuple[sp.coo_array, np.ndarray]:
    """A sparse vote matrix with latent groups; stored entries are votes (0 = pass)."""
    rng = np.random.default_rng(seed)
    # Each latent group leans agree or disagree on each comment with its own strength.
    lean = rng.uniform(-1, 1, size=(n_groups, n_comments))
    truth = rng.integers(0, n_groups, size=n_participants)
    rows, cols, vals = [], [], []
    chunk = 5000
    for start in range(0, n_participants, chunk):
        stop = min(start + chunk, n_participants)
        mask = rng.random((stop - start, n_comments)) < density
        r, c = np.nonzero(mask)
        p_lean = lean[truth[start + r], c]
        u = rng.random(r.size)
        v = np.where(u < 0.15, 0.0, np.where(rng.random(r.size) < (1 + p_lean) / 2, 1.0, -1.0))
        rows.append(r + start)
        cols.append(c)
        vals.append(v)
    coo = sp.coo_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_participants, n_comments),
    )
    return coo, truth


def time_fit(values, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        OpinionGroups(random_state=0).fit(values)
        times.append(time.perf_counter() - t0)
    return times


def replay_agreement(folder: Path, rejected: list[str], ref: dict[str, str | None]):
    """Replay votes.csv (Polis's clustered set, one update per second): (k, agreement, updates)."""
    log = read_votes(folder / "votes.csv")
    est = OpinionGroups(random_state=0).fit_history(
        log.timestamps,
        log.participant_ids,
        log.comment_ids,
        log.votes,
        excluded_comments=rejected,
        clustered=[p for p, g in ref.items() if g is not None],
    )
    reference = [ref.get(p) for p in est.participant_ids_]
    return est.k_, agreement_with_reference(est.labels_, reference), est.n_updates_


def agreement_table(
    replay: bool = False,
) -> list[tuple[str, int, int, int, int, float, int, int, float, str]]:
    """Per conversation: Polis's clustered set (the protocol), the min-votes rule, the replay."""
    rows = []
    for folder in sorted(p for p in DATA.iterdir() if p.is_dir()):
        matrix = read_participants_votes(folder / "participants-votes.csv")
        rejected = [
            c.id
            for c in read_comments(folder / "comments.csv", include_rejected=True)
            if c.moderated == -1
        ]
        ref = matrix.reference_groups
        fit_args = (matrix.values, matrix.participant_ids, matrix.comment_ids)
        est = OpinionGroups(random_state=0).fit(
            *fit_args, excluded_comments=rejected, clustered=[g is not None for g in ref]
        )
        rule = OpinionGroups(random_state=0).fit(*fit_args, excluded_comments=rejected)
        both = sum(1 for a, b in zip(est.labels_, ref, strict=True) if a >= 0 and b is not None)
        rule_both = sum(
            1 for a, b in zip(rule.labels_, ref, strict=True) if a >= 0 and b is not None
        )
        ref_k = len({g for g in ref if g is not None})
        replayed = "not run"
        if replay:
            t0 = time.process_time()
            r_k, r_agree, n_updates = replay_agreement(
                folder, rejected, dict(zip(matrix.participant_ids, ref, strict=True))
            )
            replayed = (
                f"{r_k} / {r_agree:.3f} ({n_updates:,} updates, "
                f"{time.process_time() - t0:.0f} s CPU)"
            )
        rows.append(
            (
                folder.name,
                len(ref),
                both,
                est.k_,
                ref_k,
                agreement_with_reference(est.labels_, ref),
                rule_both,
                rule.k_,
                agreement_with_reference(rule.labels_, ref),
                replayed,
            )
        )
    return rows


def machine() -> str:
    model = "unknown"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next(
            (ln.split(":", 1)[1].strip() for ln in out.splitlines() if ln.startswith("Model name")),
            model,
        )
    except OSError:
        pass
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{model}, {os.cpu_count()} cores, {ram:.0f} GB RAM, Python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )


def write_section(text: str) -> None:
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(old):
        new = pattern.sub(lambda _: text, old)
    else:
        new = old.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(new, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run each, don't write RESULTS.md")
    parser.add_argument(
        "--replay", action="store_true", help="also replay each votes.csv (slow: minutes of CPU)"
    )
    args = parser.parse_args()

    lines = [
        HEADING,
        "",
        f"Date: {DATE}. Machine: {machine()}.",
        "Command: `.venv/bin/python bench/bench_analysis_groups.py`.",
        "",
    ]
    lines += [
        "| participants x comments | votes | runs | median fit (s) | min / max (s) | target |"
        " peak RSS (MB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, runs in ((10_000, 5), (100_000, 3)):
        values, truth = synthetic_votes(n)
        runs = 1 if args.quick else runs
        times = time_fit(values, runs)
        est = OpinionGroups(random_state=0).fit(values)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        med = statistics.median(times)
        ok = "ok" if med < TARGETS[n] else "MISSED"
        print(
            f"{n:>7} x 1000: median {med:.2f} s over {runs} runs (k={est.k_}, "
            f"agreement with planted groups {agreement_with_reference(est.labels_, truth):.3f})"
        )
        lines.append(
            f"| {n:,} x 1,000 | {values.nnz:,} | {runs} | {med:.2f} | "
            f"{min(times):.2f} / {max(times):.2f} | < {TARGETS[n]:.0f} s {ok} | {rss:.0f} |"
        )
    lines += [
        "",
        "Synthetic data: 5 planted opinion groups, ~7.5% of cells voted (15% of votes are "
        "passes), seed 0, passed as a sparse matrix. The fit covers PCA, projection, both "
        "k-means stages for k = 2-5, repness, consensus and divisive comments. The machine is "
        f"shared with other work: 1-minute load average {os.getloadavg()[0]:.2f} after the "
        "timings (2 cores).",
        "",
    ]

    if DATA.is_dir():
        lines += [
            "Agreement with Polis's own `group-id` (after matching group labels), defaults, "
            "seed 0, rejected comments excluded. Protocol: cluster the participants Polis "
            "clustered (`clustered=`, CLI `--polis-clustered`); for comparison, the min-votes "
            "rule alone (participants clustered by both are compared):",
            "",
            "| conversation | participants | compared | k (ours / Polis) | agreement |"
            " min-votes rule: compared | k | agreement | replay: k / agreement |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        table = agreement_table(replay=args.replay)
        for name, n_p, both, k, ref_k, agree, r_both, r_k, r_agree, replayed in table:
            flag = "" if agree >= 0.95 else " (below 0.95)"
            print(
                f"{name:40} {agree:.3f}  (k {k} vs {ref_k}, {both} compared); rule {r_agree:.3f}"
                f"; replay {replayed}"
            )
            lines.append(
                f"| {name} | {n_p} | {both} | {k} / {ref_k} | {agree:.3f}{flag} | {r_both} | "
                f"{r_k} | {r_agree:.3f} | {replayed} |"
            )
        lines += ["", BELOW_TARGET_NOTE, ""]
    if not args.quick:
        write_section("\n".join(lines) + "\n")
        print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
