"""Opinion groups from votes: the Polis method (PCA, two-stage k-means, repness, consensus).

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

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans

from analysis.polis import InputError

# Polis's math worker polls for new votes every second; each poll's votes make one update.
POLIS_POLL_INTERVAL_MS = 1000
# Polis's k-means and PCA settings (conversation.clj, clusters.clj): group k-means is called with
# :cluster-iters, a key kmeans ignores, so it runs its default 20 iterations; base clusters 100.
POLIS_BASE_ITERS = 100
POLIS_GROUP_ITERS = 20
POLIS_PCA_ITERS = 100
POLIS_GROUP_K_BUFFER = 4  # k changes only after the same new k won this many updates in a row
POLIS_GREEDY_IN_CONV = 15  # below this many clustered participants, the most active are added
POLIS_SAME_CLUSTERING = 0.01  # k-means stops when no centre moved this far

# One-sided z for 90% confidence: Polis's threshold for "significant" repness and consensus.
Z_90 = 1.2816


def prop_test(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    """One-proportion z statistic against 1/2, with Polis's +1 pseudo-counts."""
    s = np.asarray(successes, dtype=float) + 1.0
    n = np.asarray(trials, dtype=float) + 1.0
    return 2.0 * np.sqrt(n) * (s / n - 0.5)


def two_prop_test(
    succ_in: np.ndarray, succ_out: np.ndarray, n_in: np.ndarray, n_out: np.ndarray
) -> np.ndarray:
    """Two-proportion z statistic (group vs rest), with Polis's +1 pseudo-counts."""
    s1 = np.asarray(succ_in, dtype=float) + 1.0
    s2 = np.asarray(succ_out, dtype=float) + 1.0
    n1 = np.asarray(n_in, dtype=float) + 1.0
    n2 = np.asarray(n_out, dtype=float) + 1.0
    pooled = (s1 + s2) / (n1 + n2)
    denom = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 / n1 - s2 / n2) / denom
    # Everyone agreeing in and out of the group: no evidence either way.
    return np.where(denom > 0, z, 0.0)


def agreement_with_reference(
    labels: Sequence[Any] | np.ndarray, reference: Sequence[Any] | np.ndarray
) -> float:
    """Share of participants clustered in both labelings whose groups match after best relabeling.

    Unclustered participants are -1 / None / "" in either sequence and are left out. Group labels
    are matched one-to-one by the Hungarian algorithm on the contingency table, so the figure does
    not depend on how either side numbers its groups.
    """
    a = _as_codes(labels)
    b = _as_codes(reference)
    if len(a) != len(b):
        raise ValueError(f"labels has {len(a)} entries but reference has {len(b)}")
    both = (a >= 0) & (b >= 0)
    if not both.any():
        return float("nan")
    a, b = a[both], b[both]
    ua, ia = np.unique(a, return_inverse=True)
    ub, ib = np.unique(b, return_inverse=True)
    table = np.zeros((len(ua), len(ub)), dtype=np.int64)
    np.add.at(table, (ia, ib), 1)
    rows, cols = linear_sum_assignment(-table)
    return float(table[rows, cols].sum() / both.sum())


def _as_codes(labels: Sequence[Any] | np.ndarray) -> np.ndarray:
    """Turn labels (ints, strings, None) into ints with -1 for unclustered."""
    out = np.full(len(labels), -1, dtype=np.int64)
    seen: dict[Any, int] = {}
    for i, lab in enumerate(labels):
        if lab is None or lab == "":
            continue
        if isinstance(lab, (int, np.integer)) and lab < 0:
            continue
        if isinstance(lab, float) and (math.isnan(lab) or lab < 0):
            continue
        out[i] = seen.setdefault(lab, len(seen))
    return out


