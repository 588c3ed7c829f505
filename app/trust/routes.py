"""Two-factor sign-in and enrolment, the reader's security page (2FA, sessions) and their
display name."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from deliberation.errors import DomainError
from deliberation.models import User
from deliberation.trust import names, rules, sessions, two_factor

from .. import sessions as web_sessions
from ..errors import message_for
from ..extensions import db, limiter
from ..security import current_actor
from ..transaction import commit as commit_now
from ..transaction import discard_changes
from . import bp, qr

# Per address, on top of the per-account count of wrong codes (deliberation/trust/two_factor.py).
CODE_LIMIT = "10 per minute"


def _me() -> User:
    user = current_actor()
    assert user is not None
    return user


# ---- the second step of logging in --------------------------------------------------------


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(CODE_LIMIT, methods=["POST"])
def login_code():
    found = web_sessions.pending("verify")
    if found is None:
        flash(message_for("login_expired"), "error")
        return redirect(url_for("auth.login"))
    user, data = found
    error = None
    if request.method == "POST":
        result = two_factor.check_code(db.session, user, request.form.get("code", ""))
        if result.ok:
            web_sessions.log_in(user, remember=bool(data.get("remember")), two_factor=True)
            if result.used_recovery:
                left = two_factor.recovery_codes_left(db.session, user.id)
                flash(_("You used a recovery code; %(n)s are left.", n=left), "info")
            return redirect(data.get("next") or url_for("consultations.index"))
        commit_now()  # the wrong attempt counts
        error = message_for(result.error or "code_wrong")
    status = 400 if error else 200
    return render_template("trust/login_code.html", error=error), status


@bp.route("/login/two-factor/setup", methods=["GET", "POST"])
@bp.route("/me/two-factor/setup", methods=["GET", "POST"], endpoint="my_setup")
@limiter.limit(CODE_LIMIT, methods=["POST"])
def setup():
    """Enrolment: for a logged-in reader, or a privileged account between password and code."""
    user = current_actor()
    data: dict = {}
    if user is None:
        found = web_sessions.pending("enrol")
        if found is None:
            flash(message_for("login_expired"), "error")
            return redirect(url_for("auth.login"))
        user, data = found
    if two_factor.is_enabled(db.session, user.id):
        flash(message_for("two_factor_already_on"), "info")
        return redirect(url_for("trust.security"))
    demo = current_app.config.get("DEMO_TOTP_SECRET")
    offered = demo if demo and user.email.endswith("@demo.zhongyi.tw") else None
    row = two_factor.begin_enrolment(db.session, user, secret=offered)
    error = None
    if request.method == "POST":
        result, codes = two_factor.confirm_enrolment(db.session, user, request.form.get("code", ""))
        if result.ok:
            if data:  # logging in: the second factor was just given
                web_sessions.log_in(user, remember=bool(data.get("remember")), two_factor=True)
            next_url = data.get("next") or url_for("trust.security")
            return render_template("trust/recovery_codes.html", codes=codes, next_url=next_url)
        commit_now()
        error = message_for(result.error or "code_wrong")
    uri = two_factor.provisioning_uri(user, row.secret)
    return render_template(
        "trust/setup.html",
        user=user,
        secret=row.secret,
        qr=qr.svg(uri),
        uri=uri,
        error=error,
        required=rules.requires_two_factor(user),
        pending=bool(data),
        demo=offered is not None,
    ), (400 if error else 200)


# ---- the reader's own security page -------------------------------------------------------


@bp.route("/me/security")
@login_required
def security():
    user = _me()
    return render_template(
        "trust/security.html",
        user=user,
        enabled=two_factor.is_enabled(db.session, user.id),
        codes_left=two_factor.recovery_codes_left(db.session, user.id),
        required=rules.requires_two_factor(user),
        sessions=sessions.of_user(db.session, user.id),
        current_session=g.get("zy_session_id"),
    )


@bp.route("/me/two-factor/disable", methods=["POST"])
@login_required
@limiter.limit(CODE_LIMIT)
def disable():
    user = _me()
    if rules.requires_two_factor(user):
        flash(message_for("two_factor_required_for_role"), "error")
        return redirect(url_for("trust.security"))
    result = two_factor.disable(db.session, user, request.form.get("code", ""))
    commit_now()  # a wrong attempt counts too
    if result.ok:
        flash(_("Two-factor sign-in is off."), "success")
    else:
        flash(message_for(result.error or "code_wrong"), "error")
    return redirect(url_for("trust.security"))


@bp.route("/me/two-factor/recovery-codes", methods=["POST"])
@login_required
@limiter.limit(CODE_LIMIT)
def renew_codes():
    user = _me()
    result, codes = two_factor.renew_recovery_codes(db.session, user, request.form.get("code", ""))
    commit_now()  # a wrong attempt counts too
    if not result.ok:
        flash(message_for(result.error or "code_wrong"), "error")
        return redirect(url_for("trust.security"))
    return render_template(
        "trust/recovery_codes.html", codes=codes, next_url=url_for("trust.security")
    )


@bp.route("/me/sessions/<int:session_id>/revoke", methods=["POST"])
@login_required
def revoke_my_session(session_id: int):
    user = _me()
    if (
        sessions.revoke(db.session, user, session_id, actor=user, ip=web_sessions.client_ip())
        is None
    ):
        abort(404)
    flash(_("That session has ended."), "success")
    return redirect(url_for("trust.security"))


# ---- display name -------------------------------------------------------------------------


@bp.route("/me/display-name", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"])
def display_name():
    user = _me()
    error = None
    value = user.display_name
    if request.method == "POST":
        value = request.form.get("display_name", "")
        try:
            names.rename(db.session, user, value)
        except DomainError as err:
            discard_changes()
            error = message_for(err.code, **err.params)
        else:
            flash(_("Your display name is now “%(name)s”.", name=user.display_name), "success")
            return redirect(url_for("trust.security"))
    return render_template("trust/display_name.html", value=value, error=error), (
        400 if error else 200
    )
