"""The theme estimator: near-duplicate search, clustering (NMF, or SVD + k-means on large
inputs), the choice of k by stability, and guided mode with seed themes.

``ThemeModel`` follows scikit-learn's rules: ``__init__`` stores its parameters as given,
``get_params`` returns exactly them and ``set_params`` sets them, ``fit`` returns self and the
learned state ends in ``_``; the same input and ``random_state`` give the same result.
"""

from __future__ import annotations

import inspect
import itertools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import MiniBatchKMeans
from sklearn.decomposition import NMF, TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from analysis.segment import Segmenter, get_segmenter, load_synonyms

from . import guided
from . import labels as describe
from .agreement import _ami
from .duplicates import find_near_duplicates
from .features import (
    _canonical,
    _CharTfidf,
    _identity,
    _join,
    _Vectorizer,
    _word_terms,
    _WordTfidf,
)
from .phrases import vocabulary
from .results import ThemeChanges, ThemeError

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
MIN_AVG_THEME_SIZE = 5  # k is capped at n / 5: a theme should hold a handful of comments


# -- the estimator -----------------------------------------------------------------------------


class ThemeModel:
    """Themes of short comments from their tokens (see the module docstring for the method).

    Parameters are stored as given; ``fit`` returns self and sets ``themes_``, ``labels_``
    (theme index per comment, -1 for comments without content), ``duplicates_``, ``k_``,
    ``k_scores_``, ``confidence_`` and ``secondary_`` (per comment; ``assignments_`` by id) and
    ``changes_`` (when ``previous`` is given). ``examples`` (comment id -> seed name, guided
    mode) are comments staff placed: they stay where placed, with their near-duplicates and
    the comments much like them (`guided.assign_seeds`); they do not move the seed centres.
    In guided mode a comment naming one seed's keywords clearly more than any other's is
    placed under that seed (`guided.keyword_seeds`), whatever the centres say.
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
        examples: Mapping[str, str] | None = None,
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
        self.examples = examples

    # the constructor's parameter names, in order: what get_params returns and set_params takes
    _PARAMS = tuple(inspect.signature(__init__).parameters)[1:]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Exactly the constructor parameters, as given (so scikit-learn's `clone` works)."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params: Any) -> ThemeModel:
        """Set constructor parameters by name; an unknown name is a ValueError. Returns self."""
        for name in params:
            if name not in self._PARAMS:
                raise ValueError(f"invalid parameter {name!r} for ThemeModel")
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def summary_params(self) -> dict[str, Any]:
        """The parameters as a snapshot and the CLI record them: JSON-ready, seed themes counted."""
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
            "examples": len(self.examples) if self.examples else 0,
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
        return self.fit(
            seg.tokens_many(texts), ids=ids, texts=texts, votes=votes, previous=previous
        )

    def fit(
        self,
        token_lists: Sequence[Sequence[str]],
        ids: Sequence[str] | None = None,
        texts: Sequence[str] | None = None,
        votes: Sequence[tuple[int, int]] | np.ndarray | None = None,
        previous: Sequence[Mapping[str, Any]] | None = None,
    ) -> ThemeModel:
        """Find themes in pre-segmented comments (one token list per comment); returns self.

        ``votes`` is (agrees, disagrees) per comment; ``texts`` (optional) are the raw texts,
        used only to word a label as a clause when no phrase is shared; ``previous`` is a previous run's themes
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
        fast = len(rows) > self.max_quality_docs

        # 3. guided assignment, then unguided clustering of what is left
        row_labels = np.full(len(rows), -1, dtype=np.int64)
        row_conf = np.ones(len(rows))
        seeds = guided.parse_seeds(self.seed_themes)
        theme_meta: list[dict[str, Any]] = []
        if seeds:
            q = guided.seed_matrix(
                seeds,
                word_vec,
                char_vec,
                segmenter=self.segmenter or get_segmenter(),
                synonyms=load_synonyms() if self.synonyms else {},
                char_weight=self.char_weight,
            )
            seed_labels, seed_conf = guided.assign_seeds(
                x,
                q.toarray(),
                self.other_threshold,
                examples=guided.example_rows(self.examples, seeds, ids_, dup, row_of_group),
                keyword_seed=guided.keyword_seeds(
                    [joined[i] for i in rows],
                    seeds,
                    segmenter=self.segmenter or get_segmenter(),
                    synonyms=load_synonyms() if self.synonyms else {},
                ),
            )
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
        # 5. describe the themes (empty ones dropped, ids in size order)
        self.labels_, self.themes_, self.confidence_, self.secondary_ = describe.describe_themes(
            labels,
            theme_meta,
            rows,
            x,
            word_x,
            np.array(word_vec.get_feature_names_out(), dtype=object),
            vote_arr,
            dup,
            conf,
            seeds,
            ids=ids_,
            n_keywords=self.n_keywords,
            n_representatives=self.n_representatives,
            docs=docs,
            texts=texts,
            vocab=vocabulary(self.segmenter),
            random_state=self.random_state,
        )
        if not hasattr(self, "path_"):
            self.path_ = "quality"
        self.unassigned_ids_ = [ids_[i] for i in range(n) if self.labels_[i] < 0]
        self.duplicates_ = describe.duplicate_groups(dup, ids_, self.labels_, self.themes_)
        self.changes_ = self.match_previous(previous) if previous is not None else None
        return self

    @property
    def assignments_(self) -> dict[str, dict[str, Any]]:
        """Per assigned comment id: its theme id, confidence (0-1) and secondary theme id."""
        out: dict[str, dict[str, Any]] = {}
        for i, cid in enumerate(self.ids_):
            t = int(self.labels_[i])
            if t < 0:
                continue
            entry: dict[str, Any] = {
                "theme": self.themes_[t].id,
                "confidence": float(self.confidence_[i]),
            }
            if self.secondary_[i] >= 0:
                entry["secondary"] = self.themes_[int(self.secondary_[i])].id
            out[cid] = entry
        return out

    def to_dict(self) -> dict[str, Any]:
        """The result as the CLI's JSON shape."""
        out: dict[str, Any] = {
            "themes": [t.to_dict() for t in self.themes_],
            "duplicates": [d.to_dict() for d in self.duplicates_],
            "unassigned": self.unassigned_ids_,
            "assignments": [{"comment_id": c, **a} for c, a in self.assignments_.items()],
            "params": {**self.summary_params(), "k": self.k_, "path": self.path_},
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
        self.changes_ = describe.match_previous(
            self.themes_, self.duplicates_, previous, min_share=min_share
        )
        return self.changes_

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


def _relabel(labels: np.ndarray) -> np.ndarray:
    """Consecutive labels 0..k-1 in order of first appearance (deterministic)."""
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    mapping = {int(np.unique(labels)[o]): new for new, o in enumerate(order)}
    return np.array([mapping[int(v)] for v in labels], dtype=np.int64)
