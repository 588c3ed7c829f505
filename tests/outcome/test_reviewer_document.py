"""The section as an official would check it (issue 15): the draft notice exactly when an
unpublished response is in it, the published version by default once the plan is submitted,
a DOCX laid out as a Taiwanese plan document, and charts drawn in Chinese or refused."""

from __future__ import annotations

import copy
import io
import json
import re

import matplotlib
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from app.extensions import db
from app.outcome import charts, fonts
from app.outcome.render import render
from deliberation.models import ThemeResponse, utcnow
from deliberation.outcome import build_section
from tests.factories import login

BASE = "https://zhongyi.example.tw"
DRAFT_NOTICE = "本版本包含尚未發布之機關回應"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _publish_everything() -> None:
    for row in db.session.query(ThemeResponse):
        row.published_at = row.published_at or utcnow()
    db.session.commit()


def _surfaces(client, plan_id: int, query: str = "") -> dict[str, str]:
    """The section as every surface a person downloads or reads it."""
    out = {"page": client.get(f"/plans/{plan_id}/outcome{query}").get_data(as_text=True)}
    for fmt in ("md", "html", "json"):
        out[fmt] = client.get(f"/plans/{plan_id}/outcome.{fmt}{query}").get_data(as_text=True)
    doc = Document(io.BytesIO(client.get(f"/plans/{plan_id}/outcome.docx{query}").data))
    out["docx"] = "\n".join(p.text for p in doc.paragraphs)
    out["api"] = json.dumps(
        client.get(f"/api/v1/plans/{plan_id}/outcome{query}").get_json(), ensure_ascii=False
    )
    return out


# ---- the draft notice ---------------------------------------------------------------------


def test_no_draft_notice_on_any_surface_when_every_response_is_published(client, scene):
    _publish_everything()
    login(client, scene.lead_staff)
    for name, body in _surfaces(client, scene.plan.id).items():
        assert DRAFT_NOTICE not in body, name
        assert "（草稿）" not in body, name
    data = client.get(f"/api/v1/plans/{scene.plan.id}/outcome").get_json()
    assert data["include_drafts"] is False


def test_the_draft_notice_appears_on_every_surface_when_a_draft_is_included(client, scene):
    login(client, scene.lead_staff)
    for name, body in _surfaces(client, scene.plan.id).items():
        assert DRAFT_NOTICE in body, name
        assert "DRAFTREASON" in body, name
    assert client.get(f"/api/v1/plans/{scene.plan.id}/outcome").get_json()["include_drafts"]


def test_a_submitted_plan_downloads_the_published_version_by_default(client, scene):
    scene.plan.status = "submitted"
    db.session.commit()
    login(client, scene.lead_staff)
    for name, body in _surfaces(client, scene.plan.id).items():
        assert DRAFT_NOTICE not in body and "DRAFTREASON" not in body, name
    # the plan page's own download link is that default
    plan_page = client.get(f"/plans/{scene.plan.id}").get_data(as_text=True)
    assert f'href="/plans/{scene.plan.id}/outcome.docx"' in plan_page
    # the agency can still ask for its internal version, which says so
    for name, body in _surfaces(client, scene.plan.id, "?drafts=1").items():
        assert DRAFT_NOTICE in body and "DRAFTREASON" in body, name


def test_an_accepted_plan_and_the_cli_default_to_the_published_version(app, scene, tmp_path):
    scene.plan.status = "accepted"
    db.session.commit()
    section = build_section(db.session, scene.plan.id, actor=scene.lead_staff)
    assert section.include_drafts is False and DRAFT_NOTICE not in section.audience_note
    out = tmp_path / "o.md"
    result = app.test_cli_runner().invoke(
        args=["plans", "export-outcome", str(scene.plan.id), "--format", "md", "--out", str(out)]
    )
    assert result.exit_code == 0 and DRAFT_NOTICE not in out.read_text()


# ---- the DOCX as an official reads it --------------------------------------------------------


@pytest.fixture
def docx(scene):
    section = build_section(db.session, scene.plan.id, actor=scene.lead_staff)
    return section, Document(io.BytesIO(render(section, "docx", base_url=BASE)))


def test_docx_headings_are_numbered_the_official_way(docx):
    _, doc = docx
    by_level: dict[int, list[str]] = {1: [], 2: [], 3: []}
    for p in doc.paragraphs:
        if p.style.name.startswith("Heading "):
            by_level[int(p.style.name.split()[-1])].append(p.text)
    assert [h[:2] for h in by_level[1]] == ["一、", "二、", "三、", "四、", "五、"]
    assert by_level[2] and all(re.match(r"（[一二三四五六七八九十]+）", h) for h in by_level[2])
    assert by_level[3] and all(re.match(r"\d+\. ", h) for h in by_level[3])
    assert "（一）諮詢案：數位治理草案諮詢" in by_level[2]


def test_docx_declares_east_asian_fonts_a4_and_zh_tw(docx):
    _, doc = docx
    for name in ("Normal", "Heading 1", "Heading 2", "Caption", "Quote"):
        rfonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert rfonts is not None and rfonts.get(qn("w:eastAsia")) in ("新細明體", "標楷體"), name
    lang = doc.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-TW"
    for section in doc.sections:
        assert abs(section.page_width - Cm(21.0)) < Cm(0.05)
        assert abs(section.page_height - Cm(29.7)) < Cm(0.05)


def test_every_docx_table_repeats_its_header_row(docx):
    _, doc = docx
    assert doc.tables
    for table in doc.tables:
        trpr = table.rows[0]._tr.trPr
        assert trpr is not None and trpr.find(qn("w:tblHeader")) is not None


