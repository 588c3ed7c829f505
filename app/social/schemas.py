"""Request and response models of the social API (app/social/api.py)."""

from __future__ import annotations

from typing import Any

from ..openapi.operation import Body, Out, loose


class ImportBody(Body):
    platform: Any = loose({"type": "string"})
    url: Any = loose({"type": "string"})
    author: Any = loose({"type": "string"})
    posted_at: Any = loose({"type": "string"}, "ISO 8601")
    text: Any = loose({"type": "string"})
    csv: Any = loose({"type": "string"}, "Several items as CSV instead of one")
    dry_run: Any = loose({"type": "boolean"}, "Check and preview, write nothing")


class ImportResult(Out):
    """The import (or its preview): one item's action and comment, or a CSV report."""


class Participation(Out):
    """Participation figures and what each counts."""

    participation_dictionary: Any
