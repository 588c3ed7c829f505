"""Segmentation: Traditional words kept whole, normalisation, exact cut, own jieba instance."""

from __future__ import annotations

import csv
import random
import subprocess
import sys

import pytest

import analysis.segment as segment_mod
from analysis.segment import Segmenter, get_segmenter, normalize
from tests.datasets import VENDORED

from ._data import REPO


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    return get_segmenter()


@pytest.mark.parametrize(
    "word",
    ["中長程個案計畫", "國家發展委員會", "自用車", "資料開放", "政策溝通成效", "電動機車", "長照"],
)
def test_policy_words_stay_whole(seg: Segmenter, word: str) -> None:
    assert word in seg.cut(f"我們討論{word}的問題")
    assert word in seg.tokens(f"我們討論{word}的問題")


def test_traditional_dictionary_segments_common_words(seg: Segmenter) -> None:
    assert seg.cut("管委會不同意安裝充電樁") == ["管委會", "不", "同意", "安裝", "充電樁"]


@pytest.mark.parametrize(
    "text",
    [
        "我覺得中長程個案計畫應由國家發展委員會審議。",
        "I think  this is fine.\t OK",
        "Ｕｂｅｒ和ｕｂｅｒ　全形ＡＢＣ１２３！！",
        "看這裡 https://join.gov.tw/policies?id=1 😀😀 @小明",
        "  前後空白  ",
        "",
        "für Österreich, naïve café",
    ],
)
def test_cut_keeps_every_character(seg: Segmenter, text: str) -> None:
    assert "".join(seg.cut(text)) == text


def test_full_width_text_segments_like_half_width(seg: Segmenter) -> None:
    assert seg.cut("Ｕｂｅｒ司機") == ["Ｕｂｅｒ", "司機"]
    assert seg.tokens("ＵＢＥＲ，１２３") == seg.tokens("UBER,123")


def test_latin_case_folds_to_one_token(seg: Segmenter) -> None:
    assert seg.tokens("Uber") == seg.tokens("UBER") == seg.tokens("uber") == ["uber"]


def test_urls_emails_mentions_numbers_become_placeholders(seg: Segmenter) -> None:
    toks = seg.tokens("請看 https://join.gov.tw/a?b=1 或寫信 a.b@gov.tw 給 @小明，共3台")
    assert "<url>" in toks and "<email>" in toks and "<mention>" in toks and "<num>" in toks
    assert not any("gov" in t or "http" in t for t in toks)


def test_emoji_and_repeated_punctuation_are_normalised() -> None:
    assert normalize("太棒了😀😀!!!") == "太棒了 !"


@pytest.mark.parametrize(
    "text",
    ["我覺得補助太少", "我認為補助太少", "個人認為，補助太少", "我個人覺得補助太少", "補助太少"],
)
def test_formulaic_openers_are_stripped(seg: Segmenter, text: str) -> None:
    assert seg.tokens(text) == seg.tokens("補助太少")


def test_english_segments_into_words_without_stop_words(seg: Segmenter) -> None:
    assert seg.tokens("I think the minimum wage should rise in Seattle.") == [
        "minimum",
        "wage",
        "rise",
        "seattle",
    ]


def test_german_words_with_umlauts_stay_whole(seg: Segmenter) -> None:
    assert seg.tokens("Ich finde, die Klimapolitik für Österreich ist wichtig") == [
        "klimapolitik",
        "österreich",
        "wichtig",
    ]


def test_extra_words_apply_to_a_new_segmenter_only(seg: Segmenter) -> None:
    extended = seg.with_words(["梯次利用"])
    assert "梯次利用" in extended.cut("電池梯次利用")
    assert "梯次利用" not in seg.cut("電池梯次利用")
    assert "梯次利用" in Segmenter(extra_words=["梯次利用"]).cut("電池梯次利用")


def test_default_segmenter_is_loaded_once(seg: Segmenter) -> None:
    assert get_segmenter() is seg
    assert seg.tokenizer is seg.tokenizer


