"""Study: can 3 staff examples per seed theme lift guided accuracy on the *other* comments?

Run: nice -n 10 .venv/bin/python bench/study_theme_examples.py [--sets ev-scooter,long-term-care]
     [--seeds full,kw1,name] [--draws 6] [--per 3] [--part examples|keywords|spread]
     [--short full,clause,c20]

``--part keywords``: where literal keyword evidence names one seed (``guided.keyword_seeds``),
its precision against the centres', and accuracy with and without keyword precedence.
``--part spread``: the guided defaults (keyword precedence on) against a scalable label
spreading from the examples (``spread_examples`` below). ``--short`` cuts the comments to their
first clause or first N characters (``cN``), to see what short comments do to each method.

Each candidate method gets the same inputs as ``analysis.themes.guided.assign_seeds`` (the
comments' feature rows, the seed keyword vectors, the "other" threshold and the examples as
row -> seed) and returns a seed per row; the inputs are captured from a real guided fit. Two
protocols, accuracy always on the comments that are not examples: "misplaced" (the first three
comments per theme that seeds-only guidance put elsewhere, as staff would correct them) and
"random" (three random comments per theme, ``--draws`` draws: mean and sd of the gain over
seeds-only on the same comments). ``--seeds kw1`` / ``name`` weaken the seeds (first keyword
only / the name as the only keyword) to see whether a method helps where seeds say less. The
last table is the ceiling of the features themselves: a linear classifier trained on the true
labels of 80 % of the comments (5-fold). bench/RESULTS.md (issue 16) has the figures.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "unit" / "analysis"))

Assign = Callable[..., tuple[np.ndarray, np.ndarray]]


# -- capturing the guided inputs ---------------------------------------------------------------


def shorten(text: str, how: str) -> str:
    """A comment cut short: ``clause`` its first clause (up to the first ，。！？；,!?;),
    ``c20`` its first 20 characters; ``full`` as it is."""
    if how == "clause":
        return re.split(r"[，。！？；,!?;]", text, maxsplit=1)[0] or text
    if how.startswith("c"):
        return text[: int(how[1:])]
    return text


def capture(name: str, seeds_kind: str, short: str = "full") -> dict[str, Any]:
    """Fit guided mode once and keep what assign_seeds and example_rows were given."""
    from _data import SEED_CODES, SEEDS, load_labelled

    from analysis.segment import get_segmenter
    from analysis.themes import ThemeModel, guided
    from analysis.themes.features import _join

    ids, texts, labels, _ = load_labelled(name)
    texts = [shorten(t, short) for t in texts]
    seeds = json.loads((SEEDS / f"{name}.json").read_text(encoding="utf-8"))
    if seeds_kind == "kw1":
        seeds = [dict(s, keywords=s["keywords"][:1]) for s in seeds]
    elif seeds_kind == "name":
        seeds = [dict(s, keywords=[s["name"]]) for s in seeds]
    got: dict[str, Any] = {}
    assign, rows = guided.assign_seeds, guided.example_rows

    def spy_assign(
        x: Any, q: Any, thr: float, *, examples: Any = None, keyword_seed: Any = None
    ) -> Any:
        got.update(x=x, q=q, thr=thr, kw=keyword_seed)
        return assign(x, q, thr, examples=examples, keyword_seed=keyword_seed)

    def spy_rows(examples: Any, seeds_: Any, ids_: Any, dup: Any, row_of_group: Any) -> Any:
        got.update(dup=dup, row_of_group=dict(row_of_group))
        return rows(examples, seeds_, ids_, dup, row_of_group)

    features = ThemeModel._features

    def spy_features(self: Any, *a: Any) -> Any:
        out = features(self, *a)
        got["words"] = out[2].shape[1]  # x is [word columns | character columns]
        got["docs"] = [_join(d) for d in a[0]]  # the rows' canonical texts
        return out

    guided.assign_seeds, guided.example_rows = spy_assign, spy_rows  # type: ignore[assignment]
    ThemeModel._features = spy_features  # type: ignore[method-assign]
    try:
        toks = get_segmenter().tokens_many(texts)
        ThemeModel(seed_themes=seeds, random_state=0).fit(toks, ids=ids)
    finally:
        guided.assign_seeds, guided.example_rows = assign, rows  # type: ignore[assignment]
        ThemeModel._features = features  # type: ignore[method-assign]
    row = np.array([got["row_of_group"].get(int(g), -1) for g in got["dup"]])
    return {**got, "ids": ids, "labels": labels, "codes": SEED_CODES[name], "seeds": seeds,
            "row": row, "texts": texts}  # fmt: skip


# -- candidate methods -------------------------------------------------------------------------


def _examples(examples: dict[int, int] | None) -> tuple[np.ndarray, np.ndarray]:
    ex = dict(examples or {})
    rows = np.array(sorted(ex), dtype=np.int64)
    return rows, np.array([ex[r] for r in rows], dtype=np.int64)


def self_train(
    x: sp.csr_matrix, q: np.ndarray, thr: float, ex: tuple[np.ndarray, np.ndarray] | None = None,
    weight: float = 1.0, lam: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """guided.assign_seeds' self-training; with ``ex`` the examples are members of their seed
    in every round (constrained seeded k-means, Basu et al. 2002), each counted ``weight``."""
    er, es = ex if ex is not None else (np.empty(0, np.int64), np.empty(0, np.int64))
    sim = np.asarray(x @ q.T)
    labels = np.where(sim.max(axis=1) > 0, sim.argmax(axis=1), -1)
    labels[er] = es
    for _ in range(10):
        centres = []
        for s in range(len(q)):
            w = (labels == s).astype(float)
            w[er[es == s]] = weight
            c = np.asarray(x.T @ w).ravel() / max(w.sum(), 1e-9)
            centres.append(normalize(c[None, :]) + lam * q[s][None, :])
        sim = np.asarray(x @ normalize(np.vstack(centres)).T)
        new = np.where(sim.max(axis=1) >= thr, sim.argmax(axis=1), -1)
        new[er] = es
        if np.array_equal(new, labels):
            break
        labels = new
    return labels, sim


def _nearest_example(x: sp.csr_matrix, er: np.ndarray, es: np.ndarray, k: int) -> np.ndarray:
    near = np.asarray((x @ x[er].T).todense())
    near[er, np.arange(len(er))] = 0.0
    out = np.zeros((x.shape[0], k))
    for s in range(k):
        if (es == s).any():
            out[:, s] = near[:, es == s].max(axis=1)
    return out


def prototypes(beta: float, mode: str) -> Assign:
    """Each seed is its centre and its examples: score = centre similarity + (or max with)
    beta x the similarity to the seed's nearest example."""

    def run(x: Any, q: Any, thr: float, examples: Any = None) -> Any:
        labels, sim = self_train(x, q, thr)
        er, es = _examples(examples)
        if len(er):
            e = beta * _nearest_example(x, er, es, len(q))
            score = sim + e if mode == "sum" else np.maximum(sim, e)
            labels = np.where(score.max(axis=1) >= thr, score.argmax(axis=1), -1)
            labels[er] = es
        return labels, None

    return run


