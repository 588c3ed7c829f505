"""The 通知 page, mark read / all read, and the follow buttons (forms)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from deliberation.errors import NotAuthenticated, NotFound, ValidationError
from deliberation.models import User
from deliberation.notifications import operations, queries
from deliberation.notifications.rules import MAIL_GROUPS

from ..extensions import db
from ..params import int_arg
from ..security import csrf_exempt, current_actor
from . import bp
from .mail import read_token
from .messages import FREQUENCY_LABELS, GROUP_LABELS, describe, excerpt, follow_label, target_url


def me() -> User:
    """The logged-in person, or 401."""
    actor = current_actor()
    if actor is None:
        raise NotAuthenticated()
    return actor


def _back(default: str) -> str:
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


@bp.get("/notifications")
def index():
    """通知: everything that happened for me, newest first."""
    actor = me()
    page = queries.notifications_page(
        db.session,
        actor,
        page=int_arg("page", 1, low=1),
        unread_only=request.args.get("unread") == "1",
    )
    return render_template(
        "notifications/index.html",
        page=page,
        unread_only=request.args.get("unread") == "1",
        describe=describe,
        excerpt=excerpt,
        target_url=target_url,
    )


@bp.get("/notifications/<int:notification_id>")
def open_notification(notification_id: int):
    """Mark it read and go where it points."""
    item = operations.mark_read(db.session, notification_id, actor=me())
    return redirect(target_url(item))


@bp.post("/notifications/<int:notification_id>/read")
def mark_read(notification_id: int):
    operations.mark_read(db.session, notification_id, actor=me())
    return redirect(_back(url_for(".index")), 303)


@bp.post("/notifications/read-all")
def mark_all_read():
    count = operations.mark_all_read(db.session, actor=me())
    flash(_("%(n)s notifications marked read.", n=count), "success")
    return redirect(_back(url_for(".index")), 303)


@bp.post("/follows")
def follow():
    """Follow or stop following (form: target_type, target_id, following=1|0, next)."""
    actor = me()
    target_type = request.form.get("target_type", "")
    raw_id = request.form.get("target_id", "")
    if not raw_id.isdigit():
        raise ValidationError("invalid_parameter", field="target_id", name="target_id")
    active = request.form.get("following", "1") == "1"
    operations.set_follow(db.session, target_type, int(raw_id), actor=actor, active=active)
    flash(follow_label(target_type, active), "success")
    return redirect(_back(url_for(".index")), 303)


# ---- e-mail: preferences and one-click unsubscribe -------------------------------------------


@bp.route("/notifications/settings", methods=["GET", "POST"])
def settings():
    """How I get each group of notifications by e-mail."""
    actor = me()
    if request.method == "POST":
        choices = {g: request.form.get(g, "") for g in MAIL_GROUPS if g in request.form}
        operations.set_preferences(db.session, choices, actor=actor)
        flash(_("Your e-mail settings were saved."), "success")
        return redirect(url_for(".settings"), 303)
    return render_template(
        "notifications/settings.html",
        chosen=operations.preferences(db.session, actor),
        groups=MAIL_GROUPS,
        labels=GROUP_LABELS,
        frequencies=FREQUENCY_LABELS,
    )


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf_exempt  # RFC 8058: the mail program POSTs "List-Unsubscribe=One-Click", with no session
def unsubscribe(token: str):
    """Turn off the e-mail this signed link is for. GET asks (link scanners fetch pages); POST
    (the button, or a mail program's one-click) does it."""
    found = read_token(token)
    if found is None:
        raise NotFound()
    user_id, groups = found
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    names = [str(GROUP_LABELS[g]) for g in groups]
    if request.method == "POST":
        operations.set_preferences(db.session, dict.fromkeys(groups, "never"), actor=user)
        return render_template(
            "notifications/unsubscribe.html", done=True, names=names, token=token
        )
    return render_template("notifications/unsubscribe.html", done=False, names=names, token=token)