def test_the_global_jieba_tokenizer_is_never_used() -> None:
    # in a fresh interpreter: segmenting must leave jieba's module-level tokenizer unloaded
    code = (
        "import jieba\n"
        "from analysis.segment import get_segmenter\n"
        "s = get_segmenter()\n"
        "s.cut('中長程個案計畫'); s.tokens('我覺得電動機車補助太少')\n"
        "assert not jieba.dt.initialized, 'global jieba was initialised'\n"
        "assert '中長程個案計畫' not in jieba.dt.FREQ\n"
        "assert s.tokenizer is not jieba.dt\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""  # no jieba load chatter on stderr


# -- bulk segmentation with rjieba (jieba-rs) ------------------------------------------------------

needs_rjieba = pytest.mark.skipif(
    segment_mod.rjieba is None, reason="rjieba not installed (pip install '.[fast]')"
)


def _corpus(seg: Segmenter, n: int = 30000) -> list[str]:
    """Every vendored comment, plus ``n`` texts strung together from dictionary words, single
    characters, Latin words, digits and punctuation: many ambiguous word boundaries."""
    texts = []
    for path in sorted(VENDORED.glob("**/comments.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            texts += [r["comment-body"] for r in csv.DictReader(f)]
    rng = random.Random(0)
    words = sorted(w for w, f in seg.tokenizer.FREQ.items() if f > 0 and len(w) <= 6)
    extra = ["Uber", "e-mail", "10.5%", "C++", "，", "。", "！！", " ", "\n", "ＡＢ", "🙂", "𠀀"]
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(2, 12)):
            r = rng.random()
            parts.append(rng.choice(words) if r < 0.8 else rng.choice(extra))
        texts.append("".join(parts))
    return texts


@needs_rjieba
def test_bulk_segmentation_is_identical_to_jieba_on_a_large_corpus(seg: Segmenter) -> None:
    assert seg.bulk_engine == "rjieba"
    texts = _corpus(seg)
    assert seg.cut_many(texts) == [seg.cut(t) for t in texts]
    assert seg.tokens_many(texts) == [seg.tokens(t) for t in texts]


@needs_rjieba
def test_characters_jieba_rs_classes_differently_are_left_to_jieba() -> None:
    """Probe every code point: a dictionary word "李" + c. Where jieba and jieba-rs cut it
    differently (jieba-rs treats more code points as Chinese), the text must go to jieba."""
    import jieba

    tk = jieba.Tokenizer()
    tk.FREQ, tk.total, tk.initialized = {"的": 10}, 10, True
    fast = segment_mod.rjieba.Jieba.empty()
    fast.add_word("的", 10, None)
    points = [chr(c) for c in range(0x80, 0x40000) if not 0xD800 <= c < 0xE000]
    for c in points:
        tk.add_word("李" + c, 100)
        fast.add_word("李" + c, 100, None)
    differ = [c for c in points if tk.lcut("李" + c, HMM=False) != fast.cut("李" + c, False)]
    assert differ  # the probe does see the difference (CJK extension A and others)
    assert all(segment_mod._JIEBA_RS_ONLY_HAN.search(c) for c in differ)
    assert Segmenter(["李㼈"]).cut_many(["李㼈"]) == [Segmenter(["李㼈"]).cut("李㼈")]


@needs_rjieba
def test_bulk_copy_keeps_jiebas_total_frequency(tmp_path) -> None:
    """jieba's total counts a word listed twice twice; the route between 甲乙 and 甲 + 乙 turns
    on the total, so the copy must carry the same total."""
    path = tmp_path / "dict.txt"
    path.write_text("甲 10\n乙 10\n甲乙 1\n丙 40\n丙 40\n", encoding="utf-8")
    tiny = Segmenter(dictionary=path, policy_dict=False)
    assert tiny.cut("甲乙") == ["甲乙"]
    assert tiny.cut_many(["甲乙", "甲乙丙"]) == [["甲乙"], ["甲乙", "丙"]]


def test_bulk_segmentation_without_rjieba_uses_jieba(seg: Segmenter, monkeypatch) -> None:
    monkeypatch.setattr(segment_mod, "rjieba", None)
    fresh = Segmenter()
    assert fresh.bulk_engine == "jieba"
    texts = ["國家發展委員會推動資料開放", "Uber 司機"]
    assert fresh.cut_many(texts) == [seg.cut(t) for t in texts]
    assert fresh.tokens_many(texts) == [seg.tokens(t) for t in texts]
