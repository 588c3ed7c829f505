"""Themes in short comments: a scikit-learn-style estimator over pre-segmented tokens.

Method (docs/analysis.md has the reasoning and the measured figures):

1. Features: word unigrams + adjacent bigrams and character 2-3-grams of the joined tokens (short
   Chinese comments share few whole words but many characters: 補助款 / 購車補助), both TF-IDF with
   sublinear tf, characters weighted ``char_weight`` against words, rows L2-normalised. A small
   general synonym map (補貼/津貼 -> 補助 ...) is applied first.
2. Near-duplicates (copy-paste campaigns, form letters): comments whose 4-character shingle sets
   have Jaccard similarity >= ``dup_threshold`` (0.4) are linked, groups are the connected
   components; each group is one row when the themes are shaped, and reported with its size.
3. Clustering: NMF with a deterministic NNDSVD start; a comment's theme is its largest component.
   The number of themes, unless given, is the most *stable* k in ``k_range``: for each k, 8 NMF
   runs with random starts, each leaving out one eighth of a sample, mean pairwise AMI between the
   runs; the best score averaged with its neighbouring k's wins (ties to the smaller k). Above
   ``max_quality_docs`` distinct comments the fast path is used instead: word features ->
   TruncatedSVD -> MiniBatchKMeans (k still chosen on a sample).
4. Labels: class-based TF-IDF over word unigrams/bigrams (terms frequent in the theme and rare in
   the others); representatives: the comments closest to the theme centre, re-ranked by their
   smoothed agree rate when votes are given.
5. Guided mode: each seed theme (name + keywords) becomes a vector in the same feature space; seed
   centres are refined by self-training (centre = mean of the comments the seed holds + its
   keyword vector, 10 rounds at most); a comment goes to the most similar centre, or to "other"
   when no centre reaches ``other_threshold`` (cosine 0.05). "Other" is clustered as in (3).
   Each assignment carries a confidence (softmax of the seed similarities, temperature 0.05).
6. Stable themes: ``previous=`` maps new themes onto a previous run's by shared comments (mutual
   best overlap), keeping the previous id and name; splits and merges are reported.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TypeAlias

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.special import gammaln
from sklearn.cluster import MiniBatchKMeans
from sklearn.decomposition import NMF, TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import (
    CountVectorizer,
    HashingVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from analysis.segment import PLACEHOLDERS, Segmenter, get_segmenter, load_synonyms

OTHER = "other"
MAX_WORD_FEATURES = 30000  # the most frequent terms; rarer ones cannot shape a theme anyway
MAX_CHAR_FEATURES = 30000
SELECTION_FEATURES = 2000
# the k selection only needs each run's argmax assignment, which settles long before the
# factorisation converges: a short iteration budget and a looser tolerance
SELECTION_MAX_ITER = 30
SELECTION_TOL = 1e-3
SELECTION_FOLDS = 8  # k-selection runs, each leaving out one fold of the sample
BLAS_THREADS = 1
EXACT_PAIRS_MAX = 20000  # distinct texts; MinHash LSH above
MINHASH_BLOCK = 50000  # rows (or candidate pairs) per block in the large-input duplicate search
MIN_AVG_THEME_SIZE = 5  # k is capped at n / 5: a theme should hold a handful of comments


class ThemeError(ValueError):
    """The input cannot be turned into themes (too few comments, bad seeds ...)."""


@dataclass
class Theme:
    """One theme: label, keywords, members and representatives."""

    id: str
    label: str
    keywords: list[str]
    size: int
    comment_ids: list[str]
    representative_ids: list[str]
    stance: dict[str, float] | None = None
    seed: str | None = None  # the seed theme's name in guided mode
    other: bool = False  # guided mode: clustered from comments no seed claimed
    confidence: float | None = None  # guided mode: mean assignment confidence

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; optional fields only when set."""
        d = asdict(self)
        for key in ("stance", "seed", "confidence"):
            if d[key] is None:
                del d[key]
        if not d["other"]:
            del d["other"]
        return d


@dataclass
class DuplicateGroup:
    """Near-identical comments (a copy-paste campaign or form letter)."""

    id: str
    size: int
    comment_ids: list[str]
    theme_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


@dataclass
class ThemeChanges:
    """How this run's themes relate to a previous run's."""

    matched: dict[str, str] = field(default_factory=dict)  # new theme id -> previous id
    splits: list[dict[str, Any]] = field(default_factory=list)
    merges: list[dict[str, Any]] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)


# -- text helpers ------------------------------------------------------------------------------


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ch >= "\U00020000"


def _join(tokens: Sequence[str]) -> str:
    """Tokens as one string: CJK neighbours touch, everything else is space-separated."""
    out: list[str] = []
    for tok in tokens:
        if out and not (_is_cjk(out[-1][-1]) and _is_cjk(tok[0])):
            out.append(" ")
        out.append(tok)
    return "".join(out)


def _word_terms(tokens: Sequence[str]) -> list[str]:
    """Word unigrams and adjacent bigrams (a bigram is written as the joined pair)."""
    return [*tokens, *(_join(pair) for pair in itertools.pairwise(tokens))]


def _canonical(
    token_lists: Sequence[Sequence[str]], synonyms: Mapping[str, str]
) -> list[list[str]]:
    skip = set(PLACEHOLDERS)
    return [[synonyms.get(t, t) for t in toks if t not in skip] for toks in token_lists]


def _identity(doc: list[str]) -> list[str]:
    return doc


