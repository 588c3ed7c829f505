"""Polis's statistics (one- and two-proportion z tests at 90% confidence) and the agreement
between two labelings of the same participants.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

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
