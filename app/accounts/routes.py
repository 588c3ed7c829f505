"""Verification, 忘記密碼, the account settings page, data download and account deletion.

Every view: parse the form → one domain operation (flush) → commit → queue mail (sent after the
commit) → redirect. Bad input answers 400 with the form and the reason; nothing is written."""

from __future__ import annotations

import json

from flask import Response, flash, g, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from deliberation.accounts import operations, queries
from deliberation.errors import DomainError, NotAuthenticated, ValidationError
from deliberation.mail import compose

from .. import sessions as web_sessions
from ..errors import error_response, message_for, status_for
from ..extensions import db, limiter
from ..openapi.operation import operation
from ..openapi.schemas import MyData
from ..security import current_actor
from ..transaction import discard_changes
from . import bp
from .forms import ChangeEmailForm, ChangePasswordForm, DeleteForm, ForgotForm, ResetForm
from .views import (
    account_key,
    address_key,
    locale_code,
    message,
    queue,
    secret,
    show_form_error,
    verification_message,
)

# ---- e-mail verification ---------------------------------------------------------------------


@bp.route("/verify-email/<token>")
def verify(token: str):
    try:
        user, changed = operations.verify_email(db.session, secret(), token)
    except DomainError as error:
        discard_changes()
        return error_response(error.code, status_for(error))
    if changed:
        flash(
            _("Thank you: your e-mail address is verified. You can now comment and vote."),
            "success",
        )
    else:
        flash(_("Your e-mail address was already verified."), "info")
    return redirect(url_for("auth.profile") if current_actor() else url_for("auth.login"))


@bp.route("/verify-email/resend", methods=["POST"])
@login_required
@limiter.limit("3 per 10 minutes", key_func=account_key)
@limiter.limit("10 per hour")
def resend():
    user = current_actor()
    assert user is not None
    if user.email_verified:
        flash(_("Your e-mail address is already verified."), "info")
    else:
        queue(verification_message(user))
        flash(
            _(
                "We sent a new verification link to %(email)s. It works for 3 days.",
                email=user.email,
            ),
            "success",
        )
    return redirect(url_for("accounts.settings"))


