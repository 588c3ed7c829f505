"""What posting, imports and moderation share when they write a comment row: the write-time
tokens of its text, and the public reply counts of its ancestors.

Segmentation at write time is optional wiring: the web app installs the analysis tokenizer with
`set_tokenizer` (app/database.py), so this module names no text-analysis package.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update
from sqlalchemy.orm import Session

from .. import moderation as policy
from ..models import Comment

Tokenizer = Callable[[str], list[str]]
_tokenizer: Tokenizer | None = None


def set_tokenizer(tokenizer: Tokenizer | None) -> None:
    """Install the function that turns comment text into analysis tokens at write time."""
    global _tokenizer
    _tokenizer = tokenizer


def tokenizer() -> Tokenizer | None:
    """The installed write-time tokenizer (moderation matches keywords on its tokens too)."""
    return _tokenizer


def tokens_of(text: str) -> str | None:
    """The stored `tokens` column for this text: space-joined, or None without a tokenizer."""
    if _tokenizer is None:
        return None
    return " ".join(_tokenizer(text))


def add_to_ancestors(session: Session, parent: Comment, delta: int) -> None:
    """Add `delta` to the reply count of `parent` and of every comment above it."""
    ids = []
    node: Comment | None = parent
    while node is not None:
        ids.append(node.id)
        node = node.parent
    session.execute(
        update(Comment)
        .where(Comment.id.in_(ids))
        .values(reply_count=Comment.reply_count + delta)
        .execution_options(synchronize_session="fetch")
    )


def shift_reply_counts(session: Session, comment: Comment, before: str, after: str) -> None:
    """Reply counts shown to the public count public replies only (never pending ones): move
    them when a reply's status crosses between public and not."""
    if comment.parent_id is None or policy.is_public(before) == policy.is_public(after):
        return
    parent = session.get(Comment, comment.parent_id)
    if parent is not None:
        add_to_ancestors(session, parent, +1 if policy.is_public(after) else -1)
