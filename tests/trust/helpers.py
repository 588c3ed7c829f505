"""Helpers for the trust tests: TOTP codes at the frozen instant, and log-in and form posts that
stop where the real form stops."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp

from tests.factories import PASSWORD, csrf_from

# A fixed instant in the middle of a 30-second step: codes for the steps around it are known.
NOW = datetime(2026, 12, 5, 10, 0, 15, tzinfo=UTC)


def code(secret: str, k: int = 0) -> str:
    """The TOTP code of the k-th step after NOW's (the `frozen_clock` fixture's instant)."""
    return pyotp.TOTP(secret).at(int(NOW.timestamp()) + 30 * k)


def password_step(client, user, *, remember: bool = False, next_path: str | None = None):
    """Post the log-in form with the right password; the response as the browser gets it."""
    page = client.get("/login")
    data = {
        "email": user.email,
        "password": PASSWORD,
        "csrf_token": csrf_from(page.get_data(as_text=True)),
    }
    if remember:
        data["remember"] = "y"
    url = "/login" + (f"?next={next_path}" if next_path else "")
    return client.post(url, data=data)


def post_form(client, path: str, data: dict | None = None, *, page: str = "/help"):
    """POST a form with a CSRF token read from `page`."""
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={**(data or {}), "csrf_token": token})
