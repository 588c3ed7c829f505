"""JSON shapes of the public API (documented in docs/api.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from deliberation.events import public_comment
from deliberation.models import Comment, Consultation, Section, Thread, User
from deliberation.services.consultations import ordered_threads


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def comment_json(comment: Comment, viewer: User | None) -> dict[str, Any]:
    """A comment; text only when this viewer may read it (the shape real-time events carry too)."""
    return public_comment(comment, viewer)


def section_json(section: Section) -> dict[str, Any]:
    return {
        "id": section.id,
        "position": section.position,
        "title": section.title,
        "body": section.body,
        "html": section.body_html,
        "thread_id": section.thread.id if section.thread else None,
    }


def thread_json(thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.id,
        "section_id": thread.section_id,
        "kind": "general" if thread.section_id is None else "section",
        "last_seq": thread.last_comment_seq,
        "locked": thread.locked,
    }


def consultation_json(
    item: Consultation, *, full: bool = False, comment_count: int | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id,
        "title": item.title,
        "summary": item.summary,
        "status": item.status,
        "agency": {"code": item.agency.code, "name": item.agency.name},
        "opens_at": iso(item.opens_at),
        "closes_at": iso(item.closes_at),
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
    }
    if comment_count is not None:
        data["comment_count"] = comment_count
    if full:
        data["body"] = item.body
        data["html"] = item.body_html
        data["sections"] = [section_json(s) for s in item.sections]
        data["threads"] = [thread_json(t) for t in ordered_threads(item)]
    return data
