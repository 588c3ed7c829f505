"""Guided mode: seed themes (a name and keywords each) as vectors in the comments' feature space,
their centres refined by self-training, each comment assigned to the nearest seed or to "other".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from analysis.segment import Segmenter

from .features import _CharTfidf, _join, _Vectorizer
from .results import ThemeError


def parse_seeds(seed_themes: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """The seed themes checked: each a non-empty name (unique) and a non-empty keyword list."""
    if not seed_themes:
        return []
    seeds = []
    for i, s in enumerate(seed_themes):
        if not isinstance(s, Mapping) or not isinstance(s.get("name"), str) or not s["name"]:
            raise ThemeError(f"seed theme {i + 1}: needs a non-empty 'name'")
        kws = s.get("keywords", [])
        if not isinstance(kws, list) or not all(isinstance(k, str) for k in kws) or not kws:
            raise ThemeError(
                f"seed theme {s['name']!r}: 'keywords' must be a non-empty list of strings"
            )
        seeds.append({"name": s["name"], "keywords": kws})
    names = [s["name"] for s in seeds]
    if len(set(names)) != len(names):
        raise ThemeError("seed theme names must be unique")
    return seeds


def seed_matrix(
    seeds: list[dict[str, Any]],
    word_vec: _Vectorizer,
    char_vec: _CharTfidf | None,
    *,
    segmenter: Segmenter,
    synonyms: Mapping[str, str],
    char_weight: float,
) -> sp.csr_matrix:
    """Seed keywords in the same feature space as the comments."""
    seg, syn = segmenter, synonyms
    vecs = []
    for s in seeds:
        toks: list[str] = []
        for kw in s["keywords"]:
            kt = seg.tokens(kw) or [kw.casefold()]
            toks.extend(syn.get(t, t) for t in kt)
        parts = [normalize(word_vec.transform([toks]))]
        if char_vec is not None:
            # each keyword separately, so character n-grams never span two keywords
            chars = " ".join(
                _join([syn.get(t, t) for t in seg.tokens(kw) or [kw]]) for kw in s["keywords"]
            )
            parts.append(char_weight * normalize(char_vec.transform([chars])))
        vecs.append(sp.hstack(parts))
    return normalize(sp.vstack(vecs).tocsr()).astype(np.float32)


def example_rows(
    examples: Mapping[str, str] | None,
    seeds: list[dict[str, Any]],
    ids: Sequence[str],
    dup: np.ndarray,
    row_of_group: Mapping[int, int],
) -> dict[int, int]:
    """Staff examples (comment id -> seed name) as distinct row -> seed index. An example of an
    unknown seed is an error; one naming a comment not in the input is skipped (it may have
    been hidden since)."""
    if not examples:
        return {}
    seed_index = {s["name"]: i for i, s in enumerate(seeds)}
    position = {cid: i for i, cid in enumerate(ids)}
    out: dict[int, int] = {}
    for cid, name in examples.items():
        if name not in seed_index:
            raise ThemeError(f"example {cid!r}: no seed theme named {name!r}")
        i = position.get(str(cid))
        r = row_of_group.get(int(dup[i])) if i is not None else None
        if r is not None:
            out[r] = seed_index[name]
    return out


def assign_seeds(
    x: sp.csr_matrix,
    q: np.ndarray,
    other_threshold: float,
    *,
    examples: Mapping[int, int] | None = None,
    keyword_seed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded centroids, refined by self-training: each round a seed's centre is the mean of
    the comments it holds plus its keyword vector; a comment goes to the most similar centre,
    or to "other" when no centre reaches ``other_threshold`` (cosine). ``q`` holds the seeds'
    keyword vectors (`seed_matrix`, dense), one row per seed.

    ``keyword_seed`` (`keyword_seeds`, per row: the seed whose keywords the comment names
    clearly more than any other's, or -1) takes precedence over the centres: literal keyword
    evidence is right more often than the centres on the comments where it is unambiguous,
    most of all with thin seeds and short comments (bench/RESULTS.md, issue 16). The centres
    themselves are refined without it, so the rule changes only the comments it names.

    ``examples`` maps a row to the seed staff put it under (semi-supervised: seeds and examples
    together): it stays there, and a comment at least ``NEAR_EXAMPLE`` similar to an example,
    and ``NEAR_MARGIN`` times more like it than like its own centre, follows the example. The
    centres are not moved by the examples, nor is anything else: of the ways tried for letting
    a few examples shape the other comments' places (moved centres, examples as members in
    every round, example prototypes, query expansion, label spreading over a dense or a
    sparse nearest-neighbour graph, a classifier step; bench/study_theme_examples.py), none
    lifted accuracy on the labelled sets in every condition. Returns labels and confidences."""
    ex = dict(examples or {})
    ex_rows = np.array(sorted(ex), dtype=np.int64)
    ex_seed = np.array([ex[r] for r in ex_rows], dtype=np.int64)
    sim = np.asarray(x @ q.T)
    labels = np.where(sim.max(axis=1) > 0, sim.argmax(axis=1), -1)
    for _ in range(10):
        centres = []
        for s in range(len(q)):
            mem = labels == s
            c = np.asarray(x[mem].mean(axis=0)).ravel() if mem.any() else np.zeros(x.shape[1])
            centres.append(normalize(c[None, :]) + q[s][None, :])
        sim = np.asarray(x @ normalize(np.vstack(centres)).T)
        new = np.where(sim.max(axis=1) >= other_threshold, sim.argmax(axis=1), -1)
        if np.array_equal(new, labels):
            break
        labels = new
    # confidence: softmax over the seed similarities (temperature 0.05); for "other", how far
    # below the threshold the best similarity stays; a staff example is certain
    e = np.exp((sim - sim.max(axis=1, keepdims=True)) / 0.05)
    conf = (e.max(axis=1) / e.sum(axis=1)).astype(float)
    best = sim.max(axis=1)
    conf = np.where(labels >= 0, conf, 1.0 - np.clip(best / other_threshold, 0, 1))
    if keyword_seed is not None:
        # literal evidence first: a comment naming one seed's keywords clearly more than any
        # other's goes to that seed (bench/study_theme_examples.py --part keywords)
        kw = keyword_seed >= 0
        against = kw & (labels != keyword_seed)
        labels[kw] = keyword_seed[kw]
        conf[against] = KEYWORD_CONFIDENCE
    if len(ex_rows):
        near = np.asarray((x @ x[ex_rows].T).todense())
        near[ex_rows, np.arange(len(ex_rows))] = 0.0
        j = near.argmax(axis=1)
        top = near[np.arange(x.shape[0]), j]
        own = np.where(labels >= 0, sim[np.arange(len(labels)), np.maximum(labels, 0)], 0.0)
        follow = (top >= NEAR_EXAMPLE) & (top > NEAR_MARGIN * own)
        labels[follow] = ex_seed[j[follow]]
        conf[follow] = np.clip(top[follow], 0, 1)
        labels[ex_rows] = ex_seed
        conf[ex_rows] = 1.0
    return labels, conf


