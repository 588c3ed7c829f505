"""A poll's results, raw and weighted (raked to the population margins with
`analysis.weighting`), and the representativeness picture of a consultation: who took part
against the margins staff entered.

Weighting uses the respondents who answered every demographic question (with consent); the raw
figures use everyone. When raking is impossible (an empty cell, no margins, nobody with
demographic answers) the weighted figures are absent and `refusal` says why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import weighting

from .. import participation
from ..focus_groups.models import FocusGroup, FocusVolunteer
from ..models import Consultation
from . import queries, rules
from .models import Poll

# How many respondents a weighted answer must rest on before it is shown at all.
MIN_WEIGHTED = 1


@dataclass
class OptionResult:
    label: str
    count: int  # respondents who chose it (raw)
    share: float  # of those who answered the question, 0–1
    weighted_share: float | None = None
    moe: float | None = None  # 95 % margin of error of weighted_share, 0–1


@dataclass
class QuestionResult:
    id: int
    position: int
    kind: str
    prompt: str
    answered: int
    options: list[OptionResult]
    weighted_answered: int = 0  # raked respondents who answered it
    design_effect: float | None = None
    effective_n: float | None = None
    mean: float | None = None  # scale questions: 1–5
    weighted_mean: float | None = None


@dataclass
class PollResults:
    poll_id: int
    title: str
    respondents: int
    with_demographics: int  # respondents who answered every demographic question
    weighted: bool
    refusal: str | None  # poll_no_margins, poll_no_demographics or a weighting_* code
    refusal_params: dict[str, Any]
    design_effect: float | None
    effective_n: float | None
    questions: list[QuestionResult] = field(default_factory=list)


def _raked(
    rows: list[tuple[int, dict[str, Any], dict[str, str] | None]],
    table: dict[str, dict[str, float]],
) -> tuple[list[int], np.ndarray | None, str | None, dict[str, Any]]:
    """Indexes of the respondents raked, their weights, or the refusal and its parameters."""
    if not table:
        return [], None, "poll_no_margins", {}
    complete = [
        i
        for i, (_, _, demo) in enumerate(rows)
        if demo is not None and all(c in demo for c in table)
    ]
    if not complete:
        return [], None, "poll_no_demographics", {}
    columns = {c: [rows[i][2][c] for i in complete] for c in table}  # type: ignore[index]
    try:
        result = weighting.rake(columns, table)
    except weighting.RakingError as error:
        return complete, None, f"weighting_{error.code}", dict(error.params)
    return complete, result.weights, None, {}


def poll_results(session: Session, poll: Poll) -> PollResults:
    """Raw and weighted percentages of every answer, with the design effect, the effective
    number of respondents and each weighted share's 95 % margin of error."""
    rows = queries.answer_rows(session, poll)
    table = rules.margins_table(queries.margins_of(session, poll.consultation_id))
    complete, weights, refusal, params = _raked(rows, table)
    weight_of = dict(zip(complete, weights, strict=True)) if weights is not None else {}
    out = PollResults(
        poll_id=poll.id,
        title=poll.title,
        respondents=len(rows),
        with_demographics=len(complete),
        weighted=weights is not None,
        refusal=refusal,
        refusal_params=params,
        design_effect=weighting.design_effect(weights) if weights is not None else None,
        effective_n=weighting.effective_n(weights) if weights is not None else None,
    )
    for q in poll.questions:
        key = str(q.id)
        chosen = [(i, r[1].get(key)) for i, r in enumerate(rows) if r[1].get(key)]
        counts = [0] * len(q.options)
        wsum = [0.0] * len(q.options)
        w_answered: list[float] = []
        for i, picks in chosen:
            w = weight_of.get(i)
            if w is not None:
                w_answered.append(float(w))
            for k in picks or []:
                if 0 <= k < len(counts):
                    counts[k] += 1
                    if w is not None:
                        wsum[k] += float(w)
        n = len(chosen)
        total_w = sum(w_answered)
        n_eff = weighting.effective_n(w_answered) if w_answered else 0.0
        options = []
        for k, label in enumerate(q.options):
            option = OptionResult(label, counts[k], counts[k] / n if n else 0.0)
            if weights is not None and len(w_answered) >= MIN_WEIGHTED and total_w > 0:
                option.weighted_share = wsum[k] / total_w
                option.moe = weighting.margin_of_error(option.weighted_share, n_eff)
            options.append(option)
        result = QuestionResult(q.id, q.position, q.kind, q.prompt, n, options)
        if w_answered:
            result.weighted_answered = len(w_answered)
            result.design_effect = weighting.design_effect(w_answered)
            result.effective_n = n_eff
        if q.kind == "scale" and n:
            result.mean = sum((k + 1) * c for k, c in enumerate(counts)) / n
            if total_w > 0 and weights is not None:
                result.weighted_mean = sum((k + 1) * s for k, s in enumerate(wsum)) / total_w
        out.questions.append(result)
    return out