def constrained(weight: float) -> Assign:
    def run(x: Any, q: Any, thr: float, examples: Any = None) -> Any:
        return self_train(x, q, thr, _examples(examples), weight)[0], None

    return run


def expansion(w: float, m: int, words: int | None, distinct: bool) -> Assign:
    """Query expansion: the examples' ``m`` heaviest features (of the first ``words`` columns,
    the word terms; all columns when None), those in another seed's examples dropped when
    ``distinct``, added to the seed's keyword vector with weight ``w``."""

    def run(x: Any, q: Any, thr: float, examples: Any = None) -> Any:
        er, es = _examples(examples)
        q2 = q.copy()
        xe = x[er][:, :words].toarray() if len(er) else None
        for s in range(len(q)):
            if xe is None or not (es == s).any():
                continue
            score = xe[es == s].mean(axis=0)
            if distinct and (es != s).any():
                score[(xe[es != s] > 0).any(axis=0)] = 0
            keep = np.argsort(-score)[:m]
            keep = keep[score[keep] > 0]
            if len(keep):
                v = np.zeros(q.shape[1])
                v[keep] = score[keep] / np.linalg.norm(score[keep])
                q2[s] = q[s] / max(np.linalg.norm(q[s]), 1e-12) + w * v
        labels, _ = self_train(x, normalize(q2), thr)
        labels[er] = es
        return labels, None

    return run


