"""Themes: determinism, quality floors on the labelled synthetic sets, duplicates, guided mode,
stable names across runs."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics import adjusted_mutual_info_score

from analysis.segment import get_segmenter
from analysis.themes import ThemeError, ThemeModel, find_near_duplicates
from analysis.themes import duplicates as dup_mod
from analysis.themes import model as themes_mod

from ._data import SEED_CODES as CODES
from ._data import SEEDS, SETS, campaign_ids, load_labelled

# One xdist worker runs the whole module, so its shared fits (`unguided`) are made once.
pytestmark = pytest.mark.xdist_group("analysis-themes")

# Measured (docs/analysis.md): unguided AMI about 0.34-0.44 and guided about 0.57-0.64, while
# the naive pipeline scores about 0.10-0.18. The floors sit well above naive and below what we
# measure, so a regression to naive quality fails.
UNGUIDED_FLOOR = 0.28
GUIDED_AMI_FLOOR = 0.45
GUIDED_ACCURACY_FLOOR = 0.65


@pytest.fixture(scope="module")
def corpora() -> dict[str, tuple[list[str], list[list[str]], list[str], list[tuple[int, int]]]]:
    seg = get_segmenter()
    out = {}
    for name in SETS:
        ids, texts, labels, votes = load_labelled(name)
        out[name] = (ids, [seg.tokens(t) for t in texts], labels, votes)
    return out


@pytest.fixture(scope="module")
def unguided(corpora):  # type: ignore[no-untyped-def]
    """unguided(name, random_state) -> ThemeModel(random_state=…).fit(tokens, ids=ids) of a
    labelled set, fitted once for the module: the same fit serves every test that only reads it."""
    fitted: dict[tuple[str, int], ThemeModel] = {}

    def fit(name: str, random_state: int = 0) -> ThemeModel:
        if (name, random_state) not in fitted:
            ids, toks, _, _ = corpora[name]
            fitted[name, random_state] = ThemeModel(random_state=random_state).fit(toks, ids=ids)
        return fitted[name, random_state]

    return fit


@pytest.mark.parametrize("name", SETS)
def test_same_input_and_seed_give_identical_themes(corpora, name: str) -> None:
    ids, toks, _, votes = corpora[name]
    a = ThemeModel(random_state=3).fit(toks, ids=ids, votes=votes).to_dict()
    b = ThemeModel(random_state=3).fit(toks, ids=ids, votes=votes).to_dict()
    assert a == b


@pytest.mark.parametrize("name", SETS)
def test_unguided_themes_beat_the_quality_floor(corpora, unguided, name: str) -> None:
    labels = corpora[name][2]
    model = unguided(name, 0)
    assert 3 <= model.k_ <= 15
    assert adjusted_mutual_info_score(labels, model.labels_) > UNGUIDED_FLOOR


@pytest.mark.parametrize("name", SETS)
def test_automatic_themes_barely_depend_on_the_random_state(unguided, name: str) -> None:
    """Five random states give (nearly) the same themes: the k selection pools its runs (every
    comment left out once, neighbouring k averaged). With random subsamples and a per-k score,
    the chosen k ranged 4-8 here and the runs agreed only 0.74 / 0.86 (docs/analysis.md)."""
    fits = [unguided(name, rs).labels_ for rs in range(5)]
    agreement = [
        adjusted_mutual_info_score(fits[a], fits[b]) for a in range(5) for b in range(a + 1, 5)
    ]
    assert np.mean(agreement) >= 0.9


@pytest.mark.parametrize("name", SETS)
def test_every_theme_is_described(corpora, name: str) -> None:
    ids, toks, _, votes = corpora[name]
    model = ThemeModel(random_state=0).fit(toks, ids=ids, votes=votes)
    assigned = sorted(c for t in model.themes_ for c in t.comment_ids)
    assert len(assigned) == len(set(assigned))
    for t in model.themes_:
        assert t.label and t.keywords and t.size == len(t.comment_ids)
        assert 1 <= len(t.representative_ids) <= 5
        assert set(t.representative_ids) <= set(t.comment_ids)
        assert t.stance is not None and abs(t.stance["agree"] + t.stance["disagree"] - 1) <= 0.002


@pytest.mark.parametrize("name", SETS)
def test_copy_paste_campaign_is_one_duplicate_group(corpora, unguided, name: str) -> None:
    ids = corpora[name][0]
    model = unguided(name, 0)
    campaign = campaign_ids(name)
    groups = [set(d.comment_ids) for d in model.duplicates_]
    assert campaign in groups
    # and no other comment was swept into a large group
    assert all(len(g) <= 2 for g in groups if g != campaign)
    # the campaign counts once: all its comments land in one theme
    themes = {int(model.labels_[ids.index(c)]) for c in campaign}
    assert len(themes) == 1


TWO_ALIKE_ONE_NOT = [
    "請政府正視機車行的生計訂定轉型輔導",
    "請政府正視機車行的生計訂定轉型補助",
    "電價太貴了離峰時段要便宜",
]


def test_near_duplicates_need_the_stated_similarity() -> None:
    labels = find_near_duplicates(TWO_ALIKE_ONE_NOT, 0.4)
    assert labels[0] == labels[1] != labels[2]


def _pairs_by_count_vectorizer(docs: list[str], threshold: float) -> np.ndarray:
    """The reference near-duplicate labels: scikit-learn's shingle sets, every pair compared."""
    x = CountVectorizer(analyzer="char", ngram_range=(4, 4), binary=True, lowercase=False)
    m = x.fit_transform(docs).astype(np.float64)
    inter = (m @ m.T).toarray()
    sizes = np.asarray(m.sum(axis=1)).ravel()
    jac = inter / np.maximum(sizes[:, None] + sizes[None, :] - inter, 1)
    linked = sp.csr_matrix((jac >= threshold) & (inter > 0))
    return sp.csgraph.connected_components(linked, directed=False)[1]


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    return adjusted_mutual_info_score(a, b) == 1.0 or len(set(a.tolist())) == len(a) == len(
        set(b.tolist())
    )


