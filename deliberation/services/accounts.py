"""Accounts: registration, log-in checks, roles and personal access tokens."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..accounts.rules import MIN_PASSWORD, password_refusal
from ..errors import Conflict, ValidationError
from ..models import Agency, Role, User, utcnow
from ..sanitize import clean_line
from ..trust import names as reserved_names

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MAX_NAME = 80

# How passwords are hashed: werkzeug's scrypt unless the app is configured otherwise
# (config.PASSWORD_HASH_METHOD: the tests use a cheap one; production keeps scrypt).
_hash_method = "scrypt"
# Per method, a hash that can never match, so a missing account costs the same time as a wrong
# password. Made on first use: a process that never checks a password never pays for it.
_dummy_hashes: dict[str, str] = {}


def use_password_hash_method(method: str) -> None:
    """Hash new passwords with `method` (a werkzeug method string, e.g. "scrypt")."""
    global _hash_method
    _hash_method = method


def password_hash_method() -> str:
    return _hash_method


def _dummy_hash() -> str:
    if _hash_method not in _dummy_hashes:
        _dummy_hashes[_hash_method] = generate_password_hash(
            secrets.token_hex(8), method=_hash_method
        )
    return _dummy_hashes[_hash_method]


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def _validate(email: str, display_name: str, password: str) -> tuple[str, str]:
    email = normalize_email(email)
    name = clean_line(display_name or "")
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise ValidationError("invalid_email", field="email")
    if not name:
        raise ValidationError("name_required", field="display_name")
    if len(name) > MAX_NAME:
        raise ValidationError("name_too_long", field="display_name", max=MAX_NAME)
    refusal = password_refusal(password, email=email)
    if refusal is not None:
        raise ValidationError(refusal, field="password", min=MIN_PASSWORD)
    return email, name


def get_or_create_agency(session: Session, code: str, name: str | None = None) -> Agency:
    """The agency with this code, created (named after its code unless named) if new."""
    code = clean_line(code).upper()
    if not code:
        raise ValidationError("agency_required", field="agency")
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        agency = Agency(code=code, name=clean_line(name or "") or code)
        session.add(agency)
        session.flush()
    return agency


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    role: str = Role.CITIZEN.value,
    agency: Agency | None = None,
    verified: bool = True,
    language: str | None = None,
) -> User:
    """Create an account; e-mail addresses are unique regardless of case.

    Accounts made by an administrator (CLI, demo) count as verified; self-registration
    (`register`) starts unverified until the mailed link is followed."""
    email, name = _validate(email, display_name, password)
    if role not in {r.value for r in Role}:
        raise ValidationError("invalid_role", field="role")
    if role == Role.STAFF and agency is None:
        raise ValidationError("agency_required", field="agency")
    if role != Role.STAFF:
        agency = None
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("email_taken", field="email")
    user = User(
        email=email,
        display_name=name,
        password_hash=generate_password_hash(password, method=_hash_method),
        role=role,
        agency=agency,
        email_verified_at=utcnow() if verified else None,
        language=language,
    )
    session.add(user)
    session.flush()
    return user


def register(
    session: Session, *, email: str, display_name: str, password: str, language: str | None = None
) -> User:
    """A citizen signs up: a display name that claims an office is refused, and the address is
    unverified until the mailed link is followed."""
    reserved_names.refuse_reserved(session, display_name)
    return create_user(
        session,
        email=email,
        display_name=display_name,
        password=password,
        verified=False,
        language=language,
    )


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.is_active:
        return None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User) -> str:
    """A new personal access token for the API; any previous token stops working."""
    token = "zy_" + secrets.token_urlsafe(32)
    user.api_token_hash = _token_hash(token)
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    if not token:
        return None
    user = session.scalar(select(User).where(User.api_token_hash == _token_hash(token)))
    return user if user is not None and user.is_active else None