def spreading(alpha: float, k: int = 10, weight: float = 5.0) -> Assign:
    """Label spreading (Zhou et al. 2004) over a symmetric k-nearest-neighbour cosine graph,
    from the self-trained labels, examples weighted ``weight``."""

    def run(x: Any, q: Any, thr: float, examples: Any = None) -> Any:
        labels, sim = self_train(x, q, thr)
        er, es = _examples(examples)
        if not len(er):
            return labels, None
        n, nk = sim.shape
        g = (x @ x.T).toarray()
        np.fill_diagonal(g, 0)
        nbr = np.argsort(-g, axis=1)[:, :k]
        w = np.zeros_like(g)
        r = np.repeat(np.arange(n), k)
        w[r, nbr.ravel()] = np.clip(g[r, nbr.ravel()], 0, None)
        w = np.maximum(w, w.T)
        d = np.sqrt(np.maximum(w.sum(axis=1), 1e-12))
        s = w / d[:, None] / d[None, :]
        y = np.zeros((n, nk))
        ok = labels >= 0
        y[np.flatnonzero(ok), labels[ok]] = 1.0
        y[er] = 0.0
        y[er, es] = weight
        f = y.copy()
        for _ in range(30):
            f = alpha * s @ f + (1 - alpha) * y
        out = np.where(ok, f.argmax(axis=1), -1)
        out[er] = es
        return out, None

    return run


def keyword_spreading(d: dict[str, Any], alpha: float) -> Assign:
    """scikit-learn's LabelSpreading (7-nearest-neighbour kernel) from the comments that name
    exactly one seed's keywords most (plain keyword match) plus the examples."""
    from sklearn.semi_supervised import LabelSpreading

    start = np.full(d["x"].shape[0], -1)
    for i, text in enumerate(d["texts"]):
        hits = np.array([sum(kw in text for kw in s["keywords"]) for s in d["seeds"]])
        if d["row"][i] >= 0 and hits.max() > 0 and (hits == hits.max()).sum() == 1:
            start[d["row"][i]] = int(hits.argmax())

    def run(x: Any, q: Any, thr: float, examples: Any = None) -> Any:
        labels, _ = self_train(x, q, thr)
        er, es = _examples(examples)
        if not len(er):
            return labels, None
        y = start.copy()
        y[er] = es
        with np.errstate(all="ignore"):
            spread = LabelSpreading(kernel="knn", alpha=alpha, max_iter=100).fit(x.toarray(), y)
        p = np.nan_to_num(spread.label_distributions_)
        out = np.where(labels >= 0, spread.classes_[p.argmax(axis=1)], -1)
        out[er] = es
        return out, None

    return run


def classifier(mix: float, weight: float) -> Assign:
    """A logistic regression on the self-trained labels plus the examples (each ``weight``),
    its probabilities mixed (``mix``) with the seed scores' softmax (temperature 0.05)."""
    from sklearn.linear_model import LogisticRegression

    def run(x: Any, q: Any, thr: float, examples: Any = None) -> Any:
        labels, sim = self_train(x, q, thr)
        er, es = _examples(examples)
        if not len(er):
            return labels, None
        e = np.exp((sim - sim.max(axis=1, keepdims=True)) / 0.05)
        p0 = e / e.sum(axis=1, keepdims=True)
        train = np.setdiff1d(np.flatnonzero(labels >= 0), er)
        clf = LogisticRegression(C=10, max_iter=2000).fit(
            sp.vstack([x[train], x[er]]),
            np.concatenate([labels[train], es]),
            sample_weight=np.concatenate([np.ones(len(train)), np.full(len(er), weight)]),
        )
        p1 = np.zeros_like(p0)
        p1[:, clf.classes_] = clf.predict_proba(x)
        out = np.where(labels >= 0, ((1 - mix) * p0 + mix * p1).argmax(axis=1), -1)
        out[er] = es
        return out, None

    return run


# -- scalable label spreading from the examples (the candidate of --part spread) ---------------

SPREAD = {
    "max_rows": 20000,  # graph rows: all of them up to this, else the rows nearest the examples
    "dims": 64,  # SVD dimensions the neighbours are searched in
    "k": 10,  # neighbours per row
    "alpha": 0.8,  # how much of a row's score comes from its neighbours
    "weight": 5.0,  # an example's start mass against a seed member's 1
    "steps": 30,
    "clamp": False,  # examples keep their start mass every step
    "unsure": 0.7,  # only rows whose seed confidence is below this may move
}


