"""Words for the moderation codes (rules, actions, holds, notices), in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

RULES = {
    "spam": _l("Spam or advertising"),
    "harassment": _l("Personal attack or harassment"),
    "hate": _l("Hate or discrimination"),
    "personal_data": _l("Personal data"),
    "off_topic": _l("Off-topic"),
    "misinformation": _l("Misinformation"),
    "duplicate": _l("Duplicate"),
    "other": _l("Other"),
}

RULE_TEXT = {
    "spam": _l(
        "Advertising, repeated identical posts, or links that serve no part of the discussion."
    ),
    "harassment": _l("Insults, threats or attacks aimed at a person rather than at an argument."),
    "hate": _l(
        "Demeaning people for their ethnicity, nationality, religion, gender, sexual orientation, "
        "disability or age."
    ),
    "personal_data": _l(
        "National ID numbers, phone numbers, e-mail or home addresses of anyone, including yourself."
    ),
    "off_topic": _l("Comments that do not concern the draft or the discussion at hand."),
    "misinformation": _l(
        "Claims of fact shown to be false that could mislead the consultation, after review."
    ),
    "duplicate": _l("The same point posted again; the earlier comment stays and is linked."),
    "other": _l("Anything else unlawful under Taiwan law; the moderator's note explains it."),
}

HOLD_RULES = {
    "personal_data": _l("Personal data detected"),
    "keyword": _l("Keyword list"),
    "link_spam": _l("Many links from a new account"),
    "flag_threshold": _l("Flagged by several people"),
    "premoderation": _l("Pre-moderated consultation"),
}

ACTIONS = {
    "approve": _l("Approve"),
    "hide": _l("Hide"),
    "restore": _l("Restore"),
    "redact": _l("Redact personal data"),
    "pin": _l("Pin"),
    "unpin": _l("Unpin"),
    "mark_duplicate": _l("Mark as duplicate"),
    "hold": _l("Automatic hold"),
    "lock": _l("Lock thread"),
    "unlock": _l("Unlock thread"),
    "slow_mode": _l("Slow mode"),
    "mute": _l("Mute"),
    "suspend": _l("Suspend"),
    "lift": _l("Lift sanction"),
    "appeal": _l("Appeal submitted"),
    "appeal_upheld": _l("Appeal upheld"),
    "appeal_rejected": _l("Appeal rejected"),
    "settings": _l("Settings changed"),
}

STATUSES = {
    "visible": _l("Visible"),
    "pending": _l("Awaiting review"),
    "hidden": _l("Hidden"),
    "open": _l("Needs review"),
    "flagged": _l("Flagged"),
    "appeals": _l("Appeals"),
}

APPEAL_STATUSES = {
    "open": _l("open"),
    "upheld": _l("upheld"),
    "rejected": _l("rejected"),
}

NOTICES = {
    "comment_hidden": _l("A moderator hid your comment."),
    "comment_held": _l("Your comment is waiting for a moderator's review."),
    "comment_approved": _l("A moderator approved your comment; it is now public."),
    "comment_restored": _l("A moderator restored your comment."),
    "comment_redacted": _l("A moderator removed personal data from your comment."),
    "muted": _l("Your account was muted (read-only)."),
    "suspended": _l("Your account was suspended."),
    "sanction_lifted": _l("The sanction on your account was lifted."),
    "appeal_upheld": _l("Your appeal was upheld."),
    "appeal_rejected": _l("Your appeal was rejected."),
}


def label(table: dict, code: str | None) -> str:
    """The words for a code, or the code itself when it has none."""
    if not code:
        return ""
    value = table.get(code)
    return str(value) if value is not None else code
