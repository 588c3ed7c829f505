"""Admin pages for accounts: find a user, see and revoke their sessions and API token, change
their role, reset their second factor, grant a reserved-name exception; the reserved-word list;
the account audit log. Every change is audited in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from deliberation.errors import DomainError
from deliberation.models import Role, User
from deliberation.trust import admin as ops
from deliberation.trust import audit, names, rules, sessions, two_factor

from ..errors import message_for
from ..extensions import db
from ..security import current_actor
from ..sessions import client_ip
from ..transaction import discard_changes
from . import admin_bp


def _admin() -> User:
    """The admin making this request; anyone else gets 401 / 403 like the other areas."""
    user = current_actor()
    if user is None:
        abort(401)
    if not rules.can_administer_accounts(user):
        abort(403)
    return user


def _act(call: Callable[[], Any], done: str, back: str) -> Any:
    """Run one change and say so (the commit point commits); a refusal is shown, nothing written."""
    try:
        call()
    except DomainError as err:
        discard_changes()
        flash(message_for(err.code, **err.params), "error")
    else:
        flash(done, "success")
    return redirect(back)


@admin_bp.route("/admin/users")
def users():
    _admin()
    q = request.args.get("q", "")[:200].replace("\x00", "")
    return render_template("trust/admin_users.html", q=q, users=ops.find_users(db.session, q))


@admin_bp.route("/admin/users/<int:user_id>")
def user(user_id: int):
    _admin()
    subject = db.session.get(User, user_id)
    if subject is None:
        abort(404)
    return render_template(
        "trust/admin_user.html",
        subject=subject,
        sessions=sessions.of_user(db.session, subject.id),
        has_token=ops.has_token(subject),
        two_factor_on=two_factor.is_enabled(db.session, subject.id),
        two_factor_row=two_factor.state(db.session, subject.id),
        roles=[r.value for r in Role],
        log=audit.entries(db.session, subject_id=subject.id, limit=50),
    )


def _subject(user_id: int) -> User:
    subject = db.session.get(User, user_id)
    if subject is None:
        abort(404)
    return subject


@admin_bp.route("/admin/users/<int:user_id>/role", methods=["POST"])
def change_role(user_id: int):
    me, subject = _admin(), _subject(user_id)
    return _act(
        lambda: ops.change_role(
            db.session,
            subject,
            request.form.get("role", ""),
            agency_code=request.form.get("agency", ""),
            actor=me,
            ip=client_ip(),
        ),
        _("The role was changed; the account's sessions have ended."),
        url_for("trust_admin.user", user_id=user_id),
    )


@admin_bp.route("/admin/users/<int:user_id>/sessions/<int:session_id>/revoke", methods=["POST"])
def revoke_session(user_id: int, session_id: int):
    me, subject = _admin(), _subject(user_id)
    if sessions.revoke(db.session, subject, session_id, actor=me, ip=client_ip()) is None:
        abort(404)
    flash(_("That session has ended."), "success")
    return redirect(url_for("trust_admin.user", user_id=user_id))


@admin_bp.route("/admin/users/<int:user_id>/sessions/revoke", methods=["POST"])
def revoke_sessions(user_id: int):
    me, subject = _admin(), _subject(user_id)
    return _act(
        lambda: sessions.revoke_all(db.session, subject, actor=me, ip=client_ip()),
        _("Every session of this account has ended."),
        url_for("trust_admin.user", user_id=user_id),
    )


@admin_bp.route("/admin/users/<int:user_id>/token/revoke", methods=["POST"])
def revoke_token(user_id: int):
    me, subject = _admin(), _subject(user_id)
    if not ops.revoke_token(db.session, subject, actor=me, ip=client_ip()):
        flash(message_for("no_token"), "error")
        return redirect(url_for("trust_admin.user", user_id=user_id))
    flash(_("The API token no longer works."), "success")
    return redirect(url_for("trust_admin.user", user_id=user_id))


@admin_bp.route("/admin/users/<int:user_id>/two-factor/reset", methods=["POST"])
def reset_two_factor(user_id: int):
    me, subject = _admin(), _subject(user_id)

    def reset() -> None:
        two_factor.reset(db.session, subject, actor=me, ip=client_ip())
        sessions.revoke_all(db.session, subject, actor=me, audit_it=False)

    return _act(
        reset,
        _("Two-factor sign-in was reset; the account enrols again at its next log-in."),
        url_for("trust_admin.user", user_id=user_id),
    )


@admin_bp.route("/admin/users/<int:user_id>/name-exception", methods=["POST"])
def name_exception(user_id: int):
    me, subject = _admin(), _subject(user_id)
    return _act(
        lambda: names.grant_exception(
            db.session,
            subject,
            request.form.get("display_name", ""),
            actor=me,
            note=request.form.get("note", ""),
            ip=client_ip(),
        ),
        _("The exception was granted and the display name set."),
        url_for("trust_admin.user", user_id=user_id),
    )


@admin_bp.route("/admin/reserved-names", methods=["GET", "POST"])
def reserved_names():
    me = _admin()
    if request.method == "POST":
        return _act(
            lambda: names.add_word(
                db.session, request.form.get("word", ""), actor=me, ip=client_ip()
            ),
            _("The word is now reserved."),
            url_for("trust_admin.reserved_names"),
        )
    return render_template(
        "trust/admin_reserved.html",
        builtin=rules.BUILTIN_RESERVED,
        added=names.admin_words(db.session),
        agencies=names.agency_words(db.session),
    )


@admin_bp.route("/admin/reserved-names/<int:word_id>/delete", methods=["POST"])
def remove_reserved(word_id: int):
    me = _admin()
    try:
        names.remove_word(db.session, word_id, actor=me, ip=client_ip())
    except DomainError:
        discard_changes()
        abort(404)
    flash(_("The word is no longer reserved."), "success")
    return redirect(url_for("trust_admin.reserved_names"))


@admin_bp.route("/admin/audit")
def audit_log():
    _admin()
    return render_template("trust/admin_audit.html", log=audit.entries(db.session, limit=500))
