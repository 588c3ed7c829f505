"""Quotes that fit a theme, each comment's confidence, and each theme's coherence.

Representative quotes are chosen by maximal marginal relevance among the theme's distinct
comments (a near-duplicate campaign counts once):

* relevance: similarity to the theme's centre, minus half the similarity to the nearest other
  theme's centre (a quote should say this theme, not a neighbour's), times an informativeness
  factor (comments of fewer than ``MIN_CONTENT_WORDS`` content words, a bare "+1" or
  "補助再加碼啦", come last) and, when votes are given, the smoothed agree rate;
* diversity: each next quote is penalised by its similarity to the quotes already taken
  (``MMR_LAMBDA`` weighs relevance against it);
* the theme's largest near-duplicate campaign (``MIN_CAMPAIGN`` comments or more) is quoted
  once, first, and the theme says how many comments joined it.

`refresh_quotes` recomputes them from token lists alone, for a workspace whose themes staff
merged, split or moved comments between.

Confidence of an assignment: the margin between the similarity to the comment's own theme
centre and to the next best (0 when tied, 1 when nothing else is close), scaled down when the
comment is far from its own centre. Coherence of a theme: the mean pairwise cosine of its
members' unit vectors (1 when all alike, near 0 when unrelated), flagged as possibly mixed when
below ``MIXED_RATIO`` times the run's median coherence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from .features import _identity, _word_terms

MMR_LAMBDA = 0.7
MIN_CONTENT_WORDS = 3
MIN_CAMPAIGN = 3
MIXED_RATIO = 0.75
MIXED_MIN_SIZE = 10
SECONDARY_RATIO = 0.5  # a second theme at least this close (relative to the first) is secondary


def centre_similarities(
    x: sp.csr_matrix, row_theme: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit theme centres (k x d), every row's cosine to every centre (rows x k) and each
    theme's coherence (the length of its mean row)."""
    assigned = np.flatnonzero(row_theme >= 0)
    member = sp.csr_matrix(
        (np.ones(len(assigned)), (row_theme[assigned], assigned)), shape=(max(k, 1), x.shape[0])
    )
    mean = np.asarray((member @ x).todense()) / np.maximum(np.asarray(member.sum(axis=1)), 1)
    centres = normalize(mean)
    # mean pairwise cosine of the members (unit rows): (|sum|^2 - n) / (n (n - 1)),
    # which, unlike the length of the mean, does not fall as a theme grows
    n = np.asarray(member.sum(axis=1)).ravel()
    sq = (np.linalg.norm(mean, axis=1) * n) ** 2
    coherence = np.where(n > 1, (sq - n) / np.maximum(n * (n - 1), 1), 1.0)
    return centres, np.asarray(x @ centres.T), np.clip(coherence, 0, 1)


