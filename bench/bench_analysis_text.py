"""Benchmark: segmentation latency and themes at 10k / 100k / 300k comments.

Run: .venv/bin/python bench/bench_analysis_text.py [--sizes 10000,100000,300000]
Corpora are generated here by recombining clauses of the synthetic-zh and Polis comments (no
download). Themes are timed on pre-segmented tokens, as the web app stores them; each size runs in
a fresh subprocess so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))


def source_texts() -> list[str]:
    texts = []
    for path in sorted(DATA.glob("synthetic-zh/*/comments.csv")) + sorted(
        DATA.glob("polis-opendata/*/comments.csv")
    ):
        with path.open(encoding="utf-8", newline="") as f:
            texts += [r["comment-body"] for r in csv.DictReader(f) if r.get("comment-body")]
    return texts


def corpus(n: int, seed: int = 0) -> list[str]:
    """n synthetic comments: 1-3 clauses drawn from real/synthetic comments of one language."""
    rng = random.Random(seed)
    zh = [t for t in source_texts() if re.search(r"[\u4e00-\u9fff]", t)]
    other = [t for t in source_texts() if t not in zh]
    clauses_zh = [c for t in zh for c in re.split(r"[，。！？!?,]", t) if len(c) >= 4]
    clauses_ot = [c for t in other for c in re.split(r"[.!?;]", t) if len(c) >= 10]
    out = []
    for _ in range(n):
        pool, sep = (clauses_zh, "，") if rng.random() < 0.8 else (clauses_ot, ". ")
        out.append(sep.join(rng.choice(pool) for _ in range(rng.randint(1, 3))))
    return out


def bench_segment() -> dict[str, float]:
    from analysis.segment import get_segmenter

    t0 = time.perf_counter()
    seg = get_segmenter()
    load = time.perf_counter() - t0
    big = "".join(t for t in source_texts() if re.search(r"[\u4e00-\u9fff]", t))
    rng = random.Random(1)
    samples = []
    for _ in range(5000):
        i = rng.randrange(len(big) - 80)
        samples.append(big[i : i + 80])
    out: dict[str, float] = {"load_s": load}
    for name, fn in (("tokens", seg.tokens), ("cut", seg.cut)):
        times = []
        for s in samples:
            t = time.perf_counter()
            fn(s)
            times.append(time.perf_counter() - t)
        times.sort()
        out[f"{name}_p50_ms"] = statistics.median(times) * 1e3
        out[f"{name}_p99_ms"] = times[int(len(times) * 0.99)] * 1e3
    return out


def bench_themes_child(n: int) -> None:
    """Runs in a subprocess: segment a corpus (untimed), then time ThemeModel.fit on tokens."""
    from analysis.segment import get_segmenter
    from analysis.themes import ThemeModel

    seg = get_segmenter()
    texts = corpus(n)
    t = time.perf_counter()
    tokens = [seg.tokens(x) for x in texts]
    seg_s = time.perf_counter() - t
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    model = ThemeModel(random_state=0).fit(tokens)
    fit_s = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "n": n,
                "segment_s": seg_s,
                "fit_s": fit_s,
                "k": model.k_,
                "path": model.path_,
                "duplicates": len(model.duplicates_),
                "peak_rss_mb": rss / 1024,
                "rss_before_fit_mb": rss_before / 1024,
            }
        )
    )


def machine() -> str:
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = re.search(r"Model name:\s*(.+)", lscpu)
        cpu = model.group(1).strip() if model else platform.processor()
    except OSError:
        cpu = platform.processor()
    import os

    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {ram:.0f} GB RAM, Python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,300000")
    ap.add_argument("--child", type=int)
    args = ap.parse_args()
    if args.child:
        bench_themes_child(args.child)
        return
    print(f"machine: {machine()}")
    seg = bench_segment()
    print(f"dictionary load: {seg['load_s']:.2f} s")
    print("| op (80-char comment) | p50 ms | p99 ms |")
    print("|---|---:|---:|")
    for name in ("tokens", "cut"):
        print(f"| {name} | {seg[name + '_p50_ms']:.3f} | {seg[name + '_p99_ms']:.3f} |")
    print()
    print("| comments | themes fit s | path | k | peak RSS MB | (segmenting them, s) |")
    print("|---:|---:|---|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",")):
        res = subprocess.run(
            [sys.executable, __file__, "--child", str(n)], capture_output=True, text=True
        )
        if res.returncode:
            print(f"| {n} | failed: {res.stderr.strip().splitlines()[-1]} |")
            continue
        r = json.loads(res.stdout.strip().splitlines()[-1])
        print(
            f"| {n:,} | {r['fit_s']:.2f} | {r['path']} | {r['k']} | {r['peak_rss_mb']:.0f} | "
            f"{r['segment_s']:.1f} |"
        )


if __name__ == "__main__":
    main()
