"""The volunteer page (notice, consent, own chance), the staff page (attributes, draw,
withdrawal filled from the reserve), the public summary, and bad input with nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from deliberation.focus_groups import lottery, operations, queries, rules
from deliberation.focus_groups.models import FocusVolunteer
from deliberation.models import utcnow

from .helpers import QUOTAS, QUOTAS_CSV, pool


@pytest.fixture
def group(session, make_consultation, make_user, make_agency):
    staff = make_user("staff", agency=make_agency())
    consultation = make_consultation(staff=staff)
    group = operations.configure(
        db.session, consultation, actor=staff, panel_size=6,
        retain_until=utcnow() + timedelta(days=30),
    )  # fmt: skip
    operations.set_quotas(db.session, group, QUOTAS, actor=staff)
    db.session.commit()
    return group, staff


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(FocusVolunteer)) or 0


def test_a_citizen_volunteers_after_agreeing_to_the_notice(
    client, group, make_user, login, csrf_from
):
    group, _ = group
    citizen = make_user()
    login(client, citizen)
    page = client.get(f"/consultations/{group.consultation_id}/focus-group").get_data(as_text=True)
    assert rules.NOTICE_VERSION in page and "2" in page
    token = csrf_from(page)
    form = {
        "csrf_token": token,
        "notice_version": rules.NOTICE_VERSION,
        "attr_0": "40+",
        "attr_1": "女",
    }
    refused = client.post(f"/consultations/{group.consultation_id}/focus-group", data=form)
    assert refused.status_code == 400 and _count() == 0  # no consent, nothing kept
    ok = client.post(
        f"/consultations/{group.consultation_id}/focus-group", data=form | {"consent": "yes"}
    )
    assert ok.status_code == 302
    row = db.session.scalar(select(FocusVolunteer))
    assert (
        row.attributes == {"age": "40+", "gender": "女"}
        and row.notice_version == rules.NOTICE_VERSION
    )
    twice = client.post(
        f"/consultations/{group.consultation_id}/focus-group", data=form | {"consent": "yes"}
    )
    assert twice.status_code == 409 and _count() == 1


def test_an_unknown_feature_is_refused_and_nothing_is_kept(
    client, group, make_user, login, csrf_from
):
    group, _ = group
    login(client, make_user())
    token = csrf_from(
        client.get(f"/consultations/{group.consultation_id}/focus-group").get_data(as_text=True)
    )
    form = {"csrf_token": token, "notice_version": rules.NOTICE_VERSION, "consent": "yes",
            "attr_0": "99", "attr_1": "女"}  # fmt: skip
    response = client.post(f"/consultations/{group.consultation_id}/focus-group", data=form)
    assert response.status_code == 400 and _count() == 0


def test_after_the_draw_a_volunteer_sees_their_own_chance_and_everyone_the_summary(
    client, group, make_user, login
):
    group, staff = group
    citizen = make_user()
    operations.volunteer(
        db.session, group, actor=citizen, attributes={"age": "18-39", "gender": "男"},
        consent=True, notice_version=rules.NOTICE_VERSION,
    )  # fmt: skip
    operations.import_pool(db.session, group, pool(13), actor=staff)
    operations.draw(db.session, group, actor=staff, seed=42)
    db.session.commit()
    mine = queries.volunteer_of(db.session, group, citizen)
    public = client.get(f"/consultations/{group.consultation_id}/focus-group").get_data(
        as_text=True
    )
    assert "min-probability" in public and "focus-probability" not in public
    assert "18-39" not in public  # nobody's attributes on the public page
    login(client, citizen)
    page = client.get(f"/consultations/{group.consultation_id}/focus-group").get_data(as_text=True)
    assert f"{mine.probability * 100:.1f}%" in page
    api = client.get(f"/api/v1/consultations/{group.consultation_id}/focus-group").get_json()
    assert api["me"]["probability"] == mine.probability
    assert api["draw"]["zero_probability"] == 0 and api["draw"]["seed"] == 42


def test_staff_draw_on_the_page_then_a_withdrawal_is_filled_keeping_the_quotas(
    client, group, login, csrf_from
):
    group, staff = group
    operations.import_pool(db.session, group, pool(14), actor=staff)
    db.session.commit()
    login(client, staff)
    page = client.get(f"/staff/consultations/{group.consultation_id}/focus-group").get_data(
        as_text=True
    )
    assert "p01" in page and "女" in page  # the staff see the attributes
    token = csrf_from(page)
    bad = client.post(
        f"/staff/consultations/{group.consultation_id}/focus-group/draw",
        data={"csrf_token": token, "seed": "0", "size": "6"},
    )
    assert bad.status_code == 400 and queries.latest_draw(db.session, group) is None
    drawn = client.post(
        f"/staff/consultations/{group.consultation_id}/focus-group/draw",
        data={"csrf_token": token, "seed": "42", "size": "6", "algorithm": "maximin"},
    )
    assert drawn.status_code == 302
    record = queries.latest_draw(db.session, group).record
    members = {v.pool_id: v for v in queries.volunteers(db.session, group)}
    leaving = members[record["panel"][0]]
    response = client.post(
        f"/staff/consultations/{group.consultation_id}/focus-group/volunteers/{leaving.id}/withdraw",
        data={"csrf_token": token},
    )
    assert response.status_code == 302
    db.session.expire_all()
    seated = [v.pool_id for v in queries.volunteers(db.session, group) if v.status == "selected"]
    assert len(seated) == 6 and leaving.pool_id not in seated
    assert lottery.keeps_quotas(seated, queries.pool_of(db.session, group), QUOTAS)
    replacement = queries.latest_draw(db.session, group).record["replacements"][0]
    assert replacement["withdrawn"] == leaving.pool_id and replacement["replacement"] in seated
    # The replacement is the best-ranked reserve whose swap keeps the quotas.
    audit = client.get(f"/staff/consultations/{group.consultation_id}/focus-group/audit.json")
    assert audit.get_json()["panel"] == record["panel"]


def test_impossible_quotas_on_the_page_name_the_category(client, group, login, csrf_from):
    group, staff = group
    operations.import_pool(db.session, group, pool(14), actor=staff)
    db.session.commit()
    login(client, staff)
    token = csrf_from(
        client.get(f"/staff/consultations/{group.consultation_id}/focus-group").get_data(
            as_text=True
        )
    )
    quotas = QUOTAS_CSV.replace("age,40+,2,4", "age,40+,5,6")
    assert (
        client.post(
            f"/staff/consultations/{group.consultation_id}/focus-group/quotas",
            data={"csrf_token": token, "quotas_csv": quotas},
        ).status_code
        == 302
    )
    response = client.post(
        f"/staff/consultations/{group.consultation_id}/focus-group/draw",
        data={"csrf_token": token, "seed": "42", "size": "6"},
    )
    assert response.status_code == 409
    assert "age" in response.get_data(as_text=True)
    assert queries.latest_draw(db.session, group) is None


def test_the_lottery_is_explained_in_plain_words(client):
    page = client.get("/focus-groups/lottery", headers={"Accept-Language": "zh-TW"})
    assert page.status_code == 200 and "sortition-algorithms" in page.get_data(as_text=True)


def test_a_pool_too_large_for_a_request_is_sent_to_the_cli(
    client, group, login, csrf_from, monkeypatch
):
    group, staff = group
    operations.import_pool(db.session, group, pool(14), actor=staff)
    db.session.commit()
    monkeypatch.setattr(rules, "WEB_DRAW_MAX", 10)
    login(client, staff)
    token = csrf_from(
        client.get(f"/staff/consultations/{group.consultation_id}/focus-group").get_data(
            as_text=True
        )
    )
    response = client.post(
        f"/staff/consultations/{group.consultation_id}/focus-group/draw",
        data={"csrf_token": token, "seed": "42", "size": "6"},
    )
    assert response.status_code == 409 and "focus-groups draw" in response.get_data(as_text=True)
    assert queries.latest_draw(db.session, group) is None


def test_when_no_reserve_keeps_the_quotas_the_seat_stays_empty(
    session, make_consultation, make_user, make_agency
):
    staff = make_user("staff", agency=make_agency())
    consultation = make_consultation(staff=staff)
    group = operations.configure(
        db.session,
        consultation,
        actor=staff,
        panel_size=6,
        retain_until=utcnow() + timedelta(days=30),
    )
    operations.set_quotas(
        db.session,
        group,
        [lottery.Quota("gender", "女", 3, 3), lottery.Quota("gender", "男", 3, 3)],
        actor=staff,
    )
    people = {f"w{i}": {"gender": "女"} for i in range(3)} | {
        f"m{i}": {"gender": "男"} for i in range(5)
    }
    operations.import_pool(db.session, group, people, actor=staff)
    operations.draw(db.session, group, actor=staff, seed=5)
    woman = next(v for v in queries.volunteers(db.session, group) if v.pool_id == "w0")
    assert woman.status == "selected" and woman.probability == pytest.approx(1.0)
    assert operations.withdraw(db.session, group, woman, actor=staff) is None
    seated = [v.pool_id for v in queries.volunteers(db.session, group) if v.status == "selected"]
    assert len(seated) == 5 and "w0" not in seated  # no man may take a woman's seat
    record = queries.latest_draw(db.session, group).record
    assert record["replacements"] == [{"withdrawn": "w0", "replacement": None}]
