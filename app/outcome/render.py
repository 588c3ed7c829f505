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
from flask_babel import force_locale
from markupsafe import Markup

from deliberation.exports import csv_dict_text
from deliberation.outcome import (
    ConsultationOutcome,
    OutcomeSection,
    Quote,
    Statement,
    themes_rows,
)
from deliberation.polls.outcome import word as poll_word

from ..focus_groups.outcome_export import markdown_lines as focus_group_markdown
from ..plans import messages as plan_messages
from ..polls import charts as poll_charts
from . import charts
from .docx_export import to_docx
from .tables import (
    disposition_text,
    figures_table,
    format_day,
    imported_table,
    numbered,
    per_day_rows,
    quote_notes,
    response_details,
    stance_text,
    themes_table,
)

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
        return to_docx(section, base_url=base_url)
    raise ValueError(fmt)


def json_dict(section: OutcomeSection) -> dict[str, Any]:
    """The section as JSON data (ISO dates; the participation_* figures; the reviewer's
    checklist with each item's `passed` and its `reason` in the section's language)."""
    data = section.to_dict()
    locale = "en" if section.lang == "en" else "zh_TW"
    with force_locale(locale):
        data["checklist"] = [
            {
                "key": item["key"],
                "title": plan_messages.label(plan_messages.CHECKS, item["key"]),
                "passed": bool(item["passed"]),
                "reason": plan_messages.reason_text(item["reason"], item.get("params")),
                "reason_code": item["reason"],
                "params": item.get("params") or {},
                "link_hint": item.get("link_hint") or {},
            }
            for item in section.checklist
        ]
    return data


def to_json(section: OutcomeSection) -> str:
    return json.dumps(json_dict(section), ensure_ascii=False, indent=2)


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
    if section.plan_period:
        lines.append(f"- {md(t('plan_period'))}：{md(section.plan_period)}")
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
    lines += _table(*per_day_rows(section))
    lines += _polls_md(section)
    lines += focus_group_markdown(section, base_url, md, _table)  # 座談會 (issue 18)

    lines += [f"## {md(t('h_themes'))}", ""]
    for i, c in enumerate(section.consultations, start=1):
        lines += _consultation_themes_md(section, c, base_url, i)

    lines += [f"## {md(t('h_groups'))}", ""]
    for i, c in enumerate(section.consultations, start=1):
        lines += [f"### {md(numbered(section, c.title, 3, i))}", ""]
        if not c.groups and not c.consensus:
            lines += [md(t("no_groups")), ""]
        for j, g in enumerate(c.groups, start=1):
            heading = numbered(
                section, t("group_heading", label=g.label, size=t("group_size", n=g.size)), 3, i, j
            )
            lines += [f"#### {md(heading)}", ""]
            lines += [f"- {md(s.text)} — {_link(section, s, base_url)}" for s in g.statements]
            lines += [""]
        if c.consensus:
            heading = numbered(section, t("consensus"), 3, i, len(c.groups) + 1)
            lines += [f"#### {md(heading)}", ""]
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


def _polls_md(section: OutcomeSection) -> list[str]:
    """民調與代表性 (deliberation/polls/outcome.py): a heading, then per consultation its
    paragraphs and tables; nothing when no consultation had a poll or margins."""
    if not section.polls:
        return []
    lines = [f"### {md(poll_word(section.lang, 'heading'))}", ""]
    for block in section.polls:
        lines += [f"#### {md(block.title)}", ""]
        lines += [line for p in block.paragraphs for line in (md(p), "")]
        for table in block.tables:
            lines += [f"*{md(table.caption)}*", ""] + _table(table.header, table.rows)
    return lines


def _consultation_themes_md(
    section: OutcomeSection, c: ConsultationOutcome, base_url: str, position: int
) -> list[str]:
    t = section.t
    lines = [f"### {md(numbered(section, t('consultation') + '：' + c.title, 2, position))}", ""]
    if c.run is None:
        return lines + [md(t("no_run")), ""]
    lines += [f"{md(t('run'))}：{md(c.run.summary)}", ""]
    if c.run.stale:
        lines += [f"> **{md(t('stale'))}** {md(t('stale_note'))}", ""]
    if not c.themes:
        return lines + [md(t("no_themes")), ""]
    lines += _table(*themes_table(section, c))
    for k, th in enumerate(c.themes, start=1):
        lines += [f"#### {md(numbered(section, f'{th.key} {th.label}', 2, position, k))}", ""]
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


def section_context(section: OutcomeSection, *, base_url: str, chart_src) -> dict[str, Any]:
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
        "format_day": lambda iso_day: format_day(iso_day, section.lang),
        "numbered": lambda heading, *path: numbered(section, heading, *path),
        "poll_word": lambda key: poll_word(section.lang, key),
        "poll_chart": lambda block: _svg_uri(poll_charts.render(block, section.lang, "svg")),
    }


def _svg_uri(data: bytes | None) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode() if data else ""


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
