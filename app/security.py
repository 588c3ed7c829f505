"""Who is asking: session log-in, bearer tokens for the API, CSRF, and response headers."""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, Response, current_app, g, request, session
from flask_login import AnonymousUserMixin, user_logged_in

from deliberation.models import User
from deliberation.services import accounts

from .extensions import csrf, db, login


class Anonymous(AnonymousUserMixin):
    id = None
    role = None
    agency_id = None
    is_active = False
    email_verified = False


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def current_actor() -> User | None:
    """The logged-in User, or None: what the domain services take as `actor`."""
    from flask_login import current_user

    return current_user if isinstance(current_user._get_current_object(), User) else None  # type: ignore[attr-defined]


# ---- sessions die with the password ------------------------------------------------------------
# Like Django's session auth hash: what the session (and the remember-me cookie, which Flask-Login
# copies from session["_user_id"]) holds is "<id>:<hash>", where the hash is derived from the
# password hash. A new password (a reset, a change) changes it, so every session made before no
# longer loads: the reset link "ends the account's other sessions". Keep this in these three
# functions; server-side session records (helper "trust") check alongside them.


def session_auth_hash(user: User) -> str:
    """An HMAC of the password hash under SECRET_KEY: changes whenever the password does."""
    key = f"{current_app.secret_key}:session-auth".encode()
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def bind_session(user: User) -> None:
    """Write "<id>:<hash>" into the session: at log-in, and after the person changes their own
    password (so the browser that changed it stays logged in and the others do not)."""
    session["_user_id"] = f"{user.id}:{session_auth_hash(user)}"


def user_for_session(value: str) -> User | None:
    """The active user a session value names, if its hash matches the current password."""
    user_id, _, digest = (value or "").partition(":")
    if not user_id.isdigit() or not digest:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    return user if hmac.compare_digest(digest, session_auth_hash(user)) else None


def init_app(app: Flask) -> None:
    login.anonymous_user = Anonymous
    login.login_view = "auth.login"
    login.login_message = None  # the login page says why on its own
    login.session_protection = "basic"

    @login.user_loader
    def load_user(user_id: str) -> User | None:
        # A request that carries a bearer token is judged by that token alone.
        if bearer_token() is not None:
            return None
        return user_for_session(user_id)

    @user_logged_in.connect_via(app)
    def _bind_session(_app: Flask, user: User, **_extra: object) -> None:
        bind_session(user)

    @login.request_loader
    def load_from_token(_request) -> User | None:  # type: ignore[no-untyped-def]
        token = bearer_token()
        if token is None:
            return None
        user = accounts.user_for_token(db.session, token)
        g.bearer_failed = user is None
        return user

    @app.before_request
    def csrf_unless_bearer() -> None:
        # A cross-site page cannot attach an Authorization header, so token calls need no CSRF
        # token; everything authenticated by the session cookie does.
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if bearer_token() is not None:
            return
        csrf.protect()

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if g.get("csp", {}).get("frame-ancestors", "'none'") == "'none'":
            response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", content_security_policy(app))
        return response


# The default policy; a view may amend single directives for its own response by setting
# g.csp = {"frame-ancestors": "*"} (the embeddable widget), and app.config["CSP_EXTRA"] adds
# site-wide sources (e.g. the allow-listed embed providers' frame-src).
CSP_DEFAULT = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "connect-src": "'self' ws: wss:",
    "frame-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "object-src": "'none'",
}


def content_security_policy(app: Flask) -> str:
    """The Content-Security-Policy header for this response."""
    policy = dict(CSP_DEFAULT)
    policy.update(app.config.get("CSP_EXTRA") or {})
    policy.update(g.get("csp", {}))
    return "; ".join(f"{name} {value}" for name, value in policy.items())
