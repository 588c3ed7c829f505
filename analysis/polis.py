"""Readers for the Polis export format (comments.csv, participants-votes.csv).

Every problem with the input raises :class:`InputError` with a one-line message naming the
problem, so the CLI can print it and exit 2 instead of showing a traceback.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

COMMENT_COLUMNS = ("comment-id", "moderated", "comment-body")
# Exports made with include-xid carry an "xid" column (the external participant id): not a comment.
VOTE_META_COLUMNS = (
    "participant",
    "xid",
    "group-id",
    "n-comments",
    "n-votes",
    "n-agree",
    "n-disagree",
)


class InputError(ValueError):
    """The input file cannot be analysed; the message says why, in one line."""


@dataclass(frozen=True)
class PolisComment:
    """One row of a Polis comments.csv."""

    id: str
    text: str
    moderated: int
    agrees: int
    disagrees: int
    author_id: str


@dataclass(frozen=True)
class VoteMatrix:
    """Participants x comments; values 1 agree, -1 disagree, 0 pass, NaN no vote."""

    participant_ids: list[str]
    comment_ids: list[str]
    values: np.ndarray  # float64, shape (n_participants, n_comments), NaN = missing
    reference_groups: list[str | None]  # Polis's own group-id per participant (None = unclustered)


def _read_text(path: str | Path) -> str:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected a CSV file")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{p}: not UTF-8 text (byte {exc.start}); re-save the file as UTF-8"
        ) from None
    if not text.strip():
        raise InputError(f"{p}: the file is empty")
    return text


def read_rows(
    path: str | Path, required: tuple[str, ...]
) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a Polis CSV, checked for the required columns (InputError)."""
    text = _read_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InputError(f"{path}: malformed CSV ({exc})") from None
    return header, rows


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(float(value)) if value not in (None, "") else default
    except ValueError:
        return default


def read_comments(path: str | Path, *, include_rejected: bool = False) -> list[PolisComment]:
    """Read a Polis comments.csv; rows moderated = -1 are skipped unless asked for."""
    _, rows = read_rows(path, COMMENT_COLUMNS)
    out: list[PolisComment] = []
    for row in rows:
        moderated = _int(row.get("moderated"))
        if moderated == -1 and not include_rejected:
            continue
        cid = (row.get("comment-id") or "").strip()
        if not cid:
            continue
        out.append(
            PolisComment(
                id=cid,
                text=row.get("comment-body") or "",
                moderated=moderated,
                agrees=_int(row.get("agrees")),
                disagrees=_int(row.get("disagrees")),
                author_id=(row.get("author-id") or "").strip(),
            )
        )
    if not out:
        raise InputError(f"{path}: no comments to analyse")
    return out


def read_participants_votes(path: str | Path) -> VoteMatrix:
    """Read a Polis participants-votes.csv into a vote matrix (latest vote per comment)."""
    header, rows = read_rows(path, ("participant",))
    comment_cols = [h for h in header if h not in VOTE_META_COLUMNS and h]
    if not comment_cols:
        raise InputError(f"{path}: no comment columns after the participant columns")
    if not rows:
        raise InputError(f"{path}: no participants")
    values = np.full((len(rows), len(comment_cols)), np.nan)
    pids: list[str] = []
    groups: list[str | None] = []
    for i, row in enumerate(rows):
        pids.append((row.get("participant") or "").strip())
        g = (row.get("group-id") or "").strip()
        groups.append(g or None)
        for j, c in enumerate(comment_cols):
            v = (row.get(c) or "").strip()
            if v == "":
                continue
            try:
                f = float(v)
            except ValueError:
                raise InputError(
                    f"{path}: participant {pids[-1]} has a vote {v!r} on comment {c}; "
                    "expected 1, -1 or 0"
                ) from None
            if math.isnan(f) or f not in (1.0, -1.0, 0.0):
                raise InputError(
                    f"{path}: participant {pids[-1]} has a vote {v!r} on comment {c}; "
                    "expected 1, -1 or 0"
                )
            values[i, j] = f
    if np.isnan(values).all():
        raise InputError(f"{path}: every vote is empty")
    return VoteMatrix(
        participant_ids=pids, comment_ids=comment_cols, values=values, reference_groups=groups
    )


VOTE_LOG_COLUMNS = ("timestamp", "comment-id", "voter-id", "vote")


@dataclass(frozen=True)
class VoteLog:
    """A Polis votes.csv: one row per vote event (a changed vote appears again), in file order."""

    timestamps: np.ndarray  # int64 milliseconds
    participant_ids: list[str]  # one per event
    comment_ids: list[str]  # one per event
    votes: np.ndarray  # float64: 1 agree, -1 disagree, 0 pass


def read_votes(path: str | Path) -> VoteLog:
    """Read a Polis votes.csv (timestamp, comment-id, voter-id, vote) into a vote log."""
    _, rows = read_rows(path, VOTE_LOG_COLUMNS)
    if not rows:
        raise InputError(f"{path}: no votes")
    times = np.empty(len(rows), dtype=np.int64)
    votes = np.empty(len(rows), dtype=np.float64)
    pids: list[str] = []
    cids: list[str] = []
    for i, row in enumerate(rows, start=2):
        pid = (row.get("voter-id") or "").strip()
        cid = (row.get("comment-id") or "").strip()
        if not pid or not cid:
            raise InputError(f"{path}: line {i} has no voter-id or comment-id")
        stamp = (row.get("timestamp") or "").strip()
        try:
            times[i - 2] = int(float(stamp))
        except (ValueError, OverflowError):
            raise InputError(
                f"{path}: line {i} has a timestamp {stamp!r}; expected milliseconds"
            ) from None
        v = (row.get("vote") or "").strip()
        try:
            f = float(v)
        except ValueError:
            f = math.nan
        if f not in (1.0, -1.0, 0.0):
            raise InputError(f"{path}: line {i} has a vote {v!r}; expected 1, -1 or 0")
        votes[i - 2] = f
        pids.append(pid)
        cids.append(cid)
    return VoteLog(timestamps=times, participant_ids=pids, comment_ids=cids, votes=votes)
