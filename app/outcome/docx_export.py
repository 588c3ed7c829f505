"""The outcome section as a Word document laid out like a Taiwanese government plan: A4, headings
in 標楷體 and body in 新細明體 (East-Asian fonts set through w:eastAsia, Times New Roman for
Latin text), tables with repeating header rows, charts embedded as PNG."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from deliberation.outcome import ConsultationOutcome, OutcomeSection
from deliberation.polls.outcome import word as poll_word

from ..focus_groups.outcome_export import add_focus_group
from ..polls import charts as poll_charts
from . import charts
from .tables import (
    disposition_text,
    figures_table,
    imported_table,
    numbered,
    quote_notes,
    response_details,
    stance_text,
    themes_table,
)

BODY_FONT = "新細明體"
HEADING_FONT = "標楷體"
LATIN_FONT = "Times New Roman"


def _fonts(style_or_run: Any, east_asia: str, size: float | None = None) -> None:
    """Latin and East-Asian fonts on a style or run (python-docx sets only w:ascii/w:hAnsi)."""
    font = style_or_run.font
    font.name = LATIN_FONT
    if size:
        font.size = Pt(size)
    element = style_or_run.element
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)  # a theme font would override the named one
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _setup(doc: Any) -> None:
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.top_margin = section.bottom_margin = Cm(2.54)
        section.left_margin = section.right_margin = Cm(2.54)
    normal = doc.styles["Normal"]
    _fonts(normal, BODY_FONT, 12)
    normal.paragraph_format.line_spacing = 1.25
    for name, size in (("Title", 20), ("Heading 1", 16), ("Heading 2", 14), ("Heading 3", 13)):
        style = doc.styles[name]
        _fonts(style, HEADING_FONT, size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
    quote = doc.styles["Quote"]
    _fonts(quote, BODY_FONT, 11)
    caption = doc.styles["Caption"]
    _fonts(caption, BODY_FONT, 10)
    caption.font.color.rgb = RGBColor(0, 0, 0)
    # The document's language for East-Asian text, so Word checks and lays it out as zh-TW.
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-TW")
    normal.element.get_or_add_rPr().append(lang)


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    trpr.append(flag)


def _table(
    doc: Any, header: list[str], rows: list[list[Any]], widths: list[float] | None = None
) -> Any:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    _repeat_header(head)
    for cell, value in zip(head.cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(value))
        run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = str(value)
            if isinstance(value, int):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if widths:
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
    doc.add_paragraph()
    return table


def _hyperlink(paragraph: Any, url: str, label: str) -> None:
    """A clickable link (python-docx has no API for it): a relationship plus w:hyperlink."""
    if not url.startswith(("http://", "https://")):
        paragraph.add_run(f"{label}（{url}）")
        return
    rel = paragraph.part.relate_to(
        url,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
        is_external=True,
    )
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "1F5F8B")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    rpr.append(color)
    rpr.append(underline)
    run.append(rpr)
    text = OxmlElement("w:t")
    text.text = label
    run.append(text)
    link.append(run)
    paragraph._p.append(link)


def _chart(doc: Any, section: OutcomeSection, name: str, title: str, number: int) -> bool:
    """A chart as a picture with alt text (its title, for screen readers and Word's
    accessibility check) and a numbered caption under it (圖1　…). False when there is none."""
    data = charts.render(section, name, "png")
    if not data:
        return False
    shape = doc.add_picture(io.BytesIO(data), width=Cm(15.5))
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", title)
    doc_pr.set("title", title)
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    label = f"圖{number}　{title}" if section.lang == "zh-TW" else f"Figure {number}. {title}"
    caption = doc.add_paragraph(label, style="Caption")
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return True


def _stale(doc: Any, section: OutcomeSection) -> None:
    p = doc.add_paragraph()
    run = p.add_run(section.t("stale"))
    run.bold = True
    run.font.color.rgb = RGBColor(0xB3, 0x26, 0x1E)
    p.add_run(section.t("stale_note"))


def to_docx(section: OutcomeSection, *, base_url: str = "") -> bytes:
    t = section.t
    doc = Document()
    _setup(doc)
    doc.core_properties.title = f"{t('title')} · {section.plan_title}"
    doc.core_properties.language = section.lang

    doc.add_heading(t("title"), level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    if section.stale:
        _stale(doc, section)
    meta = [
        [t("plan"), section.plan_title],
        [t("lead_agency"), section.lead_agency],
    ]
    if section.co_agencies:
        meta.append([t("co_agencies"), "、".join(section.co_agencies)])
    if section.plan_period:
        meta.append([t("plan_period"), section.plan_period])
    meta.append([t("generated_at"), section.generated_label])
    for label, value in meta:
        p = doc.add_paragraph()
        p.add_run(f"{label}：").bold = True
        p.add_run(value)
    doc.add_paragraph(section.audience_note).runs[0].italic = True

    doc.add_heading(t("h_participation"), level=1)
    doc.add_heading(t("h_process"), level=2)
    _table(
        doc,
        [t("consultation"), t("agency"), t("period"), t("channels")],
        [
            [c.title, c.agency, c.period or "—", "\n".join(ch.label for ch in c.channels)]
            for c in section.consultations
        ],
    )
    doc.add_heading(t("h_figures"), level=2)
    header, rows = figures_table(section)
    _table(doc, header, rows)
    doc.add_heading(t("h_imported"), level=2)
    header, imported = imported_table(section)
    if imported:
        _table(doc, header, imported)
    else:
        doc.add_paragraph(t("none"))
    doc.add_heading(t("h_per_day"), level=2)
    doc.add_paragraph(t("c_per_day"))
    figure_numbers = iter(range(1, 1000))
    for name, title in charts.chart_names(section):
        if name == "participation":
            _chart(doc, section, name, title, next(figure_numbers))
    _polls(doc, section)
    add_focus_group(doc, section, base_url, _table, _hyperlink)  # 座談會 (issue 18)

    doc.add_heading(t("h_themes"), level=1)
    for i, c in enumerate(section.consultations, start=1):
        _themes(doc, section, c, base_url, i, figure_numbers)

    doc.add_heading(t("h_groups"), level=1)
    for i, c in enumerate(section.consultations, start=1):
        doc.add_heading(numbered(section, c.title, 3, i), level=2)
        if not c.groups and not c.consensus:
            doc.add_paragraph(t("no_groups"))
        for j, g in enumerate(c.groups, start=1):
            heading = t("group_heading", label=g.label, size=t("group_size", n=g.size))
            doc.add_heading(numbered(section, heading, 3, i, j), level=3)
            for s in g.statements:
                p = doc.add_paragraph(f"「{s.text}」 ", style="List Bullet")
                _hyperlink(p, base_url + s.permalink, t("comment_ref", id=s.comment_id))
        if c.consensus:
            doc.add_heading(numbered(section, t("consensus"), 3, i, len(c.groups) + 1), level=3)
            for s in c.consensus:
                word = (
                    t("consensus_disagree") if s.direction == "disagree" else t("consensus_agree")
                )
                p = doc.add_paragraph(f"{word}：「{s.text}」 ", style="List Bullet")
                _hyperlink(p, base_url + s.permalink, t("comment_ref", id=s.comment_id))

    doc.add_heading(t("h_changes"), level=1)
    for paragraph in section.changes_paragraphs or [t("no_changes")]:
        doc.add_paragraph(paragraph)

    doc.add_heading(t("h_notes"), level=1)
    for note in section.notes:
        doc.add_paragraph(note, style="List Bullet")

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _themes(
    doc: Any,
    section: OutcomeSection,
    c: ConsultationOutcome,
    base_url: str,
    position: int,
    figure_numbers: Iterator[int],
) -> None:
    t = section.t
    doc.add_heading(numbered(section, f"{t('consultation')}：{c.title}", 2, position), level=2)
    if c.run is None:
        doc.add_paragraph(t("no_run"))
        return
    doc.add_paragraph(f"{t('run')}：{c.run.summary}")
    if c.run.stale:
        _stale(doc, section)
    if not c.themes:
        doc.add_paragraph(t("no_themes"))
        return
    _table(
        doc,
        *themes_table(section, c),
        widths=[1.4, 5.2, 1.6, 1.4, 1.4, 1.4, 2.6],
    )
    doc.add_paragraph(t("theme_table_note"))
    for name, title in charts.chart_names(section):
        if name in (f"themes-{c.id}", f"stance-{c.id}"):
            _chart(doc, section, name, title, next(figure_numbers))
    for k, th in enumerate(c.themes, start=1):
        doc.add_heading(numbered(section, f"{th.key} {th.label}", 2, position, k), level=3)
        if th.keywords:
            doc.add_paragraph(f"{t('keywords')}：{'、'.join(th.keywords)}")
        doc.add_paragraph(f"{t('size')}：{th.size}（{th.size_counts}）")
        doc.add_paragraph(f"{t('stance')}：{stance_text(section, th)}（{th.stance_counts}）")
        if th.quotes:
            doc.add_paragraph(f"{t('quotes')}：")
            for q in th.quotes:
                p = doc.add_paragraph(f"「{q.text}」 ", style="Quote")
                _hyperlink(p, base_url + q.permalink, t("comment_ref", id=q.comment_id))
                extra = quote_notes(section, q)
                if extra:
                    p.add_run(f"（{'、'.join(extra)}）")
        p = doc.add_paragraph()
        p.add_run(f"{t('disposition')}：").bold = True
        p.add_run(disposition_text(section, th))
        for label, value in response_details(section, th):
            p = doc.add_paragraph()
            p.add_run(f"{label}：").bold = True
            p.add_run(value)


def _polls(doc: Any, section: OutcomeSection) -> None:
    """民調與代表性 (deliberation/polls/outcome.py): per consultation, paragraphs and tables."""
    if not section.polls:
        return
    doc.add_heading(poll_word(section.lang, "heading"), level=2)
    for block in section.polls:
        doc.add_heading(block.title, level=3)
        for paragraph in block.paragraphs:
            doc.add_paragraph(paragraph)
        for table in block.tables:
            doc.add_paragraph(table.caption).runs[0].italic = True
            _table(doc, table.header, table.rows)
        data = poll_charts.render(block, section.lang, "png")
        if data:
            title = poll_word(section.lang, "chart")
            shape = doc.add_picture(io.BytesIO(data), width=Cm(15.5))
            shape._inline.docPr.set("descr", title)
            shape._inline.docPr.set("title", title)
