"""Importing a real Polis conversation from the command line."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from deliberation.models import (
    Comment,
    Consultation,
    ModerationAction,
    Thread,
    ThreadEvent,
    User,
    Vote,
)
from deliberation.services import accounts
from deliberation.services import moderation as mod
from tests.factories import csrf_from, make_agency

from .helpers import SEATTLE, copy_folder, expected, import_cli, imported_state, row_counts


def _consultation_comments(consultation_id: int) -> list[Comment]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Comment)
            .join(Thread, Thread.id == Comment.thread_id)
            .where(Thread.consultation_id == consultation_id)
            .order_by(Comment.seq)
        )
    )


def test_the_command_prints_only_the_new_id_and_the_counts_match_the_csvs(runner):
    result = import_cli(runner, SEATTLE)
    assert result.exit_code == 0, result.output
    consultation_id = int(result.stdout.strip())  # nothing else on stdout
    exp = expected(SEATTLE)

    consultation = db.session.get(Consultation, consultation_id)
    assert consultation.status == "closed"
    assert consultation.agency.code == "IMPORT"
    assert consultation.title == "$15/hour"  # the topic from summary.csv
    comments, votes = imported_state(consultation_id)
    assert set(comments) == set(exp.comments)  # 54 comments, hidden ones kept
    assert votes == exp.latest  # the latest vote per participant and comment, 2872 of 2995 rows
    assert len(votes) == 2872
    people = db.session.scalar(
        select(func.count(func.distinct(User.id))).where(
            User.email.like("polis-15-per-hour-seattle-%")
        )
    )
    assert people == len(exp.participants) == 339
    for cid, (body, _status, posted, author) in comments.items():
        row = exp.comments[cid]
        assert body == row["comment-body"].strip()
        assert author == int(row["author-id"])
        assert posted.timestamp() * 1000 == int(row["timestamp"])
    assert "54 comments" in result.stderr and "2872 votes" in result.stderr


def test_comments_are_numbered_in_time_order_with_counts_from_the_latest_votes(runner):
    consultation_id = int(import_cli(runner, SEATTLE).stdout)
    items = _consultation_comments(consultation_id)
    assert [c.seq for c in items] == list(range(1, 55))
    times = [c.origin_posted_at for c in items]
    assert times == sorted(times)
    thread = db.session.get(Thread, items[0].thread_id)
    assert thread.last_comment_seq == 54
    events = db.session.scalar(
        select(func.count()).select_from(ThreadEvent).where(ThreadEvent.thread_id == thread.id)
    )
    assert thread.last_event_seq == events == 54
    for c in items:
        values = db.session.scalars(select(Vote.value).where(Vote.comment_id == c.id)).all()
        assert (c.agree_count, c.disagree_count, c.pass_count) == (
            values.count(1),
            values.count(-1),
            values.count(0),
        )
        assert c.root_id == c.id and c.depth == 0
        assert c.origin_platform == "polis" and c.origin_url.startswith(
            "polis:15-per-hour-seattle#"
        )


def test_rejected_comments_arrive_hidden_and_unmoderated_ones_pending_both_out_of_analysis(runner):
    consultation_id = int(import_cli(runner, SEATTLE).stdout)
    exp = expected(SEATTLE)
    comments, _ = imported_state(consultation_id)
    rejected = {cid for cid, r in exp.comments.items() if r["moderated"] == "-1"}
    unmoderated = {cid for cid, r in exp.comments.items() if r["moderated"] == "0"}
    assert {cid for cid, c in comments.items() if c[1] == "hidden"} == rejected
    assert {cid for cid, c in comments.items() if c[1] == "pending"} == unmoderated
    assert len(rejected) == 23 and len(unmoderated) == 1

    analysed = mod.visible_comments_for_analysis(db.session, consultation_id)
    assert len(analysed) == 54 - 23 - 1
    texts = {a.text for a in analysed}
    for cid in rejected | unmoderated:
        assert exp.comments[cid]["comment-body"].strip() not in texts
    visible_ids = {a.id for a in analysed}
    assert {c for _u, c, _v in mod.visible_votes_for_analysis(db.session, consultation_id)} <= (
        visible_ids
    )


def test_polis_moderation_is_logged_and_counted_on_the_transparency_page(runner, client):
    consultation_id = int(import_cli(runner, SEATTLE).stdout)
    rows = db.session.scalars(
        select(ModerationAction).where(ModerationAction.consultation_id == consultation_id)
    ).all()
    assert {(r.action, r.actor_id) for r in rows} == {("hide", None), ("hold", None)}
    assert all("Polis" in r.note for r in rows)
    t = mod.transparency(db.session, db.session.get(Consultation, consultation_id))
    assert t.hidden_by_reason == {"other": 23} and t.hidden_now == 23
    assert t.held_by_rule == {"premoderation": 1}
    page = client.get(f"/consultations/{consultation_id}/transparency?lang=en")
    assert page.status_code == 200
    assert 'data-reason="other">23<' in page.get_data(as_text=True)


def test_imported_participants_are_pseudonymous_and_cannot_log_in(runner, client):
    import_cli(runner, SEATTLE)
    user = db.session.scalar(
        select(User).where(User.email == "polis-15-per-hour-seattle-215@imported.invalid")
    )
    assert user.origin == "polis" and user.display_name == "Polis 參與者 215"
    assert user.role == "citizen" and user.api_token_hash is None
    assert accounts.authenticate(db.session, user.email, "!polis-import") is None
    token = csrf_from(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"email": user.email, "password": "", "csrf_token": token})
    assert r.status_code != 302


def test_importing_the_same_conversation_again_is_refused_and_changes_nothing(runner):
    first = import_cli(runner, SEATTLE)
    assert first.exit_code == 0
    before = row_counts()
    again = import_cli(runner, SEATTLE)
    assert again.exit_code != 0
    assert "15-per-hour-seattle" in again.output and first.stdout.strip() in again.output
    assert row_counts() == before


def test_the_agency_and_title_options_are_used_and_an_unknown_agency_is_refused(runner, tmp_path):
    make_agency("NDC")
    result = import_cli(runner, SEATTLE, "--agency", "ndc", "--title", "西雅圖 15 美元時薪")
    consultation = db.session.get(Consultation, int(result.stdout))
    assert consultation.agency.code == "NDC" and consultation.title == "西雅圖 15 美元時薪"

    before = row_counts()
    other = copy_folder(SEATTLE, tmp_path / "seattle-copy")
    refused = import_cli(runner, other, "--agency", "NOPE")
    assert refused.exit_code != 0 and "NOPE" in refused.output
    assert row_counts() == before


def test_the_same_folder_under_another_name_imports_with_its_own_participants(runner, tmp_path):
    first = int(import_cli(runner, SEATTLE).stdout)
    second = int(import_cli(runner, SEATTLE, "--slug", "Seattle Again").stdout)
    assert first != second
    c1, v1 = imported_state(first)
    c2, v2 = imported_state(second)
    assert c1 == c2 and v1 == v2
    assert db.session.scalar(
        select(func.count()).select_from(User).where(User.email.like("polis-seattle-again-%"))
    ) == len(expected(SEATTLE).participants)
