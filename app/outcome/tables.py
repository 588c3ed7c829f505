"""The section's tables and short phrases, shared by every renderer (Markdown, HTML page, DOCX):
each returns words and values only, the renderer lays them out."""

from __future__ import annotations

from datetime import date
from typing import Any

from deliberation.outcome import ConsultationOutcome, OutcomeSection, Quote, ThemeOut
from deliberation.outcome.words import roc_date


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
        (section.t("due_date"), r.due_date_label or ""),
    ]
    return [(label, value) for label, value in details if value]


ZH_NUMERALS = "〇一二三四五六七八九十"


def zh_number(n: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五 (headings of official documents)."""
    if n <= 10:
        return ZH_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (ZH_NUMERALS[tens] if tens > 1 else "") + "十" + (ZH_NUMERALS[ones] if ones else "")


def numbered(section: OutcomeSection, heading: str, *path: int) -> str:
    """A heading numbered as Taiwanese official documents do: 一、 then （一） then 1. then （1）;
    in English 2.1 and 2.1.1. `path` is the position at each level, starting at 1."""
    if section.lang != "zh-TW":
        return ".".join(str(n) for n in path) + (". " if len(path) == 1 else " ") + heading
    n = path[-1]
    prefix = {1: f"{zh_number(n)}、", 2: f"（{zh_number(n)}）", 3: f"{n}. "}.get(
        len(path), f"（{n}）"
    )
    return prefix + heading


def per_day_rows(section: OutcomeSection) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the per-day table, dates in the document's convention."""
    t = section.t
    header = [t("date"), t("comments"), t("replies"), t("imported"), t("votes")]
    rows: list[list[Any]] = [
        [format_day(d.date, section.lang), d.comments, d.replies, d.imported, d.votes]
        for d in section.per_day
    ]
    return header, rows


def format_day(iso_day: str, lang: str) -> str:
    """An ISO day as a zh-TW document writes it (民國), unchanged in English."""
    if lang != "zh-TW":
        return iso_day
    return roc_date(date.fromisoformat(iso_day))
