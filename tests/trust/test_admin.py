"""Admins see and revoke a user's sessions and API token, change roles and reset two-factor
sign-in; every such act is in the append-only account audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from deliberation.services import accounts
from deliberation.trust import two_factor
from deliberation.trust.models import AccountAudit, UserSession
from tests.factories import general_thread, login, make_agency, make_consultation, make_user

from .helpers import post_form


def _actions(subject_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AccountAudit.action)
            .where(AccountAudit.subject_user_id == subject_id)
            .order_by(AccountAudit.id)
        )
    )


def test_an_admin_sees_a_users_sessions_and_revoking_one_logs_that_browser_out(app, client):
    victim = make_user(name="被盜帳號的人")
    their_browser = app.test_client()
    login(their_browser, victim)
    assert their_browser.get("/me").status_code == 200
    admin = make_user("admin")
    login(client, admin)
    page = client.get(f"/admin/users/{victim.id}").get_data(as_text=True)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == victim.id))
    assert f"/admin/users/{victim.id}/sessions/{row.id}/revoke" in page
    response = post_form(
        client,
        f"/admin/users/{victim.id}/sessions/{row.id}/revoke",
        page=f"/admin/users/{victim.id}",
    )
    assert response.status_code == 302
    assert their_browser.get("/me").status_code == 302
    assert _actions(victim.id) == ["session_revoked"]


def test_revoking_every_session(app, client):
    victim = make_user()
    browsers = [app.test_client(), app.test_client()]
    for b in browsers:
        login(b, victim)
    admin = make_user("admin")
    login(client, admin)
    post_form(client, f"/admin/users/{victim.id}/sessions/revoke", page=f"/admin/users/{victim.id}")
    assert all(b.get("/me").status_code == 302 for b in browsers)
    row = db.session.scalar(select(AccountAudit).where(AccountAudit.subject_user_id == victim.id))
    assert (
        row.action == "sessions_revoked" and row.detail["count"] == 2 and row.actor_id == admin.id
    )


def test_an_admin_revokes_an_api_token(client):
    thread = general_thread(make_consultation())
    user = make_user()
    token = accounts.issue_token(db.session, user)
    db.session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/threads/{thread.id}/comments"
    assert client.post(url, json={"body": "用權杖留言"}, headers=bearer).status_code == 201
    admin = make_user("admin")
    login(client, admin)
    assert "API" in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    done = post_form(client, f"/admin/users/{user.id}/token/revoke", page=f"/admin/users/{user.id}")
    assert done.status_code == 302
    other = client.application.test_client()
    assert other.post(url, json={"body": "再留一則"}, headers=bearer).status_code == 401
    assert _actions(user.id) == ["token_revoked"]


def test_a_role_change_is_audited_and_ends_the_accounts_sessions(app, client):
    person = make_user()
    their_browser = app.test_client()
    login(their_browser, person)
    admin = make_user("admin")
    login(client, admin)
    make_agency("MOTC", "交通部")
    post_form(
        client,
        f"/admin/users/{person.id}/role",
        {"role": "staff", "agency": "MOTC"},
        page=f"/admin/users/{person.id}",
    )
    db.session.refresh(person)
    assert person.role == "staff" and person.agency.code == "MOTC"
    assert their_browser.get("/me").status_code == 302  # signs in again, meeting 2FA
    row = db.session.scalar(select(AccountAudit).where(AccountAudit.action == "role_changed"))
    assert row.detail == {
        "before": {"role": "citizen", "agency": None},
        "after": {"role": "staff", "agency": "MOTC"},
    }


def test_staff_without_an_agency_is_refused_and_nothing_changes(client):
    person = make_user()
    admin = make_user("admin")
    login(client, admin)
    response = post_form(
        client,
        f"/admin/users/{person.id}/role",
        {"role": "staff"},
        page=f"/admin/users/{person.id}",
    )
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.role == "citizen"
    assert _actions(person.id) == []


def test_an_admin_resets_two_factor_and_it_is_audited(client):
    staff = make_user("staff")
    two_factor.begin_enrolment(db.session, staff)
    db.session.commit()
    admin = make_user("admin")
    login(client, admin)
    post_form(client, f"/admin/users/{staff.id}/two-factor/reset", page=f"/admin/users/{staff.id}")
    assert two_factor.state(db.session, staff.id) is None
    assert _actions(staff.id) == ["two_factor_reset"]


def test_the_audit_log_page_lists_the_acts(client):
    person = make_user(name="被調整的人")
    admin = make_user("admin")
    login(client, admin)
    post_form(
        client,
        f"/admin/users/{person.id}/name-exception",
        {"display_name": "部長本人"},
        page=f"/admin/users/{person.id}",
    )
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "name_exception_granted" in html and "部長本人" in html


def test_the_audit_log_is_append_only(session):
    admin = make_user("admin")
    from deliberation.trust import audit

    row = audit.record(session, "reserved_name_added", actor=admin, word="x")
    session.commit()
    row.action = "changed"
    with pytest.raises(PermissionError):
        session.flush()
    session.rollback()
    with pytest.raises(DBAPIError):
        session.execute(text("DELETE FROM account_audit"))
    session.rollback()


def test_the_account_api_lists_and_revokes_sessions_and_the_token(app, client):
    person = make_user()
    browser = app.test_client()
    login(browser, person)
    accounts.issue_token(db.session, person)
    admin = make_user("admin")
    bearer = {"Authorization": f"Bearer {accounts.issue_token(db.session, admin)}"}
    db.session.commit()
    listed = client.get(f"/api/v1/admin/users/{person.id}/sessions", headers=bearer).get_json()
    assert listed["api_token"] is True and len(listed["items"]) == 1
    sid = listed["items"][0]["id"]
    url = f"/api/v1/admin/users/{person.id}/sessions/{sid}"
    assert client.delete(url, headers=bearer).status_code == 204
    assert client.delete(url, headers=bearer).get_json()["error"]["code"] == "session_not_found"
    assert browser.get("/me").status_code == 302
    token_url = f"/api/v1/admin/users/{person.id}/token"
    assert client.delete(token_url, headers=bearer).status_code == 204
    assert client.delete(token_url, headers=bearer).status_code == 404
    assert _actions(person.id) == ["session_revoked", "token_revoked"]
    missing = client.get("/api/v1/admin/users/999999/sessions", headers=bearer)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "user_not_found"
