"""Guided mode never below a plain keyword match: a comment that names one seed's keywords
clearly more than any other's is placed under that seed, whatever the centres say."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp

from analysis.segment import get_segmenter
from analysis.themes import ThemeModel, guided

from ._data import SEEDS, load_labelled

pytestmark = pytest.mark.xdist_group("analysis-themes")

SEEDS_2 = [
    {"name": "補助", "keywords": ["補助", "申請"]},
    {"name": "換電", "keywords": ["換電", "電池"]},
]


def _seeds_of(docs: list[str], seeds: list[dict] = SEEDS_2) -> list[int]:
    seg = get_segmenter()
    joined = ["".join(seg.tokens(d)) for d in docs]
    return guided.keyword_seeds(joined, seeds, segmenter=seg, synonyms={}).tolist()


def test_keywords_of_one_seed_name_it_and_a_tie_names_none() -> None:
    assert _seeds_of(["補助太少", "換電站要多一點", "今天天氣很好"]) == [0, 1, -1]
    # one keyword of each: a tie, left to the centres; twice as many of one: that one
    assert _seeds_of(["補助換電", "換電電池補助", "申請補助換電"]) == [-1, 1, 0]


def test_a_comment_with_one_seeds_keywords_goes_there_even_when_nearer_another_centre() -> None:
    q = np.eye(3)[:2]
    x = sp.csr_matrix(
        np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0.1, 0.9, 0], [0.3, 0.95, 0.1]])
    )
    from sklearn.preprocessing import normalize

    x = normalize(x)
    centres, _ = guided.assign_seeds(x, q, 0.05)
    assert centres[4] == 1  # the centres alone: the second seed
    kw = np.array([-1, -1, -1, -1, 0])
    labels, conf = guided.assign_seeds(x, q, 0.05, keyword_seed=kw)
    assert labels[4] == 0
    assert conf[4] == guided.KEYWORD_CONFIDENCE
    assert labels[:4].tolist() == centres[:4].tolist()


def test_with_one_keyword_per_seed_every_comment_naming_one_seed_is_under_it(monkeypatch) -> None:
    """Thin seeds (the first keyword of each): a comment whose text holds exactly one seed's
    keyword is under that seed, including comments the centres alone put elsewhere."""
    ids, texts, _labels, _votes = load_labelled("ev-scooter")
    seeds = json.loads((SEEDS / "ev-scooter.json").read_text(encoding="utf-8"))
    thin = [dict(s, keywords=s["keywords"][:1]) for s in seeds]
    toks = get_segmenter().tokens_many(texts)

    def seed_of(model: ThemeModel) -> dict[str, str | None]:
        themes = {t.id: t for t in model.themes_}
        return {c: themes[a["theme"]].seed for c, a in model.assignments_.items()}

    placed = seed_of(ThemeModel(seed_themes=thin, random_state=0).fit(toks, ids=ids))
    monkeypatch.setattr(guided, "keyword_seeds", lambda docs, *a, **k: np.full(len(docs), -1))
    centres = seed_of(ThemeModel(seed_themes=thin, random_state=0).fit(toks, ids=ids))
    named = {}
    for cid, text in zip(ids, texts, strict=True):
        hits = [s["name"] for s in thin if s["keywords"][0] in text]
        if len(hits) == 1:
            named[cid] = hits[0]
    assert len(named) > 50
    assert {c: placed.get(c) for c in named} == named
    assert any(centres.get(c) != s for c, s in named.items())