def test_every_docx_chart_has_a_numbered_caption_and_alt_text(docx):
    section, doc = docx
    titles = [title for _, title in charts.chart_names(section)]
    shapes = doc.inline_shapes
    assert len(shapes) == len(titles) == 3
    described = [s._inline.docPr.get("descr") for s in shapes]
    assert described == titles
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions == [f"圖{i}　{t}" for i, t in enumerate(titles, start=1)]


def test_every_docx_quote_is_traceable_to_its_comment(docx):
    section, doc = docx
    links = {
        rel.target_ref
        for rel in doc.part.rels.values()
        if rel.reltype.endswith("/hyperlink") and rel.is_external
    }
    xml = doc.element.xml
    quoted = [q.comment_id for c in section.consultations for t in c.themes for q in t.quotes]
    quoted += [s.comment_id for c in section.consultations for g in c.groups for s in g.statements]
    assert quoted
    for comment_id in quoted:
        assert f"{BASE}/comments/{comment_id}" in links, comment_id
        assert f"留言 #{comment_id}" in xml, comment_id


# ---- charts in Chinese, or none ---------------------------------------------------------------


def test_chart_words_are_drawn_with_a_font_that_has_their_chinese_glyphs(scene):
    section = build_section(db.session, scene.plan.id, actor=scene.lead_staff)
    checked = 0
    for name, _ in charts.chart_names(section):
        fig = charts.figure(section, name)
        FigureCanvasAgg(fig).draw()  # lay out and draw, as saving does
        for artist in fig.findobj(Text):
            chinese = "".join(CJK.findall(artist.get_text()))
            if not chinese or not artist.get_visible():
                continue
            # the file matplotlib actually draws this text with
            path = font_manager.findfont(artist.get_fontproperties(), fallback_to_default=False)
            assert fonts.has_glyphs(path, chinese), (artist.get_text(), path)
            checked += 1
    assert checked >= 6  # titles, axis words, legends and theme labels


def test_without_a_chinese_font_charts_are_refused_with_a_clear_error(client, scene, monkeypatch):
    monkeypatch.setattr(fonts, "check", lambda: fonts.FontCheck(None, None, rebuilt=False))
    login(client, scene.lead_staff)
    chart = client.get(f"/plans/{scene.plan.id}/outcome/charts/participation.svg")
    assert chart.status_code == 503
    api = client.get(f"/api/v1/plans/{scene.plan.id}/outcome?format=docx")
    assert api.status_code == 503
    error = api.get_json()["error"]
    assert error["code"] == "chart_font_missing" and "fonts-noto-cjk" in error["message"]
    docx = client.get(f"/plans/{scene.plan.id}/outcome.docx?lang=en")
    assert docx.status_code == 503 and "fonts-noto-cjk" in docx.get_data(as_text=True)
    # formats without charts still work
    assert client.get(f"/plans/{scene.plan.id}/outcome.md").status_code == 200


@pytest.fixture
def fresh_font_check():
    fonts.check.cache_clear()
    yield
    fonts.check.cache_clear()


def test_a_font_installed_after_the_cache_was_built_is_found(
    monkeypatch, tmp_path, fresh_font_check
):
    """matplotlib's cache was built before fonts-noto-cjk came: the check adds the new files,
    finds the Chinese font and writes the cache again."""
    stale = copy.copy(font_manager.fontManager)
    stale.ttflist = [e for e in font_manager.fontManager.ttflist if not fonts.has_glyphs(e.fname)]
    monkeypatch.setattr(font_manager, "fontManager", stale)
    monkeypatch.setattr(matplotlib, "get_cachedir", lambda: str(tmp_path))
    found = fonts.check()
    assert found.ok and found.rebuilt and fonts.has_glyphs(found.path)
    assert list(tmp_path.glob("fontlist-v*.json"))  # the next start finds it at once


def test_doctor_prints_each_check_and_what_is_missing(app, monkeypatch):
    result = app.test_cli_runner().invoke(args=["doctor"])
    lines = result.output.splitlines()
    for name in ("fonts", "database", "redis", "mail", "jobs"):
        assert any(line.split()[1:2] == [name] for line in lines if line.strip()), name
    assert any(line.startswith("ok") and " fonts " in line for line in lines)
    monkeypatch.setattr(fonts, "check", lambda: fonts.FontCheck(None, None, rebuilt=False))
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1
    assert "MISSING fonts" in result.output and "apt-get install fonts-noto-cjk" in result.output


def test_dates_are_minguo_in_zh_tw_documents_and_iso_in_json(scene):
    section = build_section(db.session, scene.plan.id, actor=scene.lead_staff)
    markdown = render(section, "md").decode()
    data = json.loads(render(section, "json"))
    (c,) = data["consultations"]
    t2 = next(t for t in c["themes"] if t["key"] == "T2")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", t2["response"]["due_date"])
    assert re.fullmatch(r"1\d\d年\d+月\d+日", t2["response"]["due_date_label"])
    assert t2["response"]["due_date_label"] in markdown
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d["date"]) for d in data["per_day"])
    assert re.search(r"\| 1\d\d年\d+月\d+日 \|", markdown)  # the per-day table
    assert not re.search(r"\| \d{4}-\d{2}-\d{2} \|", markdown)
    assert c["opens_at"].startswith("20") and "年" in c["period"]
    csv_text = render(section, "csv").decode("utf-8-sig")
    assert "年" not in csv_text.splitlines()[0]
