"""Request and response models of the Polis API (app/polis/api.py)."""

from __future__ import annotations

from ..openapi.operation import Out

UPLOAD = {
    "type": "object",
    "required": ["comments", "votes"],
    "properties": {
        "comments": {"type": "string", "contentMediaType": "text/csv"},
        "votes": {"type": "string", "contentMediaType": "text/csv"},
        "title": {"type": "string"},
        "agency": {"type": "string"},
        "slug": {"type": "string"},
        "skip_unknown_votes": {"type": "string", "description": "1, true, yes or on"},
    },
}

ZIP = {
    "description": "comments.csv, votes.csv and participants-votes.csv in a zip",
    "content": {
        "application/zip": {"schema": {"type": "string", "contentMediaType": "application/zip"}}
    },
}


class Imported(Out):
    """The consultation the import created, and what it counted."""

    id: int
    url: str
