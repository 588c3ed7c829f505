"""The 民調與代表性 subsection of the 政策溝通成效 section: in every export format, with the
weighted figures or the reason they are missing."""

from __future__ import annotations

import io
import json

import pytest
from docx import Document

from app.extensions import db
from app.outcome.render import render
from deliberation.outcome import build_section
from tests.outcome.helpers import make_plan
from tests.outcome.test_exports import docx_text

from .helpers import answer, make_poll

BASE = "https://zhongyi.example.tw"


@pytest.fixture
def plan(session, make_consultation, make_user, make_agency):
    agency = make_agency()
    staff = make_user("staff", agency=agency)
    consultation = make_consultation(staff=staff, title="公車路網諮詢")
    poll = make_poll(consultation, staff)
    people = [("18-39", "男", False)] * 2 + [("40+", "女", True)] * 3
    people += [("18-39", "女", True), ("40+", "男", False)]
    for age, gender, yes in people:
        answer(poll, make_user(), yes=yes, age=age, gender=gender)
    return make_plan(agency, [consultation]), staff


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_the_poll_subsection_is_in_every_document_format(app, plan, fmt):
    plan, staff = plan
    section = build_section(db.session, plan.id, actor=staff)
    data = render(section, fmt, base_url=BASE)
    text = docx_text(data) if fmt == "docx" else data.decode()
    assert "（五）民調與代表性" in text
    assert "Quick poll on the draft" in text and "共 7 人填答" in text
    assert "設計效應" in text and "有效樣本數" in text
    assert "參與者與母體比較" in text and "40.0%" in text  # the population share of 18-39


def test_the_representativeness_chart_is_drawn_in_html_and_docx(app, plan):
    plan, staff = plan
    section = build_section(db.session, plan.id, actor=staff)
    html = render(section, "html", base_url=BASE).decode()
    polls_part = html[html.index("outcome-polls") :]
    assert (
        'alt="參與者與母體比較（%）"' in polls_part and "data:image/svg+xml;base64," in polls_part
    )
    doc = Document(io.BytesIO(render(section, "docx", base_url=BASE)))
    titles = [shape._inline.docPr.get("title") for shape in doc.inline_shapes]
    assert "參與者與母體比較（%）" in titles


def test_the_subsection_says_why_weighting_is_missing_in_english(
    app, session, make_consultation, make_user, make_agency
):
    agency = make_agency()
    staff = make_user("staff", agency=agency)
    consultation = make_consultation(staff=staff)
    poll = make_poll(consultation, staff)
    answer(poll, make_user(), age="40+", gender="女")  # nobody aged 18-39
    plan = make_plan(agency, [consultation])
    section = build_section(db.session, plan.id, actor=staff, lang="en")
    data = json.loads(render(section, "json"))
    (block,) = data["polls"]
    assert "No weighted results: no respondent has 18-39 in age." in block["paragraphs"]
