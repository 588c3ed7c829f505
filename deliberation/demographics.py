"""Consented demographic attributes, shared by the focus-group pool and quick polls (issue 18).

The same rules for both: a person gives one feature per category, only from the features staff
listed (minimal data: nothing else is kept), after reading a purpose-specific 個資 notice whose
version is recorded with their consent; the attributes are erased after the retention date."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from .errors import ValidationError


def is_expired(retain_until: datetime, now: datetime) -> bool:
    """The retention date has passed: the attributes must be erased."""
    return now >= retain_until


def check_attributes(
    given: Mapping[str, str],
    categories: Mapping[str, Sequence[str]],
    *,
    line: int = 0,
    code: str = "focus_feature_unknown",
) -> dict[str, str]:
    """One feature per category, each one the staff listed; nothing else is kept (minimal data).

    `code` is the error code a caller's words use for a value outside the list."""
    out: dict[str, str] = {}
    for category, features in categories.items():
        value = (given.get(category) or "").strip()
        match = next((f for f in features if f.lower() == value.lower()), None)
        if match is None:
            raise ValidationError(code, line=line, category=category, value=value[:60])
        out[category] = match
    return out