def test_small_input_duplicate_search_finds_the_exact_pairs(corpora) -> None:
    """Below the MinHash limit the shingles are counted with numpy; the groups are exactly the
    ones scikit-learn's shingle sets give when every pair is compared (edits, reorderings,
    whitespace runs, mixed scripts)."""
    _, toks, _, _ = corpora["long-term-care"]
    base = [themes_mod._join(t) for t in toks if len("".join(t)) >= 10]
    rng = np.random.default_rng(0)
    docs = list(base)
    for d in base[:60]:  # near copies: a character changed, a clause appended, spaces doubled
        i = int(rng.integers(len(d)))
        docs.append(d[:i] + "改" + d[i + 1 :])
        docs.append(d + "，我支持")
        docs.append(d.replace(" ", "   "))
    docs += ["I think the fares are too high", "I think the fares are too  high!", "abc"]
    got = find_near_duplicates(docs, 0.4)
    want = _pairs_by_count_vectorizer(docs, 0.4)
    assert _same_partition(got, want)
    assert len(set(got.tolist())) < len(docs) - 100  # the fixture does have groups


def test_shingle_keys_need_four_characters_to_fit_in_64_bits() -> None:
    wide = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 20000))
    assert dup_mod._char_ngram_keys([wide], (4,)) is not None
    wider = wide + "".join(map(chr, range(0x20000, 0x30000)))  # > 65,535 distinct characters
    assert dup_mod._char_ngram_keys([wider], (4,)) is None
    assert dup_mod._char_ngram_keys([wider], (2, 3)) is not None


def test_duplicate_search_falls_back_when_characters_do_not_pack(monkeypatch) -> None:
    """More distinct characters than fit four to a 64-bit key: scikit-learn counts them."""
    monkeypatch.setattr(dup_mod, "_char_ngram_keys", lambda *a, **k: None)
    labels = find_near_duplicates(TWO_ALIKE_ONE_NOT, 0.4)
    assert labels[0] == labels[1] != labels[2]


def _assert_same_tfidf(got: sp.csr_matrix, want: sp.csr_matrix) -> None:
    got, want = got.tocsr(), want.tocsr()
    got.sort_indices()
    want.sort_indices()
    assert got.shape == want.shape
    assert np.array_equal(got.indptr, want.indptr)
    assert np.array_equal(got.indices, want.indices)
    assert np.allclose(got.data, want.data, rtol=1e-6, atol=0)


