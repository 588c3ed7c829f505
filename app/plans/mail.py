"""E-mail for published responses, with the standard library only. Sent after the commit as a
background job; a failure is logged, never raised at the person who published."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)


def _setting(name: str, default: Any = None) -> Any:
    """A MAIL_* setting from the app config (config.py reads them from the environment)."""
    value = current_app.config.get(name)
    return default if value in (None, "") else value


def configured() -> bool:
    return bool(_setting("MAIL_SERVER"))


def send_job(_session: Any, messages: list[dict[str, str]]) -> None:
    """Job entry point: send each {to, subject, body}; errors are logged per batch."""
    send(messages)


def send(messages: list[dict[str, str]]) -> int:
    """Send the messages over one SMTP connection; returns how many went out."""
    if not messages or not configured():
        return 0
    host = str(_setting("MAIL_SERVER"))
    port = int(_setting("MAIL_PORT", 25))
    sender = str(_setting("MAIL_DEFAULT_SENDER", "noreply@zhongyi.localhost"))
    sent = 0
    try:
        with smtplib.SMTP(host, port, timeout=float(_setting("MAIL_TIMEOUT", 10))) as smtp:
            if _setting("MAIL_USE_TLS", False):
                smtp.starttls()
            user = _setting("MAIL_USERNAME")
            if user:
                smtp.login(str(user), str(_setting("MAIL_PASSWORD", "")))
            for item in messages:
                msg = EmailMessage()
                msg["From"] = sender
                msg["To"] = item["to"]
                msg["Subject"] = item["subject"]
                msg.set_content(item["body"])
                try:
                    smtp.send_message(msg)
                    sent += 1
                except smtplib.SMTPException:
                    log.exception("could not send the response notice to %s", item["to"])
    except (OSError, smtplib.SMTPException):
        log.exception("could not reach the mail server %s:%s", host, port)
    return sent
