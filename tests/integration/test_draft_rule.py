"""A draft consultation is absent to everyone who cannot manage it, on every route that names it
or one of its threads: each answer is the one a consultation that does not exist gets (404 once
logged in) — the draft rule comes before any role rule (issue 17 item 8)."""

from __future__ import annotations

import pytest

from app.extensions import db
from deliberation.services import accounts
from tests.factories import general_thread, make_agency, make_consultation, make_user

FILL = {"key": "T1", "theme_key": "T1", "action": "rename"}
ROLES = ["anonymous", "citizen", "moderator", "reviewer", "other_staff"]


def _routes(app):  # type: ignore[no-untyped-def]
    out = []
    for rule in app.url_map.iter_rules():
        if not {"consultation_id", "thread_id"} & rule.arguments:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, rule.rule))
    return out


@pytest.mark.parametrize("role", ROLES)
def test_every_route_of_a_draft_is_not_found_for_people_who_cannot_manage_it(app, client, role):
    owner = make_user("staff", agency=make_agency("MOT", "交通部"))
    draft = make_consultation(staff=owner, status="draft")
    thread = general_thread(draft)
    headers = {}
    if role != "anonymous":
        user = make_user(
            "staff" if role == "other_staff" else role,
            agency=make_agency("MOI", "內政部") if role == "other_staff" else None,
        )
        headers = {"Authorization": f"Bearer {accounts.issue_token(db.session, user)}"}
        db.session.commit()
    wrong = []
    for method, rule in _routes(app):
        if role == "moderator" and rule.startswith(("/moderation/", "/api/v1/moderation/")):
            continue  # moderators act on threads site-wide (their own matrix covers this)
        statuses = []
        for cid, tid in ((draft.id, thread.id), (999_999, 999_999)):
            url = rule.replace("<int:consultation_id>", str(cid))
            url = url.replace("<int:thread_id>", str(tid))
            for name, value in FILL.items():
                url = url.replace(f"<{name}>", value)
            statuses.append(client.open(url, method=method, json={}, headers=headers).status_code)
        if statuses[0] != statuses[1]:
            wrong.append((method, rule, statuses))
    assert wrong == [], wrong


@pytest.mark.parametrize(
    "path",
    ["/api/v1/consultations/{id}/export-polis", "/api/v1/consultations/{id}/analysis/settings"],
)
def test_a_reviewer_gets_404_on_the_export_and_settings_of_a_draft(client, path):
    draft = make_consultation(staff=make_user("staff"), status="draft")
    reviewer = make_user("reviewer")
    headers = {"Authorization": f"Bearer {accounts.issue_token(db.session, reviewer)}"}
    db.session.commit()
    response = client.get(path.format(id=draft.id), headers=headers)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "consultation_not_found"
