"""Focus-group lottery: 12 seats from 2,000 volunteers with 6 categories (25 features).

Target (issue 18): under 10 s with the default algorithm (maximin) and solver (HiGHS).
Run: nice -n 10 .venv/bin/python bench/bench_focus.py [--pool 300] [--runs 1] [--algorithm A]
     [--phases] [--single-solve]

--algorithm maximin | nash | leximin go through deliberation.focus_groups.lottery.draw (the
production path: feasibility check, then the draw in a child process). legacy is the package's
fast greedy algorithm, called directly (measurement only: the app does not offer it). The
package's diversimax needs its optional "diversimax" dependencies, which are not installed.
--phases prints where maximin's time goes (the package's multiplicative-weights phase vs the
rest), by timing the package's own functions (in this process, PYTHONHASHSEED=0).
--single-solve measures an experiment, not the app: the package's HiGHS adapter sets each
objective with highspy's maximize()/minimize(), which solve the model, and then solves it again
in optimize(); the flag sets the objective without solving (highspy setObjective) to show what
that double solve costs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deliberation.focus_groups import lottery

CATEGORIES = {
    "age_band": ["18-24", "25-34", "35-49", "50-64", "65+"],
    "gender": ["女", "男", "其他"],
    "region": ["北部", "中部", "南部", "東部", "離島", "海外"],
    "occupation": ["學生", "受僱", "自營", "公教", "無業或退休"],
    "education": ["高中以下", "大專", "研究所"],
    "affected": ["直接受影響", "間接受影響", "不受影響"],
}
# Rough shares of a population: later features rarer, so the quotas bind.
WEIGHTS = {
    name: [len(values) - i for i in range(len(values))] for name, values in CATEGORIES.items()
}
APP_ALGORITHMS = lottery.ALGORITHMS
PACKAGE_ONLY = ("legacy",)


def make_pool(n: int, seed: int = 0) -> dict[str, dict[str, str]]:
    rng = random.Random(seed)
    return {
        f"v{i:05d}": {c: rng.choices(v, WEIGHTS[c])[0] for c, v in CATEGORIES.items()}
        for i in range(n)
    }


def make_quotas(size: int) -> list[lottery.Quota]:
    quotas = []
    for category, values in CATEGORIES.items():
        for i, value in enumerate(values):
            low = 1 if i < 2 else 0
            quotas.append(lottery.Quota(category, value, low, max(2, size // 2)))
    return quotas


def single_solve() -> None:
    """The experiment of --single-solve: set the objective without solving."""
    import highspy
    from sortition_algorithms.committee_generation import solver
    from sortition_algorithms.committee_generation.solver import SolverSense

    def set_objective(self: Any, expr: Any, sense: Any) -> None:
        self._objective_sense = sense
        kind = (
            highspy.ObjSense.kMaximize
            if sense == SolverSense.MAXIMIZE
            else highspy.ObjSense.kMinimize
        )
        self._h.setObjective(expr, kind)

    solver.HighsSolver.set_objective = set_objective  # type: ignore[method-assign]


def time_phases() -> dict[str, float]:
    """Wrap the package's committee-generation phases to time them (no behaviour change)."""
    from sortition_algorithms.committee_generation import common

    spent: dict[str, float] = {}

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

        return wrapper

    common._run_multiplicative_weights_phase = timed(  # type: ignore[assignment]
        "multiplicative weights (one ILP per volunteer)", common._run_multiplicative_weights_phase
    )
    common._find_committees_for_uncovered_agents = timed(  # type: ignore[assignment]
        "covering volunteers not yet in a committee", common._find_committees_for_uncovered_agents
    )
    return spent


def package_draw(pool: dict[str, dict[str, str]], quotas: list[lottery.Quota], size: int,
                 seed: int, algorithm: str) -> list[str]:  # fmt: skip
    from sortition_algorithms.committee_generation.legacy import find_random_sample_legacy
    from sortition_algorithms.utils import set_random_provider

    fc = lottery.feature_collection(quotas)
    people = lottery.people_of(pool, fc)
    set_random_provider(seed)
    committees, _ = find_random_sample_legacy(people, fc, size, [], max_attempts=100)
    return sorted(committees[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--pool", type=int, default=2000)
    parser.add_argument("--size", type=int, default=12)
    parser.add_argument("--algorithm", default=lottery.DEFAULT_ALGORITHM,
                        choices=APP_ALGORITHMS + PACKAGE_ONLY)  # fmt: skip
    parser.add_argument("--phases", action="store_true")
    parser.add_argument("--single-solve", action="store_true")
    args = parser.parse_args()
    pool = make_pool(args.pool)
    quotas = make_quotas(args.size)
    in_process = args.phases or args.single_solve or args.algorithm in PACKAGE_ONLY
    if in_process:
        os.environ["PYTHONHASHSEED"] = "0"  # lottery.draw then runs here, not in a child
    spent = time_phases() if args.phases else {}
    if args.single_solve:
        single_solve()
    times = []
    for run in range(args.runs):
        start = time.perf_counter()
        if args.algorithm in PACKAGE_ONLY:
            panel = package_draw(pool, quotas, args.size, 42 + run, args.algorithm)
            detail = "no selection probabilities (the package computes none for this algorithm)"
        else:
            result = lottery.draw(pool, quotas, args.size, seed=42 + run, algorithm=args.algorithm)
            panel = result.panel
            probabilities = result.probabilities.values()
            detail = (
                f"min probability {min(probabilities):.4f} (ceiling {args.size / args.pool:.4f}), "
                f"zero {sum(p <= 0 for p in probabilities)}"
            )
        times.append(time.perf_counter() - start)
        print(f"run {run + 1}: {times[-1]:.2f} s, panel {len(panel)}, {detail}", flush=True)
    for name, seconds in spent.items():
        print(f"  phase {name}: {seconds:.2f} s ({seconds / times[-1]:.0%} of the last run)")
    features = sum(len(v) for v in CATEGORIES.values())
    print(
        f"{args.size} from {args.pool} ({len(CATEGORIES)} categories, {features} features), "
        f"{args.algorithm} on {lottery.SOLVER}{' (single solve)' if args.single_solve else ''}, "
        f"{lottery.PACKAGE} {lottery.package_version()}: median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}); load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
