"""Response models of the admins' account API (app/trust/api.py)."""

from __future__ import annotations

from ..openapi.operation import Out


class Session(Out):
    id: int
    created_at: str | None
    expires_at: str | None
    remember: bool
    two_factor: bool
    ip: str | None
    user_agent: str | None


class Sessions(Out):
    """The account's live sessions, whether it has an API token and two-factor sign-in."""

    user_id: int
    items: list[Session]
    api_token: bool
    two_factor: bool


class Revoked(Out):
    """How many sessions were ended."""

    revoked: int
