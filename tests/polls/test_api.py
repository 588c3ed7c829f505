"""The poll API and pages as a client sees them: create then update, clear 4xx messages in both
languages for bad input, and the representativeness picture on the public page after the close."""

from __future__ import annotations

import pytest

from app.extensions import db

from .helpers import answer, make_poll


@pytest.fixture
def world(session, make_consultation, make_user, make_agency):
    staff = make_user("staff", agency=make_agency())
    consultation = make_consultation(staff=staff)
    return consultation, make_poll(consultation, staff), staff


def test_putting_an_answer_twice_creates_then_updates(world, make_user, login, client, api_csrf):
    consultation, poll, _ = world
    login(client, make_user())
    url = f"/api/v1/consultations/{consultation.id}/poll/response"
    qid = str(poll.questions[0].id)
    first = client.put(url, json={"answers": {qid: 0}}, headers=api_csrf(client))
    second = client.put(url, json={"answers": {qid: 1}}, headers=api_csrf(client))
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json()["answers"] == {qid: [1]} and second.get_json()["created"] is False
    mine = client.get(f"/api/v1/consultations/{consultation.id}/poll").get_json()["mine"]
    assert mine["answers"] == {qid: [1]}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"answers": "yes"}, None),
        ({"answers": {"{q}": 7}}, "Question 1: that is not one of its options."),
        ({"answers": {"{q}": [0, 1]}}, "Question 1 takes one answer."),
        ({"answers": {}}, "Answer at least one question."),
        ({"answers": {"{q}": 0}, "demographics": {"age": "40+", "gender": "女"}},
         "please read the personal data notice"),
        ({"answers": {"{q}": 0}, "demographics": {"age": "99+", "gender": "女"}, "consent": True,
          "notice_version": "2026-12-poll-v1"}, "“99+” is not one of the choices for age."),
    ],
)  # fmt: skip
def test_bad_answers_get_a_clear_400_and_nothing_is_written(
    world, make_user, login, client, api_csrf, body, words
):
    consultation, poll, _ = world
    login(client, make_user())
    qid = str(poll.questions[0].id)
    if isinstance(body.get("answers"), dict):
        body = {
            **body,
            "answers": dict.fromkeys([qid], *body["answers"].values()) if body["answers"] else {},
        }
    response = client.put(
        f"/api/v1/consultations/{consultation.id}/poll/response",
        json=body,
        headers=api_csrf(client) | {"Accept-Language": "en"},
    )
    assert response.status_code == 400
    if words:
        assert words in response.get_json()["error"]["message"]
    mine = client.get(f"/api/v1/consultations/{consultation.id}/poll").get_json()["mine"]
    assert mine is None


def test_the_message_is_in_zh_tw_by_default(world, make_user, login, client, api_csrf):
    consultation, poll, _ = world
    login(client, make_user())
    response = client.put(
        f"/api/v1/consultations/{consultation.id}/poll/response",
        json={"answers": {}},
        headers=api_csrf(client),
    )
    assert response.get_json()["error"]["message"] == "請至少回答一題。"


def test_an_edit_after_the_close_is_refused_on_the_page(world, make_user, login, client, csrf_from):
    consultation, poll, _ = world
    citizen = make_user()
    answer(poll, citizen)
    login(client, citizen)
    token = csrf_from(client.get("/help").get_data(as_text=True))
    consultation.status = "closed"
    db.session.commit()
    response = client.post(
        f"/consultations/{consultation.id}/poll",
        data={"csrf_token": token, f"q_{poll.questions[0].id}": "1"},
    )
    assert response.status_code == 409
    assert "本諮詢未開放：無法再填答或修改答案。" in response.get_data(as_text=True)


def test_the_closed_consultation_page_shows_who_took_part(world, make_user, client):
    consultation, poll, _ = world
    answer(poll, make_user(), age="18-39", gender="男")
    answer(poll, make_user(), age="40+", gender="女")
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "參與者與母體比較" not in page  # not while open
    consultation.status = "closed"
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "參與者與母體比較" in page and "representativeness-table" in page
    assert "50.0%" in page  # each poll respondent is half of the known ages
