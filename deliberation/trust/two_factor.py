"""Two-factor sign-in with TOTP (RFC 6238, pyotp) and single-use recovery codes.

A code is accepted once: the time step it belongs to is stored, and a code of the same or an
earlier step is refused as replayed. Wrong codes are counted per account; at the limit the
account waits a few minutes before the next attempt (and the web layer limits per address).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..errors import Conflict, Forbidden, ValidationError
from ..models import User, utcnow
from . import audit
from .models import RecoveryCode, TwoFactor
from .rules import CODE_LOCK, MAX_CODE_ATTEMPTS, RECOVERY_CODES, requires_two_factor

STEP = 30  # seconds per TOTP code
ISSUER = "Zhongyi 眾議"
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i look-alikes


@dataclass(frozen=True)
class CodeResult:
    """What a code did: ok, or the error code to show (and nothing else changed)."""

    ok: bool
    error: str | None = None
    used_recovery: bool = False


def state(session: Session, user_id: int) -> TwoFactor | None:
    return session.scalar(select(TwoFactor).where(TwoFactor.user_id == user_id))


def is_enabled(session: Session, user_id: int) -> bool:
    row = state(session, user_id)
    return row is not None and row.enabled_at is not None


def begin_enrolment(session: Session, user: User, *, secret: str | None = None) -> TwoFactor:
    """The secret to show as a QR code; the same one until it is confirmed with a code."""
    row = state(session, user.id)
    if row is not None and row.enabled_at is not None:
        raise Conflict("two_factor_already_on")
    if row is None:
        row = TwoFactor(user_id=user.id, secret=secret or pyotp.random_base32())
        session.add(row)
        session.flush()
    return row


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _clean(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace() and ch != "-").lower()


def _match_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (now ± one, for clock drift) whose code this is, or None."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def _locked(row: TwoFactor, now: datetime) -> bool:
    return row.locked_until is not None and row.locked_until > now


def _failed(row: TwoFactor, now: datetime) -> None:
    row.failed_attempts += 1
    if row.failed_attempts >= MAX_CODE_ATTEMPTS:
        row.locked_until = now + CODE_LOCK
        row.failed_attempts = 0


def check_code(
    session: Session, user: User, code: str, *, now: datetime | None = None
) -> CodeResult:
    """A TOTP code or a recovery code at sign-in (or to confirm a change). Wrong attempts are
    counted and flushed even though the answer is a refusal: the caller commits either way."""
    now = now or utcnow()
    row = state(session, user.id)
    if row is None:
        return CodeResult(False, "two_factor_not_set_up")
    if _locked(row, now):
        return CodeResult(False, "too_many_code_attempts")
    cleaned = _clean(code)
    if not cleaned:
        return CodeResult(False, "code_required")
    step = _match_step(row.secret, cleaned, now)
    if step is not None:
        if row.last_step is not None and step <= row.last_step:
            _failed(row, now)
            session.flush()
            return CodeResult(False, "code_replayed")
        row.last_step = step
        row.failed_attempts = 0
        session.flush()
        return CodeResult(True)
    if row.enabled_at is not None and len(cleaned) == 10:
        recovery = session.scalar(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _hash(cleaned),
                RecoveryCode.used_at.is_(None),
            )
        )
        if recovery is not None:
            recovery.used_at = now
            row.failed_attempts = 0
            audit.record(session, "recovery_code_used", actor=user, subject=user)
            return CodeResult(True, used_recovery=True)
    _failed(row, now)
    session.flush()
    return CodeResult(False, "code_wrong")


def confirm_enrolment(
    session: Session, user: User, code: str, *, now: datetime | None = None
) -> tuple[CodeResult, list[str]]:
    """Turn 2FA on with the first code from the app: (result, the new recovery codes)."""
    now = now or utcnow()
    row = state(session, user.id)
    if row is None:
        return CodeResult(False, "two_factor_not_set_up"), []
    if row.enabled_at is not None:
        raise Conflict("two_factor_already_on")
    result = check_code(session, user, code, now=now)
    if not result.ok or result.used_recovery:
        return (result if not result.ok else CodeResult(False, "code_wrong")), []
    row.enabled_at = now
    codes = _new_recovery_codes(session, user)
    audit.record(session, "two_factor_enabled", actor=user, subject=user)
    return result, codes


def recovery_codes_left(session: Session, user_id: int) -> int:
    return len(
        list(
            session.scalars(
                select(RecoveryCode.id).where(
                    RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
                )
            )
        )
    )


def renew_recovery_codes(session: Session, user: User, code: str) -> tuple[CodeResult, list[str]]:
    """Ten new codes (the old ones stop working), confirmed with a current TOTP code."""
    result = check_code(session, user, code)
    if not result.ok:
        return result, []
    codes = _new_recovery_codes(session, user)
    audit.record(session, "recovery_codes_renewed", actor=user, subject=user)
    return result, codes


def disable(session: Session, user: User, code: str) -> CodeResult:
    """A citizen turns 2FA off (with a current code); privileged roles cannot."""
    if requires_two_factor(user):
        raise Forbidden("two_factor_required_for_role")
    result = check_code(session, user, code)
    if not result.ok:
        return result
    _remove(session, user.id)
    audit.record(session, "two_factor_disabled", actor=user, subject=user)
    return result


def reset(session: Session, user: User, *, actor: User, ip: str = "") -> None:
    """An admin removes a user's second factor (lost phone): they enrol again at next log-in."""
    if state(session, user.id) is None:
        raise ValidationError("two_factor_not_set_up")
    _remove(session, user.id)
    audit.record(session, "two_factor_reset", actor=actor, subject=user, ip=ip)


def _remove(session: Session, user_id: int) -> None:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    session.execute(delete(TwoFactor).where(TwoFactor.user_id == user_id))
    session.flush()


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
        codes.append(raw)
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw)))
    session.flush()
    return [f"{c[:5]}-{c[5:]}" for c in codes]
