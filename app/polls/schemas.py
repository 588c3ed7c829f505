"""Request and response models of the poll API (app/polls/api.py)."""

from __future__ import annotations

from typing import Any

from ..openapi.operation import Body, Out, loose


class Poll(Out):
    """The questions and background categories; an account's own answer when it has one."""

    id: int
    title: str
    notice_version: str
    questions: list[dict[str, Any]]
    demographic_questions: Any
    results_visible: bool
    mine: dict[str, Any] | None


class AnswerBody(Body):
    answers: Any = loose(
        {"type": "object"},
        'Question id -> option index (single, scale) or list of indexes (multiple): {"3": 0}',
    )
    demographics: Any = loose(
        {"type": ["object", "null"]}, "Background category -> feature (optional, with consent)"
    )
    consent: Any = loose({"type": ["boolean", "null"]}, "Consent to the background notice")
    notice_version: Any = loose({"type": ["string", "null"]}, "The notice the person read")


class Answer(Out):
    answers: dict[str, Any]
    demographics: dict[str, Any] | None
    created: bool


class Results(Out):
    """Raw and weighted results, design effect, effective n, margins of error, and the
    representativeness picture (null before there is one)."""

    poll_id: int
    title: str
    respondents: int
    weighted: bool
    refusal: str | None
    design_effect: float | None
    effective_n: float | None
    questions: list[dict[str, Any]]
    representativeness: dict[str, Any] | None