NEAR_EXAMPLE = 0.5  # cosine to a staff example at which a comment may follow it
NEAR_MARGIN = 1.5  # ... when also this many times more like the example than its own centre


def keyword_seeds(
    docs: Sequence[str],
    seeds: list[dict[str, Any]],
    *,
    segmenter: Segmenter,
    synonyms: Mapping[str, str],
) -> np.ndarray:
    """Per doc (a comment's canonical text, its tokens joined), the seed whose keywords it
    names literally and clearly more than any other seed's (at least ``KEYWORD_DOMINANCE``
    times as many distinct keywords as the runner-up), or -1. Keywords are segmented and
    canonicalised as the comments are, so a keyword matches whatever spelling the synonyms
    fold into it."""
    kws = [
        sorted({_join([synonyms.get(t, t) for t in segmenter.tokens(k)] or [k.casefold()])
                for k in s["keywords"]})
        for s in seeds
    ]  # fmt: skip
    out = np.full(len(docs), -1, dtype=np.int64)
    flat = sorted({k for ks in kws for k in ks if k}, key=len, reverse=True)
    if not flat or not seeds:
        return out
    anything = re.compile("|".join(map(re.escape, flat)))
    for i, d in enumerate(docs):
        if anything.search(d) is None:
            continue
        hits = [sum(k in d for k in ks) for ks in kws]
        top = max(hits)
        second = sorted(hits)[-2] if len(hits) > 1 else 0
        if top > 0 and top >= KEYWORD_DOMINANCE * second:
            out[i] = hits.index(top)
    return out


KEYWORD_DOMINANCE = 2.0  # a seed's distinct keyword hits / the runner-up's for precedence
KEYWORD_CONFIDENCE = 0.5  # a comment placed by its keywords against the nearest centre
