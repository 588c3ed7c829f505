"""E-mail for published responses: declared only when MAIL_SERVER is set, and sent through the
site's one mail module (app/mail.py, "mail.send" on the outbox) after the commit as a background
job; a failure is logged, never raised at the person who published."""

from __future__ import annotations

from flask import current_app


def configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))
