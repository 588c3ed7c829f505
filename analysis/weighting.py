"""Raking (iterative proportional fitting) of poll respondents to population margins, and what
the weights cost: Kish's design effect, the effective sample size, the 95 % margin of error.

Pure: respondents' categories and the margins in, weights and figures out. The fitting itself
is `svy` (the maintained successor of `samplics`, with a Rust core): it is imported inside
`rake`, so importing this module costs nothing.

- `rake(columns, margins)`: `columns` is {category: [feature of each respondent]}, `margins`
  {category: {feature: share}} (shares of any scale: each category is normalised to 1).
  Returns the weights, scaled so they sum to the number of respondents (mean 1).
- `design_effect(w)` = n·Σw² / (Σw)² (Kish 1965, the design effect of unequal weights);
  `effective_n(w)` = (Σw)² / Σw² = n / deff.
- `margin_of_error(p, n_eff)` = 1.96·sqrt(p(1 − p) / n_eff): the half-width of a 95 % interval
  for a proportion p, under simple random sampling inflated by the weights' design effect. It
  says nothing about who chose not to answer: a self-selected poll's bias is not in it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Z95 = 1.959963984540054  # two-sided 95 % normal quantile
DEFAULT_TOL = 1e-6
DEFAULT_MAX_ITER = 200


class RakingError(ValueError):
    """Raking is impossible for these respondents and margins; `code` and `params` say why.

    Codes: ``no_respondents``; ``no_margins``; ``empty_cell`` (a feature with a share above
    zero that no respondent has: ``category``, ``feature``); ``unknown_feature`` (a respondent's
    feature the margins do not list: ``category``, ``feature``); ``length_mismatch``;
    ``not_converged`` (``category``: the margins contradict each other for these respondents)."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        detail = ", ".join(f"{k}={v!r}" for k, v in params.items())
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass(frozen=True)
class Rake:
    """Raked weights (mean 1) and their cost."""

    weights: np.ndarray
    design_effect: float
    effective_n: float
    max_gap: float  # the largest |weighted share − target| left


def _tally(values: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The distinct values (sorted) and each respondent's index into them."""
    levels, codes = np.unique(np.asarray(values, dtype=str), return_inverse=True)
    return [str(v) for v in levels], codes.reshape(-1)


def check(columns: Mapping[str, Sequence[str]], margins: Mapping[str, Mapping[str, float]]) -> int:
    """The checks `rake` makes before fitting; returns the number of respondents.

    Raises `RakingError` naming the first empty cell or unknown feature, category by category
    in the margins' order and feature by feature in each category's order."""
    return len(_checked(columns, margins)[0])


def _checked(
    columns: Mapping[str, Sequence[str]], margins: Mapping[str, Mapping[str, float]]
) -> tuple[np.ndarray, dict[str, tuple[list[str], np.ndarray]]]:
    """`check`, returning a column of ones and each category's tally (computed once)."""
    if not margins:
        raise RakingError("no_margins")
    lengths = {len(columns.get(category, ())) for category in margins}
    if len(lengths) != 1:
        raise RakingError("length_mismatch")
    n = lengths.pop()
    if n == 0:
        raise RakingError("no_respondents")
    tallies: dict[str, tuple[list[str], np.ndarray]] = {}
    for category, shares in margins.items():
        levels, codes = tallies[category] = _tally(columns[category])
        for feature in levels:
            if feature not in shares:
                raise RakingError("unknown_feature", category=category, feature=feature)
        seen = set(levels)
        for feature, share in shares.items():
            if share > 0 and feature not in seen:
                raise RakingError("empty_cell", category=category, feature=feature)
    return np.ones(n), tallies


def rake(
    columns: Mapping[str, Sequence[str]],
    margins: Mapping[str, Mapping[str, float]],
    *,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
) -> Rake:
    """Weights that make each category's weighted shares equal the margins (see module doc)."""
    ones, tallies = _checked(columns, margins)
    n = len(ones)
    # Heavy (polars, the Rust core): loaded by the function that uses it.
    import polars as pl
    import svy

    # svy keys margins by column name and level; categories and features are user text, so
    # the columns get safe names and carry each respondent's feature index. A feature nobody
    # has is left out (check() refused it unless its share is 0).
    names = {category: f"c{i}" for i, category in enumerate(margins)}
    data = {names[c]: pl.Series(names[c], tallies[c][1], dtype=pl.Int32) for c in margins}
    data["w0"] = pl.Series("w0", ones)
    shares: dict[str, dict[Any, Any]] = {
        names[c]: {i: float(margins[c][f]) for i, f in enumerate(tallies[c][0])} for c in margins
    }
    sample = svy.Sample(data=pl.DataFrame(data), design=svy.Design(wgt="w0"))
    try:
        raked = sample.weighting.rake(
            shares=shares, tol=tol, max_iter=max_iter, update_design_wgts=False
        )
    except svy.SvyError as error:
        raise RakingError("not_converged", detail=str(getattr(error, "title", error))) from None
    frame = raked.data
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    weights = frame.get_column("rk_wgt").to_numpy().astype(np.float64)
    weights = weights * (n / weights.sum())
    worst = _worst_margin(tallies, margins, weights)
    if worst[0] > max(tol * 100, 1e-4):
        raise RakingError("not_converged", category=worst[1])
    return Rake(weights, design_effect(weights), effective_n(weights), worst[0])


def _worst_margin(
    tallies: Mapping[str, tuple[list[str], np.ndarray]],
    margins: Mapping[str, Mapping[str, float]],
    weights: np.ndarray,
) -> tuple[float, str]:
    """The largest gap between a weighted share and its target, and its category."""
    worst, where = 0.0, ""
    total_w = float(weights.sum())
    for category, shares in margins.items():
        levels, codes = tallies[category]
        sums = np.bincount(codes, weights=weights, minlength=len(levels))
        achieved = dict(zip(levels, (float(x) / total_w for x in sums), strict=True))
        total = sum(shares.values())
        for feature, share in shares.items():
            gap = abs(achieved.get(feature, 0.0) - share / total)
            if gap > worst:
                worst, where = gap, category
    return worst, where


def weighted_shares(values: Sequence[str], weights: np.ndarray | None = None) -> dict[str, float]:
    """{value: weighted share} (unweighted when `weights` is None)."""
    levels, codes = _tally(values)
    w = np.ones(len(codes)) if weights is None else np.asarray(weights, dtype=np.float64)
    sums = np.bincount(codes, weights=w, minlength=len(levels))
    total = float(sums.sum())
    return {v: float(x) / total for v, x in zip(levels, sums, strict=True)} if total > 0 else {}


def design_effect(weights: Sequence[float] | np.ndarray) -> float:
    """Kish's design effect of unequal weights: n·Σw² / (Σw)² (1 when all weights are equal)."""
    w = np.asarray(weights, dtype=np.float64)
    total = float(w.sum())
    if len(w) == 0 or total <= 0:
        return float("nan")
    return float(len(w) * float(np.dot(w, w)) / (total * total))


def effective_n(weights: Sequence[float] | np.ndarray) -> float:
    """(Σw)² / Σw²: how many equally weighted respondents these weights are worth."""
    w = np.asarray(weights, dtype=np.float64)
    squares = float(np.dot(w, w))
    return float(w.sum()) ** 2 / squares if squares > 0 else 0.0


def margin_of_error(p: float, n_eff: float) -> float:
    """Half-width of the 95 % interval of a proportion p from n_eff effective respondents."""
    if n_eff <= 0:
        return float("nan")
    return Z95 * math.sqrt(max(p * (1 - p), 0.0) / n_eff)
