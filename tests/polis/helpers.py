"""Polis import/export helpers: real open-data folders, expectations read straight from the CSVs
(with the csv module, not the code under test), and table row counts."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from deliberation.models import (
    Agency,
    Comment,
    Consultation,
    ModerationAction,
    Thread,
    ThreadEvent,
    User,
    Vote,
)

from ..datasets import data_path

OPENDATA = data_path("polis-opendata")


SEATTLE = OPENDATA / "15-per-hour-seattle"  # 54 comments, 23 rejected, 1 unmoderated


LONDON = OPENDATA / "london.youth.policing"  # the smallest: 39 comments, 640 vote rows


TABLES = (Agency, User, Consultation, Thread, Comment, Vote, ThreadEvent, ModerationAction)


def row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in TABLES}


@dataclass
class Expected:
    comments: dict[int, dict[str, str]]  # comment-id -> row
    participants: set[int]
    latest: dict[tuple[int, int], int]  # (comment-id, voter-id) -> the vote with the latest time


def expected(folder: Path) -> Expected:
    with open(folder / "comments.csv", encoding="utf-8-sig", newline="") as f:
        comments = {int(r["comment-id"]): r for r in csv.DictReader(f)}
    latest_time: dict[tuple[int, int], int] = {}
    latest: dict[tuple[int, int], int] = {}
    with open(folder / "votes.csv", encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            key = (int(r["comment-id"]), int(r["voter-id"]))
            ts = int(r["timestamp"])
            if key not in latest_time or ts >= latest_time[key]:
                latest_time[key], latest[key] = ts, int(r["vote"])
    authors = {int(r["author-id"]) for r in comments.values()}
    return Expected(comments, authors | {v for _c, v in latest}, latest)


def copy_folder(source: Path, target: Path, files=("comments.csv", "votes.csv")) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in files:
        shutil.copy(source / name, target / name)
    return target


def import_cli(runner, folder: Path, *args: str):
    return runner.invoke(args=["consultations", "import-polis", str(folder), *args])


def imported_state(consultation_id: int):
    """What a consultation holds, in Polis terms: comments by Polis id and votes by Polis ids."""
    db.session.expire_all()
    rows = db.session.execute(
        select(
            Comment.origin_url,
            Comment.body,
            Comment.status,
            Comment.origin_posted_at,
            User.email,
        )
        .join(Thread, Thread.id == Comment.thread_id)
        .join(User, User.id == Comment.author_id)
        .where(Thread.consultation_id == consultation_id)
    ).all()
    comments = {
        int(url.rpartition("#")[2]): (body, status, posted, _pid(email))
        for url, body, status, posted, email in rows
    }
    votes = {
        (int(url.rpartition("#")[2]), _pid(email)): value
        for url, email, value in db.session.execute(
            select(Comment.origin_url, User.email, Vote.value)
            .join(Comment, Comment.id == Vote.comment_id)
            .join(Thread, Thread.id == Comment.thread_id)
            .join(User, User.id == Vote.user_id)
            .where(Thread.consultation_id == consultation_id)
        )
    }
    return comments, votes


def _pid(email: str) -> int:
    return int(email.split("@")[0].rpartition("-")[2])
