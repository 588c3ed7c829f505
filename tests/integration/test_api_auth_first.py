"""An API write with no credentials at all is "log in first" (401), checked before the CSRF token
(issue 17 item 9); a logged-in session without the token is still refused as a CSRF failure."""

from __future__ import annotations

import pytest

from tests.factories import general_thread, login, make_consultation, make_user


@pytest.fixture
def thread(session):
    return general_thread(make_consultation(status="open"))


def test_a_write_with_no_credentials_is_401_not_authenticated(client, thread):
    for method, url, body in (
        ("post", f"/api/v1/threads/{thread.id}/comments", {"body": "匿名留言"}),
        ("post", "/api/v1/plans", {"title": "計畫"}),
        ("post", "/api/v1/consultations", {"title": "草案"}),
    ):
        response = getattr(client, method)(url, json=body)
        assert response.status_code == 401, url
        assert response.get_json()["error"]["code"] == "not_authenticated"


def test_a_bad_token_and_no_token_answer_alike(client, thread):
    url = f"/api/v1/threads/{thread.id}/comments"
    bad = client.post(url, json={"body": "x"}, headers={"Authorization": "Bearer zy_nope"})
    none = client.post(url, json={"body": "x"})
    assert (bad.status_code, none.status_code) == (401, 401)
    assert bad.get_json()["error"]["code"] == none.get_json()["error"]["code"]


def test_a_logged_in_session_without_the_csrf_token_is_still_refused(client, thread):
    login(client, make_user())
    response = client.post(f"/api/v1/threads/{thread.id}/comments", json={"body": "跨站請求"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"
