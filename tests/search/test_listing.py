"""The consultations list: filter by agency, status, topic tag and date; sort by closing soon,
newest, most discussed; 剩 N 天 on open consultations."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace

from app.extensions import db
from deliberation.search import listing
from tests.factories import (
    csrf_from,
    general_thread,
    login,
    make_agency,
    make_comment,
    make_consultation,
    make_user,
    save,
)

EN = {"Accept-Language": "en"}


def _order(client, query: str = "") -> list[int]:
    html = client.get("/" + query, headers=EN).get_data(as_text=True)
    return [int(i) for i in re.findall(r'data-consultation-id="(\d+)"', html)]


def test_days_left_counts_taiwan_calendar_days():
    now = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # 11:00 in Taiwan
    item = lambda closes, status="open": SimpleNamespace(status=status, closes_at=closes)  # noqa: E731
    assert listing.days_left(item(now + timedelta(hours=5)), now) == 0  # closes today
    assert listing.days_left(item(datetime(2026, 12, 8, 15, 59, tzinfo=UTC)), now) == 3
    assert listing.days_left(item(datetime(2026, 12, 8, 16, 0, tzinfo=UTC)), now) == 4
    assert listing.days_left(item(now + timedelta(days=3), "closed"), now) is None
    assert listing.days_left(item(None), now) is None


def test_filters_sorts_and_the_countdown_on_the_page(client):
    now = datetime.now(UTC)
    moi = make_agency("MOI", "內政部")
    # Noon in Taipei two Taiwan days from today: "2 days left" at any hour the suite runs
    # (now + 2 days would be 3 Taiwan days away between 23:00 and midnight in Taipei).
    taipei_today = (now + listing.TAIPEI).date()
    noon = datetime.combine(taipei_today + timedelta(days=2), time(12), tzinfo=UTC)
    soon = make_consultation(title="即將截止", closes_at=noon - listing.TAIPEI)
    later = make_consultation(
        staff=make_user("staff", agency=moi), title="較晚截止", closes_at=now + timedelta(days=20)
    )
    closed = make_consultation(title="已截止", status="draft")
    closed.status = "closed"
    save()
    busy = general_thread(later)
    for n in range(3):
        make_comment(busy, make_user(), body=f"意見 {n}")

    assert _order(client) == [soon.id, later.id, closed.id]  # closing soon first
    assert _order(client, "?sort=newest") == [closed.id, later.id, soon.id]
    assert _order(client, "?sort=discussed")[0] == later.id
    assert _order(client, "?agency=MOI") == [later.id]
    assert _order(client, "?status=closed") == [closed.id]
    html = client.get("/", headers=EN).get_data(as_text=True)
    assert re.search(r'data-days-left="2"[^>]*>2 days left<', html)
    zh = client.get("/").get_data(as_text=True)
    assert "剩 2 天" in zh
    bad = client.get("/?sort=random", headers=EN)
    assert bad.status_code == 400
    assert client.get("/?date=2026-13-40").status_code == 400


def test_staff_tag_a_consultation_and_the_list_filters_by_tag(client):
    staff = make_user("staff")
    item = make_consultation(staff=staff, title="電動機車")
    other = make_consultation(staff=staff, title="老人長照")
    login(client, staff)
    page = client.get(f"/staff/consultations/{item.id}/edit").get_data(as_text=True)
    response = client.post(
        f"/staff/consultations/{item.id}/edit",
        data={
            "csrf_token": csrf_from(page),
            "title": item.title,
            "summary": item.summary,
            "body": item.body,
            "status": "open",
            "tags": "交通，能源、交通",
            "sections-0-id": str(item.sections[0].id),
            "sections-0-title": item.sections[0].title,
            "sections-0-body": item.sections[0].body,
            "sections-1-id": str(item.sections[1].id),
            "sections-1-title": item.sections[1].title,
            "sections-1-body": item.sections[1].body,
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    assert listing.tags_of(db.session, [item.id]) == {item.id: ["交通", "能源"]}
    assert _order(client, "?tag=交通") == [item.id]
    assert other.id in _order(client)
    too_many = ",".join(f"標籤{n}" for n in range(9))
    page = client.get(f"/staff/consultations/{item.id}/edit").get_data(as_text=True)
    assert 'value="交通，能源"' in page
    refused = client.post(
        f"/staff/consultations/{item.id}/edit",
        data={
            "csrf_token": csrf_from(page),
            "title": item.title,
            "status": "open",
            "tags": too_many,
        },
    )
    assert refused.status_code == 400
    assert listing.tags_of(db.session, [item.id]) == {item.id: ["交通", "能源"]}  # unchanged


def test_the_date_filter_keeps_consultations_open_on_that_day(client):
    now = datetime.now(UTC)
    running = make_consultation(
        title="進行中", opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=3)
    )
    make_consultation(
        title="未開始", opens_at=now + timedelta(days=10), closes_at=now + timedelta(days=20)
    )
    today = (now + timedelta(hours=8)).date().isoformat()
    assert _order(client, f"?date={today}") == [running.id]
