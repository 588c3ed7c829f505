"""Each input the outside probe turned into a 500 (issue 17 item 6) is a 400 or 404 with the usual
error body, and nothing is written. Meaningful on PostgreSQL (TEST_DATABASE_URL), where NUL
bytes, lone surrogates and integers beyond 2**31 - 1 used to reach the database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from deliberation.models import Comment, Consultation, Plan, ThemeResponse
from deliberation.services import accounts
from tests.factories import (
    csrf_from,
    general_thread,
    login,
    make_comment,
    make_consultation,
    make_user,
)

BIG = 2**31


@pytest.fixture
def place(session):
    staff = make_user("staff")
    consultation = make_consultation(staff=staff, status="open")
    thread = general_thread(consultation)
    comment = make_comment(thread, make_user())
    citizen = make_user()
    tokens = {
        "staff": accounts.issue_token(db.session, staff),
        "citizen": accounts.issue_token(db.session, citizen),
    }
    db.session.commit()
    return {
        "staff": staff,
        "consultation": consultation,
        "thread": thread,
        "comment": comment,
        "headers": {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()},
    }


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count(m.id))) or 0
        for m in (Comment, Consultation, Plan, ThemeResponse)
    )


def _refused(response, status: int = 400) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if response.is_json:
        error = response.get_json()["error"]
        assert error["code"] and error["message"]


@pytest.mark.parametrize("text", ["a\x00b", "\ud800", "前\udfff後"])
def test_nul_and_lone_surrogates_in_any_json_text_are_refused(client, place, text):
    before = _counts()
    staff, citizen = place["headers"]["staff"], place["headers"]["citizen"]
    cid, tid = place["consultation"].id, place["thread"].id
    cases = [
        ("post", f"/api/v1/threads/{tid}/comments", {"body": text}, citizen),
        ("patch", f"/api/v1/comments/{place['comment'].id}", {"body": text}, citizen),
        ("post", "/api/v1/consultations", {"title": text}, staff),
        (
            "post",
            "/api/v1/consultations",
            {"title": "草案", "sections": [{"title": "第一條", "body": text}]},
            staff,
        ),
        ("post", "/api/v1/plans", {"title": text}, staff),
        ("post", "/api/v1/plans", {"title": "計畫", "summary": text}, staff),
        ("put", f"/api/v1/consultations/{cid}/responses/T1", {"reasoning": text}, staff),
        (
            "post",
            f"/api/v1/threads/{tid}/imports",
            {"platform": "ptt", "url": "https://www.ptt.cc/x", "author": "a", "text": text},
            staff,
        ),
    ]
    for method, url, body, headers in cases:
        response = getattr(client, method)(url, json=body, headers=headers)
        _refused(response)
        assert response.get_json()["error"]["code"] == "invalid_json", url
    assert _counts() == before


def test_nul_in_form_fields_and_query_strings_is_refused(client, place):
    before = _counts()
    login(client, place["staff"])
    page = client.get(f"/threads/{place['thread'].id}")
    token = csrf_from(page.get_data(as_text=True))
    posted = client.post(
        f"/threads/{place['thread'].id}", data={"body": "留言\x00", "csrf_token": token}
    )
    _refused(posted)
    form = client.post("/plans/new", data={"title": "計畫\x00", "csrf_token": token})
    _refused(form)
    for url in (
        "/api/v1/consultations?status=%00",
        "/?status=%00",
        f"/api/v1/threads/{place['thread'].id}/comments?after_seq=%00",
        "/moderation/log?action=%00",
    ):
        _refused(client.get(url))
    assert _counts() == before


def test_integers_beyond_the_id_column_are_not_found_or_refused(client, place):
    citizen, staff = place["headers"]["citizen"], place["headers"]["staff"]
    for url in (
        f"/api/v1/comments/{BIG}",
        f"/api/v1/threads/{BIG}/comments",
        f"/api/v1/plans/{BIG}",
        f"/consultations/{BIG}",
        f"/api/v1/consultations/{2**63}",
    ):
        _refused(client.get(url, headers=staff), 404)
    _refused(client.post(f"/api/v1/comments/{BIG}/vote", json={"value": 1}, headers=citizen), 404)
    tid = place["thread"].id
    for query in (f"after_seq={BIG}", f"limit={BIG}", "after_seq=99999999999999999999999"):
        _refused(client.get(f"/api/v1/threads/{tid}/comments?{query}"))
    body = {"body": "回覆", "parent_id": BIG}
    _refused(client.post(f"/api/v1/threads/{tid}/comments", json=body, headers=citizen))
    plan = {"title": "計畫", "consultations": [BIG]}
    _refused(client.post("/api/v1/plans", json=plan, headers=staff))
    edit = {"body": "改", "version": 2**40}
    _refused(client.patch(f"/api/v1/comments/{place['comment'].id}", json=edit, headers=citizen))


def test_deeply_nested_json_is_refused(client, place):
    url = f"/api/v1/threads/{place['thread'].id}/comments"
    for depth in (40, 50_000):
        raw = '{"body": ' + "[" * depth + "]" * depth + "}"
        response = client.post(
            url,
            data=raw,
            content_type="application/json",
            headers=place["headers"]["citizen"],
        )
        _refused(response)


@pytest.mark.parametrize("day", ["0001-01-01", "0001-01-01T00:00:00+08:00", "9999-12-31"])
def test_plan_and_consultation_dates_out_of_range_are_refused(client, place, day):
    staff = place["headers"]["staff"]
    before = _counts()
    plan = client.post("/api/v1/plans", json={"title": "計畫", "period_start": day}, headers=staff)
    _refused(plan)
    assert plan.get_json()["error"]["code"] == "invalid_date"
    due = client.put(
        f"/api/v1/consultations/{place['consultation'].id}/responses/T1",
        json={"disposition": "adopted", "due_date": day},
        headers=staff,
    )
    _refused(due)
    if "T" in day:
        opened = client.post(
            "/api/v1/consultations", json={"title": "草案", "opens_at": day}, headers=staff
        )
        _refused(opened)
    assert _counts() == before


def test_plan_form_date_out_of_range_is_shown_as_a_form_error(client, place):
    login(client, place["staff"])
    page = client.get("/plans/new")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        "/plans/new", data={"title": "計畫", "period_start": "0001-01-01", "csrf_token": token}
    )
    assert response.status_code == 400
