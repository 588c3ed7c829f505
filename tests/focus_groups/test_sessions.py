"""The panel's sessions: scheduled with a place or a link, invitations and reminders mailed,
attendance kept, notes and transcripts (text or DOCX) split into statements by speaker that
join the theme analysis marked 座談會, are counted apart and are not voted on, and reach the
outcome section's 座談會 subsection (page and DOCX)."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from sqlalchemy import func, select

from app.extensions import db
from app.outcome.render import render
from deliberation import participation
from deliberation.errors import Conflict, ValidationError
from deliberation.focus_groups import invitations, notes, operations, rules, sessions
from deliberation.focus_groups import outcome as focus_outcome
from deliberation.focus_groups.models import FocusVolunteer
from deliberation.models import Comment, utcnow
from deliberation.outcome import build_section
from deliberation.services import comments
from deliberation.services.analysis_runs import latest_run
from deliberation.services.moderation.analysis_input import visible_comments_for_analysis
from tests.factories import general_thread, make_comment
from tests.mailbox import text_of
from tests.outcome.helpers import make_plan, make_run

from .helpers import QUOTAS, fake_draw, pool

TAIPEI = ZoneInfo("Asia/Taipei")


@pytest.fixture
def panel(session, make_consultation, make_user, make_agency):
    """A drawn panel of six: one invited by link, four imported, one with an account."""
    agency = make_agency()
    staff = make_user("staff", agency=agency)
    consultation = make_consultation(staff=staff)
    group = operations.configure(
        db.session, consultation, actor=staff, panel_size=6,
        retain_until=utcnow() + timedelta(days=30),
    )  # fmt: skip
    operations.set_quotas(db.session, group, QUOTAS, actor=staff)
    [invitation] = invitations.invite(db.session, group, ["holder@example.tw"], actor=staff)
    invitations.volunteer(
        db.session, invitation, attributes={"age": "40+", "gender": "女"}, consent=True,
        notice_version=rules.NOTICE_VERSION,
    )  # fmt: skip
    operations.import_pool(db.session, group, dict(list(pool(4).items())), actor=staff)
    member = make_user(name="林小姐")
    member.email = "member@example.tw"
    operations.volunteer(
        db.session, group, actor=member, attributes={"age": "18-39", "gender": "男"},
        consent=True, notice_version=rules.NOTICE_VERSION,
    )  # fmt: skip
    fake_draw(db.session, group)  # i…, p00–p03, u…: all six seated
    db.session.commit()
    return group, staff, general_thread(consultation)


def _schedule(group, thread, **kwargs):
    fields = {
        "starts_at": utcnow() + timedelta(days=1),
        "place": "國發會 3 樓會議室",
        "online_url": "",
        "facilitator": "王主持",
        "agenda": "一、公車路線\n二、票價",
        "thread_id": thread.id,
    } | kwargs
    return sessions.schedule(db.session, group, **fields)


def test_a_session_gives_every_member_a_speaker_label(panel):
    group, _, thread = panel
    fs = _schedule(group, thread)
    assert [a.label for a in fs.attendance] == ["A", "B", "C", "D", "E", "F"]
    assert {a.volunteer.status for a in fs.attendance} == {"selected"}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"place": "", "online_url": ""}, "focus_session_no_venue"),
        ({"place": "", "online_url": "javascript:alert(1)"}, "focus_session_bad_url"),
        ({"facilitator": "  "}, "focus_session_field"),
        ({"thread_id": 999999}, "focus_session_thread"),
    ],
)
def test_a_session_without_a_venue_facilitator_or_thread_is_refused(panel, fields, code):
    group, _, thread = panel
    with pytest.raises(ValidationError) as caught:
        _schedule(group, thread, **fields)
    assert caught.value.code == code
    assert sessions.sessions_of(db.session, group) == []


def test_no_session_before_the_draw(session, make_consultation, make_user, make_agency):
    staff = make_user("staff", agency=make_agency())
    consultation = make_consultation(staff=staff)
    group = operations.configure(
        db.session, consultation, actor=staff, retain_until=utcnow() + timedelta(days=9)
    )
    with pytest.raises(Conflict) as caught:
        _schedule(group, general_thread(consultation))
    assert caught.value.code == "focus_not_drawn"


def test_the_invitation_and_the_reminder_reach_every_member_with_an_address(
    client, panel, login, csrf_from, loopback_mail, app
):
    group, staff, thread = panel
    fs = _schedule(group, thread, online_url="https://meet.example.tw/abc")
    db.session.commit()
    login(client, staff)
    base = f"/staff/consultations/{group.consultation_id}/focus-group/sessions/{fs.id}"
    page = client.get(base).get_data(as_text=True)
    assert "國發會 3 樓會議室" in page and "參與者 A" in page
    response = client.post(f"{base}/mail", data={"csrf_token": csrf_from(page), "kind": "invite"})
    assert response.status_code == 302
    [invited] = loopback_mail.wait_for("holder@example.tw")
    [member] = loopback_mail.wait_for("member@example.tw")
    text = text_of(member)
    assert (
        "林小姐" in text and "國發會 3 樓會議室" in text and "https://meet.example.tw/abc" in text
    )
    assert "王主持" in text and "公車路線" in text
    assert "參與者" in text_of(invited)
    assert len(loopback_mail.messages) == 2  # the four imported members have no address here
    db.session.expire_all()
    assert fs.invited_at is not None and fs.reminded_at is None

    result = app.test_cli_runner().invoke(args=["focus-groups", "remind"])
    assert result.exit_code == 0, result.output
    assert len(loopback_mail.wait_for("member@example.tw", 2)) == 2
    db.session.expire_all()
    assert fs.reminded_at is not None
    again = app.test_cli_runner().invoke(args=["focus-groups", "remind"])
    assert "0 sessions reminded" in again.output  # once per session


def test_attendance_is_recorded_per_member(client, panel, login, csrf_from):
    group, staff, thread = panel
    fs = _schedule(group, thread)
    db.session.commit()
    login(client, staff)
    base = f"/staff/consultations/{group.consultation_id}/focus-group/sessions/{fs.id}"
    token = csrf_from(client.get(base).get_data(as_text=True))
    came = [fs.attendance[0].id, fs.attendance[2].id]
    client.post(f"{base}/attendance", data={"csrf_token": token, "present": [str(i) for i in came]})
    db.session.expire_all()
    assert [a.attended for a in fs.attendance] == [True, False, True, False, False, False]


NOTES = """參與者 A：公車班次太少，偏鄉等一小時。
尤其是晚上。