@pytest.mark.parametrize(
    ("min_df", "max_features"), [(2, 30000), (2, 40), (1, None), (50, 10), (1000, 10)]
)
def test_word_features_are_what_tfidf_vectorizer_gives(corpora, min_df, max_features) -> None:
    """Same vocabulary, order, pruning (min_df, then the most frequent with scikit-learn's tie
    order) and weights; a CJK pair that joins into an existing term is that term; min_df that
    keeps nothing falls back to every term."""
    _, toks, _, _ = corpora["ev-scooter"]
    docs = [list(t) for t in toks if t] + [["機車", "行"], ["機", "車行"], ["機車行"], ["a", "b"]]
    ours = themes_mod._WordTfidf(min_df, max_features)
    got = ours.fit_transform(docs)
    ref = TfidfVectorizer(
        analyzer=themes_mod._identity,
        sublinear_tf=True,
        min_df=min_df,
        max_features=max_features,
        dtype=np.float32,
    )
    try:
        want = ref.fit_transform(themes_mod._word_terms(d) for d in docs)
    except ValueError:
        ref = TfidfVectorizer(analyzer=themes_mod._identity, sublinear_tf=True, dtype=np.float32)
        want = ref.fit_transform(themes_mod._word_terms(d) for d in docs)
    assert ours.get_feature_names_out().tolist() == ref.get_feature_names_out().tolist()
    _assert_same_tfidf(got, want)
    probe = [["補助", "機車", "沒見過的詞"], []]
    _assert_same_tfidf(ours.transform(probe), ref.transform(probe))


@pytest.mark.parametrize(("min_df", "max_features"), [(2, 30000), (2, 300), (1, None)])
def test_char_features_are_what_tfidf_vectorizer_gives(corpora, min_df, max_features) -> None:
    _, toks, _, _ = corpora["long-term-care"]
    docs = [themes_mod._join(t) for t in toks] + ["a", "", "ab  c\t d", "Ünïcödé 𠀀𠀁 text"]
    ours = themes_mod._CharTfidf((2, 3), min_df, max_features)
    got = ours.fit_transform(docs)
    ref = TfidfVectorizer(
        analyzer="char",
        ngram_range=(2, 3),
        sublinear_tf=True,
        min_df=min_df,
        max_features=max_features,
        lowercase=False,
        dtype=np.float32,
    )
    _assert_same_tfidf(got, ref.fit_transform(docs))
    probe = ["照服員 薪水", "全新的字詞𠀀𠀁", ""]
    _assert_same_tfidf(ours.transform(probe), ref.transform(probe))


def test_char_features_with_nothing_kept_are_an_error() -> None:
    with pytest.raises(ValueError):
        themes_mod._CharTfidf((2, 3), 2, None).fit_transform(["ab", "cd", "e"])


def test_agreement_score_is_adjusted_mutual_information() -> None:
    rng = np.random.default_rng(0)
    for t in range(300):
        n = int(rng.integers(20, 400))
        a = rng.integers(0, int(rng.integers(1, 16)), n)
        b = rng.integers(0, int(rng.integers(1, 16)), n)
        if t % 2:
            b = np.where(rng.random(n) < 0.8, a, b)
        assert themes_mod._ami(a, b) == pytest.approx(adjusted_mutual_info_score(a, b), abs=1e-12)


@pytest.mark.parametrize("name", SETS)
def test_chosen_k_is_the_one_scikit_learn_scoring_gives(
    corpora, unguided, monkeypatch, name
) -> None:
    """The k selection scores runs with its own AMI; with scikit-learn's the scores and the chosen
    k are the same, k is in range and a refit gives the same k."""
    ids, toks, _, _ = corpora[name]
    ours = unguided(name, 2)
    assert 3 <= ours.k_ <= 15
    assert set(ours.k_scores_) == set(range(3, 16))
    assert ThemeModel(random_state=2).fit(toks, ids=ids).k_scores_ == ours.k_scores_
    monkeypatch.setattr(themes_mod, "_ami", adjusted_mutual_info_score)
    ref = ThemeModel(random_state=2).fit(toks, ids=ids)
    assert ref.k_ == ours.k_
    assert ref.k_scores_ == ours.k_scores_


