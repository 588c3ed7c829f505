"""Near-duplicate search: copy-paste campaigns and form letters, as connected components of
comment pairs whose character-shingle sets are similar enough (exact pairs on small inputs,
MinHash LSH above ``EXACT_PAIRS_MAX`` distinct texts)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer

from .features import _char_ngram_keys, _count_matrix

EXACT_PAIRS_MAX = 20000  # distinct texts; MinHash LSH above
MINHASH_BLOCK = 50000  # rows (or candidate pairs) per block in the large-input duplicate search


# -- near-duplicates ---------------------------------------------------------------------------


def find_near_duplicates(
    docs: Sequence[str], threshold: float = 0.4, *, shingle: int = 4, min_chars: int = 10
) -> np.ndarray:
    """Group label per document: near-duplicates share a label (connected components of pairs with
    shingle Jaccard >= threshold). Texts shorter than ``min_chars`` are never grouped, except
    exact copies."""
    n = len(docs)
    labels = np.arange(n)
    if n < 2:
        return labels
    # Exact copies first (O(n)); they also shrink the all-pairs step.
    first: dict[str, int] = {}
    rep = np.empty(n, dtype=np.int64)
    for i, d in enumerate(docs):
        rep[i] = first.setdefault(d, i) if d else i
    uniq = np.unique(rep)
    long_idx = np.array([i for i in uniq if len(docs[i]) >= min_chars], dtype=np.int64)
    rows: list[np.ndarray] = [np.arange(n)]
    cols: list[np.ndarray] = [rep]
    if len(long_idx) > 1:
        pi, pj = _similar_pairs([docs[i] for i in long_idx], threshold, shingle)
        rows.append(long_idx[pi])
        cols.append(long_idx[pj])
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    graph = sp.coo_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels


def _similar_pairs(
    docs: list[str], threshold: float, shingle: int
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) whose shingle sets have Jaccard >= threshold."""
    n = len(docs)
    if n <= EXACT_PAIRS_MAX:
        x = _shingle_matrix(docs, shingle)
        if x is not None:
            return _pairs_exact(x, np.diff(x.indptr).astype(np.float32), threshold)
        vec: CountVectorizer | HashingVectorizer = CountVectorizer(
            analyzer="char",
            ngram_range=(shingle, shingle),
            binary=True,
            lowercase=False,
            dtype=np.float32,
        )
    else:
        # large inputs: shingles hashed into 2^24 columns instead of a vocabulary of every
        # distinct shingle (millions of strings); a collision between two given comments has
        # odds of about (shingles per comment) / 2^24, far below what moves a Jaccard threshold
        vec = HashingVectorizer(
            analyzer="char",
            ngram_range=(shingle, shingle),
            binary=True,
            lowercase=False,
            alternate_sign=False,
            norm=None,
            n_features=1 << 24,
            dtype=np.float32,
        )
    x = vec.fit_transform(docs).tocsr()
    sizes = np.asarray(x.sum(axis=1)).ravel()
    if n <= EXACT_PAIRS_MAX:
        return _pairs_exact(x, sizes, threshold)
    return _pairs_minhash(x, sizes, threshold)


def _shingle_matrix(docs: list[str], shingle: int) -> sp.csr_matrix | None:
    """Binary doc x shingle matrix: what CountVectorizer(analyzer="char", binary=True) gives, up
    to the column order (the pairs only need the sets); None when the ids do not fit."""
    found = _char_ngram_keys(docs, (shingle,))
    if found is None:
        return None
    _, doc, key = found
    _, col = np.unique(key, return_inverse=True)
    return _count_matrix(doc, col.ravel(), (len(docs), int(col.max(initial=-1)) + 1), binary=True)


def _pairs_exact(
    x: sp.csr_matrix, sizes: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    n = x.shape[0]
    out_i: list[np.ndarray] = []
    out_j: list[np.ndarray] = []
    for start in range(0, n, 2000):  # chunked so the pair matrix stays small
        # only the pairs i < j are needed: a block of rows against the rows from its own start
        inter = (x[start : start + 2000] @ x[start:].T).tocoo()
        i = inter.row + start
        j = inter.col + start
        keep = i < j
        i, j, v = i[keep], j[keep], inter.data[keep]
        jac = v / np.maximum(sizes[i] + sizes[j] - v, 1)
        ok = jac >= threshold
        out_i.append(i[ok])
        out_j.append(j[ok])
    return np.concatenate(out_i), np.concatenate(out_j)


def _pairs_minhash(
    x: sp.csr_matrix, sizes: np.ndarray, threshold: float, bands: int = 12, rows: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs by MinHash LSH (bands x rows hashes), verified by exact Jaccard.

    Within a bucket every member is compared with the bucket's first member only, which keeps the
    work linear; near-duplicate groups still connect through their many high-similarity pairs."""
    n = x.shape[0]
    p = np.uint64((1 << 61) - 1)
    rng = np.random.default_rng(0)
    a = rng.integers(1, 1 << 31, size=bands * rows, dtype=np.uint64)
    b = rng.integers(0, 1 << 31, size=bands * rows, dtype=np.uint64)
    nonempty = np.diff(x.indptr) > 0
    sig = np.full((n, bands * rows), np.iinfo(np.uint64).max, dtype=np.uint64)
    # signatures a block of rows at a time: the hashed shingle arrays of a block stay small
    for lo in range(0, n, MINHASH_BLOCK):
        hi = min(n, lo + MINHASH_BLOCK)
        blk = np.arange(lo, hi)[nonempty[lo:hi]]
        if not len(blk):
            continue
        cols = x.indices[x.indptr[lo] : x.indptr[hi]].astype(np.uint64)
        starts = x.indptr[blk] - x.indptr[lo]
        for h in range(bands * rows):
            hv = (a[h] * cols + b[h]) % p
            sig[blk, h] = np.minimum.reduceat(hv, starts)
    cand_i: list[np.ndarray] = []
    cand_j: list[np.ndarray] = []
    idx = np.flatnonzero(nonempty)
    for band in range(bands):
        key = sig[idx, band * rows : (band + 1) * rows]
        _, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
        leader = idx[first][inv.ravel()]
        m = leader != idx
        cand_i.append(np.minimum(leader[m], idx[m]))
        cand_j.append(np.maximum(leader[m], idx[m]))
    if not cand_i:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    pairs = np.unique(np.stack([np.concatenate(cand_i), np.concatenate(cand_j)], axis=1), axis=0)
    if len(pairs) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    i, j = pairs[:, 0], pairs[:, 1]
    ok = np.zeros(len(i), dtype=bool)
    for lo in range(0, len(i), MINHASH_BLOCK):  # verified a block of pairs at a time
        bi, bj = i[lo : lo + MINHASH_BLOCK], j[lo : lo + MINHASH_BLOCK]
        inter = np.asarray(x[bi].multiply(x[bj]).sum(axis=1)).ravel()
        ok[lo : lo + MINHASH_BLOCK] = (
            inter / np.maximum(sizes[bi] + sizes[bj] - inter, 1) >= threshold
        )
    return i[ok], j[ok]