class OpinionGroups:
    """Opinion groups from a vote matrix, the Polis way; a scikit-learn-style estimator.

    Parameters
    ----------
    k : fixed number of groups, or None to choose it in ``k_range`` by silhouette.
    k_range : (min_k, max_k), inclusive. Polis uses (2, 5), and at most 2 + n_base_clusters // 12.
    min_votes : participants need ``min(min_votes, n_comments)`` votes to be clustered (Polis: 7).
    base_k : number of base clusters of the first stage (Polis: 100).
    n_init : k-means restarts per k in the group stage; the restart with the best silhouette is kept
        (the base stage runs once: it only compresses the points).
    count_excluded : treat excluded comments as Polis does: their votes count towards ``min_votes``
        and each counts as a pass from everyone in the projection scaling. Their votes (agree or
        disagree) never affect the axes, the groups or the statistics. False drops them entirely.
    min_group_size : smallest group allowed (participants; a value below 1 is a share of the
        clustered participants). Splitting one outlier off scores a high silhouette but is no group.
    n_representative, n_consensus, n_divisive : lengths of the reported lists.
    random_state : seed for k-means; the same input and seed give the same result.
    """

    def __init__(
        self,
        k: int | None = None,
        k_range: tuple[int, int] = (2, 5),
        min_votes: int = 7,
        base_k: int = 100,
        n_init: int = 100,
        count_excluded: bool = True,
        min_group_size: float = 2,
        n_representative: int = 5,
        n_consensus: int = 5,
        n_divisive: int = 5,
        random_state: int | None = 0,
    ) -> None:
        self.min_group_size = min_group_size
        self.k = k
        self.k_range = k_range
        self.min_votes = min_votes
        self.base_k = base_k
        self.n_init = n_init
        self.count_excluded = count_excluded
        self.n_representative = n_representative
        self.n_consensus = n_consensus
        self.n_divisive = n_divisive
        self.random_state = random_state

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters, as scikit-learn estimators report them."""
        return {
            "k": self.k,
            "k_range": list(self.k_range),
            "min_votes": self.min_votes,
            "base_k": self.base_k,
            "n_init": self.n_init,
            "count_excluded": self.count_excluded,
            "min_group_size": self.min_group_size,
            "n_representative": self.n_representative,
            "n_consensus": self.n_consensus,
            "n_divisive": self.n_divisive,
            "random_state": self.random_state,
        }

    # ------------------------------------------------------------------ fit

    def fit(
        self,
        values: np.ndarray | sp.sparray | sp.spmatrix,
        participant_ids: Sequence[str] | None = None,
        comment_ids: Sequence[str] | None = None,
        excluded_comments: Sequence[str] = (),
        clustered: Sequence[bool] | np.ndarray | None = None,
    ) -> OpinionGroups:
        """Find the opinion groups; returns self.

        ``values`` is participants x comments: a dense array (1, -1, 0, NaN = no vote) or a scipy
        sparse matrix whose *stored* entries are the votes (an explicitly stored 0 is a pass).
        ``clustered`` (one bool per participant) replaces the ``min_votes`` rule with a given set of
        participants to cluster, e.g. the ones a Polis export shows as clustered (non-empty
        ``group-id``): which participants Polis clusters depends on its version and history, and
        they pull the group centres, so reproducing a Polis run needs the same set. Participants
        without any vote are never clustered.
        """
        self._check_params()
        return self._fit(values, participant_ids, comment_ids, excluded_comments, clustered, None)

    def _fit(
        self,
        values: Any,
        participant_ids: Sequence[str] | None,
        comment_ids: Sequence[str] | None,
        excluded_comments: Sequence[str],
        clustered: Any,
        replayed: _Replay | None,
    ) -> OpinionGroups:
        rows, cols, vals, n_p, n_c = _triplets(values)
        pids = [str(p) for p in participant_ids] if participant_ids is not None else None
        cids = [str(c) for c in comment_ids] if comment_ids is not None else None
        pids = pids or [str(i) for i in range(n_p)]
        cids = cids or [str(j) for j in range(n_c)]
        if len(pids) != n_p or len(cids) != n_c:
            raise InputError(
                f"{n_p} x {n_c} vote matrix but {len(pids)} participant ids and "
                f"{len(cids)} comment ids"
            )
        if rows.size == 0:
            raise InputError("every vote is empty")
        bad = ~np.isin(vals, (-1.0, 0.0, 1.0))
        if bad.any():
            raise InputError(f"vote {vals[bad][0]!r} is not 1, -1 or 0")

        excluded = {str(c) for c in excluded_comments}
        is_excluded = np.array([c in excluded for c in cids], dtype=bool)
        voted_on = np.bincount(cols, minlength=n_c) > 0
        kept = voted_on & ~is_excluded
        n_kept = int(kept.sum())
        if n_kept < 2:
            raise InputError(
                f"{n_kept} comment(s) with votes after exclusions; need at least 2 to find groups"
            )
        extra = int((voted_on & is_excluded).sum()) if self.count_excluded else 0

        in_kept = kept[cols]
        # Polis counts every vote, excluded comments included, towards min_votes.
        counted = rows if self.count_excluded else rows[in_kept]
        n_votes_all = np.bincount(counted, minlength=n_p)
        r, c, v = rows[in_kept], cols[in_kept], vals[in_kept]
        col_map = np.cumsum(kept) - 1
        c = col_map[c]

        # Column mean over the people who voted = the imputed value = the PCA centre.
        n_col = np.bincount(c, minlength=n_kept).astype(float)
        center = np.bincount(c, weights=v, minlength=n_kept) / n_col
        centred = sp.csr_array((v - center[c], (r, c)), shape=(n_p, n_kept))
        cov = (centred.T @ centred).toarray()
        eigval, eigvec = np.linalg.eigh(cov)
        components = eigvec[:, ::-1][:, :2].T.copy()
        for comp in components:  # a sign convention, so the same data give the same picture
            if comp[np.argmax(np.abs(comp))] < 0:
                comp *= -1
        n_votes_kept = np.bincount(r, minlength=n_p)
        scale = np.sqrt((n_kept + extra) / np.maximum(n_votes_kept + extra, 1))
        projection = np.asarray(centred @ components.T) * scale[:, None]
        projection[n_votes_kept == 0] = 0.0

        threshold = min(self.min_votes, n_kept + extra)
        given = clustered is not None
        if clustered is None:
            clustered = n_votes_all >= threshold
        else:
            clustered = np.asarray(clustered, dtype=bool).reshape(-1)
            if clustered.shape != (n_p,):
                raise InputError(f"clustered has {clustered.size} entries for {n_p} participants")
            clustered = clustered & (n_votes_all > 0)
        n_clustered = int(clustered.sum())
        if n_clustered < 3:
            who = "given as clustered" if given else f"voted on at least {threshold} comments"
            raise InputError(f"{n_clustered} participant(s) {who}; need at least 3 to find groups")

        if replayed is None:
            labels, base_labels, base_centers, silhouettes, k = self._cluster(projection[clustered])
            full_labels = np.full(n_p, -1, dtype=np.int64)
            full_labels[clustered] = labels
            full_base = np.full(n_p, -1, dtype=np.int64)
            full_base[clustered] = base_labels
        else:
            # The groups come from the replay; the map and the statistics from the final votes.
            full_labels, full_base = replayed.labels, replayed.base_labels
            base_centers, silhouettes, k = replayed.base_centers, replayed.silhouettes, replayed.k
            clustered = full_labels >= 0

        self.participant_ids_ = pids
        self.comment_ids_ = [cid for cid, keep in zip(cids, kept, strict=True) if keep]
        self.excluded_comment_ids_ = [cid for cid in cids if cid in excluded]
        self.n_votes_ = n_votes_all
        self.center_ = center
        self.components_ = components
        self.explained_variance_ = eigval[::-1][:2] / max(n_p - 1, 1)
        self.projection_ = projection
        self.clustered_ = clustered
        self.labels_ = full_labels
        self.base_labels_ = full_base
        self.base_centers_ = base_centers
        self.k_ = k
        self.silhouettes_ = silhouettes
        self.silhouette_ = silhouettes.get(k, float("nan"))
        self.n_updates_ = None if replayed is None else replayed.n_updates
        self._statistics(r, c, v, n_kept)
        return self

    def fit_predict(self, values: Any, **kwargs: Any) -> np.ndarray:
        """Fit, then return labels_ (-1 for participants not clustered)."""
        return self.fit(values, **kwargs).labels_

    def fit_history(
        self,
        timestamps: Sequence[int] | np.ndarray,
        participant_ids: Sequence[str],
        comment_ids: Sequence[str],
        votes: Sequence[float] | np.ndarray,
        excluded_comments: Sequence[str] = (),
        clustered: Collection[str] | None = None,
        update_interval_ms: int = POLIS_POLL_INTERVAL_MS,
    ) -> OpinionGroups:
        """Find the groups by replaying a vote log the way Polis computed them live; returns self.

        The four sequences are one entry per vote event (a Polis votes.csv; a changed vote appears
        again, the latest counts). Votes are replayed in time order in updates of
        ``update_interval_ms`` (Polis polls for new votes every second): each update recomputes
        the PCA warm-started from the last components, the base clusters and the group
        clusterings for every k warm-started from the last ones, and smooths k with Polis's
        group-k buffer. The final update's groups are the result; the map (``projection_``) and
        all statistics are computed from the final votes as in :meth:`fit`. ``clustered`` names
        the participants to cluster (each from their first vote on) instead of Polis's in-conv
        rule. Participant order in the result is the order of first vote.
        """
        self._check_params()
        if update_interval_ms < 1:
            raise ValueError(f"update_interval_ms must be at least 1, got {update_interval_ms}")
        times = np.asarray(timestamps, dtype=np.int64).reshape(-1)
        vals = np.asarray(votes, dtype=np.float64).reshape(-1)
        n_events = len(times)
        if not n_events:
            raise InputError("the vote log is empty")
        if not (len(participant_ids) == len(comment_ids) == len(vals) == n_events):
            raise InputError(
                f"{n_events} timestamps but {len(participant_ids)} participant ids, "
                f"{len(comment_ids)} comment ids and {len(vals)} votes"
            )
        bad = ~np.isin(vals, (-1.0, 0.0, 1.0))
        if bad.any():
            raise InputError(f"vote {vals[bad][0]!r} is not 1, -1 or 0")
        order = np.argsort(times, kind="stable")
        times, vals = times[order], vals[order]
        # Index participants and comments by first vote, as Polis's rating matrix grows.
        p_index: dict[str, int] = {}
        c_index: dict[str, int] = {}
        rows = np.array([p_index.setdefault(str(participant_ids[i]), len(p_index)) for i in order])
        cols = np.array([c_index.setdefault(str(comment_ids[i]), len(c_index)) for i in order])
        pids, cids = list(p_index), list(c_index)
        n_p, n_c = len(pids), len(cids)
        excluded = {str(c) for c in excluded_comments}
        is_excluded = np.array([c in excluded for c in cids], dtype=bool)
        if int((~is_excluded).sum()) < 2:
            raise InputError(
                f"{int((~is_excluded).sum())} comment(s) with votes after exclusions; "
                "need at least 2 to find groups"
            )
        wanted = None
        if clustered is not None:
            names = {str(p) for p in clustered}
            wanted = np.array([p in names for p in pids], dtype=bool)
        k_lo, k_hi = (self.k, self.k) if self.k is not None else self.k_range
        replayed = _replay_polis(
            times,
            rows,
            cols,
            vals,
            n_p,
            n_c,
            is_excluded,
            wanted,
            min_votes=self.min_votes,
            base_k=self.base_k,
            k_range=(k_lo, k_hi),
            interval_ms=int(update_interval_ms),
            rng=np.random.RandomState(self.random_state),
        )
        # The final votes: the latest event per (participant, comment).
        key = rows * n_c + cols
        _, last = np.unique(key[::-1], return_index=True)
        last = n_events - 1 - last
        final = sp.coo_array((vals[last], (rows[last], cols[last])), shape=(n_p, n_c))
        return self._fit(final, pids, cids, sorted(excluded), replayed.labels >= 0, replayed)

    def _check_params(self) -> None:
        lo, hi = self.k_range
        if not 2 <= lo <= hi:
            raise ValueError(f"k_range must satisfy 2 <= min <= max, got {self.k_range}")
        if self.k is not None and self.k < 2:
            raise ValueError(f"k must be at least 2, got {self.k}")
        if self.min_votes < 1 or self.base_k < 2 or self.n_init < 1:
            raise ValueError("min_votes >= 1, base_k >= 2 and n_init >= 1 are required")

    def _cluster(
        self, points: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, float], int]:
        """Two-stage k-means: base clusters, then groups of base clusters chosen by silhouette."""
        distinct, inverse = np.unique(points, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        if len(distinct) < 2:
            raise InputError("every clustered participant sits at the same point; no groups")
        if len(distinct) <= self.base_k:
            # Polis's base clusters would be the distinct points themselves.
            centers, base = distinct, inverse
        else:
            km = KMeans(self.base_k, n_init=1, random_state=self.random_state).fit(points)
            base = km.labels_.astype(np.int64)
            used = np.unique(base)
            centers = km.cluster_centers_[used]
            base = np.searchsorted(used, base)
        weights = np.bincount(base, minlength=len(centers)).astype(float)

        if self.k is not None:
            candidates = [min(self.k, len(centers))]
        else:
            lo, hi = self.k_range
            hi = min(hi, 2 + len(centers) // 12, len(centers) - 1)  # Polis's max-k, silhouette's
            candidates = list(range(lo, hi + 1)) or [min(lo, len(centers))]
        # Polis warm-starts each k-means from its previous run, so which local optimum it lands in
        # depends on history. A one-shot fit instead keeps, per k, the restart with the best
        # silhouette (the criterion that also picks k): measured on the Polis open data this
        # agrees with Polis's groups far more often than keeping the lowest-inertia restart.
        rng = np.random.RandomState(self.random_state)
        min_size = max(self.min_group_size, 0.0)
        if min_size < 1:
            min_size *= len(points)
        dist = np.sqrt(((centers[:, None, :] - centers[None, :, :]) ** 2).sum(-1))
        silhouettes: dict[int, float] = {}
        groupings: dict[int, np.ndarray] = {}
        for k in candidates:
            best: tuple[float, float, np.ndarray] | None = None
            for _ in range(self.n_init):
                labels, inertia = _weighted_kmeans(centers, weights, k, rng)
                score = _silhouette(dist, labels)
                if np.bincount(labels, weights=weights).min() < min_size:
                    score = float("nan")  # a "group" of one or two outliers explains nothing
                key = (-np.inf if math.isnan(score) else score, -inertia)
                if best is None or key > best[:2]:
                    best = (key[0], key[1], labels)
            assert best is not None
            silhouettes[k] = float("nan") if best[0] == -np.inf else best[0]
            groupings[k] = best[2]
        finite = {k: s for k, s in silhouettes.items() if not math.isnan(s)}
        best_k = max(finite, key=lambda k: (finite[k], -k)) if finite else candidates[0]
        group_of_base = _canonical_groups(groupings[best_k], centers, weights)
        return group_of_base[base], base, centers, silhouettes, int(group_of_base.max() + 1)

    # ----------------------------------------------------------- statistics

    def _statistics(self, r: np.ndarray, c: np.ndarray, v: np.ndarray, n_c: int) -> None:
        """Per-group vote counts, representative comments, consensus and divisive comments."""
        k = self.k_
        g = self.labels_[r]
        inside = g >= 0
        idx = g[inside] * n_c + c[inside]
        vv = v[inside]
        shape = (k, n_c)
        na = np.bincount(idx, weights=(vv == 1), minlength=k * n_c).reshape(shape)
        nd = np.bincount(idx, weights=(vv == -1), minlength=k * n_c).reshape(shape)
        ns = np.bincount(idx, minlength=k * n_c).reshape(shape).astype(float)
        rest_a, rest_d, rest_s = na.sum(0) - na, nd.sum(0) - nd, ns.sum(0) - ns

        pa, pd = (na + 1) / (ns + 2), (nd + 1) / (ns + 2)
        pat, pdt = prop_test(na, ns), prop_test(nd, ns)
        ra = pa / ((rest_a + 1) / (rest_s + 2))
        rd = pd / ((rest_d + 1) / (rest_s + 2))
        rat = two_prop_test(na, rest_a, ns, rest_s)
        rdt = two_prop_test(nd, rest_d, ns, rest_s)
        self.group_votes_ = {"agree": na, "disagree": nd, "seen": ns}
        self.agree_rate_, self.disagree_rate_ = pa, pd

        groups = []
        for gi in range(k):
            members = [
                p for p, lab in zip(self.participant_ids_, self.labels_, strict=True) if lab == gi
            ]
            reps = self._representative(gi, na, nd, ns, pa, pd, pat, pdt, ra, rd, rat, rdt)
            groups.append(
                {"id": gi, "size": len(members), "participants": members, "representative": reps}
            )
        self.groups_ = groups

        # Group-informed consensus: every group must lean the same way, so multiply the groups'
        # smoothed probabilities (Polis's group-aware-consensus).
        self.consensus_agree_ = np.prod(pa, axis=0)
        self.consensus_disagree_ = np.prod(pd, axis=0)
        consensus = []
        for direction, score, rates in (
            ("agree", self.consensus_agree_, pa),
            ("disagree", self.consensus_disagree_, pd),
        ):
            ok = np.all(rates > 0.5, axis=0)  # only when every group's majority leans that way
            for j in sorted(np.flatnonzero(ok), key=lambda j: (-score[j], j))[: self.n_consensus]:
                consensus.append(
                    {
                        "comment_id": self.comment_ids_[j],
                        "direction": direction,
                        "consensus": float(score[j]),
                        "group_rates": [round(float(x), 4) for x in rates[:, j]],
                        "n_votes": int(ns[:, j].sum()),
                    }
                )
        self.consensus_ = consensus

        # Divisive: groups' net leaning (agree - disagree rate) spread apart.
        net = pa - pd
        spread = net.var(axis=0)
        self.divisiveness_ = spread
        order = sorted(range(n_c), key=lambda j: (-spread[j], j))[: self.n_divisive]
        self.divisive_ = [
            {
                "comment_id": self.comment_ids_[j],
                "divisiveness": float(spread[j]),
                "group_agree_rates": [round(float(x), 4) for x in pa[:, j]],
                "group_disagree_rates": [round(float(x), 4) for x in pd[:, j]],
                "n_votes": int(ns[:, j].sum()),
            }
            for j in order
            if spread[j] > 0
        ]

    def _representative(self, gi, na, nd, ns, pa, pd, pat, pdt, ra, rd, rat, rdt) -> list[dict]:
        """Polis repness for one group: significant comments first, else the single best one."""

        def entry(j: int) -> dict[str, Any]:
            agree = rat[gi, j] > rdt[gi, j]
            n_s, p_s, p_t, ratio, z = (na, pa, pat, ra, rat) if agree else (nd, pd, pdt, rd, rdt)
            return {
                "comment_id": self.comment_ids_[j],
                "repful_for": "agree" if agree else "disagree",
                "n_success": int(n_s[gi, j]),
                "n_trials": int(ns[gi, j]),
                "rate": float(p_s[gi, j]),
                "rate_z": float(p_t[gi, j]),
                "ratio": float(ratio[gi, j]),
                "z": float(z[gi, j]),
            }

        passes = ((rat[gi] > Z_90) & (pat[gi] > Z_90)) | ((rdt[gi] > Z_90) & (pdt[gi] > Z_90))
        voted = (na[gi] + nd[gi]) > 0
        chosen = [entry(int(j)) for j in np.flatnonzero(passes & voted)]
        if not chosen:
            best = np.flatnonzero(voted)
            if best.size == 0:
                return []
            j = int(best[np.argmax(np.maximum(rat[gi, best], rdt[gi, best]))])
            return [entry(j)]
        chosen.sort(
            key=lambda e: (-(e["ratio"] * e["z"] * e["rate"] * e["rate_z"]), e["comment_id"])
        )
        chosen = chosen[: self.n_representative]
        # Polis shows what a group agrees with before what it rejects.
        return [e for e in chosen if e["repful_for"] == "agree"] + [
            e for e in chosen if e["repful_for"] == "disagree"
        ]

    # --------------------------------------------------------------- output

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result: groups, consensus, divisive comments and the parameters used."""
        unclustered = [
            p for p, ok in zip(self.participant_ids_, self.clustered_, strict=True) if not ok
        ]
        return {
            "groups": self.groups_,
            "consensus": self.consensus_,
            "divisive": self.divisive_,
            "k": self.k_,
            "silhouette": None if math.isnan(self.silhouette_) else self.silhouette_,
            "n_participants": len(self.participant_ids_),
            "n_clustered": int(self.clustered_.sum()),
            "unclustered": unclustered,
            "n_comments": len(self.comment_ids_),
            "excluded_comments": self.excluded_comment_ids_,
            "params": self.get_params(),
        }


