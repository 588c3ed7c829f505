"""Features of comments for theme finding: tokens as text, word and character TF-IDF.

scikit-learn's vectorizers count n-grams one Python string at a time; here the same counts are
built with numpy (the vocabulary, its order and the pruning are scikit-learn's, so the matrices
are the same; the tests compare them with TfidfVectorizer / CountVectorizer). A leading
underscore marks a name internal to ``analysis.themes`` (used across its modules, not outside).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import TypeAlias

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer

from analysis.segment import PLACEHOLDERS

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
