"""Who a rate limit counts, the proxy in front of us, and what a 429 says.

- Behind a proxy the socket address is the proxy's, so every visitor would share one bucket.
  `TRUSTED_PROXY_HOPS` (default 0: trust no header) wraps the app in Werkzeug's ProxyFix for that
  many proxies, which then take X-Forwarded-For / X-Forwarded-Proto from exactly those hops.
- Limits count the account when there is one (posting, voting: a shared office address is not
  one person), else the address. Logging in is limited per address and per e-mail address.
- Redis down: the limiter keeps counting in memory and logs it (Flask-Limiter's fallback),
  so posting keeps working; it goes back to Redis when Redis answers again.
- A 429 says when to try again: the Retry-After header and the message give the real time.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, request
from flask_limiter import Limiter
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix


def client_address() -> str:
    """The client's address: the socket's, or the trusted proxy's X-Forwarded-For entry."""
    return request.remote_addr or "unknown"


def account_or_address() -> str:
    """The limiter's key: the logged-in account (session or token), else the address."""
    if getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    return f"addr:{client_address()}"


def login_account() -> str:
    """The e-mail address a login form tries (so guessing one account's password from many
    addresses is limited too)."""
    email = (request.form.get("email") or "").strip().lower()
    return f"login:{email}" if email else f"addr:{client_address()}"


def retry_after_seconds(limiter: Limiter) -> int:
    """Seconds until the limit that was just exceeded lets a request through again."""
    current = limiter.current_limit
    if current is None:
        return 1
    return max(1, math.ceil(current.reset_at - time.time()))


def init_app(app: Flask, limiter: Limiter) -> None:
    """The limiter's log messages in the app's log."""
    # Flask-Limiter logs to "flask-limiter" (a NullHandler only): let its warnings ("storage
    # unreachable - falling back to in-memory storage", "recovered") reach the app's log.
    limiter.logger.setLevel(logging.INFO)
    for handler in app.logger.handlers:
        if handler not in limiter.logger.handlers:
            limiter.logger.addHandler(handler)


def trust_proxy(app: Flask) -> None:
    """Wrap the whole app (outermost, Socket.IO included) in ProxyFix for the configured hops."""
    hops = int(app.config.get("TRUSTED_PROXY_HOPS", 0) or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
