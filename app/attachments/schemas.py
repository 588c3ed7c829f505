"""Response models of the attachments API (app/attachments/api.py)."""

from __future__ import annotations

from ..openapi.operation import Out


class Attachment(Out):
    """A file attached to a consultation."""

    id: int
    filename: str
    kind: str
    content_type: str
    size: int
    sha256: str
    created_at: str
    url: str


class AttachmentList(Out):
    """The consultation's attachments."""

    items: list[Attachment]


class Removed(Out):
    """The attachment is gone."""

    id: int
    removed: bool


UPLOAD = {
    "type": "object",
    "required": ["file"],
    "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}},
}
