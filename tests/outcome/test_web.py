"""The page, downloads, charts, API and CLI: permissions, formats and bad input."""

from __future__ import annotations

import io
import json

import pytest
from docx import Document

from app.extensions import db
from deliberation.services import accounts
from tests.factories import login, make_agency

from .helpers import make_plan
from .test_exports import docx_text


def _bearer(user) -> dict[str, str]:
    token = accounts.issue_token(db.session, user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_agency_staff_read_the_printable_page_with_downloads_and_charts(client, scene):
    login(client, scene.lead_staff)
    response = client.get(f"/plans/{scene.plan.id}/outcome")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "政策溝通成效" in page and "一、參與概況" in page and "二、意見主題與機關回應" in page
    for fmt in ("docx", "md", "html", "json", "csv"):
        assert f"/plans/{scene.plan.id}/outcome.{fmt}" in page
    assert f'href="/comments/{scene.c["subsidy"].id}"' in page
    assert "css/outcome.css" in page and "<style" not in page  # the strict CSP holds
    assert "HIDDENSECRET" not in page and "PENDINGSECRET" not in page
    assert "（草稿）" in page  # the draft response, marked
    chart = client.get(f"/plans/{scene.plan.id}/outcome/charts/themes-{scene.consultation.id}.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    assert f"/plans/{scene.plan.id}/outcome/charts/themes-{scene.consultation.id}.svg" in page
    assert client.get(f"/plans/{scene.plan.id}/outcome/charts/nope.svg").status_code == 404


def test_staff_can_preview_the_published_only_version(client, scene):
    login(client, scene.lead_staff)
    page = client.get(f"/plans/{scene.plan.id}/outcome?drafts=0").get_data(as_text=True)
    assert "DRAFTREASON" not in page and "僅列已發布" in page


def test_reviewers_see_published_responses_only_and_are_told_so(client, scene):
    login(client, scene.reviewer)
    page = client.get(f"/plans/{scene.plan.id}/outcome").get_data(as_text=True)
    assert "DRAFTREASON" not in page and "本版本僅列已發布之機關回應" in page
    assert "將補助金額由 3,000 元提高為 5,000 元" in page


def test_every_download_is_an_attachment_in_its_format(client, scene):
    login(client, scene.co_staff)
    expected = {
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "md": "text/markdown",
        "html": "text/html",
        "json": "application/json",
        "csv": "text/csv",
    }
    for fmt, mimetype in expected.items():
        response = client.get(f"/plans/{scene.plan.id}/outcome.{fmt}")
        assert response.status_code == 200, fmt
        assert response.mimetype == mimetype
        assert f"plan-{scene.plan.id}-outcome.{fmt}" in response.headers["Content-Disposition"]
    docx = client.get(f"/plans/{scene.plan.id}/outcome.docx").data
    assert "提高補助金額" in docx_text(docx)
    assert len(Document(io.BytesIO(docx)).inline_shapes) == 3
    assert client.get(f"/plans/{scene.plan.id}/outcome.pdf").status_code in (400, 404)


@pytest.mark.parametrize("who", ["other_staff", "citizen"])
def test_people_outside_the_plan_are_refused(client, scene, who):
    login(client, getattr(scene, who))
    assert client.get(f"/plans/{scene.plan.id}/outcome").status_code == 403
    assert client.get(f"/plans/{scene.plan.id}/outcome.docx").status_code == 403
    response = client.get(f"/api/v1/plans/{scene.plan.id}/outcome")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "outcome_forbidden"


def test_anonymous_visitors_are_asked_to_log_in(client, scene):
    assert client.get(f"/plans/{scene.plan.id}/outcome").status_code == 401
    response = client.get(f"/api/v1/plans/{scene.plan.id}/outcome")
    assert response.status_code == 401


def test_an_unknown_plan_is_not_found(client, scene):
    login(client, scene.admin)
    response = client.get("/api/v1/plans/999999/outcome")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "plan_not_found"


def test_the_api_gives_json_by_default_and_every_other_format_on_request(client, scene):
    headers = _bearer(scene.reviewer)
    response = client.get(f"/api/v1/plans/{scene.plan.id}/outcome", headers=headers)
    assert response.status_code == 200
    data = response.get_json()
    assert data["plan_id"] == scene.plan.id and data["include_drafts"] is False
    keys = [t["key"] for t in data["consultations"][0]["themes"]]
    assert keys == ["T1", "T2"]
    assert all(f["counts"] for f in data["totals"])
    quote = data["consultations"][0]["themes"][0]["quotes"][0]
    assert quote["permalink"] == f"/comments/{quote['comment_id']}"
    for fmt in ("md", "html", "docx", "csv"):
        response = client.get(
            f"/api/v1/plans/{scene.plan.id}/outcome?format={fmt}", headers=headers
        )
        assert response.status_code == 200, fmt
    bad = client.get(f"/api/v1/plans/{scene.plan.id}/outcome?format=pdf", headers=headers)
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_outcome_format"


def test_a_plan_without_a_consultation_is_a_clear_error_on_the_page_and_the_api(client, scene):
    plan = make_plan(make_agency("NDC"), [], title="尚未連結諮詢的計畫")
    login(client, scene.lead_staff)
    page = client.get(f"/plans/{plan.id}/outcome")
    text = page.get_data(as_text=True)
    assert page.status_code == 409
    assert "尚未連結任何諮詢案" in text or "no linked consultation" in text
    download = client.get(f"/plans/{plan.id}/outcome.docx")
    assert download.status_code == 409 and download.mimetype == "text/html"
    api = client.get(f"/api/v1/plans/{plan.id}/outcome?format=docx")
    assert api.status_code == 409
    assert api.get_json()["error"]["code"] == "plan_has_no_consultation"


def test_the_cli_writes_each_format(app, scene, tmp_path):
    runner = app.test_cli_runner()
    for fmt in ("docx", "md", "html", "json"):
        out = tmp_path / f"outcome.{fmt}"
        result = runner.invoke(
            args=["plans", "export-outcome", str(scene.plan.id), "--format", fmt, "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    data = json.loads((tmp_path / "outcome.json").read_text())
    assert data["include_drafts"] is False  # published responses only unless asked
    assert "DRAFTREASON" not in (tmp_path / "outcome.md").read_text()
    assert "政策溝通成效" in docx_text((tmp_path / "outcome.docx").read_bytes())
    out = tmp_path / "drafts.md"
    result = runner.invoke(
        args=[
            "plans",
            "export-outcome",
            str(scene.plan.id),
            "--format",
            "md",
            "--out",
            str(out),
            "--include-drafts",
        ]
    )
    assert result.exit_code == 0 and "DRAFTREASON" in out.read_text()


def test_the_cli_refuses_a_plan_without_a_consultation_and_writes_nothing(app, scene, tmp_path):
    plan = make_plan(make_agency("NDC"), [])
    out = tmp_path / "outcome.docx"
    result = app.test_cli_runner().invoke(
        args=["plans", "export-outcome", str(plan.id), "--format", "docx", "--out", str(out)]
    )
    assert result.exit_code != 0
    assert "尚未連結任何諮詢案" in result.output or "no linked consultation" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []
    missing = app.test_cli_runner().invoke(
        args=["plans", "export-outcome", "999999", "--out", str(out)]
    )
    assert missing.exit_code != 0 and not out.exists()
