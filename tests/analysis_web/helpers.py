"""Fixtures for analysis in the app: consultations filled with the synthetic Traditional Chinese
comments (../shared/data/synthetic-zh), inserted quickly with their write-time tokens."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from app.extensions import db
from deliberation.models import Comment, Thread, User, Vote, utcnow
from deliberation.services import comments as comments_service
from deliberation.services.analysis_runs import start_run
from tests.datasets import data_path
from tests.factories import PASSWORD_HASH as _PASSWORD_HASH

SYNTHETIC = data_path("synthetic-zh")


@functools.lru_cache(maxsize=4)
def synthetic(name: str = "ev-scooter") -> list[tuple[str, int, int, str]]:
    """(text, agrees, disagrees, theme label) of a synthetic set, in file order."""
    base = Path(SYNTHETIC / name)
    if not base.exists():
        pytest.skip(f"shared data not found at {base}")
    with (base / "labels.csv").open(encoding="utf-8", newline="") as f:
        labels = {r["comment-id"]: r["theme"] for r in csv.DictReader(f)}
    with (base / "comments.csv").open(encoding="utf-8", newline="") as f:
        return [
            (r["comment-body"], int(r["agrees"]), int(r["disagrees"]), labels[r["comment-id"]])
            for r in csv.DictReader(f)
        ]


@functools.lru_cache(maxsize=4096)
def _tokens(text: str) -> str:
    tokenize = comments_service.tokenizer()
    return " ".join(tokenize(text)) if tokenize else ""


def fill(thread: Thread, n: int = 120, *, name: str = "ev-scooter", voters: int = 12) -> list[int]:
    """Insert the first `n` synthetic comments (tokens as at write time) and some votes from
    `voters` citizens; returns the comment ids in order."""
    rows = synthetic(name)[:n]
    authors = [
        User(
            email=f"a{i}-{thread.id}@example.tw",
            display_name=f"作者{i}",
            password_hash=_PASSWORD_HASH,
        )
        for i in range(20)
    ]
    db.session.add_all(authors)
    db.session.flush()
    now = utcnow()
    start = thread.last_comment_seq
    values = [
        {
            "thread_id": thread.id,
            "author_id": authors[i % len(authors)].id,
            "depth": 0,
            "seq": start + i + 1,
            "body": text,
            "html": f"<p>{text}</p>".replace("&", "&amp;"),
            "tokens": _tokens(text),
            "status": "visible",
            "version": 1,
            "created_at": now,
            "agree_count": 0,
            "disagree_count": 0,
            "pass_count": 0,
            "reply_count": 0,
            "pinned": False,
            "flag_count": 0,
        }
        for i, (text, _a, _d, _label) in enumerate(rows)
    ]
    db.session.execute(insert(Comment), values)
    db.session.execute(
        update(Thread).where(Thread.id == thread.id).values(last_comment_seq=start + len(rows))
    )
    ids = list(
        db.session.scalars(
            select(Comment.id)
            .where(Comment.thread_id == thread.id, Comment.seq > start)
            .order_by(Comment.seq)
        )
    )
    people = [
        User(
            email=f"v{i}-{thread.id}@example.tw",
            display_name=f"投票者{i}",
            password_hash=_PASSWORD_HASH,
        )
        for i in range(voters)
    ]
    db.session.add_all(people)
    db.session.flush()
    votes = []
    for j, cid in enumerate(ids):
        agrees, disagrees = rows[j][1], rows[j][2]
        for k, person in enumerate(people):
            # a deterministic pattern: half the voters follow the comment's agree share
            value = 1 if (k * 7 + j) % (agrees + disagrees + 1) < agrees else -1
            if (k + j) % 5 == 0:
                continue
            votes.append(
                {
                    "comment_id": cid,
                    "user_id": person.id,
                    "value": value,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    if votes:
        db.session.execute(insert(Vote), votes)
    db.session.commit()
    return ids


def analyse(consultation, actor=None):
    """Start and execute a run in the test's session; returns the run."""
    run, _created = start_run(db.session, consultation, actor=actor, system=actor is None)
    db.session.commit()
    from app.analysis_web.jobs import execute

    execute(db.session, run.id)
    db.session.commit()
    return run
