"""The 座談會 subsection in the outcome DOCX and Markdown (the same block as
outcome/_focus_group.html).

The export's own helpers (a table, a hyperlink, Markdown escaping) are handed in, so each
export makes one call (app/outcome/docx_export.py, app/outcome/render.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def add_focus_group(
    doc: Any,
    section: Any,
    base_url: str,
    table: Callable[[Any, list[str], list[list[Any]]], Any],
    hyperlink: Callable[[Any, str, str], None],
) -> None:
    """One heading-2 block per consultation with a drawn panel; nothing otherwise."""
    many = len(section.consultations) > 1
    for c in section.consultations:
        fg = c.focus_group
        if fg is None:
            continue
        doc.add_heading(f"{fg.heading}：{c.title}" if many else fg.heading, level=2)
        doc.add_paragraph(fg.summary)
        doc.add_paragraph(fg.quotas_heading)
        table(
            doc,
            [fg.words["category"], fg.words["feature"], fg.words["seats"]],
            [[q["category"], q["feature"], f"{q['min']}–{q['max']}"] for q in fg.quotas],
        )
        if fg.sessions:
            doc.add_paragraph(fg.sessions_heading)
            for line in fg.sessions:
                doc.add_paragraph(line, style="List Bullet")
        doc.add_paragraph(fg.by_theme_heading)
        doc.add_paragraph(fg.counted)
        for th in fg.themes:
            p = doc.add_paragraph()
            p.add_run(th.label).bold = True
            p.add_run(f"（{th.count}）")
            for st in th.statements:
                p = doc.add_paragraph(f"「{st.text}」 {st.speaker}・座談會 ", style="Quote")
                hyperlink(p, base_url + st.permalink, section.t("comment_ref", id=st.comment_id))
            if th.more:
                doc.add_paragraph(th.more_label)


def markdown_lines(
    section: Any,
    base_url: str,
    md: Callable[[str], str],
    table: Callable[[list[str], list[list[Any]]], list[str]],
) -> list[str]:
    """The block as Markdown lines (### heading, summary, quota table, sessions, quotes)."""
    lines: list[str] = []
    many = len(section.consultations) > 1
    for c in section.consultations:
        fg = c.focus_group
        if fg is None:
            continue
        heading = f"{fg.heading}：{c.title}" if many else fg.heading
        lines += [f"### {md(heading)}", "", md(fg.summary), "", md(fg.quotas_heading), ""]
        lines += table(
            [fg.words["category"], fg.words["feature"], fg.words["seats"]],
            [[q["category"], q["feature"], f"{q['min']}–{q['max']}"] for q in fg.quotas],
        )
        if fg.sessions:
            lines += [md(fg.sessions_heading), "", *(f"- {md(x)}" for x in fg.sessions), ""]
        lines += [md(fg.by_theme_heading), "", md(fg.counted), ""]
        for th in fg.themes:
            lines.append(f"**{md(th.label)}**（{th.count}）")
            lines.append("")
            for st in th.statements:
                ref = section.t("comment_ref", id=st.comment_id)
                lines.append(
                    f"- 「{md(st.text)}」 {md(st.speaker)}・座談會 [{md(ref)}]({base_url}{st.permalink})"
                )
            if th.more:
                lines.append(f"- {md(th.more_label)}")
            lines.append("")
    return lines