# ---- representativeness -------------------------------------------------------------------

KINDS = ("commenters", "voters", "focus_group", "poll_respondents")


@dataclass
class GroupShares:
    kind: str
    people: int
    known: dict[str, int]  # category → people whose feature in it is known
    counts: dict[str, dict[str, int]]  # category → feature → people

    def share(self, category: str, feature: str) -> float | None:
        """Share among the people whose feature is known (None when nobody's is)."""
        known = self.known.get(category, 0)
        return self.counts[category].get(feature, 0) / known if known else None

    def unknown_share(self, category: str) -> float | None:
        return (self.people - self.known.get(category, 0)) / self.people if self.people else None


@dataclass
class Representativeness:
    consultation_id: int
    categories: dict[str, list[str]]
    population: dict[str, dict[str, float]]  # per cent
    source: str
    groups: list[GroupShares]

    def rows(self) -> list[dict[str, Any]]:
        """One row per category and feature, then an "unknown" row per category; shares 0–1."""
        out: list[dict[str, Any]] = []
        for category, features in self.categories.items():
            for feature in features:
                out.append(
                    {
                        "category": category,
                        "feature": feature,
                        "population": self.population[category][feature] / 100,
                        **{g.kind: g.share(category, feature) for g in self.groups},
                    }
                )
            out.append(
                {
                    "category": category,
                    "feature": None,
                    "population": None,
                    **{g.kind: g.unknown_share(category) for g in self.groups},
                }
            )
        return out


def _group(
    kind: str, people: list[dict[str, str] | None], categories: dict[str, list[str]]
) -> GroupShares:
    known = {c: 0 for c in categories}
    counts: dict[str, dict[str, int]] = {c: {f: 0 for f in fs} for c, fs in categories.items()}
    for attributes in people:
        for category, features in categories.items():
            feature = (attributes or {}).get(category)
            if feature in features:
                known[category] += 1
                counts[category][feature] += 1
    return GroupShares(kind, len(people), known, counts)


def representativeness(session: Session, consultation: Consultation) -> Representativeness | None:
    """Each kind of participant against the margins, for the categories the platform knows:
    poll respondents' demographic answers, focus-group volunteers' attributes. Commenters and
    voters are known only when they also answered the poll's demographic questions or
    volunteered for the focus group; everyone else is counted as unknown. None without margins."""
    margins = queries.margins_of(session, consultation.id)
    if not margins:
        return None
    categories = rules.categories_of(margins)
    poll = queries.poll_of(session, consultation.id)
    poll_rows = queries.answer_rows(session, poll) if poll is not None else []
    from_poll = {uid: demo for uid, _, demo in poll_rows if demo}
    volunteers = list(
        session.scalars(
            select(FocusVolunteer)
            .join(FocusGroup, FocusGroup.id == FocusVolunteer.focus_group_id)
            .where(FocusGroup.consultation_id == consultation.id)
        )
    )
    from_pool = {v.user_id: v.attributes for v in volunteers if v.user_id and v.attributes}

    def attributes_of(user_id: int) -> dict[str, str] | None:
        # The poll's answers first: given for this very purpose, against these margins.
        return from_poll.get(user_id) or from_pool.get(user_id)

    who = participation.people(session, [consultation.id])
    panel = [
        v.attributes or (attributes_of(v.user_id) if v.user_id else None)
        for v in volunteers
        if v.status == "selected"
    ]
    groups = [
        _group("commenters", [attributes_of(u) for u in sorted(who["commenters"])], categories),
        _group("voters", [attributes_of(u) for u in sorted(who["voters"])], categories),
        _group("focus_group", panel, categories),
        _group("poll_respondents", [demo for _, _, demo in poll_rows], categories),
    ]
    return Representativeness(
        consultation.id,
        categories,
        rules.margins_table(margins),
        queries.margins_source(session, consultation.id),
        groups,
    )
