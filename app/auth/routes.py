"""Register, log in, log out, and the reader's own page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from deliberation.accounts import operations as account_operations
from deliberation.errors import DomainError
from deliberation.services import accounts, comments

from .. import sessions as web_sessions
from ..accounts.views import address_key, locale_code, queue, registration_messages
from ..errors import message_for
from ..extensions import db, limiter
from ..ratelimit import client_address, login_account
from ..security import current_actor
from ..transaction import discard_changes
from . import bp
from .forms import LoginForm, RegisterForm


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("consultations.index")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])  # per IP
@limiter.limit("3 per hour", key_func=address_key, methods=["POST"])  # no mail-bombing an inbox
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            result = account_operations.register_with_consent(
                db.session,
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                consent=bool(form.consent.data),
                language=locale_code(),
            )
            queue(*registration_messages(result))  # sent after the commit
        except DomainError as error:
            discard_changes()
            field = getattr(form, error.params.get("field", ""), None)
            message = message_for(error.code, **error.params)
            (field.errors.append(message) if field is not None else flash(message, "error"))
        else:
            # The same answer whether or not the address already had an account, so the form
            # tells no one who is registered (issue 13): nobody is logged in here.
            flash(
                _(
                    "Almost done: we sent a message to %(email)s. Open the link in it to verify "
                    "your address, and log in. Until it is verified you can read everything, "
                    "but not comment or vote.",
                    email=accounts.normalize_email(form.email.data),
                ),
                "success",
            )
            return redirect(url_for("auth.login", next=request.args.get("next")))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per 10 minutes", methods=["POST"], key_func=client_address)
@limiter.limit("10 per 10 minutes", methods=["POST"], key_func=login_account)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            # A second factor next when the account has one (or its role needs one).
            return web_sessions.after_password(
                user,
                remember=bool(form.remember.data),
                next_url=_safe_next(request.args.get("next")),
            )
        form.password.errors.append(message_for("invalid_login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    web_sessions.log_out()  # the server forgets the session: an old cookie no longer works
    flash(_("You have logged out."), "info")
    return redirect(url_for("consultations.index"))


@bp.route("/me")
@login_required
def profile():
    user = current_actor()
    assert user is not None
    my_comments, my_votes = comments.user_activity(db.session, user)
    return render_template("auth/profile.html", user=user, comments=my_comments, votes=my_votes)
