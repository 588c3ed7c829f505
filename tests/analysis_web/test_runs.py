"""Analysis runs in the app: what goes in, the snapshot, staleness, the page while a run waits."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from deliberation.models import AnalysisRun, Comment, ThemeMember
from deliberation.services import analysis_runs
from deliberation.services import moderation as mod_service
from tests.factories import (
    csrf_from,
    general_thread,
    login,
    make_comment,
    make_consultation,
    make_user,
)

from .helpers import analyse


def _member_ids(run) -> set[int]:
    return set(
        db.session.scalars(select(ThemeMember.comment_id).where(ThemeMember.run_id == run.id))
    )


def test_hidden_and_pending_comments_never_enter_a_theme_or_a_count(filled, staff, client):
    consultation, ids = filled
    moderator = make_user("moderator")
    hidden_id = ids[3]
    mod_service.act_on_comment(db.session, hidden_id, actor=moderator, action="hide", reason="spam")
    mod_service.update_settings(
        db.session, actor=moderator, consultation=consultation, premoderation=True
    )
    db.session.commit()
    pending = make_comment(general_thread(consultation), body="我覺得補助應該加倍，電池也要補助")
    assert pending.status == "pending"

    run = analyse(consultation)

    assert run.status == "done", run.error
    members = _member_ids(run)
    assert hidden_id not in members and pending.id not in members
    assert members <= set(ids) - {hidden_id}
    assert run.input_counts["comments"] == len(ids) - 1
    assert run.input_counts["hidden"] == 1 and run.input_counts["pending"] == 1
    assert run.input_counts["excluded"] == 2
    assert sum(t.size for t in run.themes) == len(members)
    for theme in run.themes:
        assert hidden_id not in theme.representative_ids
        assert all(hidden_id not in group for group in theme.duplicate_groups)
    login(client, staff)
    body = client.get(f"/api/v1/consultations/{consultation.id}/themes").get_json()
    listed = {cid for t in body["themes"] for cid in t["member_comment_ids"]}
    assert hidden_id not in listed and pending.id not in listed
    page = client.get(f"/staff/consultations/{consultation.id}/themes").get_data(as_text=True)
    hidden_text = db.session.get(Comment, hidden_id).body
    assert hidden_text not in page


def test_the_snapshot_says_exactly_what_it_was_computed_from(analysed):
    consultation, ids, run = analysed.consultation, analysed.ids, analysed.run
    assert run.status == "done" and run.progress == 100 and run.stage == "done"
    assert run.code_version.startswith("0.1.0+") and "analysis." in run.code_version
    assert run.params["themes"]["n_themes"] == 6 and run.params["themes"]["k"] == 6
    assert run.params["min_comments"] == analysis_runs.MIN_COMMENTS
    assert "n_init" in run.params["groups"]
    assert run.input_counts["comments"] == len(ids)
    assert run.input_counts["votes"] > 0 and run.input_counts["participants"] > 20
    assert run.input_fingerprint == analysis_runs.input_fingerprint(db.session, consultation.id)
    assert run.started_at is not None and run.finished_at >= run.started_at
    assert [t.key for t in run.themes] == [f"T{i}" for i in range(1, 7)]
    assert all(t.label and t.keywords for t in run.themes)
    assert run.groups["groups"], "votes from 12 citizens form opinion groups"


def test_a_new_comment_or_a_hide_makes_the_snapshot_stale_and_the_page_says_so(analysed, client):
    consultation, ids, run, staff = (
        analysed.consultation,
        analysed.ids,
        analysed.run,
        analysed.staff,
    )
    login(client, staff)
    url = f"/staff/consultations/{consultation.id}/themes"
    assert "Up to date" in client.get(url + "?lang=en").get_data(as_text=True)
    assert not analysis_runs.is_stale(db.session, run)

    make_comment(general_thread(consultation), body="充電站太少了，社區大樓也裝不了")
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Stale" in page and "Re-run analysis" in page
    assert client.get(f"/api/v1/consultations/{consultation.id}/themes").get_json()["run"]["stale"]

    rerun = analyse(consultation, staff)
    assert not analysis_runs.is_stale(db.session, rerun)
    mod_service.act_on_comment(
        db.session, ids[0], actor=make_user("moderator"), action="hide", reason="spam"
    )
    db.session.commit()
    assert analysis_runs.is_stale(db.session, rerun)
    assert "Stale" in client.get(url + "?lang=en").get_data(as_text=True)


def test_the_last_finished_result_is_shown_while_a_new_run_is_queued(analysed, client):
    consultation, done, staff = analysed.consultation, analysed.run, analysed.staff
    queued, created = analysis_runs.start_run(db.session, consultation, actor=staff)
    db.session.commit()
    assert created and queued.status == "queued"

    login(client, staff)
    page = client.get(f"/staff/consultations/{consultation.id}/themes?lang=en").get_data(
        as_text=True
    )
    assert f"Analysis run #{queued.id} is queued" in page
    assert "The last finished result is shown below" in page
    assert done.themes[0].label in page
    assert 'data-status-url="/api/v1/analysis-runs/' in page
    status = client.get(f"/api/v1/analysis-runs/{queued.id}").get_json()
    assert status["status"] == "queued" and status["progress"] == 0
    themes = client.get(f"/api/v1/consultations/{consultation.id}/themes").get_json()
    assert themes["run"]["id"] == done.id and themes["active_run"]["id"] == queued.id
    # asking again does not queue a second run
    again, created = analysis_runs.start_run(db.session, consultation, actor=staff)
    assert again.id == queued.id and not created


def test_a_run_with_too_few_comments_fails_with_a_clear_reason(session, staff, client):
    consultation = make_consultation(staff=staff)
    for text in ("我支持", "我反對", "補助太少"):
        make_comment(general_thread(consultation), body=text)
    run = analyse(consultation)
    assert run.status == "failed"
    assert run.error.startswith("too_few_comments:")
    assert run.themes == []
    login(client, staff)
    page = client.get(f"/staff/consultations/{consultation.id}/themes?lang=en").get_data(
        as_text=True
    )
    assert "Too few comments to analyse: 3 visible, at least 10 needed." in page
    body = client.get(f"/api/v1/analysis-runs/{run.id}?lang=en").get_json()
    assert body["status"] == "failed" and body["error_code"] == "too_few_comments"
    r = client.get(f"/api/v1/consultations/{consultation.id}/themes")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "no_analysis"


def test_rerunning_unchanged_input_keeps_every_key_and_membership(analysed):
    consultation, first = analysed.consultation, analysed.run
    second = analyse(consultation)
    assert second.id != first.id
    by_key = lambda run: {  # noqa: E731
        t.key: set(
            db.session.scalars(select(ThemeMember.comment_id).where(ThemeMember.theme_id == t.id))
        )
        for t in run.themes
    }
    assert by_key(first) == by_key(second)


def test_closing_a_consultation_starts_an_analysis(filled, staff, client):
    consultation, _ids = filled
    login(client, staff)
    page = client.get(f"/consultations/{consultation.id}")

    r = client.post(
        f"/staff/consultations/{consultation.id}/status",
        data={"status": "closed", "csrf_token": csrf_from(page.get_data(as_text=True))},
    )
    assert r.status_code == 302
    runs = db.session.scalars(
        select(AnalysisRun).where(AnalysisRun.consultation_id == consultation.id)
    ).all()
    assert len(runs) == 1 and runs[0].status == "done" and runs[0].started_by_id is None
    assert db.session.scalar(
        select(func.count(ThemeMember.id)).where(ThemeMember.run_id == runs[0].id)
    )


def test_progress_is_reported_stage_by_stage_for_the_polling_page(filled):
    consultation, _ids = filled
    run, _created = analysis_runs.start_run(db.session, consultation, actor=None, system=True)
    db.session.commit()
    seen: list[tuple[str, int, str]] = []
    analysis_runs.execute_run(
        db.session,
        run.id,
        progress=lambda r: seen.append((r.stage, r.progress, r.status)),
        theme_params={"n_themes": 4},
    )
    assert [s for s, _, _ in seen] == ["loading", "themes", "groups", "saving", "done"]
    assert [p for _, p, _ in seen] == sorted(p for _, p, _ in seen) and seen[-1][1] == 100
    assert seen[0][2] == "running" and seen[-1][2] == "done"


def test_a_run_that_breaks_midway_is_marked_failed_and_leaves_no_half_snapshot(filled, monkeypatch):
    from deliberation.services import curation

    consultation, _ids = filled

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(curation, "replay", broken)
    run = analyse(consultation)
    assert run.status == "failed" and "disk full" in run.error
    assert run.finished_at is not None
    assert _member_ids(run) == set() and run.themes == []
    assert analysis_runs.latest_run(db.session, consultation.id) is None


def test_the_snapshot_counts_imported_posts_apart_per_platform(filled, staff, client):
    consultation, ids = filled
    db.session.execute(
        Comment.__table__.update()
        .where(Comment.id.in_(ids[:5]))
        .values(origin_platform="facebook", origin_url=Comment.id.cast(db.String) + "-fb")
    )
    db.session.execute(
        Comment.__table__.update()
        .where(Comment.id.in_(ids[5:7]))
        .values(origin_platform="ptt", origin_url=Comment.id.cast(db.String) + "-ptt")
    )
    db.session.commit()
    run = analyse(consultation)
    assert run.input_counts["comments"] == len(ids)
    assert run.input_counts["imported"] == {"facebook": 5, "ptt": 2}
    login(client, staff)
    page = client.get(f"/staff/consultations/{consultation.id}/themes?lang=en").get_data(
        as_text=True
    )
    assert "of which imported: Facebook 5、PTT 2" in page  # the platforms by name
