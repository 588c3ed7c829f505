"""One vocabulary: the words for every stored code a page shows (issue 15).

Every state enum of deliberation/models.py, the moderation rules, actions, holds and notices,
the personal-data kinds and the states the moderation log records have their words here or in
the area table this module points to, so no page prints a raw code ("hidden → visible",
"citizen", "spam"). tests/unit/test_vocabulary.py walks every value through the zh-TW and
English catalogues.

Votes are 同意／不同意／略過 everywhere (threads, analysis, the outcome section).
"""

from __future__ import annotations

import enum
from typing import Any

from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from deliberation import models
from deliberation.accounts.models import DocumentKind
from deliberation.notifications.models import FollowTarget, MailFrequency
from deliberation.plan_links.models import LinkRequestStatus
from deliberation.polls.models import QuestionKind
from deliberation.webhooks.models import DeliveryStatus, WebhookEvent

from .errors import ROLE_LABELS
from .moderation import labels as moderation
from .notifications import messages as notification_messages
from .plans import messages as plans
from .webhooks import messages as webhook_messages

CONSULTATION_STATUSES: dict[str, Any] = {
    "draft": _l("Draft"),
    "open": _l("Open for comments"),
    "closed": _l("Closed"),
    "concluded": _l("Concluded"),
}
COMMENT_STATUSES: dict[str, Any] = {
    "visible": _l("Visible"),
    "pending": _l("Awaiting review"),
    "hidden": _l("Hidden"),
}
SANCTION_KINDS: dict[str, Any] = {"mute": _l("Mute"), "suspend": _l("Suspend")}
APPEAL_STATUSES: dict[str, Any] = {
    "open": _l("Appeal pending"),
    "upheld": _l("Appeal upheld"),
    "rejected": _l("Appeal rejected"),
}
LINK_STATUSES: dict[str, Any] = {
    "pending": _l("Fetching the link preview"),
    "ready": _l("Link preview ready"),
    "failed": _l("No link preview"),
}
ANALYSIS_STATUSES: dict[str, Any] = {
    "queued": _l("queued"),
    "running": _l("running"),
    "done": _l("finished"),
    "failed": _l("failed"),
}
VOTES: dict[str, Any] = {"agree": _l("Agree"), "disagree": _l("Disagree"), "pass": _l("Pass")}
PERSONAL_DATA_KINDS: dict[str, Any] = {
    "tw_national_id": _l("national ID number"),
    "mobile_phone": _l("mobile number"),
    "landline_phone": _l("phone number"),
    "email": _l("e-mail address"),
}
# States the moderation log records before and after an action, by target.
ACCOUNT_STATES: dict[str, Any] = {"muted": _l("Muted"), "suspended": _l("Suspended")}
THREAD_STATES: dict[str, Any] = {"locked": _l("Locked"), "open": _l("Open")}
SETTINGS_STATES: dict[str, Any] = {"premoderation": _l("Pre-moderation on")}
LOG_TARGETS: dict[str, Any] = {
    "comment": _l("comment"),
    "thread": _l("discussion"),
    "consultation": _l("consultation"),
    "site": _l("whole site"),
    "user": _l("account"),
    "appeal": _l("appeal"),
}

