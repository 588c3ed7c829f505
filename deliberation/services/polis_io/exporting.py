"""Writing a consultation as the three CSV files of the Polis open data (comments, votes,
participants-votes), with our opinion groups as ``group-id``. Imported comments and participants
keep their Polis ids; others get the next free ids, in order of appearance, so ids are stable.
When agency staff, moderators, reviewers or admins wrote comments, officials.csv names their
participant ids with the role and agency of their 「官方」 badge.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import NotFound, ValidationError
from ...exports import csv_text
from ...models import Comment, Consultation, Thread, User, Vote
from ...polis_rules import export_refusal
from ...rules import exportable_text
from ...trust.queries import officials_among
from .formats import (
    COMMENT_HEADER,
    COMMENTS_CSV,
    EMAIL_RE,
    MODERATED_OF,
    OFFICIAL_HEADER,
    OFFICIALS_CSV,
    ORIGIN_RE,
    PARTICIPANT_META,
    PARTICIPANTS_CSV,
    PLATFORM,
    VOTE_HEADER,
    VOTES_CSV,
    chunks,
    refuse,
    to_millis,
)
from .groups import group_labels


@dataclass(frozen=True)
class PolisExport:
    """The three CSV files of a consultation, as text."""

    consultation_id: int
    files: dict[str, str] = field(default_factory=dict)
    comments: int = 0
    participants: int = 0
    votes: int = 0
    groups: int = 0

    def write(self, directory: str | Path) -> list[Path]:
        """Write the files into a directory (created if missing); returns their paths."""
        folder = Path(directory)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            paths = []
            for name, text in self.files.items():
                path = folder / name
                path.write_text(text, encoding="utf-8", newline="")
                paths.append(path)
        except OSError as exc:
            raise ValidationError(
                "polis_cannot_write", path=str(folder), detail=exc.strerror or str(exc)
            ) from None
        return paths


def _stable_ids(items: Iterable[tuple[int, int | None]]) -> dict[int, int]:
    """Our id -> Polis id: the recorded Polis id where there is one, the next free ids after
    the largest for the rest, in the given order."""
    pairs = list(items)
    out: dict[int, int] = {}
    used: set[int] = set()
    for ours, theirs in pairs:
        if theirs is not None and theirs not in used:
            out[ours] = theirs
            used.add(theirs)
    nxt = max(used, default=-1) + 1
    for ours, _theirs in pairs:
        if ours not in out:
            out[ours] = nxt
            nxt += 1
    return out


def _polis_datetime(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    return csv_text(header, rows)  # the project's one CSV writer (no formula cells)


def export_polis(
    session: Session,
    consultation_id: int,
    *,
    actor: User | None,
    operator: bool = False,
    full_text: bool = False,
) -> PolisExport:
    """The consultation as Polis CSV files (every thread, every comment status). Bodies follow
    `rules.exportable_text`: hidden and pending comments keep their row with an empty body;
    only the server operator's backup (`operator` and `full_text`, the CLI's --full-text)
    carries every text."""
    consultation = session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound("consultation_not_found")
    if not operator:
        refuse(export_refusal(actor, consultation))
    crow = session.execute(
        select(
            Comment.id,
            Comment.author_id,
            Comment.body,
            Comment.status,
            Comment.origin_platform,
            Comment.origin_url,
            Comment.origin_posted_at,
            Comment.created_at,
            Comment.agree_count,
            Comment.disagree_count,
        )
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Thread.consultation_id == consultation_id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    vrow = session.execute(
        select(Vote.comment_id, Vote.user_id, Vote.value, Vote.updated_at)
        .join(Comment, Comment.id == Vote.comment_id)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Thread.consultation_id == consultation_id)
        .order_by(Vote.updated_at, Vote.id)
    ).all()

    def origin_id(platform: str | None, url: str | None) -> int | None:
        match = ORIGIN_RE.match(url or "") if platform == PLATFORM else None
        return int(match.group(1)) if match else None

    cid_of = _stable_ids((r.id, origin_id(r.origin_platform, r.origin_url)) for r in crow)
    people: list[int] = []
    seen: set[int] = set()
    for uid in [r.author_id for r in crow] + [r.user_id for r in vrow]:
        if uid not in seen:
            seen.add(uid)
            people.append(uid)
    recorded: dict[int, int] = {}
    for chunk in chunks(people):
        for uid, email, origin in session.execute(
            select(User.id, User.email, User.origin).where(User.id.in_(chunk))
        ):
            match = EMAIL_RE.match(email) if origin == PLATFORM else None
            if match:
                recorded[uid] = int(match.group(1))
    pid_of = _stable_ids((uid, recorded.get(uid)) for uid in sorted(people))
    groups = group_labels(session, consultation_id)

    comments_csv = _csv(
        COMMENT_HEADER,
        sorted(
            (
                (
                    to_millis(r.origin_posted_at or r.created_at),
                    _polis_datetime(r.origin_posted_at or r.created_at),
                    cid_of[r.id],
                    pid_of[r.author_id],
                    r.agree_count,
                    r.disagree_count,
                    MODERATED_OF.get(r.status, 0),
                    r.body if operator and full_text else exportable_text(r.status, r.body),
                )
                for r in crow
            ),
            key=lambda row: row[2],
        ),
    )
    votes_csv = _csv(
        VOTE_HEADER,
        (
            (
                to_millis(r.updated_at),
                _polis_datetime(r.updated_at),
                cid_of[r.comment_id],
                pid_of[r.user_id],
                r.value,
            )
            for r in vrow
        ),
    )
    column_ids = sorted(cid_of.values())
    matrix: dict[int, dict[int, int]] = {}
    for r in vrow:
        matrix.setdefault(pid_of[r.user_id], {})[cid_of[r.comment_id]] = r.value
    authored = Counter(pid_of[r.author_id] for r in crow)
    user_of = {pid: uid for uid, pid in pid_of.items()}
    participant_rows = []
    for pid in sorted(user_of):
        mine = matrix.get(pid, {})
        values = list(mine.values())
        group = groups.get(user_of[pid])
        participant_rows.append(
            [
                pid,
                "" if group is None else group,
                authored[pid],
                len(values),
                values.count(1),
                values.count(-1),
                *("" if mine.get(c) is None else mine[c] for c in column_ids),
            ]
        )
    participants_csv = _csv((*PARTICIPANT_META, *map(str, column_ids)), participant_rows)
    files = {COMMENTS_CSV: comments_csv, VOTES_CSV: votes_csv, PARTICIPANTS_CSV: participants_csv}
    # The 「官方」 badge: which participants wrote as agency staff, moderators, reviewers or
    # admins, in a file of its own so the Polis columns stay as they are (issue 13).
    officials = officials_among(session, {r.author_id for r in crow})
    if officials:
        files[OFFICIALS_CSV] = _csv(
            OFFICIAL_HEADER,
            sorted(
                (pid_of[uid], o.role, o.agency_code or "", o.agency_name or "")
                for uid, o in officials.items()
            ),
        )
    return PolisExport(
        consultation_id=consultation_id,
        files=files,
        comments=len(crow),
        participants=len(user_of),
        votes=len(vrow),
        groups=len(set(groups.values())),
    )
