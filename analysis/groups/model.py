"""The ``OpinionGroups`` estimator: projection, two-stage clustering, representative comments,
consensus and divisive comments (the method is in the package docstring).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans

from analysis.polis import InputError

from .clustering import _canonical_groups, _silhouette, _weighted_kmeans
from .replay import POLIS_POLL_INTERVAL_MS, _Replay, _replay_polis
from .stats import Z_90, prop_test, two_prop_test


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