def confidences(sims: np.ndarray, row_theme: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: confidence of its assignment (0-1) and its secondary theme (-1 for none)."""
    n, k = sims.shape
    conf = np.zeros(n)
    second = np.full(n, -1, dtype=np.int64)
    if k == 0:
        return conf, second
    own = np.where(row_theme >= 0, sims[np.arange(n), np.maximum(row_theme, 0)], 0.0)
    others = sims.copy()
    others[np.arange(n), np.maximum(row_theme, 0)] = -np.inf
    best_other = others.max(axis=1) if k > 1 else np.zeros(n)
    best_other = np.where(np.isfinite(best_other), best_other, 0.0)
    margin = np.clip((own - best_other) / np.maximum(own + np.maximum(best_other, 0), 1e-9), 0, 1)
    typical = np.ones(k)
    for t in range(k):
        sel = row_theme == t
        if sel.any():
            typical[t] = max(float(np.median(own[sel])), 1e-9)
    near = np.clip(own / typical[np.maximum(row_theme, 0)], 0, 1)
    conf = np.where(row_theme >= 0, margin * (0.5 + 0.5 * near), 0.0)
    if k > 1:
        cand = others.argmax(axis=1)
        ok = (row_theme >= 0) & (best_other >= SECONDARY_RATIO * own) & (best_other > 0)
        ok &= best_other >= 0.4 * typical[cand]
        second = np.where(ok, cand, -1)
    return conf, second


def mixed_themes(coherence: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Which themes look mixed: coherence below MIXED_RATIO x the median, enough members."""
    if len(coherence) < 3:
        return np.zeros(len(coherence), dtype=bool)
    med = float(np.median(coherence))
    return (coherence < MIXED_RATIO * med) & (sizes >= MIXED_MIN_SIZE)


SPLIT_DIMS = 16  # SVD dimensions the two-way split works in
SPLIT_FIT_MAX = 1000  # rows the two-way split is fitted on (a sample above)
SPLIT_SUGGEST_MAX = 200  # comments a suggested split lists, nearest its centre first


def _two_means(z: np.ndarray, random_state: int, rounds: int = 30) -> np.ndarray:
    """Two unit centres by spherical k-means (numpy only: scikit-learn's KMeans starts OpenMP
    threads, which on a busy machine cost more than this whole step)."""
    rng = np.random.default_rng(random_state)
    first = z[rng.integers(len(z))]
    centres = np.vstack([first, z[int(np.argmin(z @ first))]])
    for _ in range(rounds):
        part = np.argmax(z @ centres.T, axis=1)
        new = normalize(
            np.vstack(
                [z[part == i].mean(axis=0) if (part == i).any() else centres[i] for i in (0, 1)]
            )
        )
        if np.allclose(new, centres):
            break
        centres = new
    return centres


def suggest_split(x: sp.csr_matrix, rows: np.ndarray, random_state: int) -> np.ndarray:
    """The rows of the smaller half of a two-way (spherical k-means) split of ``rows`` (a suggestion),
    nearest that half's centre first, at most SPLIT_SUGGEST_MAX."""
    if len(rows) < 4:
        return rows[:0]
    # a few dense dimensions are enough for a two-way split, and far cheaper than k-means
    # on tens of thousands of sparse columns
    xs = x[rows]
    fit = np.arange(len(rows))
    if len(rows) > SPLIT_FIT_MAX:
        rng = np.random.default_rng(random_state)
        fit = np.sort(rng.choice(len(rows), SPLIT_FIT_MAX, replace=False))
    dims = min(SPLIT_DIMS, xs.shape[1] - 1, len(fit) - 1)
    if dims >= 2:
        svd = TruncatedSVD(dims, n_iter=3, random_state=random_state).fit(xs[fit])
        z = normalize(svd.transform(xs))
    else:
        z = normalize(xs.toarray())
    centres = _two_means(z[fit], random_state)
    part = np.argmax(z @ centres.T, axis=1)
    small = int(np.argmin(np.bincount(part, minlength=2)))
    mine = np.flatnonzero(part == small)
    closeness = z[mine] @ centres[small]
    return rows[mine[np.argsort(-closeness, kind="stable")][:SPLIT_SUGGEST_MAX]]


def pick_quotes(
    cand: np.ndarray,
    x: sp.csr_matrix,
    own: np.ndarray,
    other: np.ndarray,
    content: np.ndarray,
    n: int,
    *,
    agree: np.ndarray | None = None,
    first: int | None = None,
) -> list[int]:
    """``n`` rows of ``cand`` by maximal marginal relevance (see the module docstring).

    ``own`` / ``other`` are each candidate's similarity to its theme centre and to the nearest
    other centre, ``content`` its number of content words, ``agree`` its smoothed agree rate,
    ``first`` a row to take first (the campaign)."""
    if not len(cand) or n <= 0:
        return []
    rel = own - 0.5 * np.maximum(other, 0)
    rel = rel * np.minimum(1.0, (content + 1) / (MIN_CONTENT_WORDS + 1))
    rel = np.where(content >= MIN_CONTENT_WORDS, rel, rel - 1.0)  # thin comments last
    if agree is not None:
        rel = rel * (0.75 + 0.5 * agree)
    # the strongest candidates only: MMR compares each pick with every one taken
    pool = np.argsort(-rel, kind="stable")[: max(10 * n, 30)]
    if first is not None and first in set(cand[pool].tolist()):
        start = [int(np.flatnonzero(cand[pool] == first)[0])]
    elif first is not None and first in set(cand.tolist()):
        pool = np.concatenate([np.flatnonzero(cand == first), pool])
        start = [0]
    else:
        start = []
    vecs = normalize(x[cand[pool]])
    sim = np.asarray((vecs @ vecs.T).todense())
    chosen: list[int] = list(start)
    while len(chosen) < min(n, len(pool)):
        score = MMR_LAMBDA * rel[pool] - (1 - MMR_LAMBDA) * (
            sim[:, chosen].max(axis=1) if chosen else 0.0
        )
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return [int(cand[pool[c]]) for c in chosen]


def refresh_quotes(
    themes: Mapping[str, Sequence[int]],
    tokens: Mapping[int, Sequence[str]],
    *,
    duplicates: Sequence[Sequence[int]] = (),
    votes: Mapping[int, tuple[int, int]] | None = None,
    content: Mapping[int, int] | None = None,
    n: int = 5,
) -> dict[str, dict[str, Any]]:
    """Quotes of curated themes from their members' tokens (workspace edits, `curation`).

    ``themes`` maps a theme key to its member comment ids, ``tokens`` a comment id to its
    analysis tokens, ``content`` a comment id to its number of content words (default: its
    token count). Returns per key ``representative_ids`` and ``campaign`` ({comment_id, size}
    or None)."""
    keys = [k for k, m in themes.items() if m]
    group_of: dict[int, int] = {}
    for g, members in enumerate(duplicates):
        for cid in members:
            group_of[int(cid)] = g
    ids: list[int] = []
    row_theme: list[int] = []
    seen: set[tuple[int, int]] = set()
    sizes: dict[tuple[int, int], int] = {}
    for t, key in enumerate(keys):
        for cid in themes[key]:
            grp = group_of.get(int(cid))
            if grp is not None:
                sizes[(t, grp)] = sizes.get((t, grp), 0) + 1
                if (t, grp) in seen:
                    continue
                seen.add((t, grp))
            ids.append(int(cid))
            row_theme.append(t)
    out: dict[str, dict[str, Any]] = {
        k: {"representative_ids": [], "campaign": None} for k in themes
    }
    if not ids:
        return out
    vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32)
    docs = [_word_terms(list(tokens.get(cid, ()))) for cid in ids]
    try:
        x = normalize(vec.fit_transform(docs)).tocsr()
    except ValueError:  # no terms at all
        x = sp.csr_matrix((len(ids), 1), dtype=np.float32)
    rt = np.array(row_theme)
    _, sims, _ = centre_similarities(x, rt, len(keys))
    id_arr = np.array(ids)
    for t, key in enumerate(keys):
        rows = np.flatnonzero(rt == t)
        others = sims[rows].copy()
        others[:, t] = -np.inf
        best_other = others.max(axis=1) if len(keys) > 1 else np.zeros(len(rows))
        cnt = np.array(
            [(content or {}).get(int(id_arr[r]), len(tokens.get(int(id_arr[r]), ()))) for r in rows]
        )
        agree = None
        if votes:
            ad = np.array([votes.get(int(id_arr[r]), (0, 0)) for r in rows], dtype=float)
            agree = (ad[:, 0] + 1) / (ad.sum(axis=1) + 2)
        camp = [(s, g) for (tt, g), s in sizes.items() if tt == t and s >= MIN_CAMPAIGN]
        first = None
        campaign = None
        if camp:
            size, g = max(camp)
            lead = next(int(c) for c in themes[key] if group_of.get(int(c)) == g)
            first = int(np.flatnonzero(id_arr == lead)[0])
            campaign = {"comment_id": lead, "size": size}
        picked = pick_quotes(rows, x, sims[rows, t], best_other, cnt, n, agree=agree, first=first)
        out[key] = {
            "representative_ids": [int(id_arr[r]) for r in picked],
            "campaign": campaign,
        }
    return out
