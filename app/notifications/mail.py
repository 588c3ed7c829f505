"""Notification e-mail: composing (in the reader's language), the signed one-click unsubscribe,
and delivery. Sent after the commit that claimed it (deliberation/notifications/mailing.py).

Every mail carries a link that turns its kinds off without logging in, and the headers
``List-Unsubscribe: <https://…/notifications/unsubscribe/<token>>`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058): a mail program POSTs there.

Delivery: `deliver` sends over smtplib when MAIL_SERVER is set (the same MAIL_* settings as the
plans' notices). It is written so the lead can hand it to the one mail module of issue 13
(app/mail.py) at merge: every item is {to, subject, text, headers}.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from itertools import groupby
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from deliberation.models import Notification, User
from deliberation.notifications.mailing import Digest
from deliberation.notifications.rules import MAIL_GROUPS, mail_group

from .. import mail as site_mail
from .messages import NotificationLike, describe, excerpt, target_url

log = logging.getLogger(__name__)
SALT = "zhongyi-notifications-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(user_id: int, groups: Iterable[str]) -> str:
    """A signed token that turns these e-mail groups off for this person (no log-in needed)."""
    return _serializer().dumps({"u": user_id, "g": sorted(set(groups))})


def read_token(token: str) -> tuple[int, list[str]] | None:
    """(user id, groups) from a token, or None if it was not made here."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    groups = [g for g in data.get("g", []) if g in MAIL_GROUPS]
    return (data["u"], groups) if groups else None


def _base() -> str:
    return str(current_app.config.get("PUBLIC_BASE_URL") or "http://localhost:5000").rstrip("/")


def _language(user: User) -> str:
    value = str(user.language or "")  # chosen at registration (docs/accounts.md)
    return "en" if value.lower().startswith("en") else "zh_TW"


def _message(user: User, subject: str, lines: list[str], groups: Iterable[str]) -> dict[str, Any]:
    link = f"{_base()}/notifications/unsubscribe/{unsubscribe_token(user.id, groups)}"
    text = "\n".join(
        [
            *lines,
            "",
            "--",
            _("Change what you get by e-mail: %(url)s", url=f"{_base()}/notifications/settings"),
            _("Stop these e-mails: %(url)s", url=link),
        ]
    )
    return {
        "to": user.email,
        "subject": subject,
        "text": text,
        "headers": {
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    }


def _entry(item: NotificationLike) -> list[str]:
    lines = [f"- {describe(item)}"]
    quote = excerpt(item)
    if quote:
        lines.append(f"  「{quote}」")
    lines.append(f"  {_base()}{target_url(item)}")
    return lines


def compose_one(user: User, item: Notification) -> dict[str, Any]:
    """The e-mail for one notification sent at once."""
    with current_app.test_request_context(base_url=_base()), force_locale(_language(user)):
        return _message(
            user,
            _("Zhongyi: %(what)s", what=describe(item)),
            [_("Hello %(name)s,", name=user.display_name), "", *_entry(item)],
            [mail_group(item.kind)],
        )


def compose_digests(batch: Iterable[Digest]) -> list[dict[str, Any]]:
    """The digests of one batch, composed in one request context (links are built for the
    public address; one context per mail was a tenth of a digest run)."""
    with current_app.test_request_context(base_url=_base()):
        return [_digest(digest) for digest in batch]


def compose_digest(digest: Digest) -> dict[str, Any]:
    """One digest: everything waiting for this person, grouped by consultation."""
    return compose_digests([digest])[0]


def _digest(digest: Digest) -> dict[str, Any]:
    user = digest.user
    with force_locale(_language(user)):
        daily = digest.period.startswith("daily")
        subject = (
            _("Zhongyi daily digest: %(n)s new", n=len(digest.items))
            if daily
            else _("Zhongyi weekly digest: %(n)s new", n=len(digest.items))
        )
        lines = [_("Hello %(name)s,", name=user.display_name)]
        for _cid, group in groupby(digest.items, key=lambda i: i.consultation_id):
            items = list(group)
            title = items[0].consultation.title if items[0].consultation else _("Your account")
            lines += ["", f"【{title}】"]
            for item in items:
                lines += _entry(item)
        return _message(user, subject, lines, {mail_group(i.kind) for i in digest.items})


def deliver(items: Sequence[Mapping[str, Any]]) -> int:
    """Send {to, subject, text, headers} through the site's one mail module (app/mail.py: SMTP
    when MAIL_SERVER is set, .eml files in development); how many went out. Failures are logged
    there: the notifications stay marked, so nothing is sent twice."""
    if not items:
        return 0
    return site_mail.send(items)
