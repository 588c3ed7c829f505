"""Who is asking: session log-in, bearer tokens for the API, CSRF, and response headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import Flask, Response, g, request
from flask_login import AnonymousUserMixin

from deliberation.errors import NotAuthenticated
from deliberation.models import User
from deliberation.services import accounts

from . import sessions as web_sessions
from .extensions import csrf, db, login

P = ParamSpec("P")
R = TypeVar("R")


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


def csrf_exempt(view: Callable[P, R]) -> Callable[P, R]:
    """Mark a view that takes POSTs without a session: its URL carries a signed token (RFC 8058
    one-click unsubscribe, POSTed by mail programs)."""
    view.csrf_exempt = True  # type: ignore[attr-defined]
    return view


def current_actor() -> User | None:
    """The logged-in User, or None: what the domain services take as `actor`."""
    from flask_login import current_user

    return current_user if isinstance(current_user._get_current_object(), User) else None


# ---- sessions die with the password ------------------------------------------------------------
# Like Django's session auth hash: what the session (and the remember-me cookie, which Flask-Login
# copies from session["_user_id"]) holds is "<id>:<hash>", where the hash is derived from the
# password hash. A new password (a reset, a change) changes it, so every session made before no
# longer loads: the reset link "ends the account's other sessions". Keep this in these three
# functions; server-side session records (helper "trust") check alongside them.


def init_app(app: Flask) -> None:
    login.anonymous_user = Anonymous
    login.login_view = "auth.login"
    login.login_message = None  # the login page says why on its own
    login.session_protection = "basic"
    accounts.use_password_hash_method(app.config.get("PASSWORD_HASH_METHOD", "scrypt"))

    @login.user_loader
    def load_user(user_id: str) -> User | None:
        # A request that carries a bearer token is judged by that token alone.
        if bearer_token() is not None:
            return None
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        if user is None or not user.is_active:
            return None
        # Only while this log-in's server-side session is live (logged out → gone).
        return user if web_sessions.session_ok(user) else None

    @login.request_loader
    def load_from_token(_request) -> User | None:
        token = bearer_token()
        if token is None:
            return web_sessions.from_remember_cookie()
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
        view = app.view_functions.get(request.endpoint or "")
        if getattr(view, "csrf_exempt", False):
            return  # a signed link (one-click unsubscribe); see `csrf_exempt`
        # The API checks who is asking before the CSRF token: a write with no credentials at
        # all is "log in first" (401), as a bad token is, not a stale form (400).
        api_route = request.path.startswith("/api/") and request.url_rule is not None
        if api_route and current_actor() is None:
            raise NotAuthenticated()
        csrf.protect()

    @app.after_request
    def headers(response: Response) -> Response:
        web_sessions.write_remember_cookie(response)
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
