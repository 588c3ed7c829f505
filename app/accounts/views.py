"""Helpers shared by the accounts pages: composing and queueing mail, keys for rate limits."""

from __future__ import annotations

from flask import current_app, flash, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from deliberation.accounts import operations
from deliberation.errors import DomainError
from deliberation.mail import Message, compose, language_of
from deliberation.models import User
from deliberation.services.accounts import normalize_email

from .. import mail
from ..errors import message_for, status_for
from ..extensions import db
from ..transaction import discard_changes


def show_form_error(form, error: DomainError) -> int:
    """Roll back, show a domain error next to its field (or at the top of the page), and
    return the HTTP status it answers with."""
    discard_changes()
    field = getattr(form, error.params.get("field", "") or "", None)
    text = message_for(error.code, **error.params)
    if field is not None:
        field.errors = [*field.errors, text]
    else:
        flash(text, "error")
    return status_for(error)


def secret() -> str:
    return str(current_app.secret_key)


def locale_code() -> str:
    """The reader's language as stored for mail: "zh_TW" or "en" (Babel says zh_Hant_TW)."""
    return language_of(str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]))


def message(kind: str, user: User, *, to: str | None = None, **context: object) -> Message:
    """The mail of this kind for this person, in their language."""
    return compose(
        kind, to=to or user.email, language=user.language, name=user.display_name, **context
    )


def verification_message(user: User) -> Message:
    token = operations.verification_token(secret(), user)
    return message(
        "verify_email", user, link=url_for("accounts.verify", token=token, _external=True)
    )


def registration_messages(result: operations.Registration) -> list[Message]:
    """A verification link for a new account; a note to the owner when the address was taken."""
    if result.user is not None:
        return [verification_message(result.user)]
    if result.existing is not None:
        return [
            message(
                "already_registered",
                result.existing,
                login_link=url_for("auth.login", _external=True),
                reset_link=url_for("accounts.forgot", _external=True),
            )
        ]
    return []


def queue(*messages: Message) -> None:
    """Send after the request's commit (never inside its transaction)."""
    mail.send_after_commit(db.session, messages)


# ---- rate-limit keys ----------------------------------------------------------------------------


def address_key() -> str:
    """Per address: the normalised e-mail in the form (whatever the IP)."""
    return "address:" + normalize_email(request.form.get("email", ""))[:254]


def account_key() -> str:
    """Per account: the logged-in user (whatever the IP)."""
    return f"account:{current_user.get_id()}"
