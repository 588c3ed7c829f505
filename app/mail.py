"""Sending e-mail: the one place mail leaves the site (account mail, response notices).

Backends (MAIL_BACKEND; MAIL_SERVER set always means "smtp"):
- "smtp": the standard library's smtplib to MAIL_SERVER:MAIL_PORT (STARTTLS with MAIL_USE_TLS,
  log-in with MAIL_USERNAME / MAIL_PASSWORD), one connection per batch.
- "file" (the embedded default, `make run`): each message is written to instance/mail/
  (MAIL_FILE_DIR) as an .eml file and its subject, recipient and links are printed to the
  console, so a newcomer can click the verification link without a mail server.
- "none": dropped (the tests' default unless a test starts its SMTP server).

Why smtplib rather than Flask-Mailman: sending one multipart message needs nothing more than
`email.message.EmailMessage` and `smtplib.SMTP`; the plans area already used them, there is no
new dependency to keep up to date, and the file backend writes real .eml files (Flask-Mailman's
file backend writes a .log of several messages that a mail program cannot open).

Mail is sent after the commit, as a background job (app/jobs.py), never inside the request's
transaction: `send_after_commit(messages)`.
"""

from __future__ import annotations

import logging
import re
import smtplib
import sys
import time
from collections.abc import Iterable, Mapping
from email.header import Header
from email.message import Message as MimeMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, getaddresses, make_msgid
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from config import INSTANCE_DIR
from deliberation.mail import Message
from deliberation.outbox import after_commit

from . import outbox

log = logging.getLogger(__name__)

_LINK = re.compile(r"https?://\S+")


def _setting(name: str, default: Any = None) -> Any:
    """A MAIL_* setting from the app config (config.py reads them from the environment)."""
    value = current_app.config.get(name)
    return default if value in (None, "") else value


def backend() -> str:
    if _setting("MAIL_SERVER"):
        return "smtp"
    return str(_setting("MAIL_BACKEND", "file"))


# Headers are written as given (encoded words are already folded by Header): a long
# List-Unsubscribe URL must not be folded onto a line of its own.
_POLICY = compat32.clone(max_line_length=0)


def _header(name: str, value: str) -> str:
    """A header value, in RFC 2047 encoded words where it is not ASCII (an address keeps its
    address part plain)."""
    if value.isascii():
        return value
    if name.lower() in ("from", "to", "cc", "reply-to"):
        return ", ".join(formataddr(pair, charset="utf-8") for pair in getaddresses([value]))
    return Header(value, "utf-8").encode()


def build(item: Mapping[str, Any]) -> MimeMessage:
    """One MIME message: plain text, plus an HTML alternative when there is one, and any extra
    headers the sender gives (List-Unsubscribe on notification mail).

    Built with the classic (compat32) classes and headers encoded once here: the newer
    EmailMessage API parses and refolds every header, about 2 ms a message, which was the
    largest part of a 100,000-person digest run (bench/RESULTS.md, "Digest run")."""
    text = MIMEText(item.get("text") or item.get("body") or "", "plain", "utf-8", policy=_POLICY)
    msg: MimeMessage = text
    if item.get("html"):
        msg = MIMEMultipart("alternative", policy=_POLICY)
        msg.attach(text)
        msg.attach(MIMEText(item["html"], "html", "utf-8", policy=_POLICY))
    headers = [
        ("From", str(_setting("MAIL_DEFAULT_SENDER", "noreply@zhongyi.localhost"))),
        ("To", item["to"]),
        ("Subject", item["subject"]),
        ("Message-ID", make_msgid(domain="zhongyi.localhost")),
        *(item.get("headers") or {}).items(),
    ]
    for name, value in headers:
        msg[name] = _header(name, str(value))
    return msg


def send(messages: Iterable[Mapping[str, Any] | Message]) -> int:
    """Send each {to, subject, text[, html]} through the configured backend; returns how many
    went out. Failures are logged, never raised: the action that asked for mail is committed."""
    items = [m.as_dict() if isinstance(m, Message) else dict(m) for m in messages]
    if not items:
        return 0
    chosen = backend()
    if chosen == "smtp":
        return _send_smtp(items)
    if chosen == "file":
        return _write_files(items)
    return 0


def _send_smtp(items: list[dict[str, str]]) -> int:
    host = str(_setting("MAIL_SERVER"))
    port = int(_setting("MAIL_PORT", 25))
    sent = 0
    try:
        with smtplib.SMTP(host, port, timeout=float(_setting("MAIL_TIMEOUT", 10))) as smtp:
            if _setting("MAIL_USE_TLS", False):
                smtp.starttls()
            user = _setting("MAIL_USERNAME")
            if user:
                smtp.login(str(user), str(_setting("MAIL_PASSWORD", "")))
            for item in items:
                try:
                    smtp.send_message(build(item))
                    sent += 1
                except smtplib.SMTPException:
                    log.exception("could not send a message to %s", item["to"])
    except (OSError, smtplib.SMTPException):
        log.exception("could not reach the mail server %s:%s", host, port)
    return sent


def _write_files(items: list[dict[str, str]]) -> int:
    folder = Path(_setting("MAIL_FILE_DIR", INSTANCE_DIR / "mail"))
    folder.mkdir(parents=True, exist_ok=True)
    for n, item in enumerate(items):
        path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**9:09d}-{n}.eml"
        path.write_bytes(bytes(build(item)))
        links = " ".join(dict.fromkeys(_LINK.findall(item.get("text", ""))))
        # The console is where a newcomer running `make run` looks: say where the mail went.
        print(
            f"[mail] to {item['to']}: {item['subject']}\n[mail]   {links or '(no link)'}\n"
            f"[mail]   saved as {path}",
            file=sys.stderr,
            flush=True,
        )
    return len(items)


def send_job(_session: Any, messages: list[dict[str, str]]) -> None:
    """Job entry point (app/jobs.py): send a batch."""
    send(messages)


# ---- after the commit -----------------------------------------------------------------------
# Mail is declared where the change is made and sent by a job once the transaction commits (the
# outbox, deliberation/outbox.py); a rolled-back action sends nothing.

SEND = "mail.send"  # follow-up: send a batch of messages after the commit


def send_after_commit(session: Session, messages: Iterable[Message | Mapping[str, str]]) -> None:
    """Send these messages once this session's transaction commits (never inside it)."""
    batch = [m.as_dict() if isinstance(m, Message) else dict(m) for m in messages]
    if batch:
        after_commit(session, SEND, batch)


def init_app(app: Flask) -> None:
    outbox.register(app, SEND, "app.mail:send_job")
