"""E-mail: at once, daily or weekly digests, or never; one digest per person per period, grouped
by consultation (running it twice sends nothing twice); a signed one-click unsubscribe with the
List-Unsubscribe headers; nothing to deactivated accounts; preferences are not retroactive.
Delivered to a loopback SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app import outbox
from app.extensions import db
from deliberation.models import DigestRun, Notification, utcnow
from deliberation.notifications import mailing, operations
from deliberation.services import moderation
from tests.factories import (
    api_csrf,
    general_thread,
    login,
    make_comment,
    make_consultation,
    make_user,
    save,
)
from tests.realtime.servers import spare_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def inbox(app, monkeypatch):
    handler = Inbox()
    port = spare_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://zhongyi.example.tw")
    try:
        yield handler
    finally:
        controller.stop()


def settle() -> None:
    outbox.run_deferred(db.session)


def digests(app) -> str:
    result = app.test_cli_runner().invoke(args=["notifications", "send-digests"])
    assert result.exit_code == 0, result.output
    return result.output


def test_replies_wait_for_one_daily_digest_grouped_by_consultation(app, inbox, session):
    alice = make_user(name="林愛麗")
    first, second = make_consultation(title="機車補助"), make_consultation(title="長照計畫")
    mine_a = make_comment(general_thread(first), alice, body="我的意見甲")
    mine_b = make_comment(general_thread(second), alice, body="我的意見乙")
    for parent in (mine_a, mine_a, mine_b):
        make_comment(parent.thread, make_user(name="回覆者"), body="回覆你", parent=parent)
    settle()
    assert inbox.to(alice.email) == []  # replies are a daily digest by default
    assert "digests: 1, sent: 1" in digests(app)
    [mail] = inbox.to(alice.email)
    body = mail.get_content()
    assert "3" in mail["Subject"]
    assert body.index("【機車補助】") < body.index("【長照計畫】")
    assert body.count("回覆者") == 3
    assert "https://zhongyi.example.tw/comments/" in body
    assert mail["List-Unsubscribe"].startswith(
        "<https://zhongyi.example.tw/notifications/unsubscribe/"
    )
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Running it again in the same period sends nothing, even with something new waiting.
    make_comment(mine_a.thread, make_user(), body="又一則回覆", parent=mine_a)
    settle()
    assert "digests: 0, sent: 0" in digests(app)
    assert len(inbox.to(alice.email)) == 1
    waiting = db.session.scalar(
        select(Notification).where(
            Notification.user_id == alice.id, Notification.emailed_at.is_(None)
        )
    )
    assert waiting is not None  # tomorrow's digest


def test_a_moderation_decision_is_mailed_at_once(app, inbox, session):
    author = make_user()
    comment = make_comment(general_thread(make_consultation()), author)
    moderation.act_on_comment(
        db.session, comment.id, actor=make_user("moderator"), action="hide", reason="spam"
    )
    save()
    settle()
    [mail] = inbox.to(author.email)
    assert "hid your comment" in mail.get_content() or "隱藏" in mail.get_content()


def test_weekly_and_never_and_preferences_are_not_retroactive(app, inbox, client):
    alice = make_user()
    mine = make_comment(general_thread(make_consultation()), alice)
    make_comment(mine.thread, make_user(), body="舊的回覆", parent=mine)  # made while daily
    settle()
    login(client, alice)
    answer = client.put(
        "/api/v1/notifications/settings", json={"replies": "never"}, headers=api_csrf(client)
    )
    assert answer.get_json()["replies"] == "never"
    make_comment(mine.thread, make_user(), body="新的回覆", parent=mine)  # made after: never
    settle()
    digests(app)
    [mail] = inbox.to(alice.email)
    assert "舊的回覆" in mail.get_content() and "新的回覆" not in mail.get_content()
    bad = client.put(
        "/api/v1/notifications/settings", json={"replies": "hourly"}, headers=api_csrf(client)
    )
    assert bad.status_code == 400


def test_one_click_unsubscribe_turns_the_kind_off(app, inbox, client):
    alice = make_user()
    mine = make_comment(general_thread(make_consultation()), alice)
    make_comment(mine.thread, make_user(), parent=mine)
    settle()
    digests(app)
    [mail] = inbox.to(alice.email)
    link = mail["List-Unsubscribe"].strip("<>").removeprefix("https://zhongyi.example.tw")
    page = client.get(link, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Stop" in page.get_data(as_text=True)
    assert operations.preferences(db.session, alice)["replies"] == "daily"  # GET changes nothing
    done = client.post(link, data={"List-Unsubscribe": "One-Click"})  # no session, no CSRF
    assert done.status_code == 200
    assert operations.preferences(db.session, alice)["replies"] == "never"
    forged = client.post(link[:-3] + "abc", data={"List-Unsubscribe": "One-Click"})
    assert forged.status_code == 404


def test_nothing_is_mailed_to_a_deactivated_account(app, inbox, session):
    alice = make_user()
    mine = make_comment(general_thread(make_consultation()), alice)
    make_comment(mine.thread, make_user(), parent=mine)
    settle()
    alice.is_active = False
    save()
    assert "sent: 0" in digests(app)
    assert inbox.to(alice.email) == []


def test_digest_periods_are_taiwan_days_and_iso_weeks():
    now = utcnow().replace(year=2026, month=12, day=5, hour=17, minute=0)  # 01:00 on the 6th
    assert mailing.period_key("daily", now) == "daily:2026-12-06"
    assert mailing.period_key("weekly", now) == "weekly:2026-W49"
    assert mailing.period_key("daily", now - timedelta(hours=2)) == "daily:2026-12-05"


def test_a_digest_run_is_recorded_once_per_person_and_period(app, inbox, session):
    alice = make_user()
    mine = make_comment(general_thread(make_consultation()), alice)
    make_comment(mine.thread, make_user(), parent=mine)
    settle()
    digests(app)
    digests(app)
    runs = db.session.scalars(select(DigestRun).where(DigestRun.user_id == alice.id)).all()
    assert len(runs) == 1 and runs[0].notifications == 1