def _weighted_kmeans(
    points: np.ndarray, weights: np.ndarray, k: int, rng: np.random.RandomState, max_iter: int = 100
) -> tuple[np.ndarray, float]:
    """One weighted k-means run (k-means++ seeding, Lloyd steps); small inputs, so plain numpy."""
    n = len(points)
    centers = np.empty((k, points.shape[1]))
    centers[0] = points[rng.choice(n, p=weights / weights.sum())]
    closest = ((points - centers[0]) ** 2).sum(1)
    for i in range(1, k):
        p = weights * closest
        total = p.sum()
        j = rng.choice(n, p=p / total) if total > 0 else rng.randint(n)
        centers[i] = points[j]
        closest = np.minimum(closest, ((points - centers[i]) ** 2).sum(1))
    labels = np.full(n, -1)
    for _ in range(max_iter):
        d2 = ((points[:, None, :] - centers[None, :, :]) ** 2).sum(-1)
        new = d2.argmin(1)
        if np.array_equal(new, labels):
            break
        labels = new
        mass = np.bincount(labels, weights=weights, minlength=k)
        filled = mass > 0  # an emptied cluster keeps its old centre; it is dropped below
        for dim in range(points.shape[1]):
            sums = np.bincount(labels, weights=weights * points[:, dim], minlength=k)
            centers[filled, dim] = sums[filled] / mass[filled]
    d2 = ((points[:, None, :] - centers[None, :, :]) ** 2).sum(-1)
    labels = d2.argmin(1)
    inertia = float((weights * d2[np.arange(n), labels]).sum())
    _, labels = np.unique(labels, return_inverse=True)  # drop emptied clusters
    return labels.reshape(-1), inertia


