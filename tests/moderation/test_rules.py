"""The pure moderation rules: personal data, keywords, links, transitions, settings, sanctions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from deliberation import moderation as policy
from deliberation.exports import safe_cell as csv_cell

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value", ["A123456789", "a123456789", "F131104093", "A 123 456 789", "Ａ１２３４５６７８９"]
)
def test_valid_taiwan_ids_are_recognised_with_their_checksum(value):
    spans = policy.find_personal_data(f"我的身分證是{value}請查")
    assert [s.kind for s in spans] == ["tw_national_id"]


@pytest.mark.parametrize("value", ["A123456788", "A323456789", "AB12345678", "A12345678"])
def test_id_like_strings_with_a_wrong_checksum_or_shape_are_not_ids(value):
    assert policy.tw_id_valid(value) is False
    assert [s for s in policy.find_personal_data(value) if s.kind == "tw_national_id"] == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("打給我 0912-345-678", "mobile_phone"),
        ("打給我0912345678喔", "mobile_phone"),
        ("+886 912 345 678", "mobile_phone"),
        ("電話 (02)2345-6789", "landline_phone"),
        ("電話 02-2345-6789", "landline_phone"),
        ("04 2234 5678", "landline_phone"),
        ("寄信到someone.name+tag@example.com.tw吧", "email"),
    ],
)
def test_phone_numbers_and_email_addresses_are_personal_data(text, kind):
    spans = policy.find_personal_data(text)
    assert [s.kind for s in spans] == [kind]
    assert policy.REDACTION_MARK in policy.redact(text, spans)[0]


@pytest.mark.parametrize(
    "text",
    ["預算 2026 年增加 3,000,000 元", "第12條第3項", "民國115年11月27日", "比例 0.25", "ISO 27001"],
)
def test_ordinary_numbers_are_not_personal_data(text):
    assert policy.find_personal_data(text) == []


def test_redaction_replaces_the_span_in_the_original_text_even_with_invisible_characters():
    text = "我的電話是0912\u200b345678，謝謝"
    spans = policy.find_personal_data(text)
    assert len(spans) == 1
    out, n = policy.redact(text, spans, extra=["謝謝"])
    assert n == 2 and "0912" not in out and "678" not in out and out.startswith("我的電話是")


@pytest.mark.parametrize(
    "text", ["你去死", "你 去 死", "你去。死", "你去、 死！", "你ㄑ去死", "YOU 去 的 死"]
)
def test_zh_keywords_survive_spacing_and_punctuation_tricks(text):
    tokens = ["你", "去", "死"] if "的" in text else None
    assert policy.keyword_hits(text, ["去死"], tokens) == ["去死"]


def test_segmented_tokens_catch_a_filler_word_inside_a_keyword():
    # The tokenizer drops the stop word 的, so the tokens read 去死 where the raw text does not.
    assert policy.keyword_hits("你去的死", ["去死"]) == []
    assert policy.keyword_hits("你去的死", ["去死"], tokens=["你", "去", "死"]) == ["去死"]


@pytest.mark.parametrize(
    "text", ["Kill yourself", "k i l l  y o u r s e l f", "K.I.L.L-yourself", "ｋｉｌｌ yourself"]
)
def test_english_keywords_survive_case_width_and_separators(text):
    assert policy.keyword_hits(text, ["kill yourself"]) == ["kill yourself"]


def test_english_keywords_match_whole_words_only():
    assert policy.keyword_hits("a classic assessment", ["ass"]) == []
    assert policy.keyword_hits("what an ass", ["ass"]) == ["ass"]


def test_hold_names_the_rule_that_fired_in_a_fixed_order():
    s = policy.Settings(keywords=("去死",), link_limit=1, new_account_days=7)
    new = NOW - timedelta(days=1)
    old = NOW - timedelta(days=30)
    links = "看 https://a.example 和 https://b.example"
    assert policy.hold_for("A123456789 去死", s, author_joined=old, now=NOW).rule == "personal_data"
    assert policy.hold_for("去 死", s, author_joined=old, now=NOW).rule == "keyword"
    assert policy.hold_for(links, s, author_joined=new, now=NOW).rule == "link_spam"
    assert policy.hold_for(links, s, author_joined=old, now=NOW) is None
    pre = policy.Settings(premoderation=True)
    assert policy.hold_for("普通留言", pre, author_joined=old, now=NOW).rule == "premoderation"
    assert (
        policy.hold_for("A123456789", s, author_joined=old, now=NOW, author_is_moderator=True)
        is None
    )
    off = policy.Settings(hold_personal_data=False, keywords=())
    assert policy.hold_for("0912345678", off, author_joined=old, now=NOW) is None


@pytest.mark.parametrize(
    ("action", "status", "pinned", "flags", "expected"),
    [
        ("approve", "pending", False, 0, ("visible", True)),
        ("approve", "visible", False, 2, ("visible", True)),
        ("approve", "visible", False, 0, ("visible", False)),
        ("approve", "hidden", False, 0, "use_restore"),
        ("hide", "visible", True, 0, ("hidden", True)),
        ("hide", "pending", False, 0, ("hidden", True)),
        ("hide", "hidden", False, 0, ("hidden", False)),
        ("restore", "hidden", False, 0, ("visible", True)),
        ("restore", "visible", False, 0, ("visible", False)),
        ("restore", "pending", False, 0, "use_approve"),
        ("pin", "visible", False, 0, ("visible", True)),
        ("pin", "visible", True, 0, ("visible", False)),
        ("pin", "pending", False, 0, "pin_visible_only"),
        ("unpin", "visible", True, 0, ("visible", True)),
        ("unpin", "visible", False, 0, ("visible", False)),
        ("delete", "visible", False, 0, "invalid_action"),
    ],
)
def test_each_action_has_one_outcome_and_repeating_it_changes_nothing(
    action, status, pinned, flags, expected
):
    out = policy.comment_outcome(action, status, pinned=pinned, flag_count=flags)
    if isinstance(expected, str):
        assert out == expected
    else:
        assert (out.status, out.changed) == expected


def test_marking_the_same_duplicate_twice_changes_nothing():
    first = policy.comment_outcome(
        "mark_duplicate", "visible", pinned=False, flag_count=0, new_duplicate_of_id=5
    )
    again = policy.comment_outcome(
        "mark_duplicate",
        "hidden",
        pinned=False,
        flag_count=0,
        duplicate_of_id=5,
        new_duplicate_of_id=5,
    )
    assert first.changed and first.status == "hidden" and not again.changed


@dataclass
class Row:
    premoderation: bool | None = None
    flag_threshold: int | None = None
    hold_personal_data: bool | None = None
    keywords: str | None = None
    link_limit: int | None = None
    new_account_days: int | None = None


def test_settings_inherit_from_the_site_and_the_built_in_defaults():
    assert policy.effective_settings(None, None) == policy.Settings()
    site = Row(flag_threshold=5, keywords="垃圾\nspam")
    local = Row(premoderation=True, keywords="離題")
    s = policy.effective_settings(site, local)
    assert s.premoderation is True and s.flag_threshold == 5
    assert s.keywords == ("垃圾", "spam", "離題")


@dataclass
class FakeSanction:
    kind: str
    ends_at: datetime | None


def test_suspension_outranks_mute_and_an_open_ended_one_has_no_end():
    mute = FakeSanction("mute", NOW + timedelta(days=3))
    assert policy.participation_refusal([]) is None
    assert policy.participation_refusal([mute]) == ("muted", mute.ends_at)
    assert policy.participation_refusal([mute, FakeSanction("suspend", None)]) == (
        "suspended",
        None,
    )


def test_slow_mode_counts_down_from_the_last_post():
    assert policy.slow_mode_wait(None, 60, NOW) == 0
    assert policy.slow_mode_wait(NOW - timedelta(seconds=20), 60, NOW) == 40
    assert policy.slow_mode_wait(NOW - timedelta(seconds=61), 60, NOW) == 0
    assert policy.slow_mode_wait(NOW, 0, NOW) == 0


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_would_start_a_formula_are_escaped(cell):
    assert csv_cell(cell) == "'" + cell


def test_plain_csv_cells_are_unchanged():
    assert csv_cell("隱藏 hide") == "隱藏 hide"
    assert csv_cell("") == ""
