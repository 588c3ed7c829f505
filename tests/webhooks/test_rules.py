"""The pure rules: who manages, which events, the URL's form, the signature, the backoff."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from deliberation.errors import ValidationError
from deliberation.webhooks import rules


def person(role: str, agency_id: int | None = None, active: bool = True):
    return SimpleNamespace(id=1, role=role, agency_id=agency_id, is_active=active)


def test_only_the_agencys_staff_and_admins_manage_its_webhooks():
    assert rules.can_manage(person("staff", 7), 7)
    assert rules.can_manage(person("admin"), 7)
    assert not rules.can_manage(person("staff", 8), 7)
    assert not rules.can_manage(person("staff", 7, active=False), 7)
    for role in ("citizen", "moderator", "reviewer"):
        assert not rules.can_manage(person(role), 7)
    assert not rules.can_manage(None, 7)


def test_events_are_checked_and_put_in_order():
    assert rules.check_events(["plan.decided", "consultation.closed"]) == [
        "consultation.closed",
        "plan.decided",
    ]
    with pytest.raises(ValidationError) as no_events:
        rules.check_events([])
    assert no_events.value.code == "webhook_no_events"
    with pytest.raises(ValidationError) as ping:
        rules.check_events(["ping"])
    assert ping.value.code == "webhook_bad_event"


@pytest.mark.parametrize(
    "url",
    ["", "javascript:alert(1)", "https://a:b@example.org/", "https://example.org/#x", "x" * 2100],
)
def test_a_malformed_url_is_refused(url):
    with pytest.raises(ValidationError):
        rules.check_url_form(url, require_https=False)


def test_https_is_required_when_configured():
    assert rules.check_url_form(" http://example.org/h ", require_https=False) == (
        "http://example.org/h"
    )
    with pytest.raises(ValidationError) as refused:
        rules.check_url_form("http://example.org/h", require_https=True)
    assert refused.value.code == "webhook_https_required"


def test_the_signature_covers_the_timestamp_and_the_body():
    body = b'{"event":"ping"}'
    sig = rules.signature("s3cret", 1700000000, body)
    assert sig.startswith("sha256=") and len(sig) == 7 + 64
    assert rules.verify("s3cret", "1700000000", body, sig)
    assert not rules.verify("s3cret", "1700000001", body, sig)  # a replayed body, new time
    assert not rules.verify("s3cret", 1700000000, body + b" ", sig)
    assert not rules.verify("other", 1700000000, body, sig)


def test_the_backoff_doubles_with_jitter_and_is_capped():
    rng = random.Random(1)
    waits = [rules.backoff(n, base=30, rng=rng).total_seconds() for n in range(1, 6)]
    for n, wait in enumerate(waits, start=1):
        assert 30 * 2 ** (n - 1) * 0.8 <= wait <= 30 * 2 ** (n - 1) * 1.2
    assert rules.backoff(40, base=30, rng=rng) <= timedelta(seconds=6 * 3600 * 1.2)
    assert len({rules.backoff(1, rng=rng) for _ in range(20)}) > 1  # jittered


def test_the_last_attempt_gives_up_and_a_success_stops_retrying():
    now = datetime(2026, 12, 5, tzinfo=UTC)
    assert rules.next_step(1, True, now) == ("delivered", None)
    status, following = rules.next_step(1, False, now, max_attempts=3)
    assert status == "retrying" and following is not None and following > now
    assert rules.next_step(3, False, now, max_attempts=3) == ("failed", None)
