"""The 政策溝通成效 (consultation outcome) section of a plan, generated from the data.

words.py (the section's words, dates), structure.py (the dataclasses renderers format),
snapshot.py (themes, groups and responses from the latest analysis), build.py (the plan, the
figures, the section). The public names stay importable from `deliberation.outcome`."""

from .build import build_section, load_plan, themes_rows
from .structure import (
    Channel,
    ConsultationOutcome,
    DayPoint,
    Figure,
    GroupOut,
    OutcomeSection,
    PlatformFigure,
    Quote,
    ResponseOut,
    RunInfo,
    Statement,
    ThemeOut,
    permalink,
)
from .words import LANGS, TEXT, format_date, iso, normalise_lang, paragraphs, text

__all__ = [
    "LANGS",
    "TEXT",
    "Channel",
    "ConsultationOutcome",
    "DayPoint",
    "Figure",
    "GroupOut",
    "OutcomeSection",
    "PlatformFigure",
    "Quote",
    "ResponseOut",
    "RunInfo",
    "Statement",
    "ThemeOut",
    "build_section",
    "format_date",
    "iso",
    "load_plan",
    "normalise_lang",
    "paragraphs",
    "permalink",
    "text",
    "themes_rows",
]
