"""Renderers of the outcome section: Markdown, HTML (a printable standalone page), JSON, CSV.
DOCX is in docx_export.py. Each takes the section built by deliberation.outcome and only formats
it; links to comments are `base_url + /comments/<id>`."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

from flask import render_template
from markupsafe import Markup

from deliberation.exports import csv_dict_text
from deliberation.outcome import (
    ConsultationOutcome,
    OutcomeSection,
    Quote,
    Statement,
    ThemeOut,
    themes_rows,
)

from . import charts

FORMATS = ("docx", "md", "html", "json", "csv")
MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}
CSS_FILE = Path(__file__).resolve().parent.parent / "static" / "css" / "outcome.css"
CSV_FIELDS = (
    "consultation_id",
    "run_id",
    "run_stale",
    "theme_key",
    "label",
    "size",
    "agree",
    "disagree",
    "pass",
    "disposition",
    "response_published",
    "quote_comment_ids",
    "member_comment_ids",
)


def render(section: OutcomeSection, fmt: str, *, base_url: str = "") -> bytes:
    """The section in one export format, as bytes."""
    if fmt == "md":
        return to_markdown(section, base_url=base_url).encode()
    if fmt == "html":
        return to_html(section, base_url=base_url).encode()
    if fmt == "json":
        return to_json(section).encode()
    if fmt == "csv":
        return to_csv(section).encode("utf-8-sig")  # the BOM lets Excel read the CJK text
    if fmt == "docx":
        from .docx_export import to_docx

        return to_docx(section, base_url=base_url)
    raise ValueError(fmt)


def to_json(section: OutcomeSection) -> str:
    return json.dumps(section.to_dict(), ensure_ascii=False, indent=2)


def to_csv(section: OutcomeSection) -> str:
    return csv_dict_text(CSV_FIELDS, themes_rows(section))  # the one CSV writer


# ---- Markdown ---------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|!~])")


def md(value: Any) -> str:
    """User or data text as literal Markdown (one line, markup characters escaped)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _link(section: OutcomeSection, item: Quote | Statement, base_url: str) -> str:
    return f"[{md(section.t('comment_ref', id=item.comment_id))}]({base_url}{item.permalink})"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(md(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
    return lines + [""]


def imported_table(section: OutcomeSection) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the imported-posts table (per consultation and platform)."""
    t = section.t
    header = [
        t("consultation"),
        t("platform"),
        t("imported_comments"),
        t("imported_participants"),
        t("counts"),
    ]
    rows: list[list[Any]] = [
        [c.title, p.platform, p.comments, p.participants, p.counts]
        for c in section.consultations
        for p in c.imported
    ]
    return header, rows


def figures_table(section: OutcomeSection) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the participation table: one column per consultation, the plan total
    when there are several, and what each figure counts."""
    many = len(section.consultations) > 1
    header = [section.t("figure")] + [c.title for c in section.consultations]
    header += [section.t("total")] if many else []
    header += [section.t("counts")]
    rows = []
    for i, total in enumerate(section.totals):
        row: list[Any] = [total.label] + [c.figures[i].value for c in section.consultations]
        row += [total.value] if many else []
        rows.append(row + [total.counts])
    return header, rows


def stance_text(section: OutcomeSection, theme: ThemeOut) -> str:
    s = theme.stance
    sep = "／" if section.lang == "zh-TW" else " / "
    return sep.join(f"{section.t(k)} {s.get(k, 0)}" for k in ("agree", "disagree", "pass"))


def disposition_text(section: OutcomeSection, theme: ThemeOut) -> str:
    r = theme.response
    if r is None:
        return section.t("no_response")
    if r.published:
        return r.disposition_label
    return (
        f"{r.disposition_label}（{section.t('draft')}）"
        if section.lang == "zh-TW"
        else f"{r.disposition_label} ({section.t('draft')})"
    )


def themes_table(
    section: OutcomeSection, c: ConsultationOutcome
) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a consultation's theme table: one row per theme."""
    t = section.t
    header = [
        t("key"),
        t("theme"),
        t("size"),
        t("agree"),
        t("disagree"),
        t("pass"),
        t("disposition"),
    ]
    rows = [
        [
            th.key,
            th.label,
            th.size,
            th.stance.get("agree", 0),
            th.stance.get("disagree", 0),
            th.stance.get("pass", 0),
            disposition_text(section, th),
        ]
        for th in c.themes
    ]
    return header, rows


def quote_notes(section: OutcomeSection, quote: Quote) -> list[str]:
    """What a quote is besides its text: pinned by the curators, imported from a platform."""
    notes = []
    if quote.pinned:
        notes.append(section.t("pinned"))
    if quote.platform:
        notes.append(section.t("from_platform", platform=quote.platform))
    return notes


def response_details(section: OutcomeSection, theme: ThemeOut) -> list[tuple[str, str]]:
    """The response's reasoning, responsible unit and due date, only those that are filled."""
    r = theme.response
    if r is None:
        return []
    details = [
        (section.t("reasoning"), r.reasoning_text),
        (section.t("responsible_unit"), r.responsible_unit),
        (section.t("due_date"), r.due_date or ""),
    ]
    return [(label, value) for label, value in details if value]


def to_markdown(section: OutcomeSection, *, base_url: str = "") -> str:
    t = section.t
    lines: list[str] = [f"# {md(t('title'))}", ""]
    if section.stale:
        lines += [f"> **{md(t('stale'))}** {md(t('stale_note'))}", ""]
    lines += [
        f"- {md(t('plan'))}：{md(section.plan_title)}",
        f"- {md(t('lead_agency'))}：{md(section.lead_agency)}",
    ]
    if section.co_agencies:
        lines.append(f"- {md(t('co_agencies'))}：{md('、'.join(section.co_agencies))}")
    lines += [f"- {md(t('generated_at'))}：{md(section.generated_label)}", ""]
    lines += [f"*{md(section.audience_note)}*", ""]

    lines += [f"## {md(t('h_participation'))}", "", f"### {md(t('h_process'))}", ""]
    lines += _table(
        [t("consultation"), t("agency"), t("period"), t("channels")],
        [
            [c.title, c.agency, c.period or "—", "；".join(ch.label for ch in c.channels)]
            for c in section.consultations
        ],
    )
    lines += [f"### {md(t('h_figures'))}", ""]
    header, rows = figures_table(section)
    lines += _table(header, rows)
    lines += [f"### {md(t('h_imported'))}", ""]
    header, imported = imported_table(section)
    if imported:
        lines += _table(header, imported)
    else:
        lines += [md(t("none")), ""]
    lines += [f"### {md(t('h_per_day'))}", "", md(t("c_per_day")), ""]
    lines += _table(
        [t("date"), t("comments"), t("replies"), t("imported"), t("votes")],
        [[d.date, d.comments, d.replies, d.imported, d.votes] for d in section.per_day],
    )

    lines += [f"## {md(t('h_themes'))}", ""]
    for c in section.consultations:
        lines += _consultation_themes_md(section, c, base_url)

    lines += [f"## {md(t('h_groups'))}", ""]
    for c in section.consultations:
        lines += [f"### {md(c.title)}", ""]
        if not c.groups and not c.consensus:
            lines += [md(t("no_groups")), ""]
        for g in c.groups:
            lines += [f"#### {md(g.label)}（{md(t('group_size', n=g.size))}）", ""]
            lines += [f"- {md(s.text)} — {_link(section, s, base_url)}" for s in g.statements]
            lines += [""]
        if c.consensus:
            lines += [f"#### {md(t('consensus'))}", ""]
            for s in c.consensus:
                word = (
                    t("consensus_disagree") if s.direction == "disagree" else t("consensus_agree")
                )
                lines.append(f"- {md(word)}：{md(s.text)} — {_link(section, s, base_url)}")
            lines += [""]

    lines += [f"## {md(t('h_changes'))}", ""]
    for paragraph in section.changes_paragraphs or [t("no_changes")]:
        lines += [md(paragraph), ""]
    lines += [f"## {md(t('h_notes'))}", ""]
    lines += [f"- {md(n)}" for n in section.notes] + [""]
    return "\n".join(lines)


def _consultation_themes_md(
    section: OutcomeSection, c: ConsultationOutcome, base_url: str
) -> list[str]:
    t = section.t
    lines = [f"### {md(t('consultation'))}：{md(c.title)}", ""]
    if c.run is None:
        return lines + [md(t("no_run")), ""]
    lines += [f"{md(t('run'))}：{md(c.run.summary)}", ""]
    if c.run.stale:
        lines += [f"> **{md(t('stale'))}** {md(t('stale_note'))}", ""]
    if not c.themes:
        return lines + [md(t("no_themes")), ""]
    lines += _table(*themes_table(section, c))
    for th in c.themes:
        lines += [f"#### {md(th.key)} {md(th.label)}", ""]
        if th.keywords:
            lines.append(f"- {md(t('keywords'))}：{md('、'.join(th.keywords))}")
        lines.append(f"- {md(t('size'))}：{th.size}（{md(th.size_counts)}）")
        lines.append(
            f"- {md(t('stance'))}：{md(stance_text(section, th))}（{md(th.stance_counts)}）"
        )
        if th.quotes:
            lines.append(f"- {md(t('quotes'))}：")
            for q in th.quotes:
                extra = quote_notes(section, q)
                suffix = f"（{md('、'.join(extra))}）" if extra else ""
                lines.append(f"  - 「{md(q.text)}」 — {_link(section, q, base_url)}{suffix}")
        lines.append(f"- {md(t('disposition'))}：{md(disposition_text(section, th))}")
        for label, value in response_details(section, th):
            lines.append(f"- {md(label)}：{md(value)}")
        lines.append("")
    return lines


# ---- HTML -------------------------------------------------------------------------------------


def section_context(section: OutcomeSection, *, base_url: str, chart_src) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What the section template needs (shared by the page and the standalone export)."""
    header, rows = figures_table(section)
    return {
        "s": section,
        "t": section.t,
        "base_url": base_url,
        "figures_header": header,
        "figures_rows": rows,
        "charts": charts.chart_names(section),
        "chart_src": chart_src,
        "stance_text": lambda th: stance_text(section, th),
        "disposition_text": lambda th: disposition_text(section, th),
    }


def to_html(section: OutcomeSection, *, base_url: str = "") -> str:
    """A standalone printable page: the CSS inline and the charts as data: URIs, so the file
    reads the same offline and prints on A4."""

    def chart_src(name: str) -> str:
        data = charts.render(section, name, "svg") or b""
        return "data:image/svg+xml;base64," + base64.b64encode(data).decode()

    # Our own static stylesheet (never user input) goes into the <style> element as is.
    css = Markup(CSS_FILE.read_text(encoding="utf-8"))
    return render_template(
        "outcome/standalone.html",
        css=css,
        **section_context(section, base_url=base_url, chart_src=chart_src),
    )
