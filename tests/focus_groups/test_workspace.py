"""The theme workspace names where imported statements came from in words, the focus group's
included, never by its stored code."""

from __future__ import annotations

import pytest

from app.extensions import db
from deliberation.models import AnalysisRun, utcnow


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("zh-TW", "其中匯入：Facebook 2、政策提案座談會 4"), ("en", "the focus group (座談會) 4")],
)
def test_the_runs_imported_counts_name_the_focus_group_in_words(
    client, login, make_user, make_agency, make_consultation, lang, expected
):
    staff = make_user("staff", agency=make_agency())
    consultation = make_consultation(staff=staff)
    db.session.add(
        AnalysisRun(
            consultation_id=consultation.id,
            status="done",
            progress=100,
            params={},
            code_version="0.1.0+test",
            input_counts={"comments": 9, "imported": {"focus_group": 4, "facebook": 2}},
            started_at=utcnow(),
            finished_at=utcnow(),
        )
    )
    db.session.commit()
    login(client, staff)
    page = client.get(f"/staff/consultations/{consultation.id}/themes?lang={lang}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert expected in text, text[text.find("aw-meta") : text.find("aw-meta") + 900]
    assert "focus_group 4" not in text
