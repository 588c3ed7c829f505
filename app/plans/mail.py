"""E-mail for published responses: sent only when MAIL_SERVER is set, through the site's one
mail module (app/mail.py), after the commit as a background job; a failure is logged, never
raised at the person who published."""

from __future__ import annotations

from typing import Any

from flask import current_app

from .. import mail as site_mail


def configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send_job(_session: Any, messages: list[dict[str, str]]) -> None:
    """Job entry point: send each {to, subject, body}; errors are logged per batch."""
    send(messages)


def send(messages: list[dict[str, str]]) -> int:
    """Send the messages over one SMTP connection; returns how many went out."""
    if not messages or not configured():
        return 0
    return site_mail.send(messages)
