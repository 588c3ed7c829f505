"""Benchmark: segmentation latency and themes at 10k / 100k / 300k comments.

Run: .venv/bin/python bench/bench_analysis_text.py [--sizes 10000,100000,300000] [--repeat 3]
     .venv/bin/python bench/bench_analysis_text.py --quality
Corpora are generated here by recombining clauses of the synthetic-zh and Polis comments (no
download). Themes are timed on pre-segmented tokens, as the web app stores them; each size and
repeat runs in a fresh subprocess so its peak RSS is its own; the table shows medians of wall
and CPU time (CPU time moves less when other work shares the machine).
``--quality`` scores the themes against the labelled synthetic-zh sets (AMI, 5 random states) and
reports how much the automatic themes change with the random state on every set (label-free).
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
from typing import Any

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
    # bulk: tokens_many over whole comments (rjieba when installed), against one at a time
    import analysis.segment as segment_mod

    comments = source_texts() * 5
    out["bulk_n"] = len(comments)
    out["bulk_engine"] = seg.bulk_engine
    for label, engine in (("jieba", None), ("bulk", segment_mod.rjieba)):
        if engine is None and label == "bulk":
            continue
        saved = segment_mod.rjieba
        segment_mod.rjieba = engine
        fresh = segment_mod.Segmenter().load()
        fresh.tokens_many(comments[:10])  # builds the jieba-rs copy, timed separately below
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            fresh.tokens_many(comments)
            runs.append(time.perf_counter() - t)
        segment_mod.rjieba = saved
        out[f"{label}_s"] = statistics.median(runs)
    if segment_mod.rjieba is not None:
        t = time.perf_counter()
        segment_mod.Segmenter().load().tokens_many(["x"])
        out["bulk_build_s"] = time.perf_counter() - t
    return out


def bench_themes_child(n: int) -> None:
    """Runs in a subprocess: segment a corpus (untimed), then time ThemeModel.fit on tokens."""
    from analysis.segment import Segmenter
    from analysis.themes import ThemeModel

    seg = Segmenter()
    texts = corpus(n)
    t = time.perf_counter()
    tokens = seg.tokens_many(texts)
    seg_s = time.perf_counter() - t
    del seg  # and its jieba-rs dictionary copy: the memory figures are the fit's
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    c = time.process_time()
    model = ThemeModel(random_state=0).fit(tokens)
    fit_s = time.perf_counter() - t
    fit_cpu_s = time.process_time() - c  # less sensitive than wall time to other load
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "n": n,
                "segment_s": seg_s,
                "fit_s": fit_s,
                "fit_cpu_s": fit_cpu_s,
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
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", type=int)
    ap.add_argument("--quality", action="store_true")
    args = ap.parse_args()
    if args.child:
        bench_themes_child(args.child)
        return
    if args.quality:
        bench_quality()
        return
    print(f"machine: {machine()}")
    seg = bench_segment()
    print(f"dictionary load: {seg['load_s']:.2f} s")
    print("| op (80-char comment) | p50 ms | p99 ms |")
    print("|---|---:|---:|")
    for name in ("tokens", "cut"):
        print(f"| {name} | {seg[name + '_p50_ms']:.3f} | {seg[name + '_p99_ms']:.3f} |")
    print()
    n = seg["bulk_n"]
    line = f"bulk tokens_many, {n:,} comments (median of 3): jieba {seg['jieba_s']:.2f} s"
    if "bulk_s" in seg:
        line += (
            f", rjieba {seg['bulk_s']:.2f} s ({seg['jieba_s'] / seg['bulk_s']:.1f}x; "
            f"building its dictionary copy {seg['bulk_build_s']:.2f} s once per process)"
        )
    print(line)
    print()
    print(
        "| comments | fit s (median) | fit s (runs) | fit CPU s (median) | path | k | peak RSS MB "
        "| RSS before fit MB | (segmenting them in bulk, s) |"
    )
    print("|---:|---:|---|---:|---|---:|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",")):
        runs = []
        for _ in range(args.repeat):
            res = subprocess.run(
                [sys.executable, __file__, "--child", str(n)], capture_output=True, text=True
            )
            if res.returncode:
                print(f"| {n} | failed: {res.stderr.strip().splitlines()[-1]} |")
                break
            runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
        if not runs:
            continue
        r = runs[0]
        med = statistics.median
        each = " / ".join(f"{x['fit_s']:.2f}" for x in runs)
        print(
            f"| {n:,} | {med(x['fit_s'] for x in runs):.2f} | "
            f"{each} | {med(x['fit_cpu_s'] for x in runs):.2f} | {r['path']} | {r['k']} | "
            f"{med(x['peak_rss_mb'] for x in runs):.0f} | "
            f"{med(x['rss_before_fit_mb'] for x in runs):.0f} | "
            f"{med(x['segment_s'] for x in runs):.1f} |"
        )


def bench_quality(states: int = 5) -> None:
    """AMI against the primary theme labels of the synthetic-zh sets (mean +- sd over
    ``states`` random states): unguided with automatic k and with k = 8, guided AMI and
    accuracy (a comment counts right when its seed is its primary theme; off-topic when it
    lands in "other")."""
    from sklearn.metrics import adjusted_mutual_info_score as ami

    from analysis.segment import get_segmenter
    from analysis.themes import ThemeModel

    sys.path.insert(0, str(ROOT / "tests" / "unit" / "analysis"))
    from _data import SEED_CODES, SEEDS, load_labelled

    seg = get_segmenter()

    def ms(v: list[float]) -> str:
        return f"{statistics.mean(v):.3f} ± {statistics.stdev(v):.3f}"

    print("| set | unguided, auto k | chosen k | unguided, k = 8 | guided AMI | guided accuracy |")
    print("|---|---|---|---|---|---|")
    for name, codes in SEED_CODES.items():
        ids, texts, labels, _ = load_labelled(name)
        toks = [seg.tokens(t) for t in texts]
        seeds = json.loads((SEEDS / f"{name}.json").read_text(encoding="utf-8"))
        by_name = {s["name"]: c for s, c in zip(seeds, codes, strict=True)}
        auto, ks, fixed, guided, acc = [], [], [], [], []
        for rs in range(states):
            m = ThemeModel(random_state=rs).fit(toks, ids=ids)
            auto.append(ami(labels, m.labels_))
            ks.append(m.k_)
            fixed.append(ami(labels, ThemeModel(8, random_state=rs).fit(toks, ids=ids).labels_))
            g = ThemeModel(seed_themes=seeds, random_state=rs).fit(toks, ids=ids)
            guided.append(ami(labels, g.labels_))
            pred = [
                by_name[g.themes_[t].seed] if t >= 0 and g.themes_[t].seed else "OFFTOPIC"
                for t in g.labels_
            ]
            acc.append(sum(p == q for p, q in zip(pred, labels, strict=True)) / len(labels))
        print(
            f"| {name} ({len(ids)}) | {ms(auto)} | {min(ks)}-{max(ks)} | {ms(fixed)} | "
            f"{ms(guided)} | {ms(acc)} |"
        )
    print()
    seed_agreement(seg, states)


def seed_agreement(seg: Any, states: int) -> None:
    """Label-free: how much the automatic themes depend on the random state. Per set, the chosen
    k for each random state and the mean pairwise AMI between the runs' theme labels (1.0: the
    same themes whatever the seed), on the labelled sets and every Polis conversation."""
    import itertools

    from sklearn.metrics import adjusted_mutual_info_score as ami

    from analysis.polis import read_comments
    from analysis.themes import ThemeModel

    sets = []
    for path in sorted(DATA.glob("synthetic-zh/*/comments.csv")) + sorted(
        DATA.glob("polis-opendata/*/comments.csv")
    ):
        comments = read_comments(path)
        sets.append((path.parent.name, [c.id for c in comments], [c.text for c in comments]))
    print(f"| set | comments | chosen k, random states 0-{states - 1} | agreement between states |")
    print("|---|---:|---|---:|")
    means = []
    for name, ids, texts in sets:
        toks = [seg.tokens(t) for t in texts]
        fits = [ThemeModel(random_state=rs).fit(toks, ids=ids) for rs in range(states)]
        pairs = [ami(a.labels_, b.labels_) for a, b in itertools.combinations(fits, 2)]
        means.append(statistics.mean(pairs))
        ks = ", ".join(str(m.k_) for m in fits)
        print(f"| {name} | {len(ids)} | {ks} | {means[-1]:.3f} |")
    print(f"| mean | | | {statistics.mean(means):.3f} |")


if __name__ == "__main__":
    main()