def _silhouette(dist: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette from a distance matrix (as scikit-learn: 0 for singletons); NaN if undefined."""
    ids = np.unique(labels)
    n = len(labels)
    if not 2 <= len(ids) <= n - 1:
        return float("nan")
    onehot = (labels[:, None] == ids[None, :]).astype(float)
    sizes = onehot.sum(0)
    sums = dist @ onehot  # distance from each point to each cluster, summed
    own = onehot.astype(bool)
    own_size = sizes[labels]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = sums[own] / (own_size - 1)
        other = np.where(own, np.inf, sums / sizes[None, :])
    b = other.min(1)
    s = np.where(own_size > 1, (b - a) / np.maximum(a, b), 0.0)
    return float(np.nan_to_num(s).mean())


def _canonical_groups(group_of_base: np.ndarray, centers: np.ndarray, weights: np.ndarray):
    """Renumber groups by size (largest first), ties by centre, so ids don't depend on k-means."""
    ids = np.unique(group_of_base)
    keys = []
    for g in ids:
        m = group_of_base == g
        centre = np.average(centers[m], axis=0, weights=weights[m])
        keys.append((-weights[m].sum(), round(float(centre[0]), 9), round(float(centre[1]), 9), g))
    order = [key[-1] for key in sorted(keys)]
    remap = np.empty(ids.max() + 1, dtype=np.int64)
    remap[order] = np.arange(len(order))
    return remap[group_of_base]


def _triplets(values: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """(rows, cols, votes, n_participants, n_comments) of the cast votes, row-major order."""
    if sp.issparse(values):
        coo = sp.coo_array(values)
        n_p, n_c = coo.shape
        rows = np.asarray(coo.row if hasattr(coo, "row") else coo.coords[0], dtype=np.int64)
        cols = np.asarray(coo.col if hasattr(coo, "col") else coo.coords[1], dtype=np.int64)
        vals = np.asarray(coo.data, dtype=np.float64)
        order = np.lexsort((cols, rows))
        return rows[order], cols[order], vals[order], n_p, n_c
    arr = np.asarray(values)
    if arr.ndim != 2:
        raise InputError(f"the vote matrix must be 2-D, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    n_p, n_c = arr.shape
    rows, cols = np.nonzero(~np.isnan(arr))
    return (
        rows.astype(np.int64),
        cols.astype(np.int64),
        arr[rows, cols].astype(np.float64),
        n_p,
        n_c,
    )


# ------------------------------------------------------------------ history replay (Polis live)


@dataclass
class _Replay:
    """The state of the last update of a replay, in the replay's participant order."""

    labels: np.ndarray
    base_labels: np.ndarray
    base_centers: np.ndarray
    silhouettes: dict[int, float]
    k: int
    n_updates: int


def _replay_polis(
    times: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    vals: np.ndarray,
    n_p: int,
    n_c: int,
    excluded: np.ndarray,
    wanted: np.ndarray | None,
    *,
    min_votes: int,
    base_k: int,
    k_range: tuple[int, int],
    interval_ms: int,
    rng: np.random.RandomState,
) -> _Replay:
    """Replay time-sorted votes through Polis's update: PCA, base and group k-means, k smoother.

    Participants and comments are numbered by first vote, so the rows and columns seen so far
    are a prefix of the matrices, as in Polis's growing rating matrix.
    """
    value = np.zeros((n_p, n_c))
    voted = np.zeros((n_p, n_c), dtype=bool)
    n_votes = np.zeros(n_p, dtype=np.int64)
    in_conv = np.zeros(n_p, dtype=bool)
    comps: list[np.ndarray] = []
    base_ids: np.ndarray | None = None
    base_of = np.full(n_p, -1, dtype=np.int64)  # participant -> base-cluster id
    group_state: dict[int, tuple[np.ndarray, dict[int, int]]] = {}
    last_k, last_k_count, smoothed_k = None, 0, None
    result: _Replay | None = None
    n_updates = 0
    seen_p = seen_c = 0
    start = 0
    while start < len(times):
        stop = max(int(np.searchsorted(times, times[start] + interval_ms, "left")), start + 1)
        for q in range(start, stop):  # in time order, so a changed vote overwrites
            p, c = rows[q], cols[q]
            if not voted[p, c]:
                voted[p, c] = True
                n_votes[p] += 1
            value[p, c] = vals[q]
            seen_p, seen_c = max(seen_p, p + 1), max(seen_c, c + 1)
        start = stop
        n_updates += 1

        # Who is clustered: Polis's in-conv rule (sticky), or the given set once they voted.
        counts = n_votes[:seen_p]
        if wanted is None:
            in_conv[:seen_p] |= counts >= min(min_votes, seen_c)
            short = POLIS_GREEDY_IN_CONV - int(in_conv.sum())
            if short > 0:
                cand = np.flatnonzero(~in_conv[:seen_p])
                cand = cand[np.argsort(-counts[cand], kind="stable")][:short]
                in_conv[cand] = True
        else:
            in_conv[:seen_p] = wanted[:seen_p]
        members = np.flatnonzero(in_conv[:seen_p])
        if len(members) == 0:
            continue

        # PCA on the mean-imputed matrix; excluded comments are zeroed for everyone (Polis's
        # mod-out), so they count as a pass in the projection scaling and never move the axes.
        x = value[:seen_p, :seen_c].copy()
        w = voted[:seen_p, :seen_c].copy()
        out = excluded[:seen_c]
        x[:, out] = 0.0
        w[:, out] = True
        center = x.sum(0) / np.maximum(w.sum(0), 1)
        centred = np.where(w, x - center, 0.0)
        cov = centred.T @ centred
        new_comps = []
        for i in range(2):
            if i < len(comps):  # warm start; new comments get 1, as Polis pads its start vector
                start_vec = np.concatenate([comps[i], np.ones(seen_c - len(comps[i]))])
            else:
                start_vec = rng.random_sample(seen_c)
            pc = _power_iteration(cov, start_vec)
            new_comps.append(pc)
            cp = cov @ pc  # deflate: remove the component from the data
            cov = cov - np.outer(pc, cp) - np.outer(cp, pc) + np.outer(pc, pc) * float(pc @ cp)
        comps = new_comps
        scale = np.sqrt(seen_c / np.maximum(w.sum(1), 1))
        points = (centred[members] @ np.array(comps).T) * scale[members, None]

        # Base clusters, warm-started from the last update's members.
        if base_ids is None:
            bids, blab, bcent = _polis_kmeans(points, base_k, None, None, POLIS_BASE_ITERS)
        else:
            pos = {int(b): i for i, b in enumerate(base_ids)}
            start_lab = np.array([pos.get(int(b), -1) for b in base_of[members]], dtype=np.int64)
            bids, blab, bcent = _polis_kmeans(points, base_k, base_ids, start_lab, POLIS_BASE_ITERS)
        order = np.argsort(bids)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        bids, bcent, blab = bids[order], bcent[order], rank[blab]
        base_ids = bids
        base_of[:] = -1
        base_of[members] = bids[blab]
        weights = np.bincount(blab, minlength=len(bids)).astype(float)

        # Group clusterings for every k, each warm-started from its own last clustering.
        dist = np.sqrt(((bcent[:, None, :] - bcent[None, :, :]) ** 2).sum(-1))
        lo, hi = k_range
        hi = min(hi, 2 + len(bids) // 12) if lo != hi else hi
        clusterings: dict[int, np.ndarray] = {}
        silhouettes: dict[int, float] = {}
        for k in range(lo, max(lo, hi) + 1):
            if k in group_state:
                gids0, gmap = group_state[k]
                start_lab = np.array([gmap.get(int(b), -1) for b in bids], dtype=np.int64)
                gids, glab, _ = _polis_kmeans(
                    bcent, k, gids0, start_lab, POLIS_GROUP_ITERS, weights
                )
            else:
                gids, glab, _ = _polis_kmeans(bcent, k, None, None, POLIS_GROUP_ITERS, weights)
            group_state[k] = (gids, {int(b): int(g) for b, g in zip(bids, gids[glab], strict=True)})
            clusterings[k] = glab
            silhouettes[k] = _silhouette(dist, glab)
        scored = {k: s for k, s in silhouettes.items() if not math.isnan(s)}
        if not scored:
            continue
        # Polis's group-k smoother: the best k (ties to the larger) must win BUFFER times in a row.
        this_k = max(scored, key=lambda k: (scored[k], k))
        last_k_count = last_k_count + 1 if this_k == last_k else 1
        last_k = this_k
        if last_k_count >= POLIS_GROUP_K_BUFFER or smoothed_k is None:
            smoothed_k = this_k
        use_k = smoothed_k if smoothed_k in clusterings else this_k
        group_of_base = _canonical_groups(clusterings[use_k], bcent, weights)
        labels = np.full(n_p, -1, dtype=np.int64)
        labels[members] = group_of_base[blab]
        base_labels = np.full(n_p, -1, dtype=np.int64)
        base_labels[members] = blab
        result = _Replay(
            labels, base_labels, bcent, silhouettes, int(group_of_base.max() + 1), n_updates
        )
    if result is None or result.k < 2:
        raise InputError("the replayed votes never form two groups")
    result.n_updates = n_updates
    return result


def _power_iteration(cov: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Polis's power iteration (up to 100 steps from ``start``) for the top eigenvector of cov.

    Polis stops when the eigenvalue estimate repeats exactly; this stops when the vector has
    stopped moving (1e-12), which is the same point up to rounding.
    """
    norm = np.linalg.norm(start)
    vec = start / norm if norm > 0 else np.ones_like(start) / math.sqrt(len(start))
    for _ in range(POLIS_PCA_ITERS):
        prod = cov @ vec
        length = np.linalg.norm(prod)
        if length == 0:
            break
        new = prod / length
        if np.abs(new - vec).max() < 1e-12:
            return new
        vec = new
    return vec


def _cluster_centres(
    points: np.ndarray, weights: np.ndarray, labels: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted centre and member count per cluster index (labels -1 take no part)."""
    m = labels >= 0
    lab, w = labels[m], weights[m]
    mass = np.bincount(lab, weights=w, minlength=n)
    sums = np.stack(
        [np.bincount(lab, weights=w * points[m, d], minlength=n) for d in range(points.shape[1])],
        axis=1,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / mass[:, None], np.bincount(lab, minlength=n)


def _polis_kmeans(
    points: np.ndarray,
    k: int,
    ids: np.ndarray | None,
    labels: np.ndarray | None,
    max_iters: int,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Polis's k-means (clusters.clj): returns (cluster ids, label index per point, centres).

    Without a last clustering it starts from the first k distinct points. With one (``ids`` and
    each point's index into them, -1 for points new since), it recentres the old clusters on
    their members' new positions, merges clusters that landed on the same centre, then splits
    off the point farthest from every centre until there are k clusters (or as many as distinct
    points); new points join in the first assignment step. Empty clusters are dropped. Lloyd
    steps stop when no centre moved more than 0.01, or after ``max_iters``.
    """
    n = len(points)
    w = np.ones(n) if weights is None else weights
    if ids is None or labels is None or not (labels >= 0).any():
        _, first = np.unique(points, axis=0, return_index=True)
        first = np.sort(first)[:k]
        ids = np.arange(len(first))
        centers = points[first].copy()
    else:
        n_old = len(ids)
        centers, count = _cluster_centres(points, w, labels, n_old)
        alive = np.flatnonzero(count > 0)
        # Clusters whose centres coincide are merged into the one with more members.
        target = np.arange(n_old)
        _, same = np.unique(centers[alive], axis=0, return_inverse=True)
        same = same.reshape(-1)
        for g in np.flatnonzero(np.bincount(same) > 1):
            group = alive[same == g]
            target[group] = group[np.argmax(count[group])]
        keep = np.zeros(n_old, dtype=bool)
        keep[np.unique(target[alive])] = True
        remap = np.cumsum(keep) - 1
        labels = np.where(labels >= 0, remap[target[np.maximum(labels, 0)]], -1)
        ids = ids[keep]
        possible = min(k, len(np.unique(points, axis=0)))
        while True:
            centers, _ = _cluster_centres(points, w, labels, len(ids))
            if len(ids) >= possible:
                break
            d2 = ((points[:, None, :] - centers[None, :, :]) ** 2).sum(-1)
            nearest = np.where(np.isnan(d2), np.inf, d2).min(1)
            far = n - 1 - int(np.argmax(nearest[::-1]))  # Polis's max-key keeps the last
            if not nearest[far] > 0:
                break
            ids = np.append(ids, ids.max() + 1)
            labels = labels.copy()
            labels[far] = len(ids) - 1
    assigned = np.zeros(n, dtype=np.int64)
    for step in range(max_iters + 1):
        d2 = ((points[:, None, :] - centers[None, :, :]) ** 2).sum(-1)
        assigned = np.where(np.isnan(d2), np.inf, d2).argmin(1)
        new, count = _cluster_centres(points, w, assigned, len(ids))
        keep = count > 0
        assigned = (np.cumsum(keep) - 1)[assigned]
        old, ids, centers = centers, ids[keep], new[keep]
        if step == max_iters:
            break
        a = old[np.lexsort(old.T[::-1])]
        b = centers[np.lexsort(centers.T[::-1])]
        m = min(len(a), len(b))
        if np.all(((a[:m] - b[:m]) ** 2).sum(1) < POLIS_SAME_CLUSTERING**2):
            break
    return ids, assigned.astype(np.int64), centers
