"""Guided mode: seed themes (a name and keywords each) as vectors in the comments' feature space,
their centres refined by self-training, each comment assigned to the nearest seed or to "other".
"""

from __future__ import annotations

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


def assign_seeds(
    x: sp.csr_matrix, q: np.ndarray, other_threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded centroids, refined by self-training: each round a seed's centre is the mean of
    the comments it holds plus its keyword vector; a comment goes to the most similar centre,
    or to "other" when no centre reaches ``other_threshold`` (cosine). ``q`` holds the seeds'
    keyword vectors (`seed_matrix`, dense), one row per seed."""
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
    # below the threshold the best similarity stays
    e = np.exp((sim - sim.max(axis=1, keepdims=True)) / 0.05)
    conf = (e.max(axis=1) / e.sum(axis=1)).astype(float)
    best = sim.max(axis=1)
    conf = np.where(labels >= 0, conf, 1.0 - np.clip(best / other_threshold, 0, 1))
    return labels, conf
