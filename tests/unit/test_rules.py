"""Permission and state rules, without a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from deliberation import rules

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


@dataclass
class U:
    id: int = 1
    role: str = "citizen"
    agency_id: int | None = None
    is_active: bool = True
    email_verified: bool = True


@dataclass
class C:
    agency_id: int = 7
    status: str = "open"
    opens_at: datetime | None = None
    closes_at: datetime | None = None


@dataclass
class Cm:
    author_id: int = 1
    status: str = "visible"
    created_at: datetime = NOW


def test_anyone_logged_in_may_post_to_an_open_consultation():
    assert rules.posting_refusal(U(), C(), False, NOW) is None
    assert rules.posting_refusal(None, C(), False, NOW) == "not_authenticated"
    assert rules.posting_refusal(U(is_active=False), C(), False, NOW) == "account_inactive"
    assert rules.posting_refusal(U(), C(), True, NOW) == "thread_locked"


@pytest.mark.parametrize(
    "consultation",
    [
        C(status="draft"),
        C(status="closed"),
        C(status="concluded"),
        C(opens_at=NOW + timedelta(minutes=1)),
        C(closes_at=NOW),
    ],
)
def test_posting_outside_the_open_window_is_refused(consultation):
    assert rules.posting_refusal(U(), consultation, False, NOW) == "consultation_not_open"


def test_staff_manage_only_their_agency():
    assert rules.can_manage_consultation(U(role="staff", agency_id=7), C())
    assert not rules.can_manage_consultation(U(role="staff", agency_id=8), C())
    assert rules.can_manage_consultation(U(role="admin"), C())
    assert not rules.can_manage_consultation(U(role="moderator"), C())
    assert not rules.can_view_consultation(None, C(status="draft"))
    assert rules.can_view_consultation(None, C(status="closed"))


def test_edit_window_and_authorship():
    window = timedelta(minutes=15)
    assert rules.edit_refusal(U(), Cm(), NOW + timedelta(minutes=14), window) is None
    assert (
        rules.edit_refusal(U(), Cm(), NOW + timedelta(minutes=16), window) == "edit_window_passed"
    )
    assert rules.edit_refusal(U(id=2), Cm(), NOW, window) == "not_author"
    assert rules.edit_refusal(U(), Cm(status="hidden"), NOW, window) == "comment_hidden"


def test_who_reads_which_text():
    assert rules.can_see_comment_text(None, Cm())
    assert not rules.can_see_comment_text(None, Cm(status="pending"))
    assert rules.can_see_comment_text(U(), Cm(status="pending"))
    assert not rules.can_see_comment_text(U(), Cm(status="hidden"))
    assert rules.can_see_comment_text(U(id=9, role="moderator"), Cm(status="hidden"))


def test_status_transitions():
    assert rules.transition_allowed("draft", "open")
    assert rules.transition_allowed("closed", "open")
    assert not rules.transition_allowed("open", "draft")
    assert not rules.transition_allowed("concluded", "open")