def spread_examples(
    x: sp.csr_matrix,
    labels: np.ndarray,
    conf: np.ndarray,
    ex_rows: np.ndarray,
    ex_seed: np.ndarray,
    n_seeds: int,
    keyword_seed: np.ndarray | None = None,
    **params: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Label spreading (Zhou et al. 2004) from the seeds' members and the staff examples
    (each ``weight``) over a symmetric ``k``-nearest-neighbour cosine
    graph in ``dims`` SVD dimensions of the rows; a row under a seed takes the seed its
    spread scores favour. Rows in "other" stay there, and so do rows placed by their keywords.
    The graph covers every row up to ``max_rows``; above, the rows most similar to the
    examples (an equal share each), which keeps it linear in the input: the examples' labels
    fade within a few steps of the graph anyway."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.neighbors import NearestNeighbors

    p = {**SPREAD, **params}

    n = x.shape[0]
    if n <= p["max_rows"]:
        nodes = np.arange(n)
    else:
        per = min(p["max_rows"] // len(ex_rows), n - 1)
        near = np.asarray((x[ex_rows] @ x.T).todense())
        top = np.argpartition(-near, per, axis=1)[:, :per]
        nodes = np.union1d(top.ravel(), ex_rows)
    m = len(nodes)
    k = min(p["k"], m - 1)
    dims = min(p["dims"], x.shape[1] - 1, m - 1)
    if k < 1 or dims < 1:
        return labels, conf
    z = TruncatedSVD(dims, random_state=0).fit_transform(x[nodes])
    z = normalize(z).astype(np.float32)
    dist, nbr = NearestNeighbors(n_neighbors=k + 1, algorithm="brute").fit(z).kneighbors(z)
    sim = np.clip(1.0 - dist[:, 1:] ** 2 / 2.0, 0.0, None)  # unit vectors: cosine
    w = sp.csr_matrix((sim.ravel(), (np.repeat(np.arange(m), k), nbr[:, 1:].ravel())), (m, m))
    w = w.maximum(w.T)
    d = 1.0 / np.sqrt(np.maximum(np.asarray(w.sum(axis=1)).ravel(), 1e-12))
    s = sp.diags(d) @ w @ sp.diags(d)
    own = labels[nodes]
    y = np.zeros((m, n_seeds))
    ok = own >= 0
    y[np.flatnonzero(ok), own[ok]] = 1.0
    at = np.searchsorted(nodes, ex_rows)
    y[at] = 0.0
    y[at, ex_seed] = p["weight"]
    f = y.copy()
    for _ in range(p["steps"]):
        f = p["alpha"] * (s @ f) + (1 - p["alpha"]) * y
        if p["clamp"]:
            f[at] = y[at]
    new = f.argmax(axis=1)
    move = ok & (new != own) & (conf[nodes] < p["unsure"])
    if keyword_seed is not None:
        move &= keyword_seed[nodes] < 0
    rows = nodes[move]
    labels = labels.copy()
    conf = conf.copy()
    labels[rows] = new[move]
    conf[rows] = f[move, new[move]] / np.maximum(f[move].sum(axis=1), 1e-12)
    return labels, conf


def spread_variant(d: dict[str, Any], **params: Any) -> Assign:
    """The guided defaults (keyword precedence on), then ``spread_examples`` when there are
    examples."""
    from analysis.themes import guided

    def run(x: Any, q: Any, thr: float, examples: Any = None) -> Any:
        labels, conf = guided.assign_seeds(x, q, thr, examples=examples, keyword_seed=d["kw"])
        er, es = _examples(examples)
        if not len(er):
            return labels, conf
        return spread_examples(x, labels, conf, er, es, len(q), d["kw"], **params)

    return run


def guided_variant(d: dict[str, Any], keywords: bool) -> Assign:
    """``guided.assign_seeds`` as the model calls it, with or without the keyword precedence
    captured from the fit (without: the method before it, for the older tables)."""
    from analysis.themes import guided

    def run(x: Any, q: Any, thr: float, examples: Any = None) -> Any:
        kw = d["kw"] if keywords else None
        return guided.assign_seeds(x, q, thr, examples=examples, keyword_seed=kw)

    return run


def spread_methods(d: dict[str, Any]) -> dict[str, Assign]:
    """The guided defaults (keyword precedence on) without and with label spreading."""
    return {
        "examples stay, near-copies follow (the default)": guided_variant(d, True),
        "sparse label spreading: 10-NN, 64 SVD dims, alpha 0.8, examples 5, unsure < 0.7": (
            spread_variant(d)
        ),
        "the same, examples weight 0 (smoothing alone)": spread_variant(d, weight=0.0),
        "the same, every row may move": spread_variant(d, unsure=2.0),
        "the same, examples clamped every step": spread_variant(d, clamp=True),
        "the same, alpha 0.5": spread_variant(d, alpha=0.5),
    }


def methods(d: dict[str, Any]) -> dict[str, Assign]:
    return {
        "current (stay + near-copies follow)": guided_variant(d, False),
        "constrained self-training, w 1": constrained(1.0),
        "constrained self-training, w 3": constrained(3.0),
        "prototypes, sum, beta 0.3": prototypes(0.3, "sum"),
        "prototypes, max, beta 0.7": prototypes(0.7, "max"),
        "expansion, all features, w 0.5": expansion(0.5, 20, None, True),
        "expansion, words, w 0.5, m 8": expansion(0.5, 8, d["words"], True),
        "label spreading, alpha 0.8": spreading(0.8),
        "keyword match + examples, LabelSpreading": keyword_spreading(d, 0.2),
        "classifier on self-labels + examples, mix 0.5": classifier(0.5, 5.0),
    }


# -- protocols ---------------------------------------------------------------------------------


def predict(d: dict[str, Any], assign: Assign, examples: dict[str, str]) -> list[str]:
    index = {s["name"]: i for i, s in enumerate(d["seeds"])}
    pos = {c: i for i, c in enumerate(d["ids"])}
    ex = {int(d["row"][pos[c]]): index[s] for c, s in examples.items() if d["row"][pos[c]] >= 0}
    q = d["q"].toarray() if sp.issparse(d["q"]) else d["q"]
    labels, _ = assign(d["x"], q, d["thr"], examples=ex)
    return [d["codes"][labels[r]] if r >= 0 and labels[r] >= 0 else "OFFTOPIC" for r in d["row"]]


def draws(d: dict[str, Any], base: list[str], per: int, n: int) -> list[dict[str, str]]:
    name_of = {c: s["name"] for s, c in zip(d["seeds"], d["codes"], strict=True)}
    ids, labels = d["ids"], d["labels"]
    out = [
        {
            c: name_of[code]
            for code in d["codes"]
            for c in [c for c, y, p in zip(ids, labels, base, strict=True) if y == code != p][:per]
        }
    ]
    rng = np.random.default_rng(1234)
    for _ in range(n):
        ex: dict[str, str] = {}
        for code in d["codes"]:
            pool = [c for c, y in zip(ids, labels, strict=True) if y == code]
            ex |= {str(c): name_of[code] for c in rng.choice(pool, min(per, len(pool)), False)}
        out.append(ex)
    return out


def study(name: str, seeds_kind: str, per: int, n: int, part: str = "examples",
          short: str = "full") -> None:  # fmt: skip
    d = capture(name, seeds_kind, short)
    keywords = part == "spread"
    seeds_only = guided_variant(d, keywords)
    base = predict(d, seeds_only, {})
    sets = draws(d, base, per, n)
    print(f"\n{name}, seeds {seeds_kind}, texts {short}, {per} examples per theme")
    print("| method | misplaced: accuracy (gain) | random: accuracy | random: gain, mean ± sd |")
    print("|---|---|---|---|")
    rows: dict[str, list[tuple[float, float]]] = {}
    table = spread_methods(d) if keywords else methods(d)
    for mname, assign in {"seeds only": seeds_only, **table}.items():
        for ex in sets:
            rest = [i for i, c in enumerate(d["ids"]) if c not in ex]
            pred = base if mname == "seeds only" else predict(d, assign, ex)
            a = float(np.mean([pred[i] == d["labels"][i] for i in rest]))
            a0 = float(np.mean([base[i] == d["labels"][i] for i in rest]))
            rows.setdefault(mname, []).append((a, a - a0))
        (m_acc, m_gain), *rnd = rows[mname]
        acc = [a for a, _ in rnd]
        gain = [g for _, g in rnd]
        print(
            f"| {mname} | {m_acc:.3f} ({m_gain:+.3f}) | {statistics.mean(acc):.3f} | "
            f"{statistics.mean(gain):+.3f} ± {statistics.stdev(gain):.3f} |"
        )


def keyword_table(name: str, seeds_kind: str, short: str) -> None:
    """Where a comment names one seed's keywords clearly more than any other's (the
    precedence rule of ``guided.keyword_seeds``): how often that seed is right, against the
    centres' choice on the same comments; and accuracy on all comments of keyword match, the
    centres alone, keyword precedence (the default) and precedence unless the centres are
    confident (softmax >= 0.9 / 0.99) of another seed."""
    d = capture(name, seeds_kind, short)
    truth, codes, row, kw = np.array(d["labels"]), d["codes"], d["row"], d["kw"]
    lab, conf = guided_variant(d, False)(d["x"], d["q"], d["thr"])

    def named(rowlab: np.ndarray) -> np.ndarray:
        return np.array(
            [codes[rowlab[r]] if r >= 0 and rowlab[r] >= 0 else "OFFTOPIC" for r in row]
        )

    def acc(rowlab: np.ndarray) -> str:
        return f"{float(np.mean(named(rowlab) == truth)):.3f}"

    from analysis.segment import get_segmenter, load_synonyms

    seg, syn = get_segmenter(), load_synonyms()
    kws = [{guided_join(seg.tokens(k), syn) or k for k in s["keywords"]} for s in d["seeds"]]
    hits = np.array([[sum(k in doc for k in ks) for ks in kws] for doc in d["docs"]])
    match = np.where(hits.max(axis=1) > 0, hits.argmax(axis=1), -1)
    on = np.array([r >= 0 and kw[r] >= 0 for r in row])
    prec = float(np.mean(named(kw)[on] == truth[on])) if on.any() else float("nan")
    model = float(np.mean(named(lab)[on] == truth[on])) if on.any() else float("nan")
    unless = [
        np.where((kw >= 0) & ~((conf >= c) & (lab >= 0) & (lab != kw)), kw, lab)
        for c in (0.9, 0.99)
    ]
    print(
        f"| {name} | {seeds_kind} | {short} | {on.mean():.2f} | {prec:.3f} | {model:.3f} "
        f"| {acc(match)} | {acc(lab)} | {acc(np.where(kw >= 0, kw, lab))} "
        f"| {acc(unless[0])} / {acc(unless[1])} |"
    )


def guided_join(tokens: list[str], synonyms: Any) -> str:
    from analysis.themes.features import _join

    return _join([synonyms.get(t, t) for t in tokens])


def ceiling(name: str) -> None:
    """A linear classifier on the same features, trained on the true labels (5-fold)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from analysis.themes import guided

    d = capture(name, "full")
    keep = np.flatnonzero(d["row"] >= 0)
    x, y = d["x"][d["row"][keep]], np.array(d["labels"])[keep]
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    pred = cross_val_predict(LogisticRegression(C=10, max_iter=2000), x, y, cv=cv)
    base = np.array(predict(d, guided.assign_seeds, {}))[keep]
    print(
        f"| {name} | {float(np.mean(base == y)):.3f} | {float(np.mean(pred == y)):.3f} "
        f"({len(keep)} comments) |"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="ev-scooter,long-term-care")
    ap.add_argument("--seeds", default="full,kw1,name")
    ap.add_argument("--draws", type=int, default=6)
    ap.add_argument("--per", type=int, default=3)
    ap.add_argument("--part", default="examples", choices=["examples", "keywords", "spread"])
    ap.add_argument("--short", default="full", help="full,clause,c20: texts cut short")
    args = ap.parse_args()
    if args.part == "keywords":
        print(
            "| set | seeds | texts | share with keyword precedence | precision there: keywords "
            "| centres | all: keyword match | centres | keyword precedence | unless centres "
            "≥ 0.9 / 0.99 |"
        )
        print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for name in args.sets.split(","):
            for short in args.short.split(","):
                for kind in args.seeds.split(","):
                    keyword_table(name, kind, short)
        return
    for name in args.sets.split(","):
        for short in args.short.split(","):
            for kind in args.seeds.split(","):
                study(name, kind, args.per, args.draws, args.part, short)
    if args.part == "spread":
        return
    print("\n| set | seeds only, all comments | logistic regression on 80 % true labels |")
    print("|---|---|---|")
    for name in args.sets.split(","):
        ceiling(name)


if __name__ == "__main__":
    main()