def _random_texts(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    # An array, not a list: choice() would convert a list on every call (same draws either way).
    chars = np.array([chr(c) for c in range(0x4E00, 0x4E00 + 3000)])
    return ["".join(rng.choice(chars, 24)) for _ in range(n)]


def test_large_input_duplicate_search_finds_a_campaign(monkeypatch) -> None:
    """Above the exact all-pairs limit (hashed shingles + MinHash LSH, an approximation), most of
    a form letter with personalised openings is one group, unrelated texts stay apart, and the
    block size of the signature / verification steps does not change the answer."""
    letter = "我們強烈要求政府在明年以前完成所有社區大樓的充電設施補助並且公開審查標準與進度"
    names = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"
    docs = _random_texts(20100) + [f"我是{c}先生{letter}" for c in names]
    camp = list(range(20100, len(docs)))
    a = find_near_duplicates(docs, 0.4)
    sizes = np.bincount(a[camp])
    assert sizes.max() >= 0.7 * len(camp)  # LSH with leader-only links: recall below 1
    assert len(set(a[:20100].tolist())) == 20100
    monkeypatch.setattr(dup_mod, "MINHASH_BLOCK", 997)
    b = find_near_duplicates(docs, 0.4)
    assert np.array_equal(a, b)


def test_fit_limits_blas_threads(monkeypatch) -> None:
    """Small dense steps run single-threaded (BLAS threads only add contention here)."""
    seen = []
    real = themes_mod.ThemeModel._cluster

    def spy(self, *args, **kwargs):
        from threadpoolctl import threadpool_info

        seen.extend(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(themes_mod.ThemeModel, "_cluster", spy)
    ThemeModel(n_themes=2, random_state=0).fit([["電價", "太貴"], ["補助", "太少"]] * 10)
    assert seen and set(seen) == {1}


def _guided_accuracy(
    model: ThemeModel, ids: list[str], labels: list[str], codes: list[str]
) -> float:
    names = [s["name"] for s in model.seed_themes]
    by_name = dict(zip(names, codes, strict=True))
    right = 0
    for i, truth in enumerate(labels):
        t = model.labels_[i]
        seed = model.themes_[t].seed if t >= 0 else None
        pred = by_name[seed] if seed else "OFFTOPIC"
        right += pred == truth
    return right / len(labels)


@pytest.mark.parametrize("name", SETS)
def test_guided_mode_keeps_seed_names_and_assigns_accurately(corpora, name: str) -> None:
    ids, toks, labels, _ = corpora[name]
    seeds = json.loads((SEEDS / f"{name}.json").read_text(encoding="utf-8"))
    model = ThemeModel(seed_themes=seeds, random_state=0).fit(toks, ids=ids)
    seeded = [t for t in model.themes_ if t.seed]
    assert [t.label for t in seeded] == [
        s["name"] for s in seeds if any(t.seed == s["name"] for t in seeded)
    ]
    assert all(t.label == t.seed for t in seeded)
    assert all(0 <= a["confidence"] <= 1 for a in model.assignments_.values())
    assert adjusted_mutual_info_score(labels, model.labels_) > GUIDED_AMI_FLOOR
    assert _guided_accuracy(model, ids, labels, CODES[name]) > GUIDED_ACCURACY_FLOOR


def test_names_survive_a_refit_with_more_comments(corpora) -> None:
    ids, toks, _, _ = corpora["long-term-care"]
    first = ThemeModel(random_state=0).fit(toks[:130], ids=ids[:130])
    previous = [t.to_dict() for t in first.themes_]
    for i, p in enumerate(previous):
        p["label"] = f"staff name {i}"
    second = ThemeModel(n_themes=first.k_, random_state=0).fit(toks, ids=ids, previous=previous)
    kept = [t for t in second.themes_ if t.label.startswith("staff name")]
    assert len(kept) >= len(previous) - 1
    for t in kept:
        assert t.id == previous[int(t.label.split()[-1])]["id"]
    assert len({t.id for t in second.themes_}) == len(second.themes_)


def test_a_split_is_reported(corpora) -> None:
    ids, toks, _, _ = corpora["ev-scooter"]
    model = ThemeModel(n_themes=8, random_state=0).fit(toks, ids=ids)
    # pretend the previous run had two of today's themes as one
    a, b = model.themes_[0], model.themes_[1]
    previous = [{"id": "old", "label": "舊主題", "comment_ids": a.comment_ids + b.comment_ids}]
    changes = model.match_previous(previous)
    assert changes.splits == [{"previous": "old", "into": [a.id, b.id]}]
    assert changes.matched == {a.id: "old"}


def test_fewer_than_two_comments_is_an_error() -> None:
    with pytest.raises(ThemeError):
        ThemeModel().fit([["補助"]])


def test_bad_seed_themes_are_an_error(corpora) -> None:
    ids, toks, _, _ = corpora["ev-scooter"]
    with pytest.raises(ThemeError):
        ThemeModel(seed_themes=[{"name": "x", "keywords": []}]).fit(toks, ids=ids)


def test_themes_from_raw_texts() -> None:
    texts = [
        "電價太貴",
        "離峰電價要便宜",
        "補助太少",
        "補助應該加碼",
        "充電站不夠",
        "偏鄉沒有充電站",
    ] * 3
    model = ThemeModel(n_themes=3, random_state=0).fit_texts(texts)
    assert sum(t.size for t in model.themes_) == len(texts)
    assert np.all(model.labels_ >= 0)
