"""Themes in short comments: a scikit-learn-style estimator over pre-segmented tokens.

Modules: ``model`` (``ThemeModel``: clustering, the choice of k), ``duplicates``
(near-duplicate search), ``features``
(tokens as text, word and character TF-IDF), ``labels`` (keywords, labels, representatives,
stable ids across runs), ``guided`` (seed themes), ``agreement`` (AMI), ``results`` (what a fit
returns). Everything public is importable from ``analysis.themes``.

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
   Staff examples (``examples=``) stay under their seed with their near-duplicates, and a
   comment much like one follows it; without examples the run is the seeds-only run.
6. Stable themes: ``previous=`` maps new themes onto a previous run's by shared comments (mutual
   best overlap), keeping the previous id and name; splits and merges are reported.
"""

from .duplicates import EXACT_PAIRS_MAX, MINHASH_BLOCK, find_near_duplicates
from .model import (
    BLAS_THREADS,
    MAX_CHAR_FEATURES,
    MAX_WORD_FEATURES,
    MIN_AVG_THEME_SIZE,
    OTHER,
    SELECTION_FEATURES,
    SELECTION_FOLDS,
    SELECTION_MAX_ITER,
    SELECTION_TOL,
    ThemeModel,
)
from .results import DuplicateGroup, Theme, ThemeChanges, ThemeError

__all__ = [
    "BLAS_THREADS",
    "EXACT_PAIRS_MAX",
    "MAX_CHAR_FEATURES",
    "MAX_WORD_FEATURES",
    "MINHASH_BLOCK",
    "MIN_AVG_THEME_SIZE",
    "OTHER",
    "SELECTION_FEATURES",
    "SELECTION_FOLDS",
    "SELECTION_MAX_ITER",
    "SELECTION_TOL",
    "DuplicateGroup",
    "Theme",
    "ThemeChanges",
    "ThemeError",
    "ThemeModel",
    "find_near_duplicates",
]
