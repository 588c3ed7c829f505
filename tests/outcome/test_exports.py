"""Every export format: what it contains, what it never contains, and how it looks."""

from __future__ import annotations

import csv
import io
import json

from docx import Document
from docx.oxml.ns import qn

from app.extensions import db
from app.outcome import charts
from app.outcome.render import render
from deliberation.outcome import build_section
from tests.factories import general_thread, make_comment

BASE = "https://zhongyi.example.tw"


def _section(scene, actor=None, **kwargs):
    return build_section(db.session, scene.plan.id, actor=actor or scene.lead_staff, **kwargs)


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def test_docx_opens_with_headings_themes_table_charts_and_east_asian_fonts(scene):
    data = render(_section(scene), "docx", base_url=BASE)
    doc = Document(io.BytesIO(data))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    for expected in (
        "政策溝通成效",
        "一、參與概況",
        "二、意見主題與機關回應",
        "三、意見群體與共識意見",
        "四、計畫因應調整情形",
    ):
        assert expected in headings
    themes_table = next(t for t in doc.tables if t.rows[0].cells[0].text == "編號")
    keys = [row.cells[0].text for row in themes_table.rows[1:]]
    assert keys == ["T1", "T2"]
    assert themes_table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats per page
    assert len(doc.inline_shapes) == 3  # participation, theme sizes, stance
    for name, east_asia in (("Normal", "新細明體"), ("Heading 1", "標楷體"), ("Title", "標楷體")):
        rfonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert rfonts.get(qn("w:eastAsia")) == east_asia
        assert rfonts.get(qn("w:ascii")) == "Times New Roman"
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    text = docx_text(data)
    assert "採納" in text and "提高補助金額" in text and "充電站設置" in text
    rels = [r.target_ref for r in doc.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert f"{BASE}/comments/{scene.c['subsidy'].id}" in rels


def test_hidden_and_pending_text_never_reaches_any_export(scene):
    section = _section(scene)
    for fmt in ("md", "html", "json", "csv"):
        body = render(section, fmt, base_url=BASE).decode("utf-8-sig")
        assert "HIDDENSECRET" not in body and "PENDINGSECRET" not in body, fmt
    text = docx_text(render(section, "docx", base_url=BASE))
    assert "HIDDENSECRET" not in text and "PENDINGSECRET" not in text


def test_csv_and_json_list_visible_member_comments_only(scene):
    section = _section(scene)
    rows = list(csv.DictReader(io.StringIO(render(section, "csv").decode("utf-8-sig"))))
    by_key = {r["theme_key"]: r for r in rows}
    assert set(by_key) == {"T1", "T2"}
    members = {int(i) for i in by_key["T1"]["member_comment_ids"].split()}
    assert members == {scene.c["subsidy"].id, scene.c["reply"].id, scene.c["dcard"].id}
    assert by_key["T1"]["size"] == "3" and by_key["T1"]["disposition"] == "adopted"
    assert by_key["T2"]["response_published"] == "draft"
    data = json.loads(render(section, "json"))
    t1 = next(t for t in data["consultations"][0]["themes"] if t["key"] == "T1")
    assert set(t1["member_ids"]) == members
    assert scene.c["hidden"].id not in t1["member_ids"]
    assert data["consultations"][0]["figures"][0]["counts"]


def test_markdown_and_html_contain_every_theme_disposition_and_linked_quotes(scene):
    section = _section(scene)
    markdown = render(section, "md", base_url=BASE).decode()
    html = render(section, "html", base_url=BASE).decode()
    for body in (markdown, html):
        assert "提高補助金額" in body and "充電站設置" in body
        assert "採納" in body and "研議中" in body and "草稿" in body
        assert f"{BASE}/comments/{scene.c['subsidy'].id}" in body
        assert "雜訊" not in body  # the discarded theme
        assert "5,000" in body  # what changed in the plan
    assert f"[留言 \\#{scene.c['subsidy'].id}]({BASE}/comments/{scene.c['subsidy'].id})" in markdown
    assert "@media print" in html and html.startswith("<!doctype html>")
    assert "data:image/svg+xml;base64," in html  # charts travel inside the file


def test_the_reviewers_export_shows_published_responses_only_and_says_so(scene):
    markdown = render(_section(scene, scene.reviewer), "md").decode()
    assert "DRAFTREASON" not in markdown and "（草稿）" not in markdown
    assert "本版本僅列已發布之機關回應" in markdown


def test_a_stale_snapshot_is_labelled_stale_in_every_format(scene):
    make_comment(general_thread(scene.consultation), body="分析完成後才出現的留言")
    section = _section(scene)
    for fmt in ("md", "html"):
        assert "分析快照已過時" in render(section, fmt).decode(), fmt
    assert "分析快照已過時" in docx_text(render(section, "docx"))
    data = json.loads(render(section, "json"))
    assert data["stale"] is True and data["consultations"][0]["run"]["stale"] is True
    rows = list(csv.DictReader(io.StringIO(render(section, "csv").decode("utf-8-sig"))))
    assert {r["run_stale"] for r in rows} == {"stale"}


def test_a_fresh_snapshot_is_not_labelled_stale(scene):
    section = _section(scene)
    assert "分析快照已過時" not in render(section, "md").decode()


def test_the_english_section_has_english_headings(scene):
    markdown = render(_section(scene, lang="en"), "md").decode()
    assert "# Outcome of public consultation" in markdown and "Adopted" in markdown


def test_charts_render_as_svg_and_png(scene):
    section = _section(scene)
    names = [name for name, _ in charts.chart_names(section)]
    assert names == [
        "participation",
        f"themes-{scene.consultation.id}",
        f"stance-{scene.consultation.id}",
    ]
    for name in names:
        assert charts.render(section, name, "svg").lstrip().startswith(b"<?xml")
        assert charts.render(section, name, "png").startswith(b"\x89PNG")
    assert charts.render(section, "themes-999999", "svg") is None