# ---- forgotten password ------------------------------------------------------------------------


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per minute", key_func=address_key, methods=["POST"])
@limiter.limit("10 per minute", methods=["POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        try:
            user, token = operations.request_password_reset(db.session, secret(), form.email.data)
        except ValidationError as error:
            show_form_error(form, error)
        else:
            # The same work and the same answer whether or not the address has an account:
            # the link is signed either way, mail is queued only for a real one, and it leaves
            # after the response (a background job), so the timing says nothing either.
            link = url_for("accounts.reset", token=token, _external=True)
            composed = compose(
                "reset_password",
                to=user.email if user is not None else "",
                language=user.language if user is not None else locale_code(),
                name=user.display_name if user is not None else "",
                link=link,
            )
            queue(*([composed] if user is not None else []))  # composed either way
            flash(
                _(
                    "If an account uses this address, we have sent it a link to choose a new "
                    "password. The link works once, for 1 hour. Check your spam folder too."
                ),
                "info",
            )
            return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/forgot.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset(token: str):
    try:
        operations.check_reset_token(db.session, secret(), token)
    except DomainError as error:
        return error_response(error.code, status_for(error))
    form = ResetForm()
    if form.validate_on_submit():
        if form.password.data != form.confirm.data:
            form.confirm.errors = [message_for("passwords_differ")]
        else:
            try:
                user = operations.reset_password(
                    db.session, secret(), token, form.password.data or ""
                )
            except DomainError as error:
                show_form_error(form, error)
            else:
                queue(
                    message(
                        "password_changed", user, link=url_for("accounts.forgot", _external=True)
                    )
                )
                web_sessions.log_out()  # this browser too: log in again with the new password
                flash(
                    _(
                        "Your password has been changed, and every device that was signed in "
                        "has been signed out. Please log in with the new password."
                    ),
                    "success",
                )
                return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/reset.html", form=form), status


# ---- the account page -------------------------------------------------------------------------


def _settings_page(status: int = 200, **forms):
    user = current_actor()
    return (
        render_template(
            "accounts/settings.html",
            user=user,
            password_form=forms.get("password_form") or ChangePasswordForm(formdata=None),
            email_form=forms.get("email_form") or ChangeEmailForm(formdata=None),
            delete_form=forms.get("delete_form") or DeleteForm(formdata=None),
        ),
        status,
    )


@bp.route("/me/account")
@login_required
def settings():
    return _settings_page()


@bp.route("/me/password", methods=["POST"])
@login_required
@limiter.limit("10 per 10 minutes", key_func=account_key)
def change_password():
    user = current_actor()
    assert user is not None
    form = ChangePasswordForm()
    status = 400
    if form.validate_on_submit():
        if form.password.data != form.confirm.data:
            form.confirm.errors = [message_for("passwords_differ")]
        else:
            try:
                operations.change_password(
                    db.session,
                    user,
                    form.current_password.data or "",
                    form.password.data or "",
                    keep_session=g.get("zy_session_id"),  # this browser stays logged in
                )
            except DomainError as error:
                status = show_form_error(form, error)
            else:
                queue(
                    message(
                        "password_changed", user, link=url_for("accounts.forgot", _external=True)
                    )
                )
                flash(
                    _("Your password has been changed. Other devices have been signed out."),
                    "success",
                )
                return redirect(url_for("accounts.settings"))
    return _settings_page(status, password_form=form)


@bp.route("/me/email", methods=["POST"])
@login_required
@limiter.limit("5 per 10 minutes", key_func=account_key)
def change_email():
    user = current_actor()
    assert user is not None
    form = ChangeEmailForm()
    status = 400
    if form.validate_on_submit():
        try:
            address, token = operations.request_email_change(
                db.session,
                secret(),
                user,
                password=form.current_password.data or "",
                new_email=form.email.data or "",
            )
        except DomainError as error:
            status = show_form_error(form, error)
        else:
            link = url_for("accounts.confirm_email", token=token, _external=True)
            queue(message("change_email", user, to=address, link=link, new_email=address))
            flash(
                _(
                    "We sent a confirmation link to %(email)s. Your address changes only when "
                    "you open it (within 24 hours).",
                    email=address,
                ),
                "info",
            )
            return redirect(url_for("accounts.settings"))
    return _settings_page(status, email_form=form)


@bp.route("/confirm-email/<token>")
def confirm_email(token: str):
    try:
        user, old = operations.confirm_email_change(db.session, secret(), token)
    except DomainError as error:
        discard_changes()
        return error_response(error.code, status_for(error))
    queue(message("email_changed", user, to=old, new_email=user.email))
    flash(_("Your e-mail address is now %(email)s.", email=user.email), "success")
    return redirect(url_for("accounts.settings") if current_actor() else url_for("auth.login"))


@bp.route("/me/data.json")
@login_required
@limiter.limit("20 per hour", key_func=account_key)
def download():
    user = current_actor()
    assert user is not None
    body = json.dumps(queries.export_data(db.session, user), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="zhongyi-my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/api/v1/me/data")
@operation("accounts", responses={200: MyData}, errors=(401,))
@limiter.limit("20 per hour", key_func=account_key)
def api_download():
    """The same data for API clients (session or bearer token)."""
    user = current_actor()
    if user is None:
        raise NotAuthenticated("not_authenticated")
    return jsonify(queries.export_data(db.session, user))


@bp.route("/me/delete", methods=["POST"])
@login_required
@limiter.limit("5 per 10 minutes", key_func=account_key)
def delete():
    user = current_actor()
    assert user is not None
    form = DeleteForm()
    status = 400
    if form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = [message_for("delete_not_confirmed")]
        else:
            try:
                result = operations.delete_account(
                    db.session,
                    user,
                    password=form.current_password.data or "",
                    withdraw_comments=bool(form.withdraw.data),
                )
            except DomainError as error:
                status = show_form_error(form, error)
            else:
                web_sessions.log_out()
                flash(
                    _(
                        "Your account has been deleted and your personal data erased. "
                        "%(withdrawn)s comment(s) were withdrawn; %(kept)s stay under "
                        "“deleted account”.",
                        withdrawn=len(result.withdrawn),
                        kept=len(result.kept),
                    ),
                    "info",
                )
                return redirect(url_for("consultations.index"))
    return _settings_page(status, delete_form=form)
