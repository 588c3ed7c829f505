"""Read endpoints of /api/v1 (issue 19): cursor pagination, ETag/If-None-Match, private caching,
CORS for public reads only, and the rate-limit headers."""

from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db, limiter
from config import TestingConfig
from deliberation.services import accounts
from tests.clients import IsolatedClient
from tests.factories import general_thread, make_consultation, make_user


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.issue_token(db.session, user)}"}


def test_walking_the_consultations_by_cursor_reaches_the_end_without_duplicates(client):
    made = {make_consultation(status=s).id for s in ("open",) * 5}
    seen: list[int] = []
    url = "/api/v1/consultations?limit=2"
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.get_json()
        assert len(body["items"]) <= 2
        seen += [item["id"] for item in body["items"]]
        pages += 1
        if body["next_cursor"] is None:
            assert "Link" not in response.headers
            url = None
        else:
            link = response.headers["Link"]
            assert link.endswith('>; rel="next"') and "cursor=" in link
            url = link[1 : link.index(">")].removeprefix("http://localhost")
    assert len(seen) == len(set(seen)) and made <= set(seen)
    assert pages >= 3
    assert seen == [c["id"] for c in client.get("/api/v1/consultations").get_json()["items"]]


def test_a_forged_cursor_is_an_invalid_parameter(client):
    response = client.get("/api/v1/consultations?cursor=WzAsIDBd.forged")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_parameter"
    assert response.get_json()["error"]["field"] == "cursor"


def test_a_limit_beyond_the_maximum_is_refused(client):
    response = client.get("/api/v1/consultations?limit=100000")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "limit"


def test_a_matching_etag_gets_304_and_a_changed_body_a_new_etag(client):
    item = make_consultation()
    first = client.get(f"/api/v1/consultations/{item.id}")
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get(f"/api/v1/consultations/{item.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    item.title = "改過的標題"
    db.session.flush()
    changed = client.get(f"/api/v1/consultations/{item.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_answers_to_a_caller_with_credentials_are_private_and_vary_on_them(client):
    item = make_consultation()
    anonymous = client.get(f"/api/v1/consultations/{item.id}")
    assert "private" not in anonymous.headers["Cache-Control"]
    mine = client.get(f"/api/v1/consultations/{item.id}", headers=bearer(make_user()))
    assert "private" in mine.headers["Cache-Control"]
    for response in (anonymous, mine):
        assert {"Cookie", "Authorization"} <= set(response.vary)


def test_public_reads_allow_any_origin_without_credentials(client):
    item = make_consultation()
    thread = general_thread(item)
    for url in (
        "/api/v1/consultations",
        f"/api/v1/consultations/{item.id}",
        f"/api/v1/threads/{thread.id}/comments",
        "/api/v1/openapi.json",
    ):
        response = client.get(url, headers={"Origin": "https://civic.example"})
        assert response.headers["Access-Control-Allow-Origin"] == "*", url
        assert "Access-Control-Allow-Credentials" not in response.headers
        assert "ETag" in response.headers["Access-Control-Expose-Headers"]


def test_private_reads_and_writes_get_no_cors_header(client):
    user = make_user()
    headers = {"Origin": "https://civic.example", **bearer(user)}
    private = client.get("/api/v1/notifications", headers=headers)
    assert private.status_code == 200
    assert "Access-Control-Allow-Origin" not in private.headers
    thread = general_thread(make_consultation())
    write = client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": "嗨"}, headers=headers
    )
    assert write.status_code == 201
    assert "Access-Control-Allow-Origin" not in write.headers


def test_cors_origins_are_configurable(session):
    app = create_app(TestingConfig, API_CORS_ORIGINS="https://a.example, https://b.example")
    app.test_client_class = IsolatedClient
    client = app.test_client()
    allowed = client.get("/api/v1/consultations", headers={"Origin": "https://b.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://b.example"
    assert "Origin" in allowed.vary
    other = client.get("/api/v1/consultations", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


@pytest.fixture
def limited_client(session):
    """A client of an app with the real limits on (the shared test app has them off); the
    limiter is one object for every app, so it is switched back and emptied afterwards."""
    was = limiter.enabled
    app = create_app(TestingConfig, RATELIMIT_ENABLED=True)
    app.test_client_class = IsolatedClient
    limiter.reset()
    yield app.test_client()
    limiter.reset()
    limiter.enabled = was


def test_rate_limited_routes_show_their_limit_in_headers(limited_client):
    client = limited_client
    user = make_user()
    thread = general_thread(make_consultation())
    response = client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": "有限制"}, headers=bearer(user)
    )
    assert response.status_code == 201
    assert response.headers["X-RateLimit-Limit"] == "30"
    assert int(response.headers["X-RateLimit-Remaining"]) == 29
    assert int(response.headers["X-RateLimit-Reset"]) > 0
