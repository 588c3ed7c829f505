"""No input gives a 500 (issue 17 item 6): a fuzz of path and query parameters over every route
of the app, and property-based request bodies for every JSON write of the API. Bounded example
counts keep it to a few seconds; on PostgreSQL (TEST_DATABASE_URL) it also proves that NUL
bytes, lone surrogates and out-of-range integers never reach the database."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from deliberation.models import Plan
from deliberation.services import accounts
from tests.factories import general_thread, make_comment, make_consultation, make_user

NASTY_TEXT = ["\x00", "a\x00b", "\ud800", "x\udfffy", "", " ", "²", "１２", "-1", "0", "1e9"]
NASTY_INTS = [0, -1, 1, 2**31 - 1, 2**31, 2**53 + 1, 2**63, -(2**63) - 1, 10**30]
FUZZ = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def site(app, session):
    """An open consultation with a comment, a plan, and an admin's and a citizen's tokens."""
    staff = make_user("staff")
    consultation = make_consultation(staff=staff, status="open")
    thread = general_thread(consultation)
    comment = make_comment(thread, make_user(), body="一則留言")
    plan = Plan(title="計畫", lead_agency_id=staff.agency_id)
    db.session.add(plan)
    admin, citizen = make_user("admin"), make_user()
    tokens = {
        "admin": accounts.issue_token(db.session, admin),
        "citizen": accounts.issue_token(db.session, citizen),
    }
    db.session.commit()
    real = {
        "consultation_id": consultation.id,
        "thread_id": thread.id,
        "comment_id": comment.id,
        "plan_id": plan.id,
    }
    return {"tokens": tokens, "real": real}


def _routes(app):  # type: ignore[no-untyped-def]
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/socket.io"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, rule))
    return out


segment = st.one_of(
    st.sampled_from([str(i) for i in NASTY_INTS] + ["%00", "a%00", "%ED%A0%80", "%C0", "T1"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=8).map(lambda s: quote(s, safe="")),
)
URL_TEXT = [t for t in NASTY_TEXT if "\ud800" not in t and "\udfff" not in t]
query_value = st.one_of(
    st.sampled_from(URL_TEXT + [str(i) for i in NASTY_INTS]),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
)
RAW_QUERIES = ["", "", "", "status=%ED%A0%80", "page=%00&sort=%C0", "q=%FF%FE&after_seq=%00"]
QUERY_KEYS = [
    "status", "after_seq", "limit", "page", "sort", "q", "lang", "next", "drafts", "format",
    "action", "reason", "consultation", "seq", "before", "after", "theme", "user", "fmt",
]  # fmt: skip


def _fill(rule, values: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    def one(match: re.Match[str]) -> str:
        name = match.group(2)
        return values.get(name, "1")

    return re.sub(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>", one, rule.rule)


@FUZZ
@given(data=st.data())
def test_no_path_or_query_parameter_gives_a_500(app, client, site, data):
    method, rule = data.draw(st.sampled_from(_routes(app)), label="route")
    values = {}
    for name in rule.arguments:
        real = site["real"].get(name)
        choices = [segment] + ([st.just(str(real))] if real else [])
        values[name] = data.draw(st.one_of(*choices), label=name)
    query = data.draw(st.dictionaries(st.sampled_from(QUERY_KEYS), query_value, max_size=3))
    who = data.draw(st.sampled_from(["anonymous", "citizen", "admin"]), label="who")
    headers = {} if who == "anonymous" else {"Authorization": f"Bearer {site['tokens'][who]}"}
    raw = data.draw(st.sampled_from(RAW_QUERIES), label="raw query")
    url = _fill(rule, values) + (f"?{raw}" if raw and not query else "")
    response = client.open(url, method=method, query_string=query or None, headers=headers, json={})
    assert response.status_code != 500, (method, url, query, who)


# ---- JSON bodies ----------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(NASTY_INTS),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(NASTY_TEXT + ["0001-01-01", "9999-12-31", "2026-02-30", "T1", "adopted"]),
    st.text(max_size=20),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "body", "parent_id", "version", "value", "title", "summary", "sections", "status",
    "opens_at", "closes_at", "consultations", "co_agencies", "indicators", "period_start",
    "period_end", "budget", "changes", "agency", "disposition", "reasoning", "responsible_unit",
    "due_date", "done", "decision", "comments", "reason", "note", "action", "seconds", "days",
    "kind", "user_id", "n_themes", "seed_themes", "label", "ids", "comment_id", "into",
    "duplicate_of", "posts", "platform", "url", "text", "author", "thread_id",
]  # fmt: skip
bodies = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6)


def _json_writes(app):  # type: ignore[no-untyped-def]
    return [
        (m, r)
        for m, r in _routes(app)
        if m in ("POST", "PUT", "PATCH") and r.rule.startswith("/api/") and "polis" not in r.rule
    ]


@FUZZ
@given(data=st.data())
def test_no_json_body_gives_a_500(app, client, site, data):
    method, rule = data.draw(st.sampled_from(_json_writes(app)), label="route")
    url = _fill(rule, {k: str(v) for k, v in site["real"].items()} | {"decision": "accept"})
    who = data.draw(st.sampled_from(["citizen", "admin"]), label="who")
    body = data.draw(bodies, label="body")
    headers = {"Authorization": f"Bearer {site['tokens'][who]}"}
    response = client.open(url, method=method, json=body, headers=headers)
    assert response.status_code != 500, (method, url, body)


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"body": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"body": "\\ud800"}',
        b'{"body": "a\\u0000b"}',
        b'{"body": "ok", "parent_id": 99999999999999999999}',
        b'{"body": "\xff\xfe"}',
        b'{"body": 1e999}',
        b"9" * 5000,
    ],
)
def test_malformed_json_is_a_400_with_the_usual_error_body(client, site, raw):
    url = f"/api/v1/threads/{site['real']['thread_id']}/comments"
    headers = {
        "Authorization": f"Bearer {site['tokens']['citizen']}",
        "Content-Type": "application/json",
    }
    response = client.post(url, data=raw, headers=headers)
    assert response.status_code == 400, response.get_data(as_text=True)[:200]
    assert set(response.get_json()["error"]) >= {"code", "message"}


def test_json_numbers_and_texts_stay_json(client, site):
    """The checks do not change what a good body means."""
    url = f"/api/v1/threads/{site['real']['thread_id']}/comments"
    headers = {"Authorization": f"Bearer {site['tokens']['citizen']}"}
    response = client.post(url, data=json.dumps({"body": "第一則 𠀀 ✓"}), headers=headers,
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.get_json()
    assert "第一則 𠀀 ✓" in json.dumps(response.get_json(), ensure_ascii=False)