第二點，票價應該分段。
主持人：謝謝，下一位。
B: 我同意班次的問題。
"""


def test_notes_become_statements_by_speaker_marked_as_the_focus_group(
    client, panel, login, csrf_from
):
    group, staff, thread = panel
    fs = _schedule(group, thread)
    db.session.commit()
    login(client, staff)
    base = f"/staff/consultations/{group.consultation_id}/focus-group/sessions/{fs.id}"
    token = csrf_from(client.get(base).get_data(as_text=True))
    response = client.post(f"{base}/notes", data={"csrf_token": token, "notes": NOTES})
    assert response.status_code == 302
    written = sessions.statements_of(db.session, fs)
    assert [c.body for c in written] == [
        "公車班次太少，偏鄉等一小時。\n尤其是晚上。",
        "第二點，票價應該分段。",
        "我同意班次的問題。",
    ]
    assert [c.author.display_name for c in written] == ["參與者 A（座談會）"] * 2 + [
        "參與者 B（座談會）"
    ]
    assert {c.origin_platform for c in written} == {"focus_group"}
    assert "謝謝" not in " ".join(c.body for c in written)  # the facilitator is left out
    assert not any(c.author.is_active for c in written)  # nobody logs in as a speaker
    db.session.expire_all()
    assert [a.attended for a in fs.attendance][:2] == [True, True]  # who spoke was there
    thread_page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "參與者 A（座談會）" in thread_page and "badge-focus-group" in thread_page
    assert "林小姐" not in thread_page and "holder@example.tw" not in thread_page


def test_notes_with_an_unknown_speaker_or_no_speaker_add_nothing(panel):
    group, staff, thread = panel
    fs = _schedule(group, thread)
    for text, code, line in (
        ("A：好\nZ：我不是成員", "focus_notes_unknown_speaker", 2),
        ("會議開始\nA：好", "focus_notes_no_speaker", 1),
        ("主持人：開場", "focus_notes_empty", None),
    ):
        with pytest.raises(ValidationError) as caught:
            sessions.add_notes(db.session, fs, text, actor=staff)
        assert caught.value.code == code
        if line:
            assert caught.value.params["line"] == line
    assert sessions.statements_of(db.session, fs) == []


def _docx(paragraphs: list[str]) -> bytes:
    doc = Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_transcript_uploaded_as_text_or_docx_is_split_per_speaker(
    client, panel, login, csrf_from
):
    group, staff, thread = panel
    fs = _schedule(group, thread)
    db.session.commit()
    login(client, staff)
    base = f"/staff/consultations/{group.consultation_id}/focus-group/sessions/{fs.id}"
    token = csrf_from(client.get(base).get_data(as_text=True))
    text_file = (io.BytesIO("\ufeffC：捷運延伸到郊區。\nD：自行車道要連續。\n".encode()), "t.txt")
    ok = client.post(
        f"{base}/notes",
        data={"csrf_token": token, "transcript": text_file},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    docx = _docx(["主持人：開始", "參與者 E：票價太貴。", "", "參與者 F：同意 E。"])
    ok = client.post(
        f"{base}/notes",
        data={"csrf_token": token, "transcript": (io.BytesIO(docx), "逐字稿.docx")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    written = sessions.statements_of(db.session, fs)
    assert [(c.author.display_name[:5], c.body) for c in written] == [
        ("參與者 C", "捷運延伸到郊區。"),
        ("參與者 D", "自行車道要連續。"),
        ("參與者 E", "票價太貴。"),
        ("參與者 F", "同意 E。"),
    ]
    bad = client.post(
        f"{base}/notes",
        data={"csrf_token": token, "transcript": (io.BytesIO(b"PK\x03\x04 not a docx"), "x.docx")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert bad.status_code == 400 and "Word" in bad.get_data(as_text=True)
    wrong = client.post(
        f"{base}/notes",
        data={"csrf_token": token, "transcript": (io.BytesIO(b"x"), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 400 and len(sessions.statements_of(db.session, fs)) == 4


def test_statements_are_not_voted_on_and_are_counted_apart(panel, make_user):
    group, staff, thread = panel
    fs = _schedule(group, thread)
    here = make_comment(thread, body="線上留言")
    [statement] = sessions.add_notes(db.session, fs, "A：座談會上的話", actor=staff)
    db.session.commit()
    with pytest.raises(Conflict) as caught:
        comments.cast_vote(db.session, statement.id, actor=make_user(), value=1)
    assert caught.value.code == "vote_focus_group_statement"
    figures = participation.figures(db.session, [group.consultation_id])
    assert figures["participation_commenters"] == 1  # the online commenter only
    assert figures["participation_comments"] == 1
    assert {p.platform: p.comments for p in figures.platforms} == {"focus_group": 1}
    analysed = {c.id for c in visible_comments_for_analysis(db.session, group.consultation_id)}
    assert {here.id, statement.id} <= analysed  # the same theme analysis as online comments


def test_the_outcome_section_has_a_focus_group_subsection_by_theme(panel):
    group, staff, thread = panel
    fs = _schedule(group, thread)
    online = make_comment(thread, body="公車要更多")
    first, second = sessions.add_notes(
        db.session, fs, "A：班次要增加。\nB：票價太高。", actor=staff
    )
    db.session.commit()
    make_run(
        group.consultation,
        [
            {"key": "T1", "label": "公車班次", "members": [online, first],
             "representative": [first], "pinned": [first]},
            {"key": "T2", "label": "票價", "members": [second]},
        ],
    )  # fmt: skip
    run = latest_run(db.session, group.consultation_id)
    assert focus_outcome.theme_counts(db.session, run) == {"T1": 1, "T2": 1}
    plan = make_plan(staff.agency, [group.consultation])
    section = build_section(db.session, plan.id, actor=staff)
    [c] = section.consultations
    fg = c.focus_group
    assert fg is not None and "自 6 位報名者中選出 6 位" in fg.summary
    assert [(t.label, [s.speaker for s in t.statements]) for t in fg.themes] == [
        ("公車班次", ["參與者 A"]),
        ("票價", ["參與者 B"]),
    ]
    assert fg.quotas == [q.__dict__ for q in QUOTAS]
    [quote] = next(t for t in c.themes if t.key == "T1").quotes
    assert quote.platform == "focus_group" and quote.platform_label == "政策提案座談會"
    html = render(section, "html", base_url="https://x.tw").decode()
    assert "（六）政策提案座談會" in html and "班次要增加" in html and "座談會" in html
    markdown = render(section, "md", base_url="https://x.tw").decode()
    assert "### （六）政策提案座談會" in markdown and "參與者 A・座談會" in markdown
    data = render(section, "docx", base_url="https://x.tw")
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "（六）政策提案座談會" in text and "「班次要增加。」 參與者 A・座談會" in text
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 3


def test_the_speaker_labels_run_past_z():
    assert [notes.label_for(i) for i in (0, 25, 26, 51, 52)] == ["A", "Z", "AA", "AZ", "BA"]


def test_a_replacement_after_a_withdrawal_gets_the_next_label_and_the_mail(panel):
    group, staff, thread = panel
    fs = _schedule(group, thread)
    reserve = FocusVolunteer(
        focus_group_id=group.id, pool_id="p99", attributes={"age": "40+", "gender": "男"},
        notice_version="imported", status="reserve", reserve_rank=1,
    )  # fmt: skip
    db.session.add(reserve)
    db.session.flush()
    leaving = next(a for a in fs.attendance if a.volunteer.pool_id == "p02").volunteer
    replacement = operations.withdraw(db.session, group, leaving, actor=staff)
    assert replacement is reserve
    labels = {a.volunteer.pool_id: a.label for a in fs.attendance}
    assert labels["p99"] == "G" and labels["p02"] == "D"  # labels given never move
    people, missing = sessions.recipients(db.session, group, fs)
    assert missing == 4  # p00, p01, p03 and the newcomer p99 have no address; p02 left
