"""Words for the trust area: error codes of two-factor sign-in, names and admin acts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..errors import MESSAGES

MESSAGES.update(
    {
        "name_reserved": _l(
            "This display name claims an office (“%(word)s”), so it cannot be used. Agency "
            "staff, moderators and reviewers carry an “Official” badge instead; if you really "
            "hold this name, ask an administrator for an exception."
        ),
        "code_required": _l("Please enter the 6-digit code from your authenticator app."),
        "code_wrong": _l(
            "That code is not right. Check the time on your phone and enter the current "
            "6-digit code, or one of your recovery codes."
        ),
        "code_replayed": _l(
            "That code has already been used. Wait for the next code (every 30 seconds) and "
            "enter it."
        ),
        "too_many_code_attempts": _l(
            "Too many wrong codes. Please wait a few minutes before trying again."
        ),
        "two_factor_not_set_up": _l("Two-factor sign-in is not set up for this account."),
        "two_factor_already_on": _l("Two-factor sign-in is already on for this account."),
        "two_factor_required_for_role": _l(
            "Staff, moderators, reviewers and administrators must keep two-factor sign-in on."
        ),
        "login_expired": _l("Your sign-in took too long. Please enter your password again."),
        "reserved_word_required": _l("Please enter a word to reserve."),
        "reserved_word_too_long": _l("A reserved word can be at most %(max)s characters."),
        "reserved_word_exists": _l("“%(word)s” is already reserved."),
        "reserved_word_not_found": _l("That reserved word does not exist."),
        "cannot_change_own_role": _l("You cannot change your own role."),
        "session_not_found": _l("That session does not exist or has already ended."),
        "no_token": _l("This account has no API token."),
        "admin_only": _l("Only administrators can manage accounts."),
    }
)
