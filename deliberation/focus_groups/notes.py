"""Session notes and transcripts → statements per speaker (pure: no database).

The format staff type or upload (text or DOCX, one paragraph a line):

    參與者 A：我覺得公車班次太少。            (or "A：…", "A: …", "Participant A: …")
    接著說的話，同一位發言者的下一行。       (a line without a speaker continues the turn)

    新的一段是另一則陳述。                    (a blank line inside a turn starts a new statement)
    主持人：下一個題目……                    (the facilitator's lines are left out)

Each participant's turn becomes one statement per paragraph. A line with an unknown speaker,
or text before the first speaker, is refused with its line number: nothing is half-entered.
"""

from __future__ import annotations

import io
import re
import string
import zipfile
from collections.abc import Collection
from dataclasses import dataclass

from ..errors import ValidationError

MAX_STATEMENT_CHARS = 5000  # the same limit as a comment (services.comments.MAX_COMMENT_CHARS)
MAX_UPLOAD_BYTES = 2_000_000
_SPEAKER = re.compile(
    r"^\s*(?:參與者|与会者|participant)?\s*([A-Za-z]{1,2})\s*[:：]\s*(.*)$", re.IGNORECASE
)
_FACILITATOR = re.compile(r"^\s*(主持人|主席|facilitator|moderator)\s*[:：]", re.IGNORECASE)


@dataclass(frozen=True)
class Statement:
    label: str  # "A"
    text: str
    line: int  # where it starts in the notes


def label_for(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the speaker labels of a session, in order."""
    letters = string.ascii_uppercase
    if index < 26:
        return letters[index]
    return letters[index // 26 - 1] + letters[index % 26]


def parse(text: str, labels: Collection[str]) -> list[Statement]:
    """The statements of these notes, in order; every problem names its line."""
    known = {label.upper() for label in labels}
    out: list[Statement] = []
    speaker: str | None = None  # None: the facilitator (skipped) or nobody yet
    started = False
    buffer: list[str] = []
    start = 0

    def flush() -> None:
        nonlocal buffer
        body = "\n".join(buffer).strip()
        if speaker is not None and body:
            if len(body) > MAX_STATEMENT_CHARS:
                raise ValidationError("focus_notes_too_long", line=start, max=MAX_STATEMENT_CHARS)
            out.append(Statement(speaker, body, start))
        buffer = []

    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if _FACILITATOR.match(line):
            flush()
            speaker, started = None, True
            continue
        match = _SPEAKER.match(line)
        if match:
            flush()
            label = match.group(1).upper()
            if label not in known:
                raise ValidationError(
                    "focus_notes_unknown_speaker",
                    line=number,
                    label=label,
                    known="、".join(sorted(known, key=lambda k: (len(k), k))) or "—",
                )
            speaker, started, start = label, True, number
            buffer = [match.group(2)]
            continue
        if not line:
            flush()  # a paragraph break: the same speaker's next words are a new statement
            start = number + 1
            continue
        if not started:
            raise ValidationError("focus_notes_no_speaker", line=number)
        if not buffer:
            start = number
        buffer.append(line)
    flush()
    if not out:
        raise ValidationError("focus_notes_empty")
    return out


def text_of_upload(filename: str, data: bytes) -> str:
    """The text of an uploaded transcript: UTF-8 text, or a DOCX's paragraphs one a line."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError("focus_notes_file_too_large", max=MAX_UPLOAD_BYTES // 1_000_000)
    name = filename.lower()
    if name.endswith(".docx"):
        from docx import Document  # python-docx
        from docx.opc.exceptions import PackageNotFoundError

        try:
            document = Document(io.BytesIO(data))
        except (PackageNotFoundError, zipfile.BadZipFile, ValueError, KeyError, OSError):
            raise ValidationError("focus_notes_bad_docx") from None
        return "\n".join(p.text for p in document.paragraphs)
    if name.endswith((".txt", ".md", ".text")) or "." not in name:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("focus_notes_encoding") from None
    raise ValidationError("focus_notes_file_type")
