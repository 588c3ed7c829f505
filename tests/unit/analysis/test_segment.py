"""Segmentation: Traditional words kept whole, normalisation, exact cut, own jieba instance."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.segment import Segmenter, get_segmenter, normalize

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
