"""One vocabulary (issue 15): every stored code a page can show has words in English and in the
zh-TW catalogue, and zh-TW text uses full-width punctuation next to Chinese characters."""

from __future__ import annotations

import enum
import re
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po
from flask_babel import force_locale

from app.vocabulary import ENUMS, TABLES, word
from deliberation import models, participation
from deliberation.moderation import RULE_CODES
from deliberation.outcome import TEXT

PO = (
    Path(__file__).resolve().parents[2]
    / "app"
    / "translations"
    / str(Locale.parse("zh_TW"))
    / "LC_MESSAGES"
    / "messages.po"
)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
HALF_WIDTH = ":(),;?!"


def _catalogue() -> dict[str, str]:
    with PO.open("rb") as f:
        return {m.id: str(m.string or "") for m in read_po(f) if isinstance(m.id, str) and m.id}


def _state_enums() -> list[type[enum.StrEnum]]:
    """Every StrEnum of every module that defines a mapped model (feature packages included)."""
    modules = {sys.modules[m.class_.__module__] for m in models.Base.registry.mappers}
    found = {
        value
        for module in (models, *modules)
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, enum.StrEnum) and value is not enum.StrEnum
    }
    return sorted(found, key=lambda cls: cls.__name__)


def test_every_state_enum_of_the_models_has_a_word_table():
    missing = [cls.__name__ for cls in _state_enums() if cls not in ENUMS]
    assert not missing, f"no words for {missing}: add them to app/vocabulary.py"


@pytest.mark.parametrize("lang", ["en", "zh_TW"])
def test_every_enum_value_and_code_is_translated(app, lang):
    catalogue = _catalogue()
    untranslated = []
    tables = [(cls.__name__, table, [m.value for m in cls]) for cls, table in ENUMS.items()]
    tables += [(name, table, list(table)) for name, table in TABLES.items()]
    tables += [("moderation rule codes", TABLES["rules"], list(RULE_CODES))]
    with app.test_request_context(), force_locale(lang):
        for name, table, codes in tables:
            for code in codes:
                shown = word(table, code)
                if code not in table or (lang == "zh_TW" and shown == code):
                    untranslated.append(f"{name}.{code}: no words")
                    continue
                msgid = table[code]._args[0]  # the lazy string's English msgid
                if lang == "zh_TW" and not catalogue.get(msgid):
                    untranslated.append(f"{name}.{code}: “{msgid}” has no zh-TW msgstr")
                elif lang == "zh_TW" and not CJK.search(shown):
                    untranslated.append(f"{name}.{code}: “{shown}” is not Chinese")
    assert not untranslated, "\n".join(untranslated)


def test_the_participation_dictionary_and_the_section_words_exist_in_both_languages():
    for key, words in participation.DICTIONARY.items():
        assert set(words) == {"zh-TW", "en"}, key
        assert all(label and counts for label, counts in words.values()), key
    assert set(TEXT["zh-TW"]) == set(TEXT["en"])


def half_width_next_to_chinese(text: str) -> list[str]:
    """Half-width : ( ) , ; ? ! touching a Chinese character. What legitimately stays
    half-width is removed first: %(name)s placeholders, {name} fields, URLs and paths, code in
    backticks, HTML tags, and numbers (3:00, 1,000)."""
    cleaned = re.sub(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]", "X", text)
    cleaned = re.sub(r"\{[a-z_]+\}", "X", cleaned)
    cleaned = re.sub(r"(?:https?://|www\.|/)[^\s，。、」）]*", "X", cleaned)
    cleaned = re.sub(r"`[^`]*`|<[^>]+>", "X", cleaned)
    cleaned = re.sub(r"(?<=\d)[:,](?=\d)", "0", cleaned)
    problems = []
    for i, ch in enumerate(cleaned):
        if ch not in HALF_WIDTH:
            continue
        before = cleaned[:i].rstrip()[-1:]
        after = cleaned[i + 1 :].lstrip()[:1]
        if CJK.match(before or " ") or CJK.match(after or " "):
            problems.append(cleaned[max(0, i - 8) : i + 8])
    return problems


def test_the_half_width_rule_itself():
    assert half_width_next_to_chinese("身分: 民眾")
    assert half_width_next_to_chinese("(已編輯)")
    assert half_width_next_to_chinese("第 %(n)s 頁, 共 %(m)s 頁")
    assert not half_width_next_to_chinese("身分：民眾（已編輯）")
    assert not half_width_next_to_chinese("%(name)s 的留言")  # a placeholder's parentheses
    assert not half_width_next_to_chinese("請見 https://example.tw/a(b) 說明")
    assert not half_width_next_to_chinese("下午 3:00 開始，共 1,000 人")
    assert not half_width_next_to_chinese("執行 `flask --app wsgi doctor` 檢查")


def test_zh_tw_catalogue_uses_full_width_punctuation_next_to_chinese():
    offenders = {
        msgid: problems
        for msgid, msgstr in _catalogue().items()
        if (problems := half_width_next_to_chinese(msgstr))
    }
    assert not offenders, "\n".join(f"{k!r}: {v}" for k, v in offenders.items())


def test_the_outcome_section_words_use_full_width_punctuation():
    offenders = {k: p for k, v in TEXT["zh-TW"].items() if (p := half_width_next_to_chinese(v))}
    offenders |= {
        k: p
        for k, words in participation.DICTIONARY.items()
        for part in words["zh-TW"]
        if (p := half_width_next_to_chinese(part))
    }
    assert not offenders, offenders


def test_one_vote_vocabulary_in_zh_tw():
    """同意／不同意 everywhere; 贊成／反對 nowhere (threads, analysis, outcome)."""
    catalogue = _catalogue()
    texts = list(catalogue.values()) + list(TEXT["zh-TW"].values())
    texts += [part for words in participation.DICTIONARY.values() for part in words["zh-TW"]]
    assert not [t for t in texts if "贊成" in t or "反對" in t]
    assert catalogue["Agree"] == "同意" and catalogue["Disagree"] == "不同意"
