"""ThemeModel plays by scikit-learn's estimator rules (STYLE habits 11 and 21)."""

from __future__ import annotations

import inspect

import pytest
from sklearn.base import clone

from analysis.themes import ThemeModel

SEEDS = [{"name": "充電站", "keywords": ["充電", "插座"]}]


def test_get_params_returns_exactly_the_constructor_parameters_as_given() -> None:
    model = ThemeModel(6, k_range=(2, 9), seed_themes=SEEDS, synonyms=False)
    params = model.get_params()
    assert list(params) == list(inspect.signature(ThemeModel.__init__).parameters)[1:]
    assert params["k_range"] == (2, 9)
    assert params["seed_themes"] is SEEDS
    assert params["synonyms"] is False


def test_set_params_sets_known_names_and_refuses_unknown_ones() -> None:
    model = ThemeModel()
    assert model.set_params(n_themes=4, random_state=3) is model
    assert (model.n_themes, model.random_state) == (4, 3)
    with pytest.raises(ValueError, match="bogus"):
        model.set_params(n_themes=5, bogus=1)
    assert model.n_themes == 4  # nothing set when one name is wrong


def test_clone_round_trips_and_fits_the_same_themes() -> None:
    docs = [["電價", "太貴"], ["補助", "太少"], ["電價", "調漲"], ["補助", "申請"]] * 5
    model = ThemeModel(n_themes=2, random_state=0)
    copy = clone(model)
    assert copy is not model and copy.get_params() == model.get_params()
    assert copy.fit(docs).labels_.tolist() == model.fit(docs).labels_.tolist()


def test_summary_params_keep_the_snapshot_shape() -> None:
    """What an analysis run stores: JSON-ready, seed themes counted, no segmenter."""
    summary = ThemeModel(seed_themes=SEEDS, k_range=(3, 8)).summary_params()
    assert summary["k_range"] == [3, 8]
    assert summary["seed_themes"] == 1
    assert "segmenter" not in summary and "selection_sample" not in summary
