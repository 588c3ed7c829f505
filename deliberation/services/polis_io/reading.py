"""Reading a Polis export folder: comments.csv and votes.csv (summary.csv if present), every row
checked before anything is written; the latest vote per participant and comment is kept.
The CSV readers are analysis/polis.py's.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from analysis import polis as polis_csv
from analysis.polis import InputError

from ...errors import ValidationError
from ...sanitize import clean_line
from .formats import (
    COMMENT_HEADER,
    COMMENT_REQUIRED,
    COMMENTS_CSV,
    MAX_BODY,
    MAX_SLUG,
    SUMMARY_CSV,
    VOTE_HEADER,
    VOTE_REQUIRED,
    VOTES_CSV,
    from_millis,
)


@dataclass(frozen=True)
class ImportComment:
    id: int
    author: int
    body: str
    moderated: int  # 1 accepted, 0 unmoderated, -1 rejected
    posted_at: datetime


@dataclass(frozen=True)
class ImportVote:
    comment: int
    voter: int
    value: int  # the latest vote: 1 agree, -1 disagree, 0 pass
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class PolisInput:
    """A checked Polis conversation, ready to import: comments in timestamp order, one vote per
    (participant, comment)."""

    slug: str
    comments: list[ImportComment]
    votes: list[ImportVote]
    vote_rows: int  # rows of votes.csv read (every vote event)
    skipped_votes: int  # rows on comments not in comments.csv (only with skip_unknown_votes)
    topic: str = ""
    description: str = ""
    url: str = ""

    @property
    def participants(self) -> list[int]:
        return sorted({c.author for c in self.comments} | {v.voter for v in self.votes})


def slugify(name: str) -> str:
    """A conversation name as used in pseudonymous e-mails and origin links: [a-z0-9.-]."""
    slug = re.sub(r"[^a-z0-9.-]+", "-", (name or "").strip().lower()).strip("-.")
    return slug[:MAX_SLUG].strip("-.")


def read_folder(
    path: str | Path, *, slug: str | None = None, skip_unknown_votes: bool = False
) -> PolisInput:
    """Read and check a Polis export folder; raises ValidationError naming the first problem."""
    folder = Path(path)
    if not folder.is_dir():
        raise ValidationError("polis_folder_not_found", path=str(folder))
    comments_path, votes_path = folder / COMMENTS_CSV, folder / VOTES_CSV
    if not comments_path.exists() and not votes_path.exists():
        raise ValidationError("polis_empty_folder", path=str(folder))
    for p in (comments_path, votes_path):
        if not p.is_file():
            raise ValidationError("polis_missing_file", file=p.name, path=str(folder))
    summary = _read_summary(folder / SUMMARY_CSV)
    name = slugify(slug) if slug is not None else slugify(folder.resolve().name)
    if not name:
        raise ValidationError("polis_bad_slug", field="slug")
    return parse_files(
        comments_path,
        votes_path,
        slug=name,
        skip_unknown_votes=skip_unknown_votes,
        topic=summary.get("topic", ""),
        description=summary.get("conversation-description", ""),
        url=summary.get("url", ""),
    )


def parse_files(
    comments_path: Path,
    votes_path: Path,
    *,
    slug: str,
    skip_unknown_votes: bool = False,
    topic: str = "",
    description: str = "",
    url: str = "",
) -> PolisInput:
    """Check comments.csv and votes.csv (any file names) and keep the latest vote per pair."""
    found = _read_comments(comments_path)
    votes, rows, skipped = _read_votes(votes_path, {c.id for c in found}, skip_unknown_votes)
    return PolisInput(
        slug=slug,
        comments=sorted(found, key=lambda c: (c.posted_at, c.id)),
        votes=votes,
        vote_rows=rows,
        skipped_votes=skipped,
        topic=clean_line(topic),
        description=description.strip(),
        url=clean_line(url),
    )


def _table(path: Path, name: str, required: Sequence[str], header: Sequence[str]) -> list[dict]:
    try:
        raw = path.read_bytes()
    except OSError:
        raise ValidationError("polis_missing_file", file=name, path=str(path.parent)) from None
    if not raw.decode("utf-8-sig", errors="replace").strip():
        raise ValidationError("polis_empty_file", file=name)
    try:
        columns, rows = polis_csv.read_rows(path, ())
    except InputError as exc:
        detail = str(exc).removeprefix(f"{path}: ")
        raise ValidationError("polis_unreadable_file", file=name, detail=detail) from None
    missing = [c for c in required if c not in columns]
    if missing:
        raise ValidationError(
            "polis_bad_header", file=name, missing=", ".join(missing), expected=",".join(header)
        )
    return rows


def _whole(row: dict, column: str, name: str, line: int) -> int:
    value = (row.get(column) or "").strip()
    if not value.isdigit():
        raise ValidationError("polis_bad_number", file=name, row=line, column=column, value=value)
    return int(value)


def _signed(row: dict, column: str, name: str, line: int, code: str) -> int:
    value = (row.get(column) or "").strip()
    if value not in ("1", "-1", "0"):
        raise ValidationError(code, file=name, row=line, value=value)
    return int(value)


def _read_comments(path: Path) -> list[ImportComment]:
    rows = _table(path, COMMENTS_CSV, COMMENT_REQUIRED, COMMENT_HEADER)
    out: list[ImportComment] = []
    seen: set[int] = set()
    for i, row in enumerate(rows):
        line = i + 2  # the spreadsheet row: the header is row 1
        cid = _whole(row, "comment-id", COMMENTS_CSV, line)
        if cid in seen:
            raise ValidationError("polis_duplicate_comment", row=line, comment_id=cid)
        seen.add(cid)
        body = (row.get("comment-body") or "").strip()
        if len(body) > MAX_BODY:
            raise ValidationError("polis_comment_too_long", row=line, max=MAX_BODY)
        out.append(
            ImportComment(
                id=cid,
                author=_whole(row, "author-id", COMMENTS_CSV, line),
                body=body,
                moderated=_signed(row, "moderated", COMMENTS_CSV, line, "polis_bad_moderated"),
                posted_at=from_millis(_whole(row, "timestamp", COMMENTS_CSV, line)),
            )
        )
    if not out:
        raise ValidationError("polis_no_comments", file=COMMENTS_CSV)
    return out


def _read_votes(
    path: Path, known: set[int], skip_unknown: bool
) -> tuple[list[ImportVote], int, int]:
    rows = _table(path, VOTES_CSV, VOTE_REQUIRED, VOTE_HEADER)
    latest: dict[tuple[int, int], list[int]] = {}  # (comment, voter) -> [first ms, last ms, vote]
    skipped = 0
    for i, row in enumerate(rows):
        line = i + 2
        cid = _whole(row, "comment-id", VOTES_CSV, line)
        voter = _whole(row, "voter-id", VOTES_CSV, line)
        ms = _whole(row, "timestamp", VOTES_CSV, line)
        value = _signed(row, "vote", VOTES_CSV, line, "polis_bad_vote")
        if cid not in known:
            if skip_unknown:
                skipped += 1
                continue
            raise ValidationError("polis_unknown_comment", row=line, comment_id=cid)
        entry = latest.get((cid, voter))
        if entry is None:
            latest[(cid, voter)] = [ms, ms, value]
            continue
        entry[0] = min(entry[0], ms)
        if ms >= entry[1]:  # the event log's later row wins a tie
            entry[1], entry[2] = ms, value
    votes = [
        ImportVote(
            comment=c, voter=p, value=v, first_at=from_millis(first), last_at=from_millis(last)
        )
        for (c, p), (first, last, v) in latest.items()
    ]
    return votes, len(rows), skipped


def _read_summary(path: Path) -> dict[str, str]:
    """summary.csv: key,value rows without a header (optional; unreadable means absent)."""
    if not path.is_file():
        return {}
    try:
        text = path.read_bytes().decode("utf-8-sig")
        return {
            row[0].strip(): row[1].strip()
            for row in csv.reader(io.StringIO(text, newline=""))
            if len(row) >= 2
        }
    except (OSError, UnicodeDecodeError, csv.Error):
        return {}
