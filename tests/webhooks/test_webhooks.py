"""Webhooks end to end: a real receiver on 127.0.0.1 gets signed JSON after the commit, a
failing receiver is retried with backoff, a rollback sends nothing, unsafe URLs are refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.transaction import commit
from deliberation.models import utcnow
from deliberation.outbox import pending
from deliberation.services import consultations
from deliberation.webhooks.models import Webhook, WebhookDelivery
from deliberation.webhooks.rules import verify
from tests.factories import csrf_from, login, make_agency, make_consultation, make_user
from tests.plans.helpers import make_world, respond

from .helpers import make_hook


@pytest.fixture
def moa(session):
    agency = make_agency("MOA", "農業部")
    staff = make_user("staff", agency=agency, name="農業部承辦")
    return agency, staff


def _token(client) -> str:
    return csrf_from(client.get("/staff/webhooks").get_data(as_text=True))


def _deliveries() -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_closing_a_consultation_posts_signed_json_to_its_agencys_receiver(client, moa, receiver):
    agency, staff = moa
    hook = make_hook(agency, receiver.url)
    other = make_hook(make_agency("MOI", "內政部"), receiver.url)
    consultation = make_consultation(staff=staff, status="open", title="農地利用諮詢")
    login(client, staff)
    response = client.post(
        f"/staff/consultations/{consultation.id}/status",
        data={"status": "closed", "csrf_token": _token(client)},
    )
    assert response.status_code == 302
    assert len(receiver.requests) == 1  # the other agency's endpoint got nothing
    got = receiver.requests[0]
    assert got.path == "/hook"
    assert got.headers["X-Zhongyi-Event"] == "consultation.closed"
    assert got.headers["X-Zhongyi-Signature"].startswith("sha256=")
    assert verify(
        hook.secret,
        got.headers["X-Zhongyi-Timestamp"],
        got.body,
        got.headers["X-Zhongyi-Signature"],
    )
    assert not verify(
        other.secret,
        got.headers["X-Zhongyi-Timestamp"],
        got.body,
        got.headers["X-Zhongyi-Signature"],
    )
    body = json.loads(got.body)
    assert body["event"] == "consultation.closed"
    assert body["data"]["consultation"] == {
        "id": consultation.id,
        "title": "農地利用諮詢",
        "status": "closed",
        "agency": "MOA",
        "path": f"/consultations/{consultation.id}",
    }
    [delivery] = _deliveries()
    assert got.headers["X-Zhongyi-Delivery"] == delivery.uid
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 204)
    page = client.get("/staff/webhooks").get_data(as_text=True)
    assert "HTTP 204" in page and hook.secret in page


def test_a_receiver_answering_500_is_retried_after_a_backoff_then_given_up(
    app, client, moa, receiver, monkeypatch
):
    agency, staff = moa
    hook = make_hook(agency, receiver.url)
    receiver.status = 500
    login(client, staff)
    before = utcnow()
    assert (
        client.post(
            f"/staff/webhooks/{hook.id}/test", data={"csrf_token": _token(client)}
        ).status_code
        == 302
    )
    [delivery] = _deliveries()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("retrying", 1, 500)
    wait = delivery.next_attempt_at - before
    assert timedelta(seconds=23) <= wait <= timedelta(seconds=37)  # 30 s ± 20 %

    runner = app.test_cli_runner()
    result = runner.invoke(args=["webhooks", "retry-due"])
    assert "attempted: 0" in result.output  # not due yet
    assert len(receiver.requests) == 1

    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 3)
    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    runner.invoke(args=["webhooks", "retry-due"])
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts) == ("retrying", 2)
    second_wait = delivery.next_attempt_at - delivery.last_attempt_at
    assert timedelta(seconds=47) <= second_wait <= timedelta(seconds=73)  # doubled

    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    runner.invoke(args=["webhooks", "retry-due"])
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    uids = {r.headers["X-Zhongyi-Delivery"] for r in receiver.requests}
    assert len(receiver.requests) == 3 and uids == {delivery.uid}  # one id: receivers dedupe


def test_a_retry_after_the_receiver_recovers_is_delivered(app, client, moa, receiver):
    agency, staff = moa
    hook = make_hook(agency, receiver.url)
    receiver.status = 503
    login(client, staff)
    client.post(f"/staff/webhooks/{hook.id}/test", data={"csrf_token": _token(client)})
    [delivery] = _deliveries()
    receiver.status = 200
    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["webhooks", "retry-due"])
    assert "attempted: 1, delivered: 1" in result.output
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 2, 200)
    first, second = receiver.requests
    assert first.body == second.body  # the same payload, signed again at its own time
    assert verify(hook.secret, second.headers["X-Zhongyi-Timestamp"], second.body,
                  second.headers["X-Zhongyi-Signature"])  # fmt: skip


def test_a_rolled_back_change_writes_no_delivery_and_sends_nothing(app, moa, receiver):
    agency, staff = moa
    make_hook(agency, receiver.url)
    consultation = make_consultation(staff=staff, status="open")
    with pytest.raises(RuntimeError), db.session.begin_nested():
        consultations.set_status(db.session, consultation, "closed", actor=staff)
        assert "webhooks.deliver" in [f.name for f in pending(db.session)]
        raise RuntimeError("the action failed after the change")
    commit()
    assert receiver.requests == []
    assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 0
    # the same change committed is sent
    consultations.set_status(db.session, consultation, "closed", actor=staff)
    commit()
    assert [r.headers["X-Zhongyi-Event"] for r in receiver.requests] == ["consultation.closed"]


def test_plans_and_responses_reach_the_lead_and_co_agencies_only(
    client, session, receiver, api_csrf
):
    world = make_world()
    lead = make_hook(world.lead.agency, receiver.url + "?lead")
    co = make_hook(world.co.agency, receiver.url + "?co", events=["plan.decided"])
    make_hook(world.other.agency, receiver.url + "?other")
    login(client, world.lead)
    assert (
        client.patch(
            f"/api/v1/plans/{world.plan.id}", json={"status": "submitted"}, headers=api_csrf(client)
        ).status_code
        == 200
    )
    assert [(r.path, r.headers["X-Zhongyi-Event"]) for r in receiver.requests] == [
        ("/hook?lead", "plan.submitted")
    ]
    login(client, world.reviewer)
    assert (
        client.post(
            f"/api/v1/plans/{world.plan.id}/reviews",
            json={"decision": "return", "comments": "請補充預算"},
            headers=api_csrf(client),
        ).status_code
        == 201
    )
    decided = [r for r in receiver.requests if r.headers["X-Zhongyi-Event"] == "plan.decided"]
    assert sorted(r.path for r in decided) == ["/hook?co", "/hook?lead"]
    body = json.loads(decided[0].body)["data"]
    assert (body["decision"], body["comments"], body["plan"]["status"]) == (
        "return", "請補充預算", "returned"
    )  # fmt: skip
    assert body["plan"]["co_agencies"] == ["EPA"]

    respond(world, "T1", reasoning="納入充電設施")
    login(client, world.lead)
    assert (
        client.post(
            f"/api/v1/consultations/{world.consultation.id}/responses/T1/publish",
            headers=api_csrf(client),
        ).status_code
        == 200
    )
    published = [
        r for r in receiver.requests if r.headers["X-Zhongyi-Event"] == "response.published"
    ]
    assert [r.path for r in published] == ["/hook?lead"]
    data = json.loads(published[0].body)["data"]
    assert [(x["theme_key"], x["disposition"]) for x in data["responses"]] == [("T1", "adopted")]
    assert verify(lead.secret, published[0].headers["X-Zhongyi-Timestamp"], published[0].body,
                  published[0].headers["X-Zhongyi-Signature"])  # fmt: skip
    assert co.secret != lead.secret


@pytest.mark.parametrize(
    ("url", "zh", "en"),
    [
        ("http://10.0.0.5/hook", "私人", "private, loopback or link-local"),
        ("http://169.254.169.254/latest/meta-data", "私人", "private, loopback or link-local"),
        ("http://127.0.0.1:9/hook", "私人", "private, loopback or link-local"),
        ("http://[::1]/hook", "私人", "private, loopback or link-local"),
        ("ftp://example.org/hook", "完整網址", "full address"),
        ("https://user:pw@example.org/hook", "完整網址", "full address"),
    ],
)
def test_an_unsafe_url_is_refused_in_both_languages_and_nothing_is_saved(client, moa, url, zh, en):
    _agency, staff = moa
    login(client, staff)
    form = {"url": url, "events": ["consultation.closed"], "csrf_token": _token(client)}
    refused = client.post("/staff/webhooks", data=form)
    assert refused.status_code == 400
    assert zh in refused.get_data(as_text=True)
    english = client.post("/staff/webhooks?lang=en", data=form)
    assert english.status_code == 400 and en in english.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Webhook.id))) == 0


def test_production_settings_require_https(app, client, moa, monkeypatch):
    _agency, staff = moa
    monkeypatch.setitem(app.config, "WEBHOOK_REQUIRE_HTTPS", True)
    login(client, staff)
    form = {
        "url": "http://93.184.215.14/hook",
        "events": ["plan.decided"],
        "csrf_token": _token(client),
    }
    refused = client.post("/staff/webhooks?lang=en", data=form)
    assert refused.status_code == 400 and "must start with https://" in refused.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(Webhook.id))) == 0


def test_staff_add_a_webhook_with_a_generated_secret_and_a_receiver_allowed_for_tests(
    client, moa, receiver
):
    agency, staff = moa
    login(client, staff)
    form = {"url": receiver.url, "events": ["plan.decided", "ping"], "csrf_token": _token(client)}
    assert client.post("/staff/webhooks?lang=en", data=form).status_code == 400  # ping is no event
    form["events"] = ["plan.decided", "consultation.closed"]
    assert client.post("/staff/webhooks", data=form).status_code == 302
    hook = db.session.scalar(select(Webhook))
    assert hook.agency_id == agency.id and hook.active
    assert hook.events == ["consultation.closed", "plan.decided"]
    assert len(hook.secret) >= 40
    listed = client.get("/api/v1/webhooks").get_json()["webhooks"]
    assert [h["url"] for h in listed] == [receiver.url]
    assert "secret" not in listed[0] and hook.secret not in json.dumps(listed)


def test_turning_a_webhook_off_gives_up_its_retries_and_stops_new_events(client, moa, receiver):
    agency, staff = moa
    hook = make_hook(agency, receiver.url)
    receiver.status = 500
    login(client, staff)
    client.post(f"/staff/webhooks/{hook.id}/test", data={"csrf_token": _token(client)})
    client.post(
        f"/staff/webhooks/{hook.id}/active", data={"active": "0", "csrf_token": _token(client)}
    )
    [delivery] = _deliveries()
    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)
    consultation = make_consultation(staff=staff, status="open")
    consultations.set_status(db.session, consultation, "closed", actor=staff)
    commit()
    assert len(receiver.requests) == 1 and len(_deliveries()) == 1
    old = hook.secret
    client.post(f"/staff/webhooks/{hook.id}/secret", data={"csrf_token": _token(client)})
    db.session.refresh(hook)
    assert hook.secret != old


def test_a_consultation_that_reaches_its_closing_time_is_closed_by_the_timer_and_announced(
    app, moa, receiver
):
    """`flask analysis run-due` (cron) closes what passed its closing time as closing by hand
    does: the status, the consultation.closed webhook; one still open is left alone."""
    agency, staff = moa
    make_hook(agency, receiver.url)
    ended = make_consultation(staff=staff, status="open", title="已到截止時間")
    ended.opens_at = utcnow() - timedelta(days=3)
    ended.closes_at = utcnow() - timedelta(minutes=1)
    running = make_consultation(staff=staff, status="open", title="仍在進行")
    running.closes_at = utcnow() + timedelta(days=1)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["analysis", "run-due", "--wait"])
    assert result.exit_code == 0, result.output
    db.session.refresh(ended)
    db.session.refresh(running)
    assert (ended.status, running.status) == ("closed", "open")
    events = [json.loads(r.body) for r in receiver.requests]
    assert [(e["event"], e["data"]["consultation"]["id"]) for e in events] == [
        ("consultation.closed", ended.id)
    ]
    # the next tick finds nothing more to close
    app.test_cli_runner().invoke(args=["analysis", "run-due", "--wait"])
    assert len(receiver.requests) == 1
