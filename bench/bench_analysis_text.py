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
# ../shared/data next to the repository (a worktree one level deeper: ../../shared/data),
# else the vendored copies in tests/data
DATA = next(
    (
        p
        for p in (ROOT.parent / "shared" / "data", ROOT.parents[1] / "shared" / "data")
        if p.exists()
    ),
    ROOT / "tests" / "data",
)
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


def bench_guided_child(n: int) -> None:
    """Runs in a subprocess: a guided fit (the ev-scooter seeds) on n generated comments; the
    CPU time of the keyword precedence (``guided.keyword_seeds``, part of every guided fit) and
    of the label-spreading candidate of bench/study_theme_examples.py with 3 examples for each
    of the 8 seeds, and the spreading's peak of traced memory."""
    import tracemalloc

    import numpy as np
    from threadpoolctl import threadpool_limits

    from analysis.segment import Segmenter
    from analysis.themes import ThemeModel, guided

    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT / "tests" / "unit" / "analysis"))
    from _data import SEEDS
    from study_theme_examples import spread_examples

    seeds = json.loads((SEEDS / "ev-scooter.json").read_text(encoding="utf-8"))
    tokens = Segmenter().tokens_many(corpus(n))
    got: dict[str, Any] = {}
    assign, kw_seeds = guided.assign_seeds, guided.keyword_seeds

    def spy_assign(x: Any, q: Any, thr: float, **kw: Any) -> Any:
        got.update(x=x, q=q, thr=thr, kw=kw["keyword_seed"])
        out = assign(x, q, thr, **kw)
        got.update(labels=out[0], conf=out[1])
        return out

    def spy_kw(*a: Any, **kw: Any) -> Any:
        c = time.process_time()
        out = kw_seeds(*a, **kw)
        got["keyword_cpu_s"] = time.process_time() - c
        return out

    guided.assign_seeds, guided.keyword_seeds = spy_assign, spy_kw  # type: ignore[assignment]
    c = time.process_time()
    ThemeModel(seed_themes=seeds, random_state=0).fit(tokens)
    fit_cpu = time.process_time() - c
    rows = got["x"].shape[0]
    ex_rows = np.sort(np.random.default_rng(0).choice(rows, 24, replace=False))
    ex_seed = np.arange(24) % len(seeds)
    tracemalloc.start()
    c = time.process_time()
    with threadpool_limits(limits=1, user_api="blas"):  # as inside ThemeModel.fit
        spread_examples(
            got["x"], got["labels"], got["conf"], ex_rows, ex_seed, len(seeds), got["kw"]
        )
    spread_cpu = time.process_time() - c
    peak = tracemalloc.get_traced_memory()[1]
    print(
        json.dumps(
            {
                "n": n,
                "rows": rows,
                "guided_fit_cpu_s": fit_cpu,
                "keyword_cpu_s": got["keyword_cpu_s"],
                "keyword_share": float(np.mean(got["kw"] >= 0)),
                "spread_cpu_s": spread_cpu,
                "spread_peak_mb": peak / 2**20,
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
    ap.add_argument("--guided-child", type=int)
    ap.add_argument(
        "--guided", action="store_true", help="the guided extras' cost at --sizes (issue 16)"
    )
    ap.add_argument("--quality", action="store_true")
    ap.add_argument("--states", type=int, default=5, help="random states for --quality")
    args = ap.parse_args()
    if args.child:
        bench_themes_child(args.child)
        return
    if args.guided_child:
        bench_guided_child(args.guided_child)
        return
    if args.guided:
        print("| comments | rows | guided fit CPU s | keyword precedence CPU s (share placed) "
              "| label spreading, 24 examples: CPU s | its traced peak MB |")  # fmt: skip
        print("|---:|---:|---:|---:|---:|---:|")
        for n in (int(s) for s in args.sizes.split(",")):
            res = subprocess.run(
                [sys.executable, __file__, "--guided-child", str(n)], capture_output=True, text=True
            )
            if res.returncode:
                print(f"| {n} | failed: {res.stderr.strip().splitlines()[-1]} |")
                continue
            r = json.loads(res.stdout.strip().splitlines()[-1])
            print(
                f"| {n:,} | {r['rows']:,} | {r['guided_fit_cpu_s']:.2f} | "
                f"{r['keyword_cpu_s']:.2f} ({r['keyword_share']:.2f}) | {r['spread_cpu_s']:.2f} "
                f"| {r['spread_peak_mb']:.0f} |"
            )
        return
    if args.quality:
        bench_quality(args.states)
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
    staff_quality(seg)
    print()
    seed_agreement(seg, states)


RANDOM_DRAWS = 5  # draws of random examples in the staff-facing table

# the filler staff found in labels and keyword lists (issue 16): counted as function words by
# the judge below, which is independent of the analysis package's own Vocabulary
ISSUE_FILLER = frozenset(["不然", "公里", "一天", "一個", "有關", "相關", "什麼", "進行"])
FUNCTION_FLAGS = frozenset(
    [
        "m",
        "q",
        "mq",
        "r",
        "rr",
        "rz",
        "c",
        "d",
        "p",
        "u",
        "uj",
        "ul",
        "y",
        "e",
        "o",
        "f",
        "M",
        "C",
        "ADV",
        "DET",
        "P",
        "T",
        "POST",
        "ASP",
        "DE",
        "SHI",
    ]
)
_JUDGE_TK: list[Any] = []


def _judge_tokenizer() -> Any:
    """A fresh jieba.Tokenizer on the zh-TW dictionary (not the analysis package's instance,
    nor its policy words), so that the judge splits and tags words independently."""
    if not _JUDGE_TK:
        import jieba

        from analysis.segment import traditional_dictionary

        path = traditional_dictionary()
        _JUDGE_TK.append(jieba.Tokenizer(str(path)) if path else jieba.Tokenizer())
    return _JUDGE_TK[0]


def _judge() -> Any:
    """is_function(word): stop word, issue filler or a function part of speech in the zh-TW
    dictionary (`_judge_tokenizer`, independent of the analysis package's Vocabulary)."""
    import jieba.posseg

    from analysis.segment import load_stopwords

    pos = jieba.posseg.POSTokenizer(_judge_tokenizer())
    stop = load_stopwords()

    def is_function(word: str) -> bool:
        w = word.strip().casefold()
        if w in stop or w in ISSUE_FILLER:
            return True
        if not re.search(r"[\u4e00-\u9fff]", w):
            return False
        parts = pos.lcut(w, HMM=False)
        return parts[0].flag in FUNCTION_FLAGS or parts[-1].flag in FUNCTION_FLAGS

    return is_function


def _words(text: str) -> list[str]:
    tk = _judge_tokenizer()
    return [w for w in tk.lcut(text.replace(" · ", " "), HMM=False) if w.strip(" ·")]


def naive_themes(texts: list[str], k: int, rs: int) -> dict[str, Any]:
    """The naive pipeline: jieba's stock dictionary + TF-IDF + k-means with the true k; labels
    and keywords the centroid's top terms, quotes the comments nearest the centroid."""
    import jieba
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    tk = jieba.Tokenizer()
    vec = TfidfVectorizer(
        tokenizer=lambda t: tk.lcut(t, HMM=False), token_pattern=None, lowercase=True
    )
    x = vec.fit_transform(texts)
    km = KMeans(k, n_init=3, random_state=rs).fit(x)
    terms = np.array(vec.get_feature_names_out())
    themes = []
    for t in range(k):
        top = [str(w) for w in terms[np.argsort(-km.cluster_centers_[t])] if str(w).strip()][:8]
        mem = np.flatnonzero(km.labels_ == t)
        d = np.asarray(x[mem] @ km.cluster_centers_[t]).ravel()
        themes.append(
            {
                "label": " · ".join(top[:3]),
                "keywords": top,
                "members": mem.tolist(),
                "quotes": mem[np.argsort(-d)][:5].tolist(),
            }
        )
    return {"labels": km.labels_, "themes": themes, "x": x, "vec": vec}


def _purity(themes: list[dict[str, Any]], labels: list[str]) -> float:
    pure = total = 0
    for t in themes:
        votes = [labels[i] for i in t["members"]]
        if not votes:
            continue
        major = max(set(votes), key=votes.count)
        pure += sum(labels[i] == major for i in t["quotes"])
        total += len(t["quotes"])
    return pure / max(total, 1)


def _function_rate(themes: list[dict[str, Any]], is_function: Any) -> tuple[float, float]:
    lab = [w for t in themes for w in _words(t["label"])]
    kw = [w for t in themes for k in t["keywords"] for w in _words(k)]
    rate = lambda ws: sum(map(is_function, ws)) / max(len(ws), 1)  # noqa: E731
    return rate(lab), rate(kw)


def staff_quality(seg: Any, examples_per_theme: int = 3) -> None:
    """What staff read, ours beside the naive pipeline in the same run (random state 0):
    unguided AMI, guided accuracy with seeds only and with 3 examples per theme (the first
    three misplaced by seeds-only guidance, as staff would correct them; and, ``RANDOM_DRAWS``
    times, three drawn at random; accuracy counted on the other comments), quote purity, and the function-word rate of labels and keywords.
    Naive guided = plain keyword match (most seed keywords in the text; none: off-topic);
    naive + examples = keyword hits plus cosine to the nearest example of each seed."""
    import numpy as np
    from sklearn.metrics import adjusted_mutual_info_score as ami

    from analysis.themes import ThemeModel

    sys.path.insert(0, str(ROOT / "tests" / "unit" / "analysis"))
    from _data import SEED_CODES, SEEDS, load_labelled

    is_function = _judge()
    print(
        "| set | unguided AMI | guided acc., seeds | guided acc., seeds + 3 examples/theme "
        f"| guided acc., seeds → seeds + 3 random examples/theme ({RANDOM_DRAWS} draws) "
        "| quote purity, auto k; true k | function words, labels | function words, keywords |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, codes in SEED_CODES.items():
        ids, texts, labels, votes = load_labelled(name)
        toks = seg.tokens_many(texts)
        k = len(set(labels))
        seeds = json.loads((SEEDS / f"{name}.json").read_text(encoding="utf-8"))
        by_name = {s["name"]: c for s, c in zip(seeds, codes, strict=True)}
        ours = ThemeModel(random_state=0).fit(toks, ids=ids, texts=texts, votes=votes)
        pos = {c: i for i, c in enumerate(ids)}
        o_themes = [
            {
                "label": t.label,
                "keywords": t.keywords,
                "members": [pos[c] for c in t.comment_ids],
                "quotes": [pos[c] for c in t.representative_ids],
            }
            for t in ours.themes_
        ]
        naive = naive_themes(texts, k, 0)
        at_k = ThemeModel(k, random_state=0).fit(toks, ids=ids, texts=texts, votes=votes)
        k_themes = [
            {
                "members": [pos[c] for c in t.comment_ids],
                "quotes": [pos[c] for c in t.representative_ids],
            }
            for t in at_k.themes_
        ]

        def pred_of(m: Any, by_name: dict[str, str] = by_name) -> list[str]:
            return [
                by_name[m.themes_[t].seed] if t >= 0 and m.themes_[t].seed else "OFFTOPIC"
                for t in m.labels_
            ]

        g0 = ThemeModel(seed_themes=seeds, random_state=0).fit(toks, ids=ids)
        p0 = pred_of(g0)
        name_of = {c: s["name"] for s, c in zip(seeds, codes, strict=True)}
        examples: dict[str, str] = {}
        for code in codes:
            wrong = [c for c, y, p in zip(ids, labels, p0, strict=True) if y == code != p]
            examples |= {c: name_of[code] for c in wrong[:examples_per_theme]}
        g1 = ThemeModel(seed_themes=seeds, examples=examples, random_state=0).fit(toks, ids=ids)
        p1 = pred_of(g1)
        rest = [i for i, c in enumerate(ids) if c not in examples]

        def acc(pred: list[str], labels: list[str] = labels, rest: list[int] = rest) -> float:
            return float(np.mean([pred[i] == labels[i] for i in rest]))

        # the same with examples drawn at random (typical comments, not only the hard ones):
        # accuracy on the other comments, seeds only and with the examples, over several draws
        rng = np.random.default_rng(1234)
        r_base, r_with = [], []
        for _ in range(RANDOM_DRAWS):
            drawn: dict[str, str] = {}
            for code in codes:
                pool = [c for c, y in zip(ids, labels, strict=True) if y == code]
                picked = rng.choice(pool, min(examples_per_theme, len(pool)), replace=False)
                drawn |= {str(c): name_of[code] for c in picked}
            others = [i for i, c in enumerate(ids) if c not in drawn]
            g2 = ThemeModel(seed_themes=seeds, examples=drawn, random_state=0).fit(toks, ids=ids)
            r_base.append(acc(p0, rest=others))
            r_with.append(acc(pred_of(g2), rest=others))
        gains = [b - a for a, b in zip(r_base, r_with, strict=True)]
        random_cell = (
            f"{statistics.mean(r_base):.3f} → {statistics.mean(r_with):.3f} "
            f"(gain {statistics.mean(gains):+.3f} ± {statistics.stdev(gains):.3f})"
        )

        # naive guided: plain keyword match, then + nearest example
        hits = np.array(
            [[sum(kw in t for kw in s["keywords"]) for s in seeds] for t in texts], dtype=float
        )
        k0 = [codes[int(h.argmax())] if h.max() > 0 else "OFFTOPIC" for h in hits]
        x = naive["x"]
        near = np.zeros_like(hits)
        for j, s in enumerate(seeds):
            rows = [pos[c] for c, n in examples.items() if n == s["name"]]
            if rows:
                near[:, j] = np.asarray((x @ x[rows].T).max(axis=1).todense()).ravel()
        score = hits + near
        k1 = [codes[int(h.argmax())] if h.max() > 0 else "OFFTOPIC" for h in score]
        fo, fn = _function_rate(o_themes, is_function), _function_rate(naive["themes"], is_function)
        print(
            f"| {name} | {ami(labels, ours.labels_):.3f} (naive {ami(labels, naive['labels']):.3f})"
            f" | {acc(p0):.3f} (keyword match {acc(k0):.3f})"
            f" | {acc(p1):.3f} (keyword match + examples {acc(k1):.3f})"
            f" | {random_cell}"
            f" | {_purity(o_themes, labels):.3f}; at k = {k}: {_purity(k_themes, labels):.3f}"
            f" (naive {_purity(naive['themes'], labels):.3f})"
            f" | {fo[0]:.3f} (naive {fn[0]:.3f}) | {fo[1]:.3f} (naive {fn[1]:.3f}) |"
        )
    # Polis conversations (no theme labels): the function-word rate only
    from analysis.polis import read_comments

    for path in sorted(DATA.glob("polis-opendata/*/comments.csv")):
        comments = read_comments(path)
        texts = [c.text for c in comments]
        ours = ThemeModel(random_state=0).fit(
            seg.tokens_many(texts), ids=[c.id for c in comments], texts=texts
        )
        o_themes = [{"label": t.label, "keywords": t.keywords} for t in ours.themes_]
        naive = naive_themes(texts, max(ours.k_, 2), 0)
        fo, fn = _function_rate(o_themes, is_function), _function_rate(naive["themes"], is_function)
        print(
            f"| {path.parent.name} | | | | | | {fo[0]:.3f} (naive {fn[0]:.3f}) "
            f"| {fo[1]:.3f} (naive {fn[1]:.3f}) |"
        )


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
