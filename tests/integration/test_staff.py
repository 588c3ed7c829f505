"""Agency staff create, edit and publish consultations through the pages."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from deliberation.models import Consultation, Section, Thread
from tests.factories import (
    csrf_from,
    general_thread,
    login,
    make_agency,
    make_comment,
    make_consultation,
    make_user,
)

EN = {"Accept-Language": "en"}


def _form(client, url):
    return csrf_from(client.get(url).get_data(as_text=True))


def test_staff_create_a_consultation_with_sections_then_publish_it(client):
    staff = make_user("staff")
    login(client, staff)
    token = _form(client, "/staff/consultations/new")
    r = client.post(
        "/staff/consultations/new",
        data={
            "csrf_token": token,
            "title": "電動機車補助草案",
            "summary": "補助方案摘要",
            "body": "前言",
            "status": "draft",
            "opens_at": "2026-01-01T09:00",
            "closes_at": "2027-01-01T18:00",
            "sections-0-title": "第一條 目的",
            "sections-0-body": "為推動減碳……",
            "sections-1-title": "第二條 補助對象",
            "sections-1-body": "設籍本國之自然人",
            "sections-2-title": "",
            "sections-2-body": "",
        },
    )
    assert r.status_code == 302
    item = db.session.scalar(select(Consultation).where(Consultation.title == "電動機車補助草案"))
    assert item.status == "draft" and item.agency_id == staff.agency_id
    assert [s.title for s in item.sections] == ["第一條 目的", "第二條 補助對象"]
    assert item.opens_at.hour == 1  # 09:00 Taiwan time is 01:00 UTC
    assert (
        db.session.scalar(select(func.count(Thread.id)).where(Thread.consultation_id == item.id))
        == 3
    )
    # Drafts are invisible to the public until published.
    client_public = client.application.test_client()
    assert client_public.get(f"/consultations/{item.id}").status_code == 404
    page = client.get(f"/consultations/{item.id}").get_data(as_text=True)
    r = client.post(
        f"/staff/consultations/{item.id}/status",
        data={"status": "open", "csrf_token": csrf_from(page)},
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, item.id).status == "open"
    assert client_public.get(f"/consultations/{item.id}").status_code == 200


def test_a_consultation_without_title_is_re_shown_with_the_typed_text(client):
    login(client, make_user("staff"))
    token = _form(client, "/staff/consultations/new")
    r = client.post(
        "/staff/consultations/new",
        data={
            "csrf_token": token,
            "title": "  ",
            "summary": "我打了很多字的摘要",
            "status": "draft",
            "sections-0-title": "第一條",
        },
        headers=EN,
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "Please enter a title" in html and "我打了很多字的摘要" in html
    assert db.session.scalar(select(func.count(Consultation.id))) == 0


def test_closing_before_opening_is_refused(client):
    login(client, make_user("staff"))
    token = _form(client, "/staff/consultations/new")
    r = client.post(
        "/staff/consultations/new",
        data={
            "csrf_token": token,
            "title": "x",
            "status": "draft",
            "opens_at": "2027-01-01T00:00",
            "closes_at": "2026-01-01T00:00",
        },
        headers=EN,
    )
    assert r.status_code == 400 and "closing time must be after" in r.get_data(as_text=True)


def test_editing_sections_keeps_threads_and_refuses_removing_discussed_ones(client):
    staff = make_user("staff")
    item = make_consultation(staff=staff, sections=2)
    first, second = item.sections
    make_comment(first.thread)
    login(client, staff)
    url = f"/staff/consultations/{item.id}/edit"
    token = _form(client, url)
    base = {"csrf_token": token, "title": "改過的標題", "summary": "", "body": "", "status": "open"}
    # Remove the discussed first section: refused, nothing changes.
    r = client.post(
        url, data={**base, "sections-0-id": str(second.id), "sections-0-title": "第2條"}, headers=EN
    )
    assert r.status_code == 409 and "already has comments" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Consultation, item.id).title == "電動機車補助草案"
    # Reorder, rename, remove the undiscussed one and add a new one.
    r = client.post(
        url,
        data={
            **base,
            "sections-0-id": str(first.id),
            "sections-0-title": "第一條（修正）",
            "sections-1-title": "新增條文",
            "sections-1-body": "內容",
        },
    )
    assert r.status_code == 302
    db.session.expire_all()
    item = db.session.get(Consultation, item.id)
    assert item.title == "改過的標題"
    assert [(s.position, s.title) for s in item.sections] == [
        (1, "第一條（修正）"),
        (2, "新增條文"),
    ]
    assert item.sections[0].thread.id == first.thread.id
    titles = db.session.scalars(
        select(Section.title).where(Section.consultation_id == item.id)
    ).all()
    assert "第2條" not in titles


def test_only_the_agencys_staff_can_edit(client):
    item = make_consultation()
    other_staff = make_user("staff", agency=None)

    outsider = make_user("staff", agency=make_agency("MOTC", "交通部"))
    assert other_staff.agency_id == item.agency_id
    login(client, outsider)
    assert client.get(f"/staff/consultations/{item.id}/edit").status_code == 403
    login(client, make_user())
    assert client.get("/staff/consultations/new").status_code == 403


def test_status_moves_forward_only(client):
    staff = make_user("staff")
    item = make_consultation(staff=staff)
    login(client, staff)
    page = client.get(f"/consultations/{item.id}").get_data(as_text=True)
    r = client.post(
        f"/staff/consultations/{item.id}/status",
        data={"status": "draft", "csrf_token": csrf_from(page)},
        headers=EN,
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, item.id).status == "open"
    assert "cannot go from" in client.get(f"/consultations/{item.id}", headers=EN).get_data(
        as_text=True
    )


def test_general_thread_comes_first(client):
    item = make_consultation(sections=3)
    data = client.get(f"/api/v1/consultations/{item.id}").get_json()
    assert data["threads"][0]["id"] == general_thread(item).id
    assert [t["kind"] for t in data["threads"]] == ["general", "section", "section", "section"]
