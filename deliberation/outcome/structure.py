"""The outcome section as plain dataclasses: what every renderer (page, DOCX, Markdown, HTML,
JSON, CSV) formats and nothing else."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ..polls.outcome import PollBlock
from .words import text


@dataclass
class Figure:
    key: str
    label: str
    value: int
    counts: str  # what exactly is counted


@dataclass
class Channel:
    kind: str  # "web" or "import"
    name: str  # platform code for imports, "zhongyi" for the web
    label: str
    items: int


@dataclass
class PlatformFigure:
    platform: str  # the code stored with the posts ("polis", "facebook", ...)
    platform_label: str  # as people write it ("Pol.is", "Facebook")
    comments: int
    participants: int
    counts: str


@dataclass
class DayPoint:
    date: str  # ISO date, Taipei
    comments: int = 0
    replies: int = 0
    imported: int = 0
    votes: int = 0


@dataclass
class Quote:
    comment_id: int
    permalink: str
    text: str
    pinned: bool = False
    platform: str | None = None
    platform_label: str | None = None  # "Pol.is" for "polis"


@dataclass
class ResponseOut:
    disposition: str
    disposition_label: str
    reasoning_text: str
    reasoning_html: str  # the sanitizer's output
    responsible_unit: str
    due_date: str | None  # ISO date (Taipei), as data carries it
    due_date_label: str | None  # as the document prints it (民國 in zh-TW)
    published: bool
    published_at: str | None


@dataclass
class ThemeOut:
    key: str
    label: str
    keywords: list[str]
    size: int
    size_counts: str
    stance: dict[str, int]
    stance_counts: str
    quotes: list[Quote]
    member_ids: list[int]  # visible member comments only
    response: ResponseOut | None


@dataclass
class Statement:
    comment_id: int
    permalink: str
    text: str
    direction: str  # agree / disagree


@dataclass
class GroupOut:
    id: int
    name: str
    label: str
    size: int
    statements: list[Statement]


@dataclass
class RunInfo:
    id: int
    finished_at: str | None
    code_version: str
    params: dict[str, Any]
    input_counts: dict[str, Any]
    stale: bool
    summary: str


@dataclass
class ConsultationOutcome:
    id: int
    title: str
    agency: str
    status: str
    opens_at: str | None
    closes_at: str | None
    period: str
    channels: list[Channel]
    figures: list[Figure]
    participation: dict[str, Any]  # participation_* → value (deliberation/participation.py)
    imported: list[PlatformFigure]
    per_day: list[DayPoint]
    run: RunInfo | None
    themes: list[ThemeOut]
    groups: list[GroupOut]
    consensus: list[Statement]
    disposition_counts: dict[str, int]
    # The 座談會 subsection (deliberation/focus_groups/outcome.py), None without a drawn panel.
    focus_group: Any = None


@dataclass
class OutcomeSection:
    plan_id: int
    plan_title: str
    plan_status: str
    plan_period: str  # as the document prints it; "" when the plan has no period
    lead_agency: str
    co_agencies: list[str]
    lang: str
    generated_at: str  # ISO, Taipei time
    generated_label: str  # as the document prints it
    include_drafts: bool  # true exactly when an unpublished response is in the section
    audience_note: str
    consultations: list[ConsultationOutcome]
    totals: list[Figure]
    participation: dict[str, Any]  # participation_* for the whole plan
    participation_dictionary: list[dict[str, str]]  # key, label, what it counts
    returning_window: str  # the window of participation_returning, as printed
    per_day: list[DayPoint]
    changes_html: str  # the sanitizer's output
    changes_text: str
    changes_paragraphs: list[str]  # one per paragraph or list item ("・" marks items)
    stale: bool
    stale_label: str
    notes: list[str] = field(default_factory=list)
    # The reviewer's checklist (deliberation/services/reviews.py), each item with passed/reason.
    checklist: list[dict[str, Any]] = field(default_factory=list)
    # 民調與代表性: one block per consultation with a poll or population margins (polls/outcome).
    polls: list[PollBlock] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (every value is a str, int, bool, list, dict or None)."""
        return dataclasses.asdict(self)

    def t(self, key: str, **params: Any) -> str:
        return text(self.lang, key, **params)


def permalink(comment_id: int) -> str:
    """The path of a comment's own page (exports prefix the site address)."""
    return f"/comments/{comment_id}"
