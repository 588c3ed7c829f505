"""Who sees unpublished analysis, the JSON API flow, the CLI, and the RQ backend on Redis."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import select

from app.extensions import db
from deliberation.models import AnalysisRun, Theme, ThemeEdit
from tests.factories import api_csrf, csrf_from, login, make_agency, make_user


def test_citizens_and_other_agencies_staff_are_refused(analysed, client):
    consultation = analysed.consultation
    base = f"/staff/consultations/{consultation.id}/themes"
    api = f"/api/v1/consultations/{consultation.id}/themes"
    assert client.get(api).status_code == 401
    assert client.get(base).status_code in (302, 401)
    for user in (make_user("citizen"), make_user("staff", agency=make_agency("MOL", "勞動部"))):
        with client.session_transaction() as s:
            s.clear()
        login(client, user)
        assert client.get(base).status_code == 403
        assert client.get(base + "/T1").status_code == 403
        assert client.get(base + "/log").status_code == 403
        r = client.get(api)
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "analysis_forbidden"
        headers = api_csrf(client)
        assert (
            client.post(
                f"/api/v1/consultations/{consultation.id}/analysis", headers=headers
            ).status_code
            == 403
        )
        r = client.post(api + "/T1/rename", json={"label": "x"}, headers=headers)
        assert r.status_code == 403


def test_a_reviewer_can_read_but_not_curate(analysed, client):
    consultation = analysed.consultation
    login(client, make_user("reviewer"))
    page = client.get(f"/staff/consultations/{consultation.id}/themes?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Opinion groups" in html
    assert "Run analysis" not in html and "Re-run analysis" not in html
    detail = client.get(f"/staff/consultations/{consultation.id}/themes/T1?lang=en")
    assert detail.status_code == 200 and "Merge this theme into" not in detail.get_data(
        as_text=True
    )
    r = client.post(
        f"/staff/consultations/{consultation.id}/themes/T1/rename",
        data={"label": "x", "csrf_token": csrf_from(detail.get_data(as_text=True))},
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/consultations/{consultation.id}/themes/T1/rename",
        json={"label": "x"},
        headers=api_csrf(client),
    )
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "analysis_read_only"
    assert db.session.scalar(select(ThemeEdit.id)) is None


def test_the_api_starts_a_run_reports_it_and_curates_its_themes(filled, staff, client):
    consultation, ids = filled
    login(client, staff)
    headers = api_csrf(client)
    r = client.post(f"/api/v1/consultations/{consultation.id}/analysis", headers=headers)
    assert r.status_code == 202
    run_id = r.get_json()["run_id"]
    assert r.headers["Location"] == f"/api/v1/analysis-runs/{run_id}"
    status = client.get(f"/api/v1/analysis-runs/{run_id}").get_json()
    assert status["status"] == "done" and status["progress"] == 100 and status["stale"] is False
    assert status["input_counts"]["comments"] == len(ids) and status["code_version"]

    body = client.get(f"/api/v1/consultations/{consultation.id}/themes").get_json()
    assert body["run"]["id"] == run_id and body["run"]["stale"] is False
    first = body["themes"][0]
    assert first["key"] == "T1" and first["size"] == len(first["member_comment_ids"])
    assert set(first) >= {"label", "keywords", "stance", "representative_ids", "pinned_ids"}
    assert {"groups", "consensus"} <= set(body["groups"]) and "snapshot" not in body["groups"]
    covered = {cid for t in body["themes"] for cid in t["member_comment_ids"]}
    assert covered <= set(ids)

    r = client.post(
        f"/api/v1/consultations/{consultation.id}/themes/T1/rename",
        json={"label": "補助金額"},
        headers=headers,
    )
    assert r.status_code == 200 and r.get_json()["changed"] is True
    pin = first["member_comment_ids"][0]
    r = client.post(
        f"/api/v1/consultations/{consultation.id}/themes/T1/pin",
        json={"comment_id": pin},
        headers=headers,
    )
    assert r.get_json()["edit"]["action"] == "pin"
    move = body["themes"][1]["member_comment_ids"][:1]
    r = client.post(
        f"/api/v1/consultations/{consultation.id}/themes/T2/move",
        json={"comment_ids": move, "target": "T1"},
        headers=headers,
    )
    assert r.status_code == 200
    after = client.get(f"/api/v1/consultations/{consultation.id}/themes").get_json()
    t1 = after["themes"][0]
    assert t1["label"] == "補助金額" and pin in t1["pinned_ids"]
    assert move[0] in t1["member_comment_ids"]
    r = client.post(
        f"/api/v1/consultations/{consultation.id}/themes/T1/split",
        json={"comment_ids": "1,2", "label": "x"},
        headers=headers,
    )
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_field"


def test_the_cli_runs_an_analysis_and_waits_for_it(app, filled):
    consultation, ids = filled
    result = app.test_cli_runner().invoke(args=["analysis", "run", str(consultation.id), "--wait"])
    assert result.exit_code == 0, result.output
    run_id, summary = result.output.strip().splitlines()
    run = db.session.get(AnalysisRun, int(run_id))
    assert run.status == "done"
    assert summary.startswith(f"run {run_id} done: 6 themes from {len(ids)} comments")
    missing = app.test_cli_runner().invoke(args=["analysis", "run", "999999"])
    assert missing.exit_code != 0 and "does not exist" in missing.output


@pytest.mark.skipif(
    not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set (needs a real Redis)"
)
def test_the_rq_backend_runs_a_queued_analysis_in_a_worker(app, filled, staff, client, monkeypatch):
    from redis import Redis
    from rq import Queue, SimpleWorker

    from app import jobs

    consultation, _ids = filled
    queue_name = f"zhongyi-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "JOBS_BACKEND", "rq")
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", os.environ["TEST_REDIS_URL"])
    monkeypatch.setitem(app.config, "JOBS_QUEUE", queue_name)
    # the worker runs the job in this process with the test app (so it sees the test's data)
    monkeypatch.setattr(jobs, "_worker_app", app)
    redis = Redis.from_url(os.environ["TEST_REDIS_URL"])
    queue = Queue(queue_name, connection=redis)
    try:
        login(client, staff)
        r = client.post(
            f"/api/v1/consultations/{consultation.id}/analysis", headers=api_csrf(client)
        )
        assert r.status_code == 202
        run_id = r.get_json()["run_id"]
        assert client.get(f"/api/v1/analysis-runs/{run_id}").get_json()["status"] == "queued"
        assert queue.count == 1
        SimpleWorker([queue], connection=redis).work(burst=True)
        status = client.get(f"/api/v1/analysis-runs/{run_id}").get_json()
        assert status["status"] == "done", status
        assert db.session.scalars(select(Theme).where(Theme.run_id == run_id)).first()
    finally:
        queue.empty()
        queue.delete(delete_jobs=True)
        redis.close()


def test_run_due_analyses_consultations_whose_period_ended_and_only_when_needed(app, filled):
    from datetime import timedelta

    from deliberation.models import AnalysisRun, utcnow

    consultation, _ids = filled
    runner = app.test_cli_runner()
    # Still open and before its closing time: nothing is due.
    consultation.closes_at = utcnow() + timedelta(days=1)
    db.session.commit()
    assert runner.invoke(args=["analysis", "run-due", "--wait"]).output.strip() == ""
    # The closing time passed without anyone closing it: analysed.
    consultation.opens_at = utcnow() - timedelta(days=3)
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["analysis", "run-due", "--wait"])
    assert result.exit_code == 0, result.output
    run = db.session.get(AnalysisRun, int(result.output.split()[0]))
    assert run.consultation_id == consultation.id and run.status == "done"
    # Up to date: nothing more to do.
    assert runner.invoke(args=["analysis", "run-due", "--wait"]).output.strip() == ""
