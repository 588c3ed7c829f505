"""The workspace says what changed since the analysis (issue 15): after curator edits it no
longer claims that nothing changed, and it shows the same participation figures as every other
surface."""

from __future__ import annotations

from app.extensions import db
from deliberation import participation
from deliberation.services import curation
from tests.factories import login

from .helpers import analyse


def test_the_workspace_counts_curator_edits_made_since_the_analysis(filled, staff, client):
    consultation, _ids = filled
    analyse(consultation)
    login(client, staff)
    url = f"/staff/consultations/{consultation.id}/themes"
    before = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Nothing changed since this analysis." in before and 'data-edits-since="0"' in before
    for n in range(6):
        curation.rename(db.session, consultation, "T1", f"充電設施 {n}", actor=staff)
        db.session.commit()
    after = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Nothing changed since this analysis." not in after
    assert "Curator edits to its themes since then: 6" in after
    zh = client.get(url + "?lang=zh-TW").get_data(as_text=True)
    assert "這次分析之後沒有任何變動" not in zh and "策展編輯共 6 筆" in zh


def test_the_workspace_prints_the_participation_figures(filled, staff, client):
    consultation, _ids = filled
    analyse(consultation)
    login(client, staff)
    html = client.get(f"/staff/consultations/{consultation.id}/themes").get_data(as_text=True)
    figures = participation.figures(db.session, [consultation.id])
    assert (
        f'<tr data-figure="participation_people"><th scope="row">本平台參與人數</th>'
        f'<td class="num">{figures["participation_people"]}</td>'
    ) in html
    assert "分析資料所含帳號數（本平台及匯入）" in html
