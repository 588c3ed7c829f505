"""What a theme fit gives back (`Theme`, `DuplicateGroup`, `ThemeChanges`), and `ThemeError`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


class ThemeError(ValueError):
    """The input cannot be turned into themes (too few comments, bad seeds ...)."""


@dataclass
class Theme:
    """One theme: label, keywords, members and representatives."""

    id: str
    label: str
    keywords: list[str]
    size: int
    comment_ids: list[str]
    representative_ids: list[str]
    stance: dict[str, float] | None = None
    seed: str | None = None  # the seed theme's name in guided mode
    other: bool = False  # guided mode: clustered from comments no seed claimed
    confidence: float | None = None  # guided mode: mean assignment confidence
    coherence: float | None = None  # 0-1: how alike its comments are (quotes.py)
    mixed: bool = False  # coherence well below the run's median: possibly two themes
    split_suggestion: list[str] | None = None  # when mixed: the comments of a suggested split
    campaign: dict[str, Any] | None = None  # its largest near-duplicate campaign: id, size

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; optional fields only when set."""
        d = asdict(self)
        for key in ("stance", "seed", "confidence", "coherence", "split_suggestion", "campaign"):
            if d[key] is None:
                del d[key]
        for key in ("other", "mixed"):
            if not d[key]:
                del d[key]
        return d


@dataclass
class DuplicateGroup:
    """Near-identical comments (a copy-paste campaign or form letter)."""

    id: str
    size: int
    comment_ids: list[str]
    theme_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


@dataclass
class ThemeChanges:
    """How this run's themes relate to a previous run's."""

    matched: dict[str, str] = field(default_factory=dict)  # new theme id -> previous id
    splits: list[dict[str, Any]] = field(default_factory=list)
    merges: list[dict[str, Any]] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
