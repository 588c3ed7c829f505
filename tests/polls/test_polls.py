"""Answering a quick poll (one response per account, editable until the close), the staff's
margins (all or nothing), and the results raw and weighted, with the refusal when raking is
impossible."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from analysis.weighting import margin_of_error, rake
from app.extensions import db
from deliberation.errors import Conflict, Forbidden, ValidationError
from deliberation.polls import operations, queries, results, rules
from deliberation.polls.models import PollResponse, PopulationMargin

from .helpers import MARGINS_CSV, QUESTIONS, answer, make_poll


@pytest.fixture
def world(session, make_consultation, make_user, make_agency):
    staff = make_user("staff", agency=make_agency())
    consultation = make_consultation(staff=staff)
    poll = make_poll(consultation, staff)
    return consultation, poll, staff


def _responses() -> int:
    return db.session.scalar(select(func.count()).select_from(PollResponse)) or 0


def _margins() -> list[tuple[str, str, float]]:
    rows = db.session.scalars(select(PopulationMargin).order_by(PopulationMargin.position))
    return [(m.category, m.feature, m.share) for m in rows]


def test_a_second_answer_by_the_same_account_updates_it(world, make_user):
    _, poll, _ = world
    citizen = make_user()
    _, created = answer(poll, citizen, yes=True)
    _, again = answer(poll, citizen, yes=False)
    assert created and not again
    assert _responses() == 1
    row = queries.response_of(db.session, poll, citizen)
    assert row.answers[str(poll.questions[0].id)] == [1]


def test_a_racing_double_submit_leaves_one_row_and_a_clear_refusal(world, make_user, monkeypatch):
    _, poll, _ = world
    citizen = make_user()
    answer(poll, citizen)
    # The second request read "no answer yet" before the first one committed.
    monkeypatch.setattr(queries, "response_of", lambda *a, **k: None)
    with pytest.raises(Conflict) as caught:
        answer(poll, citizen)
    assert caught.value.code == "poll_answered_concurrently"
    db.session.rollback()
    assert _responses() == 1


def test_an_unverified_account_cannot_answer(world, make_user, login, client, csrf_from):
    consultation, poll, _ = world
    unverified = make_user(verified=False)
    with pytest.raises(Forbidden) as caught:
        answer(poll, unverified)
    assert caught.value.code == "email_unverified"
    db.session.rollback()
    login(client, unverified)
    page = client.get(f"/consultations/{consultation.id}/poll").get_data(as_text=True)
    assert "請先驗證電子郵件地址再填答。" in page
    assert _responses() == 0


def test_answers_cannot_change_after_the_close(world, make_user):
    consultation, poll, _ = world
    citizen = make_user()
    answer(poll, citizen, yes=True)
    consultation.status = "closed"
    db.session.commit()
    with pytest.raises(Conflict) as caught:
        answer(poll, citizen, yes=False)
    assert caught.value.code == "poll_closed"
    db.session.rollback()
    assert queries.response_of(db.session, poll, citizen).answers[str(poll.questions[0].id)] == [0]


def test_background_answers_need_consent_to_the_notice(world, make_user):
    _, poll, _ = world
    q = poll.questions
    with pytest.raises(ValidationError) as caught:
        operations.answer(
            db.session, poll, actor=make_user(), answers={str(q[0].id): 0},
            demographics={"age": "40+", "gender": "女"}, consent=False,
            notice_version=poll.notice_version,
        )  # fmt: skip
    assert caught.value.code == "poll_consent_required"
    db.session.rollback()
    assert _responses() == 0


def test_a_poll_answered_through_the_page_keeps_the_background(
    world, make_user, login, client, csrf_from
):
    consultation, poll, _ = world
    citizen = make_user()
    login(client, citizen)
    page = client.get(f"/consultations/{consultation.id}/poll").get_data(as_text=True)
    assert rules.NOTICE_VERSION in page
    q = poll.questions
    form = {
        "csrf_token": csrf_from(page), "notice_version": rules.NOTICE_VERSION,
        f"q_{q[0].id}": "0", f"q_{q[1].id}": ["0", "2"], f"q_{q[2].id}": "4",
        "demo_0": "18-39", "demo_1": "男", "consent": "yes",
    }  # fmt: skip
    response = client.post(f"/consultations/{consultation.id}/poll", data=form)
    assert response.status_code == 302
    row = queries.response_of(db.session, poll, citizen)
    assert row.answers == {str(q[0].id): [0], str(q[1].id): [0, 2], str(q[2].id): [4]}
    assert row.demographics == {"age": "18-39", "gender": "男"}
    assert row.notice_version == rules.NOTICE_VERSION


def test_margins_that_do_not_add_up_are_refused_and_nothing_is_saved(
    world, login, client, csrf_from
):
    consultation, _, staff = world
    before = _margins()
    login(client, staff)
    token = csrf_from(
        client.get(f"/staff/consultations/{consultation.id}/poll").get_data(as_text=True)
    )
    bad = "category,feature,percent\nage,18-39,40\nage,40+,50\ngender,女,50\ngender,男,50\n"
    response = client.post(
        f"/staff/consultations/{consultation.id}/poll/margins",
        data={"csrf_token": token, "margins_csv": bad},
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "age" in text and "90" in text and "100" in text
    assert _margins() == before  # the old margins are untouched


def test_margins_parse_rejects_each_bad_line_by_number():
    with pytest.raises(ValidationError) as caught:
        rules.parse_margins("category,feature,percent\nage,A,50\nage,B,fifty\n")
    assert caught.value.code == "poll_margins_number" and caught.value.params["line"] == 3
    with pytest.raises(ValidationError) as caught:
        rules.parse_margins("category,feature,percent\nage,A,50.1\nage,B,50.05\n")
    assert caught.value.code == "poll_margins_sum"
    assert len(rules.parse_margins("category,feature,percent\nage,A,50.05\nage,B,50\n")) == 2


def test_more_than_ten_questions_are_refused(world):
    consultation, _, staff = world
    with pytest.raises(ValidationError) as caught:
        operations.save_poll(
            db.session, consultation, actor=staff, title="t", questions=QUESTIONS * 4
        )
    assert caught.value.code == "poll_too_many_questions"


def test_results_are_raw_and_weighted(world, make_user):
    _, poll, _ = world
    people = [("18-39", "男", False)] * 2 + [("40+", "女", True)] * 3
    people += [("18-39", "女", True), ("40+", "男", False)]
    for age, gender, yes in people:
        answer(poll, make_user(), yes=yes, age=age, gender=gender)
    answer(poll, make_user(), yes=True, age=None, gender=None)  # no background: raw only
    out = results.poll_results(db.session, poll)
    first = out.questions[0]
    assert out.respondents == 8 and out.with_demographics == 7 and out.weighted
    assert first.options[0].count == 5 and first.options[0].share == pytest.approx(5 / 8)
    expected = rake(
        {"age": [p[0] for p in people], "gender": [p[1] for p in people]},
        {"age": {"18-39": 40, "40+": 60}, "gender": {"女": 50, "男": 50}},
    )
    yes_weight = sum(w for w, p in zip(expected.weights, people, strict=True) if p[2])
    assert first.options[0].weighted_share == pytest.approx(yes_weight / 7)
    assert out.design_effect == pytest.approx(expected.design_effect)
    assert first.options[0].moe == pytest.approx(
        margin_of_error(first.options[0].weighted_share, expected.effective_n)
    )


def test_margins_that_cannot_all_hold_refuse_weighting(world, make_user):
    _, poll, _ = world
    # Only young men and older women answered: age 40/60 and gender 50/50 cannot both hold.
    for age, gender in [("18-39", "男")] * 2 + [("40+", "女")] * 3:
        answer(poll, make_user(), age=age, gender=gender)
    out = results.poll_results(db.session, poll)
    assert not out.weighted and out.refusal == "weighting_not_converged"
    assert all(o.weighted_share is None for q in out.questions for o in q.options)


def test_an_empty_cell_refuses_weighting_and_says_which(world, make_user, login, client):
    consultation, poll, staff = world
    answer(poll, make_user(), age="40+", gender="女")
    login(client, staff)
    body = client.get(f"/api/v1/consultations/{consultation.id}/poll/results").get_json()
    assert body["weighted"] is False and body["refusal"] == "weighting_empty_cell"
    assert body["refusal_params"] == {"category": "age", "feature": "18-39"}
    page = client.get(f"/staff/consultations/{consultation.id}/poll").get_data(as_text=True)
    assert "無法提供加權結果。" in page and "18-39" in page


def test_the_representativeness_table_counts_each_kind_of_participant(
    world, make_user, make_comment, general_thread
):
    consultation, poll, _ = world
    young_man = make_user()
    answer(poll, young_man, age="18-39", gender="男")
    answer(poll, make_user(), age="40+", gender="女")
    answer(poll, make_user(), age="40+", gender="女")
    stranger = make_user()  # comments, never answered the background questions
    make_comment(general_thread(consultation), author=young_man)
    make_comment(general_thread(consultation), author=stranger)
    db.session.commit()
    picture = results.representativeness(db.session, consultation)
    rows = {(r["category"], r["feature"]): r for r in picture.rows()}
    assert rows[("age", "18-39")]["population"] == pytest.approx(0.4)
    assert rows[("age", "18-39")]["poll_respondents"] == pytest.approx(1 / 3)
    assert rows[("age", "40+")]["poll_respondents"] == pytest.approx(2 / 3)
    # Of two commenters one is known (a young man), the other unknown.
    assert rows[("age", "18-39")]["commenters"] == pytest.approx(1.0)
    assert rows[("age", None)]["commenters"] == pytest.approx(0.5)
    assert rows[("age", None)]["focus_group"] is None  # no panel drawn


def test_margins_lock_their_categories_once_background_answers_exist(world, make_user):
    consultation, poll, staff = world
    answer(poll, make_user())
    changed = MARGINS_CSV.replace("18-39", "18-44")
    with pytest.raises(Conflict):
        operations.set_margins(db.session, consultation, rules.parse_margins(changed), actor=staff)
    db.session.rollback()
    shares_only = MARGINS_CSV.replace("40\n", "45\n").replace("60\n", "55\n")
    assert (
        operations.set_margins(
            db.session, consultation, rules.parse_margins(shares_only), actor=staff
        )
        == 4
    )


def test_a_partial_background_is_kept_but_not_weighted(world, make_user):
    _, poll, _ = world
    q = poll.questions
    row, _ = operations.answer(
        db.session, poll, actor=make_user(), answers={str(q[0].id): 0},
        demographics={"age": "40+", "gender": ""}, consent=True,
        notice_version=poll.notice_version,
    )  # fmt: skip
    assert row.demographics == {"age": "40+"}
    out = results.poll_results(db.session, poll)
    assert out.respondents == 1 and out.with_demographics == 0
    assert out.refusal == "poll_no_demographics"
