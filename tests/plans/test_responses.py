"""Answering themes: validation, drafts vs published, notices, overdue markers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from deliberation.models import Notification, ThemeResponse, User, utcnow
from tests.factories import csrf_from, login

from .helpers import set_status, text_of

OVERDUE = '<span class="badge overdue">Overdue</span>'


def _responses_url(world) -> str:
    return f"/staff/consultations/{world.consultation.id}/responses"


def _save(client, world, key, **data):
    page = client.get(_responses_url(world))
    form = {"csrf_token": csrf_from(page.get_data(as_text=True)), **data}
    return client.post(f"{_responses_url(world)}/{key}?lang=en", data=form)


def _notices(user) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.user_id == user.id, Notification.kind == "theme_response"
            )
        )
    )


def test_the_responses_page_lists_each_theme_with_its_size_and_quotes(client, world):
    login(client, world.lead)
    html = client.get(_responses_url(world)).get_data(as_text=True)
    assert "充電設施" in html and "補助金額" in html
    assert "充電站太少" in html
    assert "Out of date" not in text_of(
        client.get(_responses_url(world) + "?lang=en").get_data(as_text=True)
    )


def test_a_hidden_or_pending_comment_is_neither_quoted_nor_counted(client, world):
    hidden, pending = world.comments["T1"][0], world.comments["T1"][2]
    set_status(hidden, "hidden")
    set_status(pending, "pending")
    login(client, world.lead)
    html = text_of(client.get(_responses_url(world) + "?lang=en").get_data(as_text=True))
    assert "充電站太少" not in html and "電池交換站" not in html
    assert "偏鄉更缺充電站" in html
    assert "1 comments" in html  # T1 had three members; two are no longer visible
    assert "Out of date" in html  # moderation changed the input since the snapshot


def test_a_disposition_outside_the_list_is_refused_and_nothing_is_saved(client, world):
    login(client, world.lead)
    response = _save(client, world, "T1", disposition="maybe", reasoning="理由")
    assert response.status_code == 400
    assert "Please choose a disposition" in response.get_data(as_text=True)
    assert db.session.scalars(select(ThemeResponse)).all() == []


def test_a_response_to_an_unknown_theme_is_refused(client, world):
    login(client, world.lead)
    headers = {"X-CSRFToken": csrf_from(client.get("/plans").get_data(as_text=True))}
    response = client.put(
        f"/api/v1/consultations/{world.consultation.id}/responses/T99",
        json={"disposition": "adopted", "reasoning": "理由"},
        headers=headers,
    )
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "theme_not_found"
    assert db.session.scalars(select(ThemeResponse)).all() == []


def test_publishing_without_reasoning_is_refused_and_leaves_the_draft_unpublished(client, world):
    login(client, world.lead)
    response = _save(client, world, "T1", disposition="adopted", reasoning="  ", publish="1")
    assert response.status_code == 400
    assert "needs its reasoning before it can be published" in response.get_data(as_text=True)
    assert db.session.scalars(select(ThemeResponse)).all() == []
    assert _save(client, world, "T1", disposition="adopted", reasoning="").status_code == 303
    page = client.get(_responses_url(world))
    publish = client.post(
        f"{_responses_url(world)}/publish?lang=en",
        data={"csrf_token": csrf_from(page.get_data(as_text=True))},
    )
    assert publish.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(ThemeResponse)).published_at is None
    assert _notices(world.authors[0]) == []


def test_other_agencies_cannot_answer_themes(client, world):
    login(client, world.co)
    page = client.get(_responses_url(world))
    assert page.status_code == 200  # a co-agency of a linked plan may read drafts
    assert 'name="disposition"' not in page.get_data(as_text=True)
    response = client.post(
        f"{_responses_url(world)}/T1",
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "disposition": "adopted",
            "reasoning": "x",
        },
    )
    assert response.status_code == 403
    assert db.session.scalars(select(ThemeResponse)).all() == []


def test_publishing_notifies_each_author_of_visible_member_comments_once(client, world):
    alice, bob = world.authors
    # bob's only comment in T1 is awaiting review: he must not hear about T1
    set_status(world.comments["T1"][2], "pending")
    imported = world.comments["T1"][1]
    ghost = User(
        email="polis-1@import.invalid", display_name="參與者 1", password_hash="!", origin="polis"
    )
    db.session.add(ghost)
    db.session.flush()
    imported.author_id = ghost.id  # an imported pseudonymous participant has no inbox
    db.session.commit()
    login(client, world.lead)
    response = _save(
        client, world, "T1", disposition="partly", reasoning="部分補助充電站", publish="1"
    )
    assert response.status_code == 303
    assert len(_notices(alice)) == 1
    assert _notices(bob) == []
    assert _notices(ghost) == []
    notice = _notices(alice)[0]
    assert notice.reason == "partly" and notice.note == "充電設施"
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/plans").get_data(as_text=True))}
    )
    login(client, alice)
    notices = text_of(client.get("/me/notices?lang=en").get_data(as_text=True))
    assert "充電設施" in notices and "Partly adopted" in notices


def test_the_public_page_shows_published_responses_and_never_drafts(client, world):
    login(client, world.lead)
    _save(client, world, "T1", disposition="adopted", reasoning="將補助充電設施", publish="1")
    _save(client, world, "T2", disposition="not_adopted", reasoning="草稿理由尚未公開")
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/plans").get_data(as_text=True))}
    )
    html = text_of(
        client.get(f"/consultations/{world.consultation.id}?lang=en").get_data(as_text=True)
    )
    assert "What you said, what we did" in html
    assert "將補助充電設施" in html and "Adopted" in html and "3 comments" in html
    assert "草稿理由尚未公開" not in html and "補助金額" not in html
    api = client.get(f"/api/v1/consultations/{world.consultation.id}/responses").get_json()
    assert [i["theme_key"] for i in api["items"]] == ["T1"]


def test_a_consultation_with_nothing_published_shows_no_outcome(client, world):
    login(client, world.lead)
    _save(client, world, "T1", disposition="adopted", reasoning="草稿")
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/plans").get_data(as_text=True))}
    )
    html = client.get(f"/consultations/{world.consultation.id}?lang=en").get_data(as_text=True)
    assert "What you said, what we did" not in html and "草稿" not in html


def test_an_overdue_follow_up_shows_on_the_plan_and_the_consultation(client, world):
    login(client, world.lead)
    _save(
        client,
        world,
        "T1",
        disposition="under_study",
        reasoning="研議補助偏鄉充電站",
        responsible_unit="公路局",
        due_date="2026-01-31",
        publish="1",
    )
    response = db.session.scalar(select(ThemeResponse))
    response.due_date = utcnow() - timedelta(days=2)
    db.session.commit()
    plan_html = client.get(f"/plans/{world.plan.id}?lang=en").get_data(as_text=True)
    assert OVERDUE in plan_html and "公路局" in text_of(plan_html)
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/plans").get_data(as_text=True))}
    )
    public = client.get(f"/consultations/{world.consultation.id}?lang=en").get_data(as_text=True)
    assert OVERDUE in public


def test_a_follow_up_marked_done_or_not_yet_due_is_not_overdue(client, world):
    login(client, world.lead)
    _save(client, world, "T1", disposition="under_study", reasoning="研議中", publish="1")
    response = db.session.scalar(select(ThemeResponse))
    response.due_date = utcnow() + timedelta(days=10)
    db.session.commit()
    assert OVERDUE not in client.get(f"/plans/{world.plan.id}?lang=en").get_data(as_text=True)
    response.due_date = utcnow() - timedelta(days=1)
    db.session.commit()
    page = client.get(_responses_url(world))
    client.post(
        f"{_responses_url(world)}/T1/done",
        data={"csrf_token": csrf_from(page.get_data(as_text=True)), "done": "1"},
    )
    assert OVERDUE not in client.get(f"/consultations/{world.consultation.id}?lang=en").get_data(
        as_text=True
    )
    assert OVERDUE not in client.get(f"/plans/{world.plan.id}?lang=en").get_data(as_text=True)


def test_citizens_cannot_open_the_responses_page_or_read_drafts_in_the_api(client, world):
    login(client, world.lead)
    _save(client, world, "T1", disposition="adopted", reasoning="草稿理由")
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/plans").get_data(as_text=True))}
    )
    login(client, world.citizen)
    assert client.get(_responses_url(world)).status_code == 403
    items = client.get(f"/api/v1/consultations/{world.consultation.id}/responses").get_json()[
        "items"
    ]
    assert items == []


def test_the_public_outcome_is_read_in_a_fixed_number_of_queries(client, world, count_queries):
    from deliberation.services import responses

    def publish_all():
        for key in ("T1", "T2"):
            r = ThemeResponse(
                consultation_id=world.consultation.id,
                theme_key=key,
                disposition="adopted",
                reasoning="理由",
                reasoning_html="<p>理由</p>",
                published_at=utcnow(),
                published_label=key,
            )
            db.session.add(r)
        db.session.commit()

    publish_all()
    cid = world.consultation.id
    count_queries.statements.clear()
    items = responses.public_outcome(db.session, cid)
    assert [p.key for p in items] == ["T1", "T2"]
    assert [p.size for p in items] == [3, 1]
    assert len(count_queries.statements) <= 4
