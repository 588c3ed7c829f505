"""Weighted k-means over base-cluster centres, the silhouette that picks k, and group numbers
made canonical; shared by the one-shot fit and the history replay.
"""

from __future__ import annotations

import numpy as np


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
