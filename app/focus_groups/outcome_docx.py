"""The 座談會 subsection in the outcome DOCX (the same block as outcome/_focus_group.html).

The document's own helpers (a table, a hyperlink) are handed in, so this stays one call in
app/outcome/docx_export.py."""

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
