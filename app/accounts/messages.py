"""Words for the accounts area: error codes and rate-limit answers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..errors import MESSAGES

MESSAGES.update(
    {
        "email_unverified": _l(
            "Please verify your e-mail address first: open the link we sent you. Until then you "
            "can read everything, but not comment, vote or flag."
        ),
        "token_invalid": _l(
            "This link is not valid: it may be incomplete or altered. Copy the whole link from "
            "the e-mail, or ask for a new one."
        ),
        "token_expired": _l("This link has expired. Please ask for a new one."),
        "token_used": _l(
            "This link was already used or replaced by a newer one. Please ask for a new one if "
            "you still need it."
        ),
        "wrong_password": _l("Your current password is not correct."),
        "password_too_common": _l(
            "This password is one of the most common ones and easy to guess. Please choose another."
        ),
        "password_too_long": _l("A password can be at most 200 characters."),
        "password_is_email": _l("Your password must not be your e-mail address."),
        "passwords_differ": _l("The two passwords are not the same."),
        "email_unchanged": _l("This is already your e-mail address."),
        "consent_required": _l(
            "Please read the notice on the collection of personal data and tick the box to "
            "agree; without it we cannot create an account."
        ),
        "role_account_deletion": _l(
            "Accounts with a role (staff, moderator, reviewer, administrator) are closed by an "
            "administrator, not deleted by their holder."
        ),
        "delete_not_confirmed": _l("Please tick the box to confirm that you want to delete it."),
        "admins_only": _l("Only administrators can do this."),
        "invalid_document": _l("Unknown document."),
        "policy_text_required": _l("The zh-TW text cannot be empty."),
        "document_version_not_found": _l("That version of the document does not exist."),
        "reset_rate_limited": _l(
            "Too many reset requests for this address or from your network. Please wait a "
            "minute, then try again; a link already sent stays valid for an hour."
        ),
        "resend_rate_limited": _l(
            "We just sent you a verification e-mail. Please wait a few minutes before asking "
            "for another, and check your spam folder."
        ),
        "register_rate_limited": _l(
            "Too many registrations from your network or for this address. Please try again "
            "in an hour; a link already sent stays valid for 3 days."
        ),
    }
)
