"""Pure rules of the focus-group lottery: who sees what, and what a pool or quota table must be.

Nothing here touches the database."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from .. import rules

# Shared with quick polls: the same consent rules (deliberation/demographics.py).
from ..demographics import check_attributes as check_attributes
from ..demographics import is_expired as is_expired
from ..errors import ValidationError
from .lottery import Quota

# The version of the purpose-specific 個資 notice (app/templates/focus_groups/_notice.html).
NOTICE_VERSION = "2026-12-v1"
DEFAULT_PANEL_SIZE = 12
PANEL_SIZE_HINT = (8, 12)
MAX_CATEGORIES = 8
MAX_NAME = 40
MAX_FEATURE = 60
MAX_POOL = 20000
QUOTA_COLUMNS = ("category", "feature", "min", "max")
# A draw from a page or the API runs inside the request; the solver's time grows with the pool
# (bench/RESULTS.md: about 30 s for 300 on a loaded machine), so larger pools are drawn with the CLI.
WEB_DRAW_MAX = 400


def can_manage(user: rules.Actor | None, consultation: rules.ConsultationLike) -> bool:
    """The consultation's staff (and admins) set up the group, see attributes and draw."""
    return rules.can_manage_consultation(user, consultation)


def can_volunteer(user: rules.Actor | None) -> bool:
    """Anyone logged in may volunteer."""
    return user is not None and user.is_active


def attributes_visible(user: rules.Actor | None, consultation: rules.ConsultationLike) -> bool:
    """Volunteers' attributes: the consultation's staff only (not moderators or reviewers)."""
    return can_manage(user, consultation)


def categories_of(quotas: Sequence[Quota]) -> dict[str, list[str]]:
    """{category: [features]} in the order staff gave them."""
    out: dict[str, list[str]] = {}
    for q in quotas:
        out.setdefault(q.category, []).append(q.feature)
    return out


def _int(value: str, line: int, column: str) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise ValidationError("focus_csv_number", line=line, column=column, value=value) from None
    if number < 0:
        raise ValidationError("focus_csv_number", line=line, column=column, value=value)
    return number


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    rows = [r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(c.strip() for c in r)]
    if not rows:
        raise ValidationError("focus_csv_empty")
    return [h.strip() for h in rows[0]], rows[1:]


def parse_quotas(text: str) -> list[Quota]:
    """QUOTAS.csv (category,feature,min,max) → quotas; every error names its line."""
    head, body = _rows(text)
    if [h.lower() for h in head] != list(QUOTA_COLUMNS):
        raise ValidationError(
            "focus_csv_columns", expected=",".join(QUOTA_COLUMNS), got=",".join(head)
        )
    quotas: list[Quota] = []
    seen: set[tuple[str, str]] = set()
    for line, row in enumerate(body, start=2):
        if len(row) != 4:
            raise ValidationError("focus_csv_row_length", line=line, expected=4, got=len(row))
        category, feature = row[0].strip(), row[1].strip()
        if not category or not feature or len(category) > MAX_NAME or len(feature) > MAX_FEATURE:
            raise ValidationError("focus_csv_name", line=line)
        low, high = _int(row[2], line, "min"), _int(row[3], line, "max")
        if high < low:
            raise ValidationError(
                "focus_quota_min_over_max", line=line, category=category, feature=feature
            )
        key = (category.lower(), feature.lower())
        if key in seen:
            raise ValidationError(
                "focus_quota_duplicate", line=line, category=category, feature=feature
            )
        seen.add(key)
        quotas.append(Quota(category, feature, low, high))
    if len(categories_of(quotas)) > MAX_CATEGORIES:
        raise ValidationError("focus_too_many_categories", max=MAX_CATEGORIES)
    return quotas


def parse_pool(text: str, quotas: Sequence[Quota]) -> dict[str, dict[str, str]]:
    """POOL.csv (id, then one column per category) → {id: {category: feature}}.

    Refuses a duplicate id, a missing category column, or a feature the quotas do not list."""
    if not quotas:
        raise ValidationError("focus_no_quotas")
    head, body = _rows(text)
    if not head or head[0].lower() != "id":
        raise ValidationError("focus_csv_columns", expected="id,…", got=",".join(head))
    categories = categories_of(quotas)
    missing = [c for c in categories if c not in head]
    if missing:
        raise ValidationError("focus_pool_missing_category", category=missing[0])
    index = {c: head.index(c) for c in categories}
    pool: dict[str, dict[str, str]] = {}
    for line, row in enumerate(body, start=2):
        if len(row) != len(head):
            raise ValidationError(
                "focus_csv_row_length", line=line, expected=len(head), got=len(row)
            )
        pid = row[0].strip()
        if not pid or len(pid) > 64:
            raise ValidationError("focus_csv_name", line=line)
        if pid in pool:
            raise ValidationError("focus_duplicate_volunteer", line=line, id=pid)
        pool[pid] = check_attributes({c: row[i] for c, i in index.items()}, categories, line=line)
        if len(pool) > MAX_POOL:
            raise ValidationError("focus_pool_too_large", max=MAX_POOL)
    return pool
