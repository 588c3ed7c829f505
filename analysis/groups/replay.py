"""Replaying a conversation's vote history the way Polis's live math worker did: one update per
poll, k-means warm-started from the previous update, k switched only after it won several
updates in a row (``OpinionGroups.fit_history``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis.polis import InputError

from .clustering import _canonical_groups, _silhouette

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
