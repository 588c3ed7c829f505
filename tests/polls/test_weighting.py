"""Raking to population margins (analysis/weighting.py): the weights meet the margins, the
design effect and margin of error follow their formulas, and impossible cases are refused with
the cell named."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.weighting import (
    RakingError,
    design_effect,
    effective_n,
    margin_of_error,
    rake,
    weighted_shares,
)


def reference_ipf(columns, margins, rounds=2000):
    """Textbook IPF in plain Python, to compare with the package's answer."""
    n = len(next(iter(columns.values())))
    w = [1.0] * n
    for _ in range(rounds):
        for category, shares in margins.items():
            total = sum(shares.values())
            current: dict[str, float] = {}
            for value, weight in zip(columns[category], w, strict=True):
                current[value] = current.get(value, 0.0) + weight
            for i, value in enumerate(columns[category]):
                w[i] *= shares[value] / total * n / current[value]
    return np.array(w)


def test_one_category_is_poststratification_by_hand():
    # 3 young and 1 older respondent; the population is half and half: weights 2/3 and 2.
    result = rake({"age": ["young", "young", "young", "old"]}, {"age": {"young": 50, "old": 50}})
    assert result.weights == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2.0], rel=1e-6)
    # deff = n Σw² / (Σw)² = 4 · (3·4/9 + 4) / 16 = 4/3; effective n = 3.
    assert result.design_effect == pytest.approx(4 / 3, rel=1e-6)
    assert result.effective_n == pytest.approx(3.0, rel=1e-6)


def test_two_categories_meet_both_margins_and_match_textbook_ipf():
    columns = {
        "age": ["A", "A", "A", "B", "B", "B", "B"],
        "gender": ["M", "F", "F", "M", "M", "F", "M"],
    }
    margins = {"age": {"A": 60, "B": 40}, "gender": {"M": 45, "F": 55}}
    result = rake(columns, margins)
    assert weighted_shares(columns["age"], result.weights) == pytest.approx({"A": 0.6, "B": 0.4})
    assert weighted_shares(columns["gender"], result.weights) == pytest.approx(
        {"M": 0.45, "F": 0.55}
    )
    assert result.weights == pytest.approx(reference_ipf(columns, margins), rel=1e-5)
    assert result.weights.sum() == pytest.approx(7)


def test_design_effect_and_margin_of_error_formulas():
    w = [1.0, 1.0, 2.0, 4.0]
    assert design_effect(w) == pytest.approx(4 * 22 / 64)
    assert effective_n(w) == pytest.approx(64 / 22)
    assert design_effect([3.0] * 10) == pytest.approx(1.0)
    assert margin_of_error(0.5, 400) == pytest.approx(1.96 * math.sqrt(0.25 / 400), rel=1e-3)
    # An effective n a quarter of the size doubles the margin of error.
    assert margin_of_error(0.3, 100) == pytest.approx(2 * margin_of_error(0.3, 400))


def test_an_empty_cell_is_refused_with_its_category_and_feature():
    columns = {"age": ["A", "A", "B"], "region": ["north", "north", "north"]}
    margins = {"age": {"A": 50, "B": 50}, "region": {"north": 70, "south": 30}}
    with pytest.raises(RakingError) as caught:
        rake(columns, margins)
    assert caught.value.code == "empty_cell"
    assert caught.value.params == {"category": "region", "feature": "south"}


def test_a_feature_the_margins_do_not_list_is_refused():
    with pytest.raises(RakingError) as caught:
        rake({"age": ["A", "C"]}, {"age": {"A": 50, "B": 0, "C2": 50}})
    assert caught.value.code == "unknown_feature"
    assert caught.value.params["feature"] == "C"


def test_no_respondents_is_refused():
    with pytest.raises(RakingError) as caught:
        rake({"age": []}, {"age": {"A": 50, "B": 50}})
    assert caught.value.code == "no_respondents"


def test_a_feature_with_no_population_share_gets_no_weight():
    result = rake({"age": ["A", "A", "B"]}, {"age": {"A": 100, "B": 0}})
    assert result.weights[2] == pytest.approx(0.0, abs=1e-9)
    assert result.weights[:2] == pytest.approx([1.5, 1.5])