# Every state enum of the models → its words.
# What a person follows (deliberation/notifications: FollowTarget).
FOLLOW_TARGETS: dict[str, Any] = {
    "consultation": _l("Consultation"),
    "thread": _l("Discussion thread"),
    "comment": _l("Your comment"),
    "agency": _l("Agency"),
}
# A request to link another agency's consultation to a plan (deliberation/plan_links).
LINK_REQUEST_STATUSES: dict[str, Any] = {
    "pending": _l("Awaiting a decision"),
    "accepted": _l("Link accepted"),
    "declined": _l("Link declined"),
}
# The privacy texts an admin edits (deliberation/accounts).
DOCUMENT_KINDS: dict[str, Any] = {
    "collection_notice": _l("Notice on the collection of personal data"),
    "privacy_policy": _l("Privacy and information security policy"),
}
# The kinds of a quick poll's questions (deliberation/polls).
POLL_QUESTION_KINDS: dict[str, Any] = {
    "single": _l("Single choice"),
    "multi": _l("Multiple choice"),
    "scale": _l("1–5 scale"),
}
ENUMS: dict[type[enum.StrEnum], dict[str, Any]] = {
    models.Role: ROLE_LABELS,
    models.ConsultationStatus: CONSULTATION_STATUSES,
    models.CommentStatus: COMMENT_STATUSES,
    models.FlagReason: moderation.RULES,
    models.SanctionKind: SANCTION_KINDS,
    models.AppealStatus: APPEAL_STATUSES,
    models.LinkStatus: LINK_STATUSES,
    models.PlanStatus: plans.PLAN_STATUSES,
    models.AnalysisStatus: ANALYSIS_STATUSES,
    models.Disposition: plans.DISPOSITIONS,
    models.ReviewDecision: plans.DECISIONS,
    FollowTarget: FOLLOW_TARGETS,
    MailFrequency: notification_messages.FREQUENCY_LABELS,
    LinkRequestStatus: LINK_REQUEST_STATUSES,
    DocumentKind: DOCUMENT_KINDS,
    QuestionKind: POLL_QUESTION_KINDS,
    WebhookEvent: webhook_messages.EVENTS,
    DeliveryStatus: webhook_messages.DELIVERY_STATUSES,
}
# Other code tables pages print, by name (the test walks these too).
TABLES: dict[str, dict[str, Any]] = {
    "rules": moderation.RULES,
    "rule_text": moderation.RULE_TEXT,
    "hold_rules": moderation.HOLD_RULES,
    "actions": moderation.ACTIONS,
    "notices": moderation.NOTICES,
    "votes": VOTES,
    "personal_data": PERSONAL_DATA_KINDS,
    "account_states": ACCOUNT_STATES,
    "thread_states": THREAD_STATES,
    "settings_states": SETTINGS_STATES,
    "targets": LOG_TARGETS,
    "appeal_statuses": APPEAL_STATUSES,
}
_LOG_STATES: dict[str, dict[str, Any]] = {
    "comment": COMMENT_STATUSES,
    "appeal": APPEAL_STATUSES,
    "user": ACCOUNT_STATES,
    "thread": THREAD_STATES,
    "consultation": SETTINGS_STATES,
    "site": SETTINGS_STATES,
}


def word(table: dict[str, Any], code: str | None) -> str:
    """The words for a code; the code itself only when nothing is known about it."""
    if not code:
        return ""
    value = table.get(code)
    return str(value) if value is not None else code


def log_state(target_type: str, state: str | None) -> str:
    """A state in the moderation log (before → after), in words."""
    if not state:
        return "–"
    if target_type == "thread" and state == "0":
        return _("Slow mode off")
    if target_type == "thread" and state.isdigit():  # slow mode, in seconds
        return _("Slow mode: %(num)s s between comments", num=int(state))
    return word(_LOG_STATES.get(target_type, COMMENT_STATUSES), state)


def log_note(row: Any) -> str:
    """The note of a log row in words: automatic holds and redactions write codes and numbers,
    moderators write their own words (shown as they are)."""
    note = row.note or ""
    if row.actor_id is None and row.action == "hold":
        if row.rule == "personal_data":
            kinds = [word(PERSONAL_DATA_KINDS, k.strip()) for k in note.split(",") if k.strip()]
            return _("Found: %(kinds)s", kinds="、".join(kinds)) if kinds else ""
        if row.rule == "keyword":
            return _("Keywords: %(words)s", words=note.replace(", ", "、"))
        if row.rule == "link_spam" and note.isdigit():
            return _("Links in the comment: %(num)s", num=int(note))
        if row.rule == "premoderation":
            return _("Every comment waits for review in this consultation.")
        return note
    if row.action == "redact" and note.endswith(" span(s)") and note.split()[0].isdigit():
        n = int(note.split()[0])
        return _("Passages removed: %(num)s", num=n)
    if row.action == "settings" and note.startswith("premoderation="):
        return _("Moderation settings changed (see the settings page).")
    return note


def _zh() -> bool:
    return str(get_locale()).startswith("zh")


def colon() -> str:
    """The colon after a label: full-width in zh-TW (身分：民眾), ": " in English."""
    return "：" if _zh() else ": "


def paren(value: Any) -> Markup:
    """Words in parentheses: full-width in zh-TW (（已編輯）), " (…)" in English."""
    return Markup("（{}）").format(value) if _zh() else Markup(" ({})").format(value)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        word=word,
        vocabulary=TABLES,
        log_state=log_state,
        log_note=log_note,
        colon=colon,
        paren=paren,
        consultation_status=lambda code: word(CONSULTATION_STATUSES, code),
        comment_status=lambda code: word(COMMENT_STATUSES, code),
    )
