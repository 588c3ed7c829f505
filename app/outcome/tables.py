"""The section's tables and short phrases, shared by every renderer (Markdown, HTML page, DOCX):
each returns words and values only, the renderer lays them out."""

from __future__ import annotations

from typing import Any

from deliberation.outcome import ConsultationOutcome, OutcomeSection, Quote, ThemeOut


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
        [c.title, p.platform_label, p.comments, p.participants, p.counts]
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
        notes.append(section.t("from_platform", platform=quote.platform_label or quote.platform))
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
