"""Moderation pages: the queue, a comment in context, actions, sanctions, appeals, the log and
its CSV export, settings; the public rules and transparency pages; flags and notices for users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from deliberation import moderation as policy
from deliberation.errors import DomainError, ValidationError
from deliberation.exports import csv_text
from deliberation.models import Comment, Consultation
from deliberation.services import consultations
from deliberation.services import moderation as service
from deliberation.services.moderation import context as moderation_context

from ..errors import message_for, status_for
from ..extensions import db, limiter
from ..params import MAX_ID, int_arg
from ..security import current_actor
from ..transaction import discard_changes
from . import bp, labels

PER_PAGE = 25
FLAG_FORM_KEY = "flag_form"  # a refused flag's form, shown again on the thread page

T = TypeVar("T")


@bp.app_context_processor
def moderation_helpers() -> dict[str, Any]:
    return {
        "mod_labels": labels,
        "mod_label": labels.label,
        "mod_policy": policy,
    }


# ---- helpers ------------------------------------------------------------------------------------


def _moderator():
    """The acting moderator, or the 401/403 error (raised before anything is read)."""
    actor = current_actor()
    service.require_moderator(actor)
    return actor


def _int_field(name: str, *, code: str = "invalid_field", **params: Any) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    digits = raw.removeprefix("-")
    if not (digits.isascii() and digits.isdigit() and int(digits) <= MAX_ID):
        raise ValidationError(code, field=name, **params)  # also "²", "１２" and 2**31
    return -int(digits) if raw.startswith("-") else int(digits)


def _attempt(call: Callable[[], T], *, not_found: str | None = None) -> T | DomainError:
    """Run one form action (the commit point commits it); a domain error is rolled back and
    returned for the page to show, except the `not_found` code, which stays a 404."""
    try:
        result = call()
    except DomainError as err:
        discard_changes()
        if err.code == not_found:
            raise
        return err
    return result


def _error_text(err: DomainError) -> str:
    return message_for(err.code, **err.params)


def _safe_next(default: str) -> str:
    target = request.form.get("next") or request.args.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def _consultation_choices() -> list[tuple[int, str]]:
    return list(
        db.session.execute(
            select(Consultation.id, Consultation.title).order_by(Consultation.id.desc())
        ).all()
    )


# ---- the queue ----------------------------------------------------------------------------------


@bp.get("/moderation/")
def queue():
    actor = _moderator()
    filters = {
        "status": request.args.get("status") or "open",
        "consultation_id": int_arg("consultation", None, low=1, default_if="blank"),
        "reason": request.args.get("reason") or None,
        "older_than_hours": int_arg("age", None, low=1, high=24 * 365, default_if="blank"),
        "sort": request.args.get("sort") or "oldest",
    }
    page = service.queue(
        db.session,
        actor=actor,
        page=int_arg("page", 1, low=1, default_if="blank"),
        per_page=int_arg("per_page", PER_PAGE, low=1, high=100, default_if="blank"),
        **filters,
    )
    return render_template(
        "moderation/queue.html",
        page=page,
        decisions=moderation_context.appeal_decisions(db.session, page.appeals),
        filters=filters,
        counts=service.open_counts(db.session),
        consultation_choices=_consultation_choices(),
        reasons=list(policy.RULE_CODES) + [r for r in service.HOLD_RULES if r != "personal_data"],
        args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.post("/moderation/bulk")
def bulk():
    """One action on many selected comments; each is its own savepoint, so a conflict on one
    leaves the others done."""
    actor = _moderator()
    action = request.form.get("action", "")
    if action not in ("approve", "hide"):
        raise ValidationError("invalid_action", field="action")
    ids = [int(x) for x in request.form.getlist("ids") if x.isdigit()]
    if not ids:
        raise ValidationError("invalid_field", field="ids")
    done, unchanged, failed = 0, 0, []
    for comment_id in ids[:200]:
        raw_version = request.form.get(f"version-{comment_id}", "")
        try:
            with db.session.begin_nested():
                result = service.act_on_comment(
                    db.session,
                    comment_id,
                    actor=actor,
                    action=action,
                    reason=request.form.get("reason"),
                    note=request.form.get("note"),
                    expected_version=int(raw_version) if raw_version.isdigit() else None,
                )
        except DomainError as err:
            if isinstance(err, ValidationError):
                discard_changes()
                raise
            failed.append(f"#{comment_id}: {_error_text(err)}")
            continue
        done += 1 if result.changed else 0
        unchanged += 0 if result.changed else 1
    flash(_("%(done)s done, %(same)s already in that state.", done=done, same=unchanged), "success")
    for line in failed:
        flash(line, "error")
    return redirect(_safe_next(url_for(".queue")))


# ---- one comment --------------------------------------------------------------------------------


def _render_comment(comment_id: int, *, error: str | None = None, status: int = 200):
    actor = _moderator()
    ctx = service.comment_context(db.session, comment_id, actor=actor)
    appeals = [ctx.appeal] if ctx.appeal else []
    return (
        render_template(
            "moderation/comment.html",
            ctx=ctx,
            c=ctx.comment,
            around=moderation_context.neighbours(db.session, ctx.comment),
            decisions=moderation_context.appeal_decisions(db.session, appeals),
            error=error,
            detected=policy.find_personal_data(ctx.comment.body),
            show_original=policy.can_see_original(actor),
            next_url=request.form.get("next") or request.args.get("next") or "",
        ),
        status,
    )


@bp.get("/moderation/comments/<int:comment_id>")
def comment(comment_id: int):
    return _render_comment(comment_id)


@bp.post("/moderation/comments/<int:comment_id>/action")
def comment_action(comment_id: int):
    actor = _moderator()
    form = request.form
    raw_version = (form.get("version") or "").strip()
    result = _attempt(
        lambda: service.act_on_comment(
            db.session,
            comment_id,
            actor=actor,
            action=form.get("action", ""),
            reason=form.get("reason"),
            note=form.get("note"),
            expected_version=int(raw_version) if raw_version.isdigit() else None,
            duplicate_of=_int_field("duplicate_of", code="invalid_duplicate"),
            redact_texts=(form.get("texts") or "").splitlines(),
        ),
        not_found="comment_not_found",
    )
    if isinstance(result, DomainError):
        return _render_comment(comment_id, error=_error_text(result), status=status_for(result))
    if result.changed:
        flash(
            _("Done: %(action)s.", action=labels.label(labels.ACTIONS, form.get("action"))),
            "success",
        )
    else:
        flash(_("Nothing changed: the comment was already in that state."), "info")
    return redirect(_safe_next(url_for(".comment", comment_id=comment_id)))


@bp.post("/moderation/threads/<int:thread_id>/action")
def thread_action(thread_id: int):
    actor = _moderator()
    back = _safe_next(url_for("consultations.thread", thread_id=thread_id))
    result = _attempt(
        lambda: service.act_on_thread(
            db.session,
            thread_id,
            actor=actor,
            action=request.form.get("action", ""),
            reason=request.form.get("reason"),
            note=request.form.get("note"),
            seconds=_int_field("seconds", code="invalid_slow_mode", max=policy.MAX_SLOW_MODE),
        ),
        not_found="thread_not_found",
    )
    if isinstance(result, DomainError):
        flash(_error_text(result), "error")
        return redirect(back)
    _thread, changed = result
    flash(_("Saved.") if changed else _("Nothing changed."), "success" if changed else "info")
    return redirect(back)


# ---- accounts -----------------------------------------------------------------------------------


@bp.get("/moderation/users/<int:user_id>")
def user(user_id: int):
    actor = _moderator()
    overview = service.user_overview(db.session, user_id, actor=actor)
    from deliberation.models import utcnow

    return render_template("moderation/user.html", o=overview, now=utcnow())


@bp.post("/moderation/users/<int:user_id>/sanctions")
def sanction(user_id: int):
    actor = _moderator()
    back = _safe_next(url_for(".user", user_id=user_id))
    result = _attempt(
        lambda: service.sanction_user(
            db.session,
            user_id,
            actor=actor,
            kind=request.form.get("kind", ""),
            reason=request.form.get("reason"),
            note=request.form.get("note"),
            days=_int_field("days", code="invalid_days", max=policy.MAX_MUTE_DAYS),
            comment_id=_int_field("comment_id"),
        ),
        not_found="user_not_found",
    )
    if isinstance(result, DomainError):
        flash(_error_text(result), "error")
        return redirect(back), 303
    flash(_("The sanction is in force."), "success")
    return redirect(back)


@bp.post("/moderation/sanctions/<int:sanction_id>/lift")
def lift(sanction_id: int):
    actor = _moderator()
    item, changed = service.lift_sanction(
        db.session, sanction_id, actor=actor, note=request.form.get("note")
    )
    flash(_("The sanction was lifted.") if changed else _("Nothing changed."), "success")
    return redirect(_safe_next(url_for(".user", user_id=item.user_id)))


@bp.post("/moderation/appeals/<int:appeal_id>/decide")
def decide(appeal_id: int):
    actor = _moderator()
    back = _safe_next(url_for(".queue", status="appeals"))
    result = _attempt(
        lambda: service.decide_appeal(
            db.session,
            appeal_id,
            actor=actor,
            decision=request.form.get("decision", ""),
            note=request.form.get("note"),
        ),
        not_found="appeal_not_found",
    )
    if isinstance(result, DomainError):
        flash(_error_text(result), "error")
        return redirect(back)
    _appeal, changed = result
    flash(_("The appeal was decided.") if changed else _("Nothing changed."), "success")
    return redirect(back)


# ---- the log ------------------------------------------------------------------------------------


@bp.get("/moderation/log")
def log():
    actor = _moderator()
    action = request.args.get("action") or None
    if action and action not in labels.ACTIONS:
        raise ValidationError("invalid_parameter", field="action")
    page = service.log_page(
        db.session,
        actor=actor,
        consultation_id=int_arg("consultation", None, low=1, default_if="blank"),
        action=action,
        page=int_arg("page", 1, low=1, default_if="blank"),
    )
    return render_template(
        "moderation/log.html",
        page=page,
        show_original=policy.can_see_original(actor),
        consultation_choices=_consultation_choices(),
        args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.get("/moderation/log.csv")
def log_csv():
    """The log as CSV: moderators and admins everything, agency staff their consultations."""
    actor = current_actor()
    rows = service.log_export_rows(
        db.session,
        actor=actor,
        consultation_id=int_arg("consultation", None, low=1, default_if="blank"),
    )
    # Every cell as text (ids too, as before), through the project's one CSV writer.
    text = csv_text(
        service.EXPORT_COLUMNS,
        ([str(v) if v is not None else "" for v in row] for row in rows),
        bom=True,
        lineterminator="\r\n",
    )
    return Response(
        text,
        mimetype="text/csv",
        headers={
            "Content-Disposition": "attachment; filename=moderation-log.csv",
            "Cache-Control": "no-store",
        },
    )


# ---- settings -----------------------------------------------------------------------------------


def _tri(name: str) -> bool | None:
    value = request.form.get(name, "")
    if value not in ("", "on", "off"):
        raise ValidationError("invalid_field", field=name)
    return None if value == "" else value == "on"


def _settings_page(consultation: Consultation | None):
    actor = current_actor()
    if actor is None:
        service.require_moderator(None)
    if not policy.can_configure(actor, consultation):
        service.require_moderator(actor)
    error, status = None, 200
    if request.method == "POST":
        result = _attempt(
            lambda: service.update_settings(
                db.session,
                actor=actor,
                consultation=consultation,
                premoderation=_tri("premoderation"),
                hold_personal_data=_tri("hold_personal_data"),
                flag_threshold=_int_field(
                    "flag_threshold", code="invalid_setting", low=1, high=100
                ),
                link_limit=_int_field("link_limit", code="invalid_setting", low=0, high=100),
                new_account_days=_int_field(
                    "new_account_days", code="invalid_setting", low=0, high=3650
                ),
                keywords=request.form.get("keywords") or None,
            )
        )
        if isinstance(result, DomainError):
            error, status = _error_text(result), status_for(result)
        else:
            flash(_("The moderation settings were saved."), "success")
            return redirect(request.path)
    cid = consultation.id if consultation is not None else None
    return render_template(
        "moderation/settings.html",
        consultation=consultation,
        row=service.settings_row(db.session, cid),
        effective=service.settings_for(db.session, cid),
        site=service.settings_for(db.session, None),
        error=error,
    ), status


@bp.route("/moderation/settings", methods=["GET", "POST"])
def site_settings():
    return _settings_page(None)


@bp.route("/moderation/consultations/<int:consultation_id>/settings", methods=["GET", "POST"])
def consultation_settings(consultation_id: int):
    actor = current_actor()
    if actor is None:
        service.require_moderator(None)
    item = consultations.get_consultation(db.session, consultation_id, actor)
    return _settings_page(item)


# ---- public pages -------------------------------------------------------------------------------


@bp.get("/rules")
def rules_page():
    return render_template("moderation/rules.html", site=service.settings_for(db.session, None))


@bp.get("/transparency")
def transparency_index():
    """Every consultation this reader can see, each with its transparency page (the footer's
    link: what moderators did, by rule, in numbers)."""
    items = consultations.list_consultations(db.session, current_actor())
    return render_template("moderation/transparency_index.html", consultations=items)


@bp.get("/consultations/<int:consultation_id>/transparency")
def transparency(consultation_id: int):
    actor = current_actor()
    item = consultations.get_consultation(db.session, consultation_id, actor)
    return render_template(
        "moderation/transparency.html",
        consultation=item,
        t=service.transparency(db.session, item),
        premoderated=service.settings_for(db.session, item.id).premoderation,
        can_configure=policy.can_configure(actor, item),
    )


# ---- flags, notices and appeals for everyone logged in ------------------------------------------


@bp.post("/comments/<int:comment_id>/flag")
@login_required
@limiter.limit("30 per minute")
def flag(comment_id: int):
    actor = current_actor()
    result = _attempt(
        lambda: service.flag_comment(
            db.session,
            comment_id,
            actor=actor,
            reason=request.form.get("reason", ""),
            note=request.form.get("note"),
        ),
        not_found="comment_not_found",
    )
    if isinstance(result, DomainError):
        item = db.session.get(Comment, comment_id)
        if isinstance(result, ValidationError) and item is not None:
            # The thread page opens the form again with the chosen reason, the note and what
            # to fix (consultations.routes reads it once).
            session[FLAG_FORM_KEY] = {
                "comment_id": comment_id,
                "reason": request.form.get("reason", "")[:32],
                "note": request.form.get("note", "")[: policy.MAX_NOTE],
                "message": _error_text(result),
            }
        else:
            flash(_error_text(result), "error")
        back = url_for("consultations.thread", thread_id=item.thread_id) if item else "/"
        return redirect(_safe_next(back) + f"#c{comment_id}")
    flash(_("Thank you. Moderators will review this comment."), "success")
    back = url_for("consultations.thread", thread_id=result.flag.comment.thread_id)
    return redirect(_safe_next(back) + f"#c{comment_id}")


@bp.get("/me/notices")
@login_required
def notices():
    actor = current_actor()
    assert actor is not None
    return render_template("moderation/notices.html", n=service.notices(db.session, actor))


@bp.post("/me/appeals")
@login_required
@limiter.limit("10 per hour")
def appeal():
    actor = current_actor()
    result = _attempt(
        lambda: service.submit_appeal(
            db.session,
            actor=actor,
            body=request.form.get("body", ""),
            comment_id=_int_field("comment_id"),
            sanction_id=_int_field("sanction_id"),
        )
    )
    if isinstance(result, DomainError):
        flash(_error_text(result), "error")
        return redirect(url_for(".notices")), 303
    flash(_("Your appeal was sent. A moderator will review it."), "success")
    return redirect(url_for(".notices"))
