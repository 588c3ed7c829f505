"""Pure rules of quick polls: who may build, answer and read a poll, and what its questions,
answers and population margins must be. Nothing here touches the database."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import rules
from ..errors import ValidationError
from ..models import ConsultationStatus

# The version of the poll's 個資 notice for its demographic questions
# (app/templates/polls/_notice.html).
NOTICE_VERSION = "2026-12-poll-v1"
RETENTION_DAYS = 180
MAX_QUESTIONS = 10
MAX_OPTIONS = 10
MAX_PROMPT = 300
MAX_OPTION = 120
MAX_TITLE = 200
MAX_CATEGORIES = 8
MAX_FEATURES = 30
MAX_NAME = 40
MAX_FEATURE = 60
SCALE = ("1", "2", "3", "4", "5")
# Each category's shares must add up to 100 % within this many points.
SUM_TOLERANCE = 0.1
MARGIN_COLUMNS = ("category", "feature", "percent")
KINDS = ("single", "multi", "scale")


@dataclass(frozen=True)
class QuestionSpec:
    kind: str
    prompt: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Margin:
    category: str
    feature: str
    share: float  # per cent


def can_manage(user: rules.Actor | None, consultation: rules.ConsultationLike) -> bool:
    """The consultation's agency staff (and admins) build the poll and enter the margins."""
    return rules.can_manage_consultation(user, consultation)


def answer_refusal(
    user: rules.Actor | None, consultation: rules.ConsultationLike, now: datetime
) -> str | None:
    """Why this account may not answer (or change its answer) now, or None.

    A verified account (the rule every kind of taking part follows), while the consultation is
    open; answers can be changed until it closes."""
    refusal = rules.participation_refusal(user)
    if refusal is not None:
        return refusal
    if not rules.accepts_comments(consultation, now):
        return "poll_closed"
    return None


def results_visible(user: rules.Actor | None, consultation: rules.ConsultationLike) -> bool:
    """Staff see results at any time; everyone sees them once the consultation has closed.

    Not before: running figures would steer the answers still to come."""
    if can_manage(user, consultation):
        return True
    return consultation.status in (ConsultationStatus.CLOSED, ConsultationStatus.CONCLUDED)


def check_questions(title: str, questions: Sequence[Mapping[str, Any]]) -> list[QuestionSpec]:
    """[{kind, prompt, options: [text]}] → specs; every error names the question's number."""
    if not title.strip() or len(title.strip()) > MAX_TITLE:
        raise ValidationError("poll_bad_title", max=MAX_TITLE)
    if not questions:
        raise ValidationError("poll_no_questions")
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError("poll_too_many_questions", max=MAX_QUESTIONS)
    out = []
    for number, q in enumerate(questions, start=1):
        kind = str(q.get("kind", ""))
        prompt = " ".join(str(q.get("prompt", "")).split())
        if kind not in KINDS:
            raise ValidationError("poll_bad_kind", number=number)
        if not prompt or len(prompt) > MAX_PROMPT:
            raise ValidationError("poll_bad_prompt", number=number, max=MAX_PROMPT)
        if kind == "scale":
            out.append(QuestionSpec(kind, prompt, SCALE))
            continue
        options = [" ".join(str(o).split()) for o in q.get("options") or []]
        options = [o for o in options if o]
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise ValidationError("poll_bad_options", number=number, max=MAX_OPTIONS)
        if any(len(o) > MAX_OPTION for o in options):
            raise ValidationError("poll_option_too_long", number=number, max=MAX_OPTION)
        if len({o.lower() for o in options}) != len(options):
            raise ValidationError("poll_duplicate_option", number=number)
        out.append(QuestionSpec(kind, prompt, tuple(options)))
    return out


def check_answers(
    questions: Sequence[tuple[int, str, Sequence[str]]], given: Mapping[str, Any]
) -> dict[str, list[int]]:
    """{question id: chosen} → {str(question id): [option indexes]}, checked against the
    questions ((id, kind, options)). A question left blank is not answered; at least one must be.

    `chosen` is an option index or a list of them (multi)."""
    out: dict[str, list[int]] = {}
    for number, (qid, kind, options) in enumerate(questions, start=1):
        raw = given.get(str(qid))
        if raw is None or raw == "" or raw == []:
            continue
        values = raw if isinstance(raw, list) else [raw]
        if kind != "multi" and len(values) != 1:
            raise ValidationError("poll_one_answer", number=number)
        chosen: list[int] = []
        for value in values:
            try:
                index = int(value)
            except (TypeError, ValueError):
                raise ValidationError("poll_bad_answer", number=number) from None
            if isinstance(value, bool) or not 0 <= index < len(options):
                raise ValidationError("poll_bad_answer", number=number)
            if index not in chosen:
                chosen.append(index)
        out[str(qid)] = sorted(chosen)
    if not out:
        raise ValidationError("poll_empty_answer")
    return out


def parse_margins(text: str) -> list[Margin]:
    """MARGINS.csv (category,feature,percent) → margins.

    Each category's percentages must add up to 100 (± 0.1); every error names its line or its
    category, and nothing is saved when one is wrong."""
    rows = [r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(c.strip() for c in r)]
    if not rows:
        raise ValidationError("poll_margins_empty")
    head = [h.strip().lower() for h in rows[0]]
    if head != list(MARGIN_COLUMNS):
        raise ValidationError(
            "poll_margins_columns", expected=",".join(MARGIN_COLUMNS), got=",".join(rows[0])
        )
    margins: list[Margin] = []
    seen: set[tuple[str, str]] = set()
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != 3:
            raise ValidationError("poll_margins_row", line=line)
        category, feature, raw = (c.strip() for c in row)
        if not category or not feature or len(category) > MAX_NAME or len(feature) > MAX_FEATURE:
            raise ValidationError("poll_margins_name", line=line)
        try:
            share = float(raw.rstrip("%").strip())
        except ValueError:
            raise ValidationError("poll_margins_number", line=line, value=raw[:20]) from None
        if not 0 <= share <= 100:
            raise ValidationError("poll_margins_number", line=line, value=raw[:20])
        key = (category.lower(), feature.lower())
        if key in seen:
            raise ValidationError("poll_margins_duplicate", line=line, category=category)
        seen.add(key)
        margins.append(Margin(category, feature, share))
    check_margins(margins)
    return margins


def check_margins(margins: Sequence[Margin]) -> None:
    """Each category's shares add up to 100 % (± SUM_TOLERANCE); sizes within the limits."""
    by_category = categories_of(margins)
    if len(by_category) > MAX_CATEGORIES:
        raise ValidationError("poll_too_many_categories", max=MAX_CATEGORIES)
    for category, features in by_category.items():
        if len(features) < 2 or len(features) > MAX_FEATURES:
            raise ValidationError("poll_margins_features", category=category, max=MAX_FEATURES)
        total = sum(m.share for m in margins if m.category == category)
        if abs(total - 100) > SUM_TOLERANCE:
            raise ValidationError("poll_margins_sum", category=category, total=f"{total:g}")


def categories_of(margins: Sequence[Margin]) -> dict[str, list[str]]:
    """{category: [features]} in the order staff gave them."""
    out: dict[str, list[str]] = {}
    for m in margins:
        out.setdefault(m.category, []).append(m.feature)
    return out


def margins_table(margins: Sequence[Margin]) -> dict[str, dict[str, float]]:
    """{category: {feature: share}} (per cent), the shape analysis.weighting takes."""
    out: dict[str, dict[str, float]] = {}
    for m in margins:
        out.setdefault(m.category, {})[m.feature] = m.share
    return out
