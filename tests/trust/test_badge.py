"""The 「官方」 badge with the agency's name on every comment, reply and answer by agency staff,
moderators and reviewers: on the page, in the API, in live events and in the Polis export — and
never on a citizen, whatever their display name."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from app.extensions import db
from deliberation import events
from deliberation.models import ThreadEvent
from deliberation.services import accounts
from tests.factories import (
    general_thread,
    login,
    make_agency,
    make_comment,
    make_consultation,
    make_user,
)

from ..plans.helpers import World, make_world, respond
from ..plugins.sockets import NS


@pytest.fixture
def world(session) -> World:
    """The plans tests' scene: a closed consultation with themes and a plan linking it."""
    return make_world()


def _world():
    agency = make_agency("NDC", "國家發展委員會")
    staff = make_user("staff", agency=agency, name="林承辦")
    consultation = make_consultation(staff=staff)
    thread = general_thread(consultation)
    citizen = make_user(name="阿美")
    question = make_comment(thread, citizen, body="這個網站要怎麼改密碼？")
    answer = make_comment(thread, staff, body="您好，本會說明如下。", parent=question)
    moderator = make_user("moderator", name="值班版主")
    note = make_comment(thread, moderator, body="請大家理性討論。")
    return thread, citizen, staff, moderator, question, answer, note


def _meta(html: str, comment_id: int) -> str:
    start = html.index(f'id="c{comment_id}-meta"')
    return html[start : html.index("</header>", start)]


def test_the_thread_page_shows_the_badge_with_the_agency_on_official_comments_only(client):
    thread, _, _, _, question, answer, note = _world()
    html = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    staff_meta = _meta(html, answer.id)
    assert "badge-official" in staff_meta and "官方" in staff_meta
    assert "國家發展委員會" in staff_meta
    mod_meta = _meta(html, note.id)
    assert "badge-official" in mod_meta and "版主" in mod_meta
    assert "badge-official" not in _meta(html, question.id)


def test_the_badge_shows_in_english_too(client):
    thread, *_, answer, _ = _world()
    html = client.get(f"/threads/{thread.id}?lang=en").get_data(as_text=True)
    meta = _meta(html, answer.id)
    assert ">Official<" in meta and "國家發展委員會" in meta


def test_the_api_payload_says_who_is_official(client):
    thread, citizen, staff, moderator, question, answer, note = _world()
    items = client.get(f"/api/v1/threads/{thread.id}/comments?limit=50").get_json()["items"]
    flat = {c["id"]: c for c in items}
    for c in items:
        for r in c.get("replies", []):
            flat[r["id"]] = r
    if answer.id not in flat:  # replies come from the replies endpoint in some shapes
        flat[answer.id] = client.get(f"/api/v1/comments/{answer.id}").get_json()
    assert flat[answer.id]["author"]["official"] == {
        "role": "staff",
        "agency": {"code": "NDC", "name": "國家發展委員會"},
    }
    assert flat[note.id]["author"]["official"] == {"role": "moderator", "agency": None}
    assert flat[question.id]["author"]["official"] is None


def test_live_events_carry_the_badge(client, sockets):
    thread, *_ = _world()
    staff = make_user("staff", agency=make_agency("NDC", "國家發展委員會"))
    sock = sockets()
    assert sock.emit(
        "subscribe", {"thread_id": thread.id, "after_seq": 0}, namespace=NS, callback=True
    )["ok"]
    sock.get_received(NS)
    make_comment(thread, staff, body="官方回覆：已收到大家的意見。")
    got = [m["args"][0] for m in sock.get_received(NS) if m["name"] == "thread_event"]
    created = [e for e in got if e["type"] == "comment_created"]
    assert (
        created
        and created[-1]["comment"]["author"]["official"]["agency"]["name"] == "國家發展委員會"
    )


def test_resynced_events_carry_the_badge(session):
    thread, *_, answer, _ = _world()
    rows = session.query(ThreadEvent).filter_by(thread_id=thread.id).all()
    payloads = {p["comment_id"]: p for p in events.payloads(session, rows)}
    assert payloads[answer.id]["comment"]["author"]["official"]["role"] == "staff"


def test_a_citizen_whose_name_mimics_an_agency_gets_no_badge(client, session):
    thread, *_ = _world()
    # Created directly (the reserved-name check is the registration form's): still no badge.
    mimic = accounts.create_user(
        session, email="mimic@example.tw", display_name="國發會 承辦人", password="long password"
    )
    session.commit()
    fake = make_comment(thread, mimic, body="本會已決定不採納任何民眾意見")
    html = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "badge-official" not in _meta(html, fake.id)


def test_the_polis_export_names_the_official_participants(client):
    thread, citizen, staff, moderator, *_ = _world()
    token = accounts.issue_token(db.session, staff)
    db.session.commit()
    response = client.get(
        f"/api/v1/consultations/{thread.consultation_id}/export-polis",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    officials = archive.read("officials.csv").decode("utf-8-sig").splitlines()
    assert officials[0] == "participant,official-role,agency-code,agency-name"
    roles = sorted(line.split(",")[1] for line in officials[1:])
    assert roles == ["moderator", "staff"]
    assert any("國家發展委員會" in line for line in officials[1:])
    assert json.dumps(officials).count("阿美") == 0


def test_a_published_theme_answer_carries_the_agencys_badge(client, world):
    respond(world, "T1", reasoning="將補助充電設施", published=True)
    html = client.get(f"/consultations/{world.consultation.id}").get_data(as_text=True)
    start = html.index('id="outcome-T1"')
    answer = html[start : html.index("</article>", start)]
    assert "badge-official" in answer and "官方" in answer and "交通部" in answer


def test_moderators_see_the_badge_in_the_queue_tools(client):
    *_, moderator, _, answer, _ = _world()
    login(client, moderator)
    html = client.get(f"/moderation/comments/{answer.id}").get_data(as_text=True)
    assert "badge-official" in html and "國家發展委員會" in html
