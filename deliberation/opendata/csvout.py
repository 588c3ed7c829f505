"""The one place the open data writes CSV, row by row (never a whole file in memory).

Cells follow the project's CSV rule (security's shared writer, `deliberation/exports.py` on
main: `safe_cell`): a text cell that starts with = + - @, a tab or a carriage return gets a
leading apostrophe so no spreadsheet runs it as a formula; numbers stay numbers (a vote of -1
stays -1). At merge, `_safe` is replaced by that `safe_cell`; every open-data file goes
through `write_csv`, so that is the only change.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class TextSink(Protocol):
    def write(self, text: str) -> Any: ...


def _safe(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(sink: TextSink, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a header and rows as they come (nothing held in memory); returns the row count."""
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow([_safe(h) for h in header])
    n = 0
    for row in rows:
        writer.writerow([_safe(v) for v in row])
        n += 1
    return n