# -- counting ----------------------------------------------------------------------------------
# scikit-learn's vectorizers count n-grams one Python string at a time; here the same counts are
# built with numpy (the vocabulary, its order and the pruning are scikit-learn's, so the matrices
# are the same; the tests compare them with TfidfVectorizer / CountVectorizer).

# whitespace runs are collapsed to one space first, as scikit-learn's char analyzer does
_WHITE_SPACES = re.compile(r"\s\s+")


def _char_ngram_keys(
    docs: Sequence[str], ns: tuple[int, ...], chars: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Every character n-gram (n in ``ns``) of every doc as one integer, with its doc index.

    Characters become ids 1.. in code point order (``chars``: the code points, learned here unless
    given; an n-gram with a character outside ``chars`` is dropped) packed into a uint64, the
    shorter n-grams padded with 0, so that integer order is string order — the order scikit-learn
    sorts a vocabulary in. None when the ids do not fit (more than 2^(64 / max n) distinct
    characters)."""
    docs = [_WHITE_SPACES.sub(" ", d) for d in docs]
    lens = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    cp = np.frombuffer("".join(docs).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if chars is None:
        chars, inv = np.unique(cp, return_inverse=True)
        ids = inv.astype(np.uint64) + np.uint64(1)
    else:
        pos = np.searchsorted(chars, cp)
        known = pos < len(chars)
        known[known] = chars[pos[known]] == cp[known]
        ids = np.where(known, pos + 1, 0).astype(np.uint64)
    nmax = max(ns)
    bits = max(1, int(len(chars)).bit_length())
    if bits * nmax > 64:
        return None
    ends = np.cumsum(lens)
    doc_of = np.repeat(np.arange(len(docs), dtype=np.int64), lens)
    out_doc: list[np.ndarray] = []
    out_key: list[np.ndarray] = []
    for n in ns:
        m = len(cp) - n + 1
        if m <= 0:
            continue
        ok = np.arange(m) + n <= ends[doc_of[:m]]  # inside one doc
        key = np.zeros(m, dtype=np.uint64)
        for i in range(n):
            part = ids[i : i + m]
            ok &= part > 0
            key |= part << np.uint64(bits * (nmax - 1 - i))
        out_doc.append(doc_of[:m][ok])
        out_key.append(key[ok])
    if not out_doc:
        return chars, np.empty(0, np.int64), np.empty(0, np.uint64)
    return chars, np.concatenate(out_doc), np.concatenate(out_key)


def _count_matrix(
    doc: np.ndarray, col: np.ndarray, shape: tuple[int, int], binary: bool = False
) -> sp.csr_matrix:
    """Counts of (doc, column) occurrences as a float32 CSR matrix with sorted indices."""
    cells, counts = np.unique(doc * np.int64(shape[1]) + col, return_counts=True)
    rows = cells // shape[1]
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    data = np.ones(len(cells), np.float32) if binary else counts.astype(np.float32)
    return sp.csr_matrix((data, (cells % shape[1]).astype(np.int32), indptr), shape=shape)


def _prune(counts: sp.csr_matrix, min_df: int, max_features: int | None) -> np.ndarray:
    """Columns kept by CountVectorizer(min_df, max_features): document frequency >= min_df, then
    the ``max_features`` largest total counts (the same selection and tie order)."""
    dfs = np.bincount(counts.indices, minlength=counts.shape[1])
    mask = dfs >= min_df
    if max_features is not None and mask.sum() > max_features:
        tfs = np.asarray(counts.sum(axis=0)).ravel()
        mask_inds = (-tfs[mask]).argsort()[:max_features]
        new_mask = np.zeros(len(dfs), dtype=bool)
        new_mask[np.where(mask)[0][mask_inds]] = True
        mask = new_mask
    return mask


def _keep_columns(counts: sp.csr_matrix, mask: np.ndarray) -> sp.csr_matrix:
    """counts[:, mask], keeping the indices sorted."""
    coo = counts.tocoo()
    sel = mask[coo.col]
    new_col = (np.cumsum(mask) - 1)[coo.col[sel]]
    return sp.csr_matrix(
        (coo.data[sel], (coo.row[sel], new_col)), shape=(counts.shape[0], int(mask.sum()))
    )


class _WordTfidf:
    """TfidfVectorizer(analyzer=<term lists>, sublinear_tf=True) on word unigrams + bigrams."""

    def __init__(self, min_df: int, max_features: int | None) -> None:
        self.min_df = min_df
        self.max_features = max_features

    def fit_transform(self, docs: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Word unigrams and adjacent bigrams of each token list, TF-IDF weighted."""
        index: dict[str, int] = {}
        flat = np.fromiter(
            (index.setdefault(t, len(index)) for d in docs for t in d), dtype=np.int64
        )
        lens = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
        doc_of = np.repeat(np.arange(len(docs), dtype=np.int64), lens)
        # bigrams: each distinct pair of adjacent tokens is joined into a term once; a joined
        # pair equal to another term (a unigram, or another pair) is that term, as in counting
        last = np.cumsum(lens) - 1
        first_of_pair = np.ones(len(flat), dtype=bool)
        first_of_pair[last[lens > 0]] = False
        p = np.flatnonzero(first_of_pair)
        n_tok = len(index)
        pairs, pair_inv = np.unique(flat[p] * n_tok + flat[p + 1], return_inverse=True)
        tokens = list(index)
        pair_term = np.fromiter(
            (
                index.setdefault(_join((tokens[a], tokens[b])), len(index))
                for a, b in zip((pairs // n_tok).tolist(), (pairs % n_tok).tolist(), strict=True)
            ),
            dtype=np.int64,
            count=len(pairs),
        )
        terms = list(index)
        order = sorted(range(len(terms)), key=terms.__getitem__)
        rank = np.empty(len(terms), dtype=np.int64)
        rank[order] = np.arange(len(terms))
        counts = _count_matrix(
            np.concatenate([doc_of, doc_of[p]]),
            rank[np.concatenate([flat, pair_term[pair_inv.ravel()]])],
            (len(docs), len(terms)),
        )
        mask = _prune(counts, self.min_df, self.max_features)
        if not mask.any():  # every term below min_df: all terms, as TfidfVectorizer() would
            mask = _prune(counts, 1, None)
        sorted_terms = np.array([terms[i] for i in order], dtype=object)
        self.terms_ = sorted_terms[mask]
        self.vocabulary_ = {t: i for i, t in enumerate(self.terms_.tolist())}
        self.tfidf_ = TfidfTransformer(sublinear_tf=True)
        return self.tfidf_.fit_transform(_keep_columns(counts, mask))

    def get_feature_names_out(self) -> np.ndarray:
        """The terms, in column order."""
        return self.terms_

    def transform(self, term_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """TF-IDF of given term lists (used as they are, no bigrams) in the fitted columns."""
        doc, col = [], []
        for i, terms in enumerate(term_lists):
            for t in terms:
                j = self.vocabulary_.get(t)
                if j is not None:
                    doc.append(i)
                    col.append(j)
        counts = _count_matrix(
            np.array(doc, dtype=np.int64),
            np.array(col, dtype=np.int64),
            (len(term_lists), len(self.terms_)),
        )
        return self.tfidf_.transform(counts)


_Vectorizer: TypeAlias = "_WordTfidf | TfidfVectorizer"


class _CharTfidf:
    """TfidfVectorizer(analyzer="char", ngram_range, lowercase=False, sublinear_tf=True)."""

    def __init__(self, ngram_range: tuple[int, int], min_df: int, max_features: int | None):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features

    def fit_transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        """Character n-grams of each text, TF-IDF weighted; ValueError when none is kept."""
        ns = tuple(range(self.ngram_range[0], self.ngram_range[1] + 1))
        found = _char_ngram_keys(docs, ns)
        if found is None:
            raise OverflowError("too many distinct characters to pack")
        self.chars_, doc, key = found
        keys, col = np.unique(key, return_inverse=True)
        counts = _count_matrix(doc, col.ravel(), (len(docs), len(keys)))
        mask = _prune(counts, self.min_df, self.max_features)
        if not mask.any():
            raise ValueError("no character n-gram reaches min_df")
        self.keys_ = keys[mask]
        self.tfidf_ = TfidfTransformer(sublinear_tf=True)
        return self.tfidf_.fit_transform(_keep_columns(counts, mask))

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        """TF-IDF of given texts in the fitted columns."""
        ns = tuple(range(self.ngram_range[0], self.ngram_range[1] + 1))
        found = _char_ngram_keys(docs, ns, self.chars_)
        assert found is not None  # ids from the fitted table always fit
        _, doc, key = found
        pos = np.minimum(np.searchsorted(self.keys_, key), max(len(self.keys_) - 1, 0))
        hit = self.keys_[pos] == key if len(self.keys_) else np.zeros(len(key), bool)
        counts = _count_matrix(doc[hit], pos[hit], (len(docs), len(self.keys_)))
        return self.tfidf_.transform(counts)


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


# -- agreement between two labelings ---------------------------------------------------------


def _ami(a: np.ndarray, b: np.ndarray) -> float:
    """Adjusted mutual information (arithmetic normalisation) of two labelings of the same items:
    the formula of sklearn.metrics.adjusted_mutual_info_score, vectorised and without its input
    checks (the k selection scores 78 pairs of labelings per fit; the test compares the two)."""
    n = len(a)
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    ra, rb = int(ai.max(initial=-1)) + 1, int(bi.max(initial=-1)) + 1
    if ra == rb and ra <= 1:
        return 1.0
    if ra == 1 or rb == 1:
        return 0.0
    cont = np.bincount(ai.ravel() * rb + bi.ravel(), minlength=ra * rb).reshape(ra, rb)
    pa, pb = cont.sum(axis=1), cont.sum(axis=0)
    nzx, nzy = np.nonzero(cont)
    nz = cont[nzx, nzy].astype(np.float64)
    # mutual information
    outer = pa[nzx].astype(np.int64) * pb[nzy].astype(np.int64)
    log_outer = -np.log(outer) + np.log(n) + np.log(n)
    mi_terms = nz / n * (np.log(nz) - np.log(n)) + nz / n * log_outer
    mi_terms = np.where(np.abs(mi_terms) < np.finfo(np.float64).eps, 0.0, mi_terms)
    mi = max(float(mi_terms.sum()), 0.0)
    # expected mutual information under the permutation model (hypergeometric cell counts)
    ai_, bj_ = np.meshgrid(pa, pb, indexing="ij")
    ai_, bj_ = ai_.ravel(), bj_.ravel()
    start = np.maximum(1, ai_ - n + bj_)
    stop = np.minimum(ai_, bj_) + 1
    length = np.maximum(stop - start, 0)
    cell = np.repeat(np.arange(len(ai_)), length)
    nij = (np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)) + (
        np.repeat(start, length)
    )
    av, bv = ai_[cell], bj_[cell]
    lg = gammaln(np.arange(n + 2, dtype=np.float64))  # log k! = lg[k + 1]
    term2 = np.log(n) + np.log(nij) - np.log(av) - np.log(bv)
    gln = (
        lg[av + 1]
        + lg[bv + 1]
        + lg[n - av + 1]
        + lg[n - bv + 1]
        - lg[nij + 1]
        - lg[n + 1]
        - lg[av - nij + 1]
        - lg[bv - nij + 1]
        - lg[n - av - bv + nij + 1]
    )
    emi = float(np.sum(nij / n * term2 * np.exp(gln)))

    def entropy(p: np.ndarray) -> float:
        p = p[p > 0].astype(np.float64)
        return float(-np.sum((p / n) * (np.log(p) - np.log(n))))

    denominator = (entropy(pa) + entropy(pb)) / 2 - emi
    eps = np.finfo(np.float64).eps
    denominator = min(denominator, -eps) if denominator < 0 else max(denominator, eps)
    return (mi - emi) / denominator


# -- the estimator -----------------------------------------------------------------------------


class ThemeModel:
    """Themes of short comments from their tokens (see the module docstring for the method).

    Parameters are stored as given; ``fit`` returns self and sets ``themes_``, ``labels_``
    (theme index per comment, -1 for comments without content), ``duplicates_``, ``k_``,
    ``k_scores_``, ``assignments_`` (guided mode) and ``changes_`` (when ``previous`` is given).
    """

    def __init__(
        self,
        n_themes: int | None = None,
        *,
        k_range: tuple[int, int] = (3, 15),
        seed_themes: Sequence[Mapping[str, Any]] | None = None,
        random_state: int = 0,
        dup_threshold: float = 0.4,
        char_weight: float = 2.0,
        n_keywords: int = 8,
        n_representatives: int = 5,
        max_quality_docs: int = 20000,
        selection_sample: int = 400,
        synonyms: bool = True,
        other_threshold: float = 0.05,
        segmenter: Segmenter | None = None,
    ) -> None:
        self.n_themes = n_themes
        self.k_range = k_range
        self.seed_themes = seed_themes
        self.random_state = random_state
        self.dup_threshold = dup_threshold
        self.char_weight = char_weight
        self.n_keywords = n_keywords
        self.n_representatives = n_representatives
        self.max_quality_docs = max_quality_docs
        self.selection_sample = selection_sample
        self.synonyms = synonyms
        self.other_threshold = other_threshold
        self.segmenter = segmenter

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters (scikit-learn convention), JSON-friendly."""
        return {
            "n_themes": self.n_themes,
            "k_range": list(self.k_range),
            "random_state": self.random_state,
            "dup_threshold": self.dup_threshold,
            "char_weight": self.char_weight,
            "n_keywords": self.n_keywords,
            "n_representatives": self.n_representatives,
            "max_quality_docs": self.max_quality_docs,
            "other_threshold": self.other_threshold,
            "seed_themes": len(self.seed_themes) if self.seed_themes else 0,
        }

    # -- public API ----------------------------------------------------------------------------

    def fit_texts(
        self,
        texts: Sequence[str],
        ids: Sequence[str] | None = None,
        votes: Sequence[tuple[int, int]] | np.ndarray | None = None,
        previous: Sequence[Mapping[str, Any]] | None = None,
    ) -> ThemeModel:
        """Segment raw texts with the default segmenter, then :meth:`fit`."""
        seg = self.segmenter or get_segmenter()
        return self.fit(seg.tokens_many(texts), ids=ids, votes=votes, previous=previous)

    def fit(
        self,
        token_lists: Sequence[Sequence[str]],
        ids: Sequence[str] | None = None,
        texts: Sequence[str] | None = None,
        votes: Sequence[tuple[int, int]] | np.ndarray | None = None,
        previous: Sequence[Mapping[str, Any]] | None = None,
    ) -> ThemeModel:
        """Find themes in pre-segmented comments (one token list per comment); returns self.

        ``votes`` is (agrees, disagrees) per comment; ``texts`` is accepted for API symmetry and
        not needed (everything is computed from tokens); ``previous`` is a previous run's themes
        (dicts with id, label, comment_ids) whose ids and names carry over.
        """
        # The matrices are small or sparse: BLAS threads bring nothing but contention, and on a
        # busy machine (web workers, other jobs) spinning BLAS threads cost several times the work.
        with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
            return self._fit(token_lists, ids, texts, votes, previous)

    def _fit(
        self,
        token_lists: Sequence[Sequence[str]],
        ids: Sequence[str] | None,
        texts: Sequence[str] | None,
        votes: Sequence[tuple[int, int]] | np.ndarray | None,
        previous: Sequence[Mapping[str, Any]] | None,
    ) -> ThemeModel:
        n = len(token_lists)
        if n < 2:
            raise ThemeError(f"need at least 2 comments to find themes, got {n}")
        ids_ = [str(i) for i in ids] if ids is not None else [str(i) for i in range(n)]
        if len(ids_) != n or len(set(ids_)) != n:
            raise ThemeError("ids must be unique and one per comment")
        if texts is not None and len(texts) != n:
            raise ThemeError("texts must have one entry per comment")
        vote_arr = self._votes(votes, n)
        self.ids_ = ids_
        docs = _canonical(token_lists, load_synonyms() if self.synonyms else {})
        joined = [_join(d) for d in docs]

        # 1. near-duplicates: one row per group when shaping themes
        dup = find_near_duplicates(joined, self.dup_threshold)
        _, first = np.unique(dup, return_index=True)
        has_content = np.array([bool(d) for d in docs])
        rows = np.array([i for i in first if has_content[i]], dtype=np.int64)
        if len(rows) < 2:
            raise ThemeError("fewer than 2 distinct comments with content; nothing to group")
        row_of_group = {int(dup[i]): r for r, i in enumerate(rows)}

        # 2. features on the distinct rows
        x, word_vec, word_x, char_vec = self._features([docs[i] for i in rows], joined, rows)
        self._word_vec, self._char_vec = word_vec, char_vec
        fast = len(rows) > self.max_quality_docs

        # 3. guided assignment, then unguided clustering of what is left
        row_labels = np.full(len(rows), -1, dtype=np.int64)
        row_conf = np.ones(len(rows))
        seeds = self._parse_seeds()
        theme_meta: list[dict[str, Any]] = []
        if seeds:
            seed_labels, seed_conf = self._assign_seeds(x, seeds)
            row_labels[:] = seed_labels
            row_conf[:] = seed_conf
            theme_meta = [{"seed": s["name"]} for s in seeds]
        free = np.flatnonzero(row_labels < 0)
        self.k_scores_: dict[int, float] = {}
        self.k_ = 0
        if len(free) >= 2:
            x_free = x if len(free) == x.shape[0] else x[free]
            k = self._choose_k(x_free) if self.n_themes is None or seeds else self.n_themes
            k = max(1, min(k, len(free)))
            self.k_ = k
            free_labels = self._cluster(x_free, k, fast) if k > 1 else np.zeros(len(free), int)
            offset = len(theme_meta)
            row_labels[free] = free_labels + offset
            theme_meta += [{"other": bool(seeds)} for _ in range(k)]
        elif len(free) == 1:
            row_labels[free] = len(theme_meta)
            theme_meta.append({"other": bool(seeds)})

        # 4. expand rows back to comments
        labels = np.full(n, -1, dtype=np.int64)
        conf = np.zeros(n)
        for i in range(n):
            r = row_of_group.get(int(dup[i]))
            if r is not None and has_content[i]:
                labels[i] = row_labels[r]
                conf[i] = row_conf[r]
        self.assignments_ = (
            {
                ids_[i]: {"theme": int(labels[i]), "confidence": round(float(conf[i]), 3)}
                for i in range(n)
            }
            if seeds
            else {}
        )

        # 5. describe the themes (empty ones dropped, ids in size order)
        self._build_themes(
            labels, theme_meta, rows, x, word_x, word_vec, vote_arr, dup, conf, seeds
        )
        self.unassigned_ids_ = [ids_[i] for i in range(n) if self.labels_[i] < 0]
        self._build_duplicates(dup)
        self.changes_ = self.match_previous(previous) if previous is not None else None
        return self

    def to_dict(self) -> dict[str, Any]:
        """The result as the CLI's JSON shape."""
        out: dict[str, Any] = {
            "themes": [t.to_dict() for t in self.themes_],
            "duplicates": [d.to_dict() for d in self.duplicates_],
            "unassigned": self.unassigned_ids_,
            "params": {**self.get_params(), "k": self.k_, "path": self.path_},
        }
        if self.changes_ is not None:
            out["changes"] = asdict(self.changes_)
        return out

    # -- stable themes -------------------------------------------------------------------------

    def match_previous(
        self, previous: Sequence[Mapping[str, Any]], *, min_share: float = 0.25
    ) -> ThemeChanges:
        """Map this fit's themes onto a previous run's themes by shared comments.

        A new theme takes a previous theme's id and label when each is the other's largest overlap
        (mutual best match). A previous theme whose comments went, at least ``min_share`` each, to
        two or more new themes is reported as split; a new theme drawing at least ``min_share`` of
        two or more previous themes is reported as a merge. Also sets ``changes_``.
        """
        prev = [dict(p) for p in previous]
        new_sets = [set(t.comment_ids) for t in self.themes_]
        prev_sets = [set(map(str, p.get("comment_ids", []))) for p in prev]
        common = (
            set().union(*new_sets) & set().union(*prev_sets) if new_sets and prev_sets else set()
        )
        ov = np.array(
            [[len(ps & ns & common) for ns in new_sets] for ps in prev_sets], dtype=float
        ).reshape(len(prev_sets), len(new_sets))
        changes = ThemeChanges()
        prev_id = [str(p.get("id", f"p{i + 1}")) for i, p in enumerate(prev)]
        pairs: dict[int, int] = {}  # new theme index -> previous theme index (mutual best)
        if ov.size and ov.sum() > 0:
            for j in range(len(new_sets)):
                i = int(np.argmax(ov[:, j]))
                if ov[i, j] > 0 and int(np.argmax(ov[i])) == j:
                    pairs[j] = i
            share_prev = ov / np.maximum(ov.sum(axis=1, keepdims=True), 1)
            share_new = ov / np.maximum(ov.sum(axis=0, keepdims=True), 1)
        for j, i in pairs.items():
            theme = self.themes_[j]
            theme.id = prev_id[i]
            if prev[i].get("label") and theme.seed is None:
                theme.label = str(prev[i]["label"])
            changes.matched[theme.id] = prev_id[i]
        # unmatched new themes get fresh ids that collide with no previous id
        taken = set(prev_id)
        fresh = (f"t{c}" for c in itertools.count(1))
        for j, theme in enumerate(self.themes_):
            if j not in pairs:
                theme.id = next(c for c in fresh if c not in taken)
                taken.add(theme.id)
                changes.new.append(theme.id)
        if pairs or (ov.size and ov.sum() > 0):
            for i in range(len(prev)):
                parts = [self.themes_[j].id for j in np.flatnonzero(share_prev[i] >= min_share)]
                if len(parts) >= 2:
                    changes.splits.append({"previous": prev_id[i], "into": parts})
            for j, theme in enumerate(self.themes_):
                parts = [
                    prev_id[i]
                    for i in np.flatnonzero(share_new[:, j] >= min_share)
                    if share_prev[i, j] >= min_share
                ]
                if len(parts) >= 2:
                    changes.merges.append({"from": parts, "into": theme.id})
        changes.gone = [p for p in prev_id if p not in changes.matched.values()]
        for d in self.duplicates_:
            if d.theme_id is not None:
                d.theme_id = self._theme_id_of(d.comment_ids[0])
        self.changes_ = changes
        return changes

    def _theme_id_of(self, comment_id: str) -> str | None:
        for t in self.themes_:
            if comment_id in t.comment_ids:
                return t.id
        return None

    # -- steps ---------------------------------------------------------------------------------

    @staticmethod
    def _votes(votes: Any, n: int) -> np.ndarray | None:
        if votes is None:
            return None
        arr = np.asarray(votes, dtype=float)
        if arr.shape != (n, 2):
            raise ThemeError(f"votes must be (agrees, disagrees) per comment, shape {arr.shape}")
        return np.nan_to_num(arr)

    def _features(
        self, row_docs: list[list[str]], joined: list[str], rows: np.ndarray
    ) -> tuple[sp.csr_matrix, _Vectorizer, sp.csr_matrix, _CharTfidf | None]:
        min_df = 2 if len(row_docs) >= 50 else 1
        quality = len(row_docs) <= self.max_quality_docs
        word_vec: _Vectorizer
        if quality:  # counted with numpy: the same matrix as TfidfVectorizer, several times faster
            word_vec = _WordTfidf(min_df, MAX_WORD_FEATURES)
            word_x = word_vec.fit_transform(row_docs)
        else:
            # large inputs: terms are generated while counting (one pass), never held for all
            # comments at once, which keeps the memory flat
            word_vec = TfidfVectorizer(
                analyzer=_identity,
                sublinear_tf=True,
                min_df=min_df,
                max_features=MAX_WORD_FEATURES,
                dtype=np.float32,
            )
            try:
                word_x = word_vec.fit_transform(_word_terms(d) for d in row_docs)
            except ValueError:  # every term below min_df
                word_vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32)
                word_x = word_vec.fit_transform(_word_terms(d) for d in row_docs)
        char_vec = None
        x = word_x
        if self.char_weight > 0 and quality:
            char_vec = _CharTfidf((2, 3), min_df, MAX_CHAR_FEATURES)
            try:
                char_x = char_vec.fit_transform([joined[i] for i in rows])
                x = sp.hstack([normalize(word_x), self.char_weight * normalize(char_x)]).tocsr()
            except (ValueError, OverflowError):  # no n-gram kept / too many distinct characters
                char_vec = None
        return normalize(x).astype(np.float32), word_vec, word_x.tocsr(), char_vec

    def _nmf(self, x: sp.csr_matrix, k: int, init: str, seed: int, **kw: Any) -> np.ndarray:
        with warnings.catch_warnings():
            # a capped iteration count is a time budget here, not an error
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = NMF(k, init=init, random_state=seed, max_iter=kw.pop("max_iter", 400), **kw)
            w = model.fit_transform(x)
        self._last_nmf = model
        return w

    def _cluster(self, x: sp.csr_matrix, k: int, fast: bool) -> np.ndarray:
        if not fast:
            self.path_ = "quality"
            w = self._nmf(x, k, "nndsvda", self.random_state)
            labels = w.argmax(axis=1)
            empty = w.max(axis=1) <= 0
            if empty.any():  # rows NMF could not explain: nearest component by cosine
                h = normalize(self._last_nmf.components_)
                labels[empty] = np.asarray(x[empty] @ h.T).argmax(axis=1)
            return _relabel(labels)
        self.path_ = "fast"
        dims = min(64, x.shape[1] - 1, x.shape[0] - 1)
        z = normalize(TruncatedSVD(dims, random_state=self.random_state).fit_transform(x))
        km = MiniBatchKMeans(
            k, random_state=self.random_state, n_init=3, batch_size=4096, max_no_improvement=20
        )
        return _relabel(km.fit_predict(z))

    def _choose_k(self, x: sp.csr_matrix) -> int:
        """The most stable k in k_range.

        The sample is split into ``SELECTION_FOLDS`` folds; run r is a short NMF on every row but
        fold r's (each row left out exactly once). A k's stability is the mean pairwise AMI of the
        runs on the rows both hold; the chosen k has the best stability averaged with its
        neighbours' (k - 1, k, k + 1), ties to the smaller k.
        """
        lo, hi = self.k_range
        n = x.shape[0]
        hi = min(hi, n - 1, n // MIN_AVG_THEME_SIZE)
        lo = max(2, min(lo, hi))
        self.path_ = "quality" if n <= self.max_quality_docs else "fast"
        if hi < 2:
            return 1
        rng = np.random.default_rng(self.random_state)
        sample = np.sort(rng.choice(n, min(n, self.selection_sample), replace=False))
        xs = x[sample]
        # the sample's most common columns only: the selection runs many NMFs and their cost grows
        # with the column count; rarer columns barely move a k-way split
        df = xs.getnnz(axis=0)
        keep = np.sort(np.argsort(-df, kind="stable")[:SELECTION_FEATURES])
        xs = normalize(xs[:, keep[df[keep] > 0]])
        m = xs.shape[0]
        runs = SELECTION_FOLDS
        perm = rng.permutation(m)
        subsets = [np.sort(np.delete(perm, np.arange(r, m, runs))) for r in range(runs)]
        parts = [xs[sub] for sub in subsets]
        shared = []  # each pair of runs compared on the comments both hold
        for a, b in itertools.combinations(range(runs), 2):
            _, ia, ib = np.intersect1d(subsets[a], subsets[b], return_indices=True)
            shared.append((a, b, ia, ib))
        raw: dict[int, float] = {}
        for k in range(lo, hi + 1):
            if k >= min(len(s) for s in subsets):
                break
            labels = [
                self._nmf(
                    part,
                    k,
                    "nndsvdar",
                    self.random_state * 7919 + r,
                    max_iter=SELECTION_MAX_ITER,
                    tol=SELECTION_TOL,
                ).argmax(axis=1)
                for r, part in enumerate(parts)
            ]
            raw[k] = float(np.mean([_ami(labels[a][ia], labels[b][ib]) for a, b, ia, ib in shared]))
        if not raw:
            self.k_scores_ = {}
            return lo
        # one k's score is a noisy estimate and neighbouring k's split the data much alike:
        # pooling them keeps a lucky single k from winning
        scores = {k: float(np.mean([raw[j] for j in (k - 1, k, k + 1) if j in raw])) for k in raw}
        self.k_scores_ = {k: round(v, 4) for k, v in scores.items()}
        return max(scores, key=lambda k: (scores[k], -k))

    def _parse_seeds(self) -> list[dict[str, Any]]:
        if not self.seed_themes:
            return []
        seeds = []
        for i, s in enumerate(self.seed_themes):
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

    def _seed_matrix(self, seeds: list[dict[str, Any]]) -> sp.csr_matrix:
        """Seed keywords in the same feature space as the comments."""
        seg = self.segmenter or get_segmenter()
        syn = load_synonyms() if self.synonyms else {}
        vecs = []
        for s in seeds:
            toks: list[str] = []
            for kw in s["keywords"]:
                kt = seg.tokens(kw) or [kw.casefold()]
                toks.extend(syn.get(t, t) for t in kt)
            parts = [normalize(self._word_vec.transform([toks]))]
            if self._char_vec is not None:
                # each keyword separately, so character n-grams never span two keywords
                chars = " ".join(
                    _join([syn.get(t, t) for t in seg.tokens(kw) or [kw]]) for kw in s["keywords"]
                )
                parts.append(self.char_weight * normalize(self._char_vec.transform([chars])))
            vecs.append(sp.hstack(parts))
        return normalize(sp.vstack(vecs).tocsr()).astype(np.float32)

    def _assign_seeds(
        self, x: sp.csr_matrix, seeds: list[dict[str, Any]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Seeded centroids, refined by self-training: each round a seed's centre is the mean of
        the comments it holds plus its keyword vector; a comment goes to the most similar centre,
        or to "other" when no centre reaches ``other_threshold`` (cosine)."""
        q = self._seed_matrix(seeds).toarray()
        sim = np.asarray(x @ q.T)
        labels = np.where(sim.max(axis=1) > 0, sim.argmax(axis=1), -1)
        for _ in range(10):
            centres = []
            for s in range(len(seeds)):
                mem = labels == s
                c = np.asarray(x[mem].mean(axis=0)).ravel() if mem.any() else np.zeros(x.shape[1])
                centres.append(normalize(c[None, :]) + q[s][None, :])
            sim = np.asarray(x @ normalize(np.vstack(centres)).T)
            new = np.where(sim.max(axis=1) >= self.other_threshold, sim.argmax(axis=1), -1)
            if np.array_equal(new, labels):
                break
            labels = new
        # confidence: softmax over the seed similarities (temperature 0.05); for "other", how far
        # below the threshold the best similarity stays
        e = np.exp((sim - sim.max(axis=1, keepdims=True)) / 0.05)
        conf = (e.max(axis=1) / e.sum(axis=1)).astype(float)
        best = sim.max(axis=1)
        conf = np.where(labels >= 0, conf, 1.0 - np.clip(best / self.other_threshold, 0, 1))
        return labels, conf

    def _build_themes(
        self,
        labels: np.ndarray,
        meta: list[dict[str, Any]],
        rows: np.ndarray,
        x: sp.csr_matrix,
        word_x: sp.csr_matrix,
        word_vec: _Vectorizer,
        votes: np.ndarray | None,
        dup: np.ndarray,
        conf: np.ndarray,
        seeds: list[dict[str, Any]],
    ) -> None:
        ids = self.ids_
        self._group_rows = {int(dup[i]): r for r, i in enumerate(rows)}
        # theme order: seeds first (in the order given), then by size; empty themes dropped
        present = [t for t in range(len(meta)) if (labels == t).any()]
        seeded = [t for t in present if "seed" in meta[t]]
        rest = sorted(
            (t for t in present if "seed" not in meta[t]), key=lambda t: (-(labels == t).sum(), t)
        )
        order = seeded + rest
        remap = {old: new for new, old in enumerate(order)}
        self.labels_ = np.array([remap.get(int(v), -1) for v in labels], dtype=np.int64)
        if not hasattr(self, "path_"):
            self.path_ = "quality"

        # class-based TF-IDF on the distinct rows (a campaign counts once)
        row_theme = np.array([self.labels_[i] for i in rows])
        k = len(order)
        terms = np.array(word_vec.get_feature_names_out(), dtype=object)
        counts = (word_x > 0).astype(np.float32)
        member = sp.csr_matrix(
            (
                np.ones(len(rows), dtype=np.float32),
                (np.maximum(row_theme, 0), np.arange(len(rows))),
            ),
            shape=(max(k, 1), len(rows)),
        )
        member = member.multiply((row_theme >= 0)[None, :]).tocsr()
        tf = np.asarray((member @ counts).todense())
        avg = tf.sum() / max(k, 1)
        idf = np.log1p(avg / np.maximum(tf.sum(axis=0), 1e-9))
        ctfidf = normalize(tf, norm="l1") * idf[None, :]

        centre = normalize(np.asarray((member @ x).todense()))
        sims = np.zeros(len(rows))
        for t in range(k):  # cosine of each row to its own theme centre, one theme at a time
            sel = np.flatnonzero(row_theme == t)
            sims[sel] = np.asarray(x[sel] @ centre[t]).ravel()

        themes = []
        for t in range(k):
            members = np.flatnonzero(self.labels_ == t).tolist()
            keywords = self._keywords(ctfidf[t], tf[t], terms)
            m = meta[order[t]]
            label = m["seed"] if "seed" in m else " · ".join(keywords[:3]) or f"theme {t + 1}"
            reps = self._representatives(members, rows, sims, dup, votes)
            stance = None
            if votes is not None:
                a, d = votes[members].sum(axis=0)
                stance = {
                    "agree": round(float(a / (a + d)), 3) if a + d else 0.0,
                    "disagree": round(float(d / (a + d)), 3) if a + d else 0.0,
                    "votes": int(a + d),
                }
            themes.append(
                Theme(
                    id=f"t{t + 1}",
                    label=label,
                    keywords=keywords,
                    size=len(members),
                    comment_ids=[ids[i] for i in members],
                    representative_ids=reps,
                    stance=stance,
                    seed=m.get("seed"),
                    other=bool(m.get("other")),
                    confidence=round(float(conf[members].mean()), 3) if seeds else None,
                )
            )
        self.themes_ = themes

    def _keywords(self, scores: np.ndarray, tf: np.ndarray, terms: np.ndarray) -> list[str]:
        out: list[str] = []
        for j in np.argsort(-scores, kind="stable"):
            if len(out) >= self.n_keywords or scores[j] <= 0:
                break
            term = str(terms[j])
            if len(term) == 1 and _is_cjk(term):  # single characters (個, 人, 做) say little
                continue
            if tf[j] < 2 and out:  # a term from a single comment does not describe a theme
                continue
            if any(term in o or o in term for o in out):  # 機車行 vs 機車行 轉型: keep one
                continue
            out.append(term)
        return out

    def _representatives(
        self,
        members: list[int],
        rows: np.ndarray,
        sims: np.ndarray,
        dup: np.ndarray,
        votes: np.ndarray | None,
    ) -> list[str]:
        ids = self.ids_
        seen_groups: set[int] = set()
        cands: list[tuple[float, int]] = []
        group_rows = self._group_rows
        for i in members:
            g = int(dup[i])
            if g in seen_groups:
                continue
            seen_groups.add(g)
            r = group_rows.get(g)
            if r is None:
                continue
            cands.append((float(sims[r]), int(rows[r])))
        cands.sort(key=lambda c: (-c[0], ids[c[1]]))
        top = cands[: max(self.n_representatives * 2, 10)]
        if votes is not None:
            # prefer comments many people agreed with, among those near the centre
            def score(c: tuple[float, int]) -> float:
                g = int(dup[c[1]])
                grp = [i for i in members if int(dup[i]) == g]
                a, d = votes[grp].sum(axis=0)
                return c[0] * (0.5 + (a + 1) / (a + d + 2))

            top.sort(key=lambda c: (-score(c), ids[c[1]]))
        return [ids[i] for _, i in top[: self.n_representatives]]

    def _build_duplicates(self, dup: np.ndarray) -> None:
        groups: dict[int, list[int]] = {}
        for i, g in enumerate(dup):
            groups.setdefault(int(g), []).append(i)
        out = []
        for members in groups.values():
            if len(members) < 2:
                continue
            cids = [self.ids_[i] for i in members]
            t = int(self.labels_[members[0]])
            out.append(
                DuplicateGroup(
                    id="",
                    size=len(members),
                    comment_ids=cids,
                    theme_id=self.themes_[t].id if t >= 0 else None,
                )
            )
        out.sort(key=lambda d: (-d.size, d.comment_ids[0]))
        for n, d in enumerate(out, 1):
            d.id = f"d{n}"
        self.duplicates_ = out


def _relabel(labels: np.ndarray) -> np.ndarray:
    """Consecutive labels 0..k-1 in order of first appearance (deterministic)."""
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    mapping = {int(np.unique(labels)[o]): new for new, o in enumerate(order)}
    return np.array([mapping[int(v)] for v in labels], dtype=np.int64)
