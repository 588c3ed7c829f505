"""The pure rules: @mentions in Chinese and English text, and who may follow what."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from deliberation.notifications.rules import follow_refusal, mention_candidates, resolve_mentions

NAMES = {"王小明", "王小", "Alice Lin", "alice", "陳大文"}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("@王小明 你怎麼看？", ["王小明"]),
        ("@王小明你好，請看第二條", ["王小明"]),  # no space after a Chinese name
        ("謝謝@陳大文：補充一下", ["陳大文"]),
        ("@alice thanks", ["alice"]),
        ("寫信到 someone@alice.tw 問", []),  # an e-mail address is no mention
        ("@不存在的人 你好", []),
        ("@王小明 和 @陳大文 都來看看，@王小明", ["王小明", "陳大文"]),
        ("沒有提到任何人", []),
    ],
)
def test_a_mention_is_the_longest_known_name_after_an_at_sign(text, found):
    assert resolve_mentions(text, NAMES) == found


def test_candidates_are_every_prefix_of_the_run_after_the_at_sign():
    assert mention_candidates("@王小明你好") == ["王", "王小", "王小明", "王小明你", "王小明你好"]
    assert mention_candidates("a@b.tw") == []


def _user(id=1, role="citizen", agency_id=None):
    return SimpleNamespace(id=id, role=role, agency_id=agency_id, is_active=True)


OPEN = SimpleNamespace(agency_id=1, status="open", opens_at=None, closes_at=None)
DRAFT = SimpleNamespace(agency_id=1, status="draft", opens_at=None, closes_at=None)


@pytest.mark.parametrize(
    ("actor", "target", "kwargs", "refusal"),
    [
        (None, "consultation", {"consultation": OPEN}, "not_authenticated"),
        (_user(), "consultation", {"consultation": OPEN}, None),
        (_user(), "thread", {"consultation": OPEN}, None),
        (_user(), "consultation", {"consultation": DRAFT}, "not_found"),
        (_user(role="staff", agency_id=1), "consultation", {"consultation": DRAFT}, None),
        (_user(role="staff", agency_id=2), "consultation", {"consultation": DRAFT}, "not_found"),
        (_user(role="admin"), "thread", {"consultation": DRAFT}, None),
        (_user(id=1), "comment", {"consultation": OPEN, "comment_author_id": 1}, None),
        (
            _user(id=1),
            "comment",
            {"consultation": OPEN, "comment_author_id": 2},
            "follow_own_comments_only",
        ),
        (_user(), "agency", {}, None),
        (_user(), "planet", {}, "invalid_follow_target"),
    ],
)
def test_who_may_follow_what(actor, target, kwargs, refusal):
    assert follow_refusal(actor, target, **kwargs) == refusal
