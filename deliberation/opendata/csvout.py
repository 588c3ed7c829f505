"""The one place the open data writes CSV. At merge this calls the project's shared CSV writer
(which neutralises cells starting with = + - @ tab or CR); every open-data file goes through
`write_csv`, so that is a one-line change here."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any, Protocol


class TextSink(Protocol):
    def write(self, text: str) -> Any: ...


def write_csv(sink: TextSink, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a header and rows as they come (nothing held in memory); returns the row count."""
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow(header)
    n = 0
    for row in rows:
        writer.writerow(row)
        n += 1
    return n
