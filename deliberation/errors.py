"""Domain errors. Each carries a stable code; the web layer maps codes to HTTP and to words."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class: `code` is stable and machine-readable, `params` fill the message."""

    code = "error"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        self.code = code or self.code
        self.params = params
        super().__init__(self.code)


class ValidationError(DomainError):
    """The input itself is wrong (empty, too long, malformed). -> 400"""

    code = "invalid"


class NotAuthenticated(DomainError):
    """An account is needed. -> 401"""

    code = "not_authenticated"


class Forbidden(DomainError):
    """The actor may not do this (role, ownership, time window, state). -> 403"""

    code = "forbidden"


class NotFound(DomainError):
    """The thing does not exist (or is not visible to this actor). -> 404"""

    code = "not_found"


class Conflict(DomainError):
    """The request clashes with the current state (stale edit, duplicate, hidden parent). -> 409"""

    code = "conflict"
