"""Invitations by signed link: staff mail a personal link; its holder volunteers without an
account, sees their place and withdraws through the same link; a changed or expired link is
refused in both languages, and nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from deliberation.errors import Conflict, ValidationError
from deliberation.focus_groups import invitations, operations, queries, rules
from deliberation.focus_groups.models import FocusInvitation, FocusVolunteer
from deliberation.models import utcnow
from tests.mailbox import links, text_of

from .helpers import QUOTAS, fake_draw, pool


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


def _staff_token(client, group, login, csrf_from, staff):
    login(client, staff)
    page = client.get(f"/staff/consultations/{group.consultation_id}/focus-group")
    return csrf_from(page.get_data(as_text=True))


def _volunteers() -> int:
    return db.session.scalar(select(func.count()).select_from(FocusVolunteer)) or 0


def _link_path(link: str) -> str:
    return link[link.index("/focus-groups/invitation/") :]


def test_an_invited_person_volunteers_through_the_mailed_link_without_an_account(
    client, group, login, csrf_from, loopback_mail
):
    group, staff = group
    token = _staff_token(client, group, login, csrf_from, staff)
    sent = client.post(
        f"/staff/consultations/{group.consultation_id}/focus-group/invitations",
        data={
            "csrf_token": token,
            "addresses": "Ah.Ming@example.tw\nmei@example.tw, mei@example.tw",
        },
    )
    assert sent.status_code == 302
    [message] = loopback_mail.wait_for("ah.ming@example.tw")
    assert len(loopback_mail.wait_for("mei@example.tw")) == 1  # the same address twice: one mail
    assert "政策提案座談會" in text_of(message)
    path = _link_path(next(x for x in links(message) if "/focus-groups/invitation/" in x))

    anonymous = client.application.test_client()
    page = anonymous.get(path)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and rules.NOTICE_VERSION in body
    assert "ah.ming@example.tw" not in body  # the link shows nobody's address
    form = {
        "csrf_token": csrf_from(body),
        "notice_version": rules.NOTICE_VERSION,
        "attr_0": "18-39",
        "attr_1": "男",
    }
    assert anonymous.post(path, data=form).status_code == 400 and _volunteers() == 0
    assert anonymous.post(path, data=form | {"consent": "yes"}).status_code == 302
    row = db.session.scalar(select(FocusVolunteer))
    assert row.user_id is None and row.invitation_id is not None
    assert row.pool_id == f"i{row.invitation_id}"
    assert row.attributes == {"age": "18-39", "gender": "男"}
    again = anonymous.post(path, data=form | {"consent": "yes"})
    assert again.status_code == 409 and _volunteers() == 1  # one link, one place in the pool
    status = anonymous.get(path).get_data(as_text=True)
    assert "the draw has not happened yet" in status or "尚未" in status


def test_a_changed_link_is_refused_in_both_languages_and_writes_nothing(client, group, csrf_from):
    group, staff = group
    [invitation] = invitations.invite(db.session, group, ["a@example.tw"], actor=staff)
    db.session.commit()
    token = invitations.make_token(current_app.config["SECRET_KEY"], invitation)
    # Change one character of the signature (the last one may carry only padding bits).
    i = len(token) - 3
    tampered = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
    for lang, words in (("en", "not valid"), ("zh-TW", "無效")):
        response = client.get(
            f"/focus-groups/invitation/{tampered}", headers={"Accept-Language": lang}
        )
        assert response.status_code == 400
        assert words in response.get_data(as_text=True)
    response = client.post(
        f"/focus-groups/invitation/{tampered}",
        data={"consent": "yes", "attr_0": "40+", "attr_1": "女", "notice_version": "x",
              "csrf_token": csrf_from(client.get("/login").get_data(as_text=True))},
    )  # fmt: skip
    assert response.status_code == 400 and _volunteers() == 0


def test_an_expired_link_says_so(client, group, monkeypatch):
    group, staff = group
    [invitation] = invitations.invite(db.session, group, ["late@example.tw"], actor=staff)
    db.session.commit()
    token = invitations.make_token(current_app.config["SECRET_KEY"], invitation)
    monkeypatch.setattr(invitations, "MAX_AGE", -1)
    response = client.get(f"/focus-groups/invitation/{token}", headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    with pytest.raises(ValidationError) as caught:
        invitations.read_token(current_app.config["SECRET_KEY"], token)
    assert caught.value.code == "focus_invitation_expired"


def test_a_link_of_another_purpose_or_group_is_not_an_invitation(group):
    group, staff = group
    from deliberation.accounts import tokens

    other = tokens.sign(current_app.config["SECRET_KEY"], tokens.RESET, 1, "x")
    with pytest.raises(ValidationError):
        invitations.read_token(current_app.config["SECRET_KEY"], other)


def test_bad_addresses_are_refused_and_nothing_is_sent(
    client, group, login, csrf_from, loopback_mail
):
    group, staff = group
    token = _staff_token(client, group, login, csrf_from, staff)
    response = client.post(
        f"/staff/consultations/{group.consultation_id}/focus-group/invitations",
        data={"csrf_token": token, "addresses": "ok@example.tw\nnot-an-address"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "not-an-address" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FocusInvitation)) == 0
    assert loopback_mail.messages == []


def test_after_the_draw_no_one_is_invited_and_no_link_adds_to_the_pool(group):
    group, staff = group
    [invitation] = invitations.invite(db.session, group, ["x@example.tw"], actor=staff)
    operations.import_pool(db.session, group, pool(14), actor=staff)
    fake_draw(db.session, group)
    with pytest.raises(Conflict):
        invitations.invite(db.session, group, ["y@example.tw"], actor=staff)
    with pytest.raises(Conflict) as caught:
        invitations.volunteer(
            db.session, invitation, attributes={"age": "40+", "gender": "女"}, consent=True,
            notice_version=rules.NOTICE_VERSION,
        )  # fmt: skip
    assert caught.value.code == "focus_already_drawn"


def test_a_selected_holder_withdraws_through_the_link_and_a_reserve_keeps_the_quotas(
    client, group, csrf_from
):
    group, staff = group
    [invitation] = invitations.invite(db.session, group, ["sel@example.tw"], actor=staff)
    mine = invitations.volunteer(
        db.session, invitation, attributes={"age": "18-39", "gender": "男"}, consent=True,
        notice_version=rules.NOTICE_VERSION,
    )  # fmt: skip
    operations.import_pool(db.session, group, pool(14), actor=staff)
    db.session.commit()
    operations.draw(db.session, group, actor=staff, seed=3)
    db.session.commit()
    if mine.status != "selected":  # seat the holder in place of a member just like them
        twin = next(v for v in queries.volunteers(db.session, group) if v.status == "selected")
        mine.attributes = dict(twin.attributes)
        twin.status, mine.status = "reserve", "selected"
        twin.reserve_rank, mine.reserve_rank = mine.reserve_rank, None
        db.session.commit()
    token = invitations.make_token(current_app.config["SECRET_KEY"], invitation)
    page = client.get(f"/focus-groups/invitation/{token}").get_data(as_text=True)
    response = client.post(
        f"/focus-groups/invitation/{token}/withdraw", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert mine.status == "withdrawn"
    people = queries.pool_of(db.session, group)
    seated = [v.pool_id for v in queries.volunteers(db.session, group) if v.status == "selected"]
    from deliberation.focus_groups import lottery

    assert len(seated) == 6 and lottery.keeps_quotas(seated, people, QUOTAS)
    [change] = queries.latest_draw(db.session, group).record["replacements"]
    assert change["withdrawn"] == mine.pool_id and change["replacement"] in seated


def test_purge_erases_the_invitation_addresses_with_the_answers(group):
    group, staff = group
    [invitation] = invitations.invite(db.session, group, ["gone@example.tw"], actor=staff)
    db.session.commit()
    operations.purge_expired(db.session, now=group.retain_until + timedelta(days=1))
    db.session.expire_all()
    assert invitation.email is None
