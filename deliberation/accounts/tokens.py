"""Signed, time-limited links for account actions (itsdangerous).

Each token names its purpose (a salt, so one kind never passes for another), the user, and a
fingerprint of the state it may change: the password hash for a reset (so the link dies once
the password changes, that is once used), the current address for a verification or an
address change. The signature needs the site's SECRET_KEY, passed in by the caller.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..errors import ValidationError
from ..models import User

RESET = "reset-password"
VERIFY = "verify-email"
CHANGE_EMAIL = "change-email"

MAX_AGE = {
    RESET: 3600,  # one hour
    VERIFY: 3 * 24 * 3600,
    CHANGE_EMAIL: 24 * 3600,
}


def fingerprint(value: str) -> str:
    """A short digest of state the token is bound to (never the state itself)."""
    return hashlib.sha256(value.encode()).hexdigest()[:20]


def binding(purpose: str, user: User) -> str:
    if purpose == RESET:
        return fingerprint(user.password_hash)
    return fingerprint(user.email)


@dataclass(frozen=True)
class Claim:
    user_id: int
    bound: str
    extra: dict[str, Any]


def make(secret: str, purpose: str, user: User, **extra: Any) -> str:
    """A token for this purpose and user."""
    return sign(secret, purpose, user.id, binding(purpose, user), **extra)


def sign(secret: str, purpose: str, user_id: int, bound: str, **extra: Any) -> str:
    """The signed payload itself (make() fills it in from a user)."""
    serializer = URLSafeTimedSerializer(secret, salt=purpose)
    return serializer.dumps({"u": user_id, "b": bound, **extra})


def read(secret: str, purpose: str, token: str, *, max_age: int | None = None) -> Claim:
    """The claim inside a token; ValidationError token_expired / token_invalid otherwise."""
    serializer = URLSafeTimedSerializer(secret, salt=purpose)
    try:
        data = serializer.loads(token or "", max_age=max_age or MAX_AGE[purpose])
    except SignatureExpired:
        raise ValidationError("token_expired", field="token") from None
    except BadSignature:
        raise ValidationError("token_invalid", field="token") from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise ValidationError("token_invalid", field="token")
    extra = {k: v for k, v in data.items() if k not in ("u", "b")}
    return Claim(user_id=data["u"], bound=str(data.get("b", "")), extra=extra)


def still_bound(claim: Claim, purpose: str, user: User) -> bool:
    """Whether the state the token was made for is still the user's current state."""
    return claim.bound == binding(purpose, user)
