"""Opinion groups from votes: the Polis method (PCA, two-stage k-means, repness, consensus).

Modules: ``model`` (``OpinionGroups``), ``replay`` (Polis's live history, ``fit_history``),
``clustering`` (weighted k-means, silhouette), ``stats`` (z tests, agreement between labelings).
Everything public is importable from ``analysis.groups``.

The steps follow the Polis math service (compdemocracy/polis, ``math/src/polismath/math``):

1. Votes are a participants x comments matrix: 1 agree, -1 disagree, 0 pass, NaN no vote.
   Comments nobody voted on and excluded (moderated-out) comments take no part in the axes.
2. Missing votes are imputed with the comment's mean vote; the data are centred and reduced to two
   principal components. Because the column mean is also the centre, the centred matrix is zero
   wherever a vote is missing, so the whole computation stays sparse (100k x 1,000 fits in memory).
3. Each participant is projected using only the votes they cast, then pushed out from the centre by
   ``sqrt(n_comments / n_votes)`` so that people who voted little are not all piled in the middle.
4. Participants with fewer than ``min(min_votes, n_comments)`` votes are placed but not clustered
   (or ``fit(..., clustered=mask)`` names the participants to cluster, e.g. Polis's own set).
5. The clustered participants are grouped in two stages: about 100 base clusters, then k-means
   (weighted by base-cluster size) over the base-cluster centres for each k in ``k_range``; the k
   with the best silhouette over the base clusters wins, as in Polis.
6. For each group: representative comments (Polis repness), then group-informed consensus over all
   groups and the most divisive comments.

What Polis does and this module does not: Polis updates incrementally, warm-starting every k-means
from the previous run's clusters and only switching k after the same k has won four runs in a row;
it also keeps a participant clustered forever once they qualified, and tops the clustered set up to
15 people in tiny conversations; older Polis versions clustered every participant. It also treats
"meta" statements (e.g. demographic questions) like moderated-out comments, a flag the CSV export
does not carry. A one-shot fit cannot see that history, so on conversations whose groups Polis
settled long ago its labels can differ (see docs/analysis.md for the measured agreement).
"""

from .model import OpinionGroups
from .replay import (
    POLIS_BASE_ITERS,
    POLIS_GREEDY_IN_CONV,
    POLIS_GROUP_ITERS,
    POLIS_GROUP_K_BUFFER,
    POLIS_PCA_ITERS,
    POLIS_POLL_INTERVAL_MS,
    POLIS_SAME_CLUSTERING,
)
from .stats import Z_90, agreement_with_reference, prop_test, two_prop_test

__all__ = [
    "POLIS_BASE_ITERS",
    "POLIS_GREEDY_IN_CONV",
    "POLIS_GROUP_ITERS",
    "POLIS_GROUP_K_BUFFER",
    "POLIS_PCA_ITERS",
    "POLIS_POLL_INTERVAL_MS",
    "POLIS_SAME_CLUSTERING",
    "Z_90",
    "OpinionGroups",
    "agreement_with_reference",
    "prop_test",
    "two_prop_test",
]
