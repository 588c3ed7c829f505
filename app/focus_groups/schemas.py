"""Request and response models of the focus-group API (app/focus_groups/api.py)."""

from __future__ import annotations

from typing import Any

from ..openapi.operation import Body, Out, loose


class Summary(Out):
    """Pool size and the draw's summary; a volunteer's own status and probability."""

    panel_size: int | None
    pool_size: int
    draw: dict[str, Any] | None
    me: dict[str, Any] | None


class DrawBody(Body):
    seed: Any = loose({"type": "integer"}, "The lottery's seed (published in the record)")
    size: Any = loose({"type": ["integer", "null"]}, "Panel size (default: the group's)")
    algorithm: Any = loose({"type": "string"}, "maximin (default), nash, leximin or legacy")


class DrawRecord(Out):
    """The draw's audit record (docs/focus-groups.md): enough to replay it."""

    size: int | None
    pool_size: int
    seed: int
    algorithm: str
    pool_hash: str
