"""Log-in and log-out on the web: the server-side session row behind every logged-in browser,
the "keep me logged in" cookie, the step between the password and the second factor.

Flask-Login still holds the user id in the signed session cookie; next to it the session keeps a
random id (`zy_sid`) whose row must be live for the user loader to accept it. Logging out revokes
the row, so replaying the old session cookie or the old remember cookie gives nobody.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, g, redirect, request, session, url_for
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from deliberation.models import User
from deliberation.trust import rules, sessions, two_factor

from .extensions import db

SID = "zy_sid"  # in the Flask session: the random id of this log-in's row
PENDING = "zy_2fa"  # in the Flask session: a password accepted, the second factor not yet
REMEMBER_COOKIE = "zy_remember"


def client_ip() -> str:
    return request.remote_addr or ""


def _remember_days() -> int:
    return int(current_app.config.get("REMEMBER_DAYS", 30))


def two_factor_required() -> bool:
    """Off only in TestingConfig, the one place tests are "already past 2FA" (config.py)."""
    return bool(current_app.config.get("TWO_FACTOR_REQUIRED", True))


def after_password(user: User, *, remember: bool, next_url: str) -> Response:
    """The password was right: ask for the code, send to enrolment, or log in."""
    needs_enrolment = rules.requires_two_factor(user) and two_factor_required()
    if two_factor.is_enabled(db.session, user.id) or needs_enrolment:
        mode = "verify" if two_factor.is_enabled(db.session, user.id) else "enrol"
        session[PENDING] = {
            "uid": user.id,
            "remember": remember,
            "next": next_url,
            "until": time.time() + rules.PENDING_LOGIN.total_seconds(),
            "mode": mode,
        }
        endpoint = "trust.login_code" if mode == "verify" else "trust.setup"
        return redirect(url_for(endpoint))
    log_in(user, remember=remember, two_factor=False)
    return redirect(next_url)


def pending(mode: str | None = None) -> tuple[User, dict[str, Any]] | None:
    """The user half-way through logging in (password given, code not yet), or None."""
    data = session.get(PENDING)
    if not isinstance(data, dict) or data.get("until", 0) < time.time():
        return None
    if mode is not None and data.get("mode") != mode:
        return None
    user = db.session.get(User, int(data.get("uid", 0)))
    if user is None or not user.is_active:
        return None
    return user, data


def log_in(user: User, *, remember: bool, two_factor: bool) -> None:
    """Start a server-side session for `user` in this browser (the caller commits)."""
    _, raw = sessions.start(
        db.session,
        user,
        remember=remember,
        remember_days=_remember_days(),
        two_factor=two_factor,
        ip=client_ip(),
        user_agent=request.headers.get("User-Agent", ""),
    )
    session.pop(PENDING, None)
    # A new CSRF token for the logged-in session: one read before logging in stops working.
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)
    login_user(user, remember=False)  # our own remember cookie, bound to the session row
    session[SID] = raw
    g.zy_remember = (
        (raw, int(rules.remember_for(_remember_days()).total_seconds())) if remember else None
    )


def log_out() -> None:
    """End this browser's session on the server too (the caller commits)."""
    sessions.end(db.session, session.get(SID))
    raw_cookie = request.cookies.get(REMEMBER_COOKIE)
    if raw_cookie:
        sessions.end(db.session, raw_cookie)
    logout_user()
    session.pop(SID, None)
    session.pop(PENDING, None)
    g.zy_remember = ("", 0)


def session_ok(user: User) -> bool:
    """Whether this request's session row is live for `user` (the user loader asks)."""
    row = sessions.active(db.session, session.get(SID), user_id=user.id)
    if row is None:
        return False
    if rules.requires_two_factor(user) and two_factor_required() and not row.two_factor:
        return False  # made privileged while logged in: sign in again, with a second factor
    g.zy_session_id = row.id
    return True


def from_remember_cookie() -> User | None:
    """A browser back after its session cookie expired: its remember cookie, if still live."""
    raw = request.cookies.get(REMEMBER_COOKIE)
    row = sessions.active(db.session, raw) if raw else None
    if row is None or not row.remember:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if rules.requires_two_factor(user) and two_factor_required() and not row.two_factor:
        return None
    session["_user_id"] = user.get_id()
    session["_fresh"] = False
    session[SID] = raw
    g.zy_session_id = row.id
    return user


def write_remember_cookie(response: Response) -> Response:
    """Set or clear the remember cookie as log-in / log-out asked (an after_request hook)."""
    wanted = g.pop("zy_remember", None)
    if wanted is None:
        return response
    raw, max_age = wanted
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    if raw:
        response.set_cookie(
            REMEMBER_COOKIE, raw, max_age=max_age, httponly=True, samesite="Lax", secure=secure
        )
    else:
        response.delete_cookie(REMEMBER_COOKIE, httponly=True, samesite="Lax", secure=secure)
    return response
