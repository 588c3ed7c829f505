"""Focus-group lottery: 12 seats from 2,000 volunteers with 6 categories (25 features).

Target (issue 18): under 10 s with the default algorithm (maximin) and solver (HiGHS).
Run: .venv/bin/python bench/bench_focus.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--pool", type=int, default=2000)
    parser.add_argument("--size", type=int, default=12)
    parser.add_argument("--algorithm", default=lottery.DEFAULT_ALGORITHM)
    args = parser.parse_args()
    pool = make_pool(args.pool)
    quotas = make_quotas(args.size)
    times = []
    for run in range(args.runs):
        start = time.perf_counter()
        result = lottery.draw(pool, quotas, args.size, seed=42 + run, algorithm=args.algorithm)
        times.append(time.perf_counter() - start)
        probabilities = result.probabilities.values()
        print(
            f"run {run + 1}: {times[-1]:.2f} s, panel {len(result.panel)}, "
            f"min probability {min(probabilities):.4f}, zero {sum(p <= 0 for p in probabilities)}"
        )
    features = sum(len(v) for v in CATEGORIES.values())
    print(
        f"{args.size} from {args.pool} ({len(CATEGORIES)} categories, {features} features), "
        f"{result.algorithm} on {lottery.SOLVER}, {lottery.PACKAGE} {lottery.package_version()}: "
        f"median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}); "
        f"load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
