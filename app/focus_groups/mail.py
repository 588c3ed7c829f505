"""The focus group's mail: the signed invitation link, the session's invitation and its reminder.

Composed here (words need Flask-Babel), declared with app/mail.send_after_commit, sent by a job
after the commit. A member with an account reads it in the language they chose; anyone else
(an invitation holder, whose language we do not know) in the site's first language, zh-TW.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from deliberation.focus_groups import invitations, sessions
from deliberation.focus_groups.models import FocusGroup, FocusInvitation, FocusSession

from .. import mail as site_mail
from ..i18n import when


def base_url() -> str:
    return str(current_app.config.get("PUBLIC_BASE_URL") or "http://localhost:5000").rstrip("/")


def _locale(language: str | None) -> str:
    return "en" if (language or "").lower().startswith("en") else "zh_Hant_TW"


def invitation_link(invitation: FocusInvitation) -> str:
    token = invitations.make_token(current_app.config["SECRET_KEY"], invitation)
    return f"{base_url()}/focus-groups/invitation/{token}"


def send_invitation_links(session: Session, group: FocusGroup, rows: list[FocusInvitation]) -> int:
    """One mail per invitation, with its personal link, after the commit."""
    batch: list[dict[str, Any]] = []
    title = group.consultation.title
    with force_locale("zh_Hant_TW"):
        for row in rows:
            if row.email is None:
                continue
            link = invitation_link(row)
            batch.append(
                {
                    "to": row.email,
                    "subject": _(
                        "You are invited to volunteer for a focus group: %(title)s", title=title
                    ),
                    "text": _(
                        "Hello,\n\nThe agency running the consultation “%(title)s” invites you to "
                        "volunteer for its focus group (政策提案座談會). About %(size)s people are "
                        "drawn by a fair lottery from everyone who volunteers, so that the panel "
                        "resembles the public.\n\nNo account is needed. Read the personal data "
                        "notice and volunteer through this personal link (valid for 30 days; do "
                        "not forward it):\n%(link)s\n\nThe same link shows whether you were drawn "
                        "and lets you withdraw.\n",
                        title=title,
                        size=group.panel_size,
                        link=link,
                    ),
                }
            )
    site_mail.send_after_commit(session, batch)
    return len(batch)


def _session_lines(fs: FocusSession) -> list[str]:
    lines = [_("When: %(when)s (Taiwan time)", when=when(fs.starts_at))]
    if fs.place:
        lines.append(_("Where: %(place)s", place=fs.place))
    if fs.online_url:
        lines.append(_("Online: %(link)s", link=fs.online_url))
    lines.append(_("Facilitator: %(name)s", name=fs.facilitator))
    if fs.agenda:
        lines += ["", _("Agenda:"), fs.agenda]
    return lines


def send_session_mail(
    session: Session, group: FocusGroup, fs: FocusSession, kind: str
) -> tuple[int, int]:
    """The invitation ("invite") or the reminder ("remind") to every panel member with an
    address; returns (mailed, members without an address)."""
    people, missing = sessions.recipients(session, group, fs)
    title = group.consultation.title
    batch: list[dict[str, Any]] = []
    for person in people:
        language = None
        for a in fs.attendance:
            if a.label == person.label and a.volunteer.user is not None:
                language = a.volunteer.user.language
        with force_locale(_locale(language)):
            if kind == "invite":
                subject = _("Focus group session: %(title)s", title=title)
                opening = _(
                    "You were drawn for the focus group of the consultation “%(title)s”. "
                    "Please join its session:",
                    title=title,
                )
            else:
                subject = _("Reminder: focus group session on %(when)s", when=when(fs.starts_at))
                opening = _(
                    "A reminder: the focus group session of the consultation “%(title)s” is soon.",
                    title=title,
                )
            greeting = _("Hello %(name)s,", name=person.name) if person.name else _("Hello,")
            closing = _(
                "At the session you are 參與者 %(label)s in the notes: what you say is published "
                "under that label, never your name. If you cannot come, tell the agency or "
                "withdraw, and someone from the reserve takes your seat.",
                label=person.label,
            )
            text = "\n".join([greeting, "", opening, "", *_session_lines(fs), "", closing, ""])
        batch.append({"to": person.address, "subject": subject, "text": text})
    site_mail.send_after_commit(session, batch)
    sessions.mark_mailed(fs, kind)
    return len(batch), missing
