"""Public pages: the list of consultations, one consultation, a thread, a comment."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from deliberation import moderation as mod_policy
from deliberation import rules
from deliberation.errors import DomainError
from deliberation.models import Agency, Flag, Thread, User, utcnow
from deliberation.search import listing
from deliberation.services import analysis_queries, comments, consultations, moderation

from ..cache import cacheable_request, public_thread_state, serve_cached
from ..errors import message_for, status_for
from ..extensions import db, limiter
from ..moderation import labels
from ..moderation.routes import FLAG_FORM_KEY
from ..params import id_value
from ..security import current_actor
from ..transaction import discard_changes
from . import bp
from .forms import CommentForm, EditForm, VoteForm

# Edit refusals that do not go away by trying again: the page shows a notice instead of a form.
LOCKED_EDIT = frozenset({"edit_window_passed", "not_author", "comment_hidden"})


@bp.app_context_processor
def helpers() -> dict:
    return {"rules": rules, "actor": current_actor, "now": utcnow}


@bp.route("/")
def index():
    """The consultations list: filters (agency, status, tag, date), sort, 剩 N 天."""
    filters = listing.parse_filters(request.args)
    rows = listing.browse(db.session, current_actor(), filters)
    return render_template(
        "consultations/index.html",
        rows=rows,
        filters=filters,
        agencies=db.session.scalars(select(Agency).order_by(Agency.code)).all(),
        tags=listing.all_tags(db.session),
        days_left=listing.days_left,
    )


@bp.route("/consultations/<int:consultation_id>")
def consultation(consultation_id: int):
    actor = current_actor()
    item = consultations.get_consultation(db.session, consultation_id, actor)
    threads = consultations.ordered_threads(item)
    counts = consultations.comment_counts(db.session, [t.id for t in threads])
    return render_template(
        "consultations/consultation.html",
        consultation=item,
        threads=threads,
        counts=counts,
        can_manage=rules.can_manage_consultation(actor, item),
        is_open=rules.accepts_comments(item, utcnow()),
        opinion_map=analysis_queries.opinion_map(db.session, item.id),
    )


def participation_refusal(
    actor: User | None, thread: Thread, now: datetime
) -> tuple[str | None, str | None]:
    """Why this reader may not comment or vote in the thread now, and the words for it: the
    thread's own rule first, then a mute or suspension (its end in the reader's time)."""
    refusal = rules.posting_refusal(actor, thread.consultation, thread.locked, now)
    if refusal is None and actor is not None:
        active = moderation.active_sanctions(db.session, actor.id, now)
        sanction = mod_policy.participation_refusal(active)
        if sanction is not None:
            code, until = sanction
            if until is None:
                return f"{code}_indefinitely", message_for(f"{code}_indefinitely")
            return code, message_for(code, until_at=until)
    return refusal, message_for(refusal) if refusal else None


def _flagged_by(actor: User | None, page: comments.ThreadPage) -> set[int]:
    """The comments on this page the reader has flagged (shown as "Flagged", not a form)."""
    if actor is None:
        return set()
    ids = [c.id for c in page.roots] + [k.id for kids in page.children.values() for k in kids]
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(Flag.comment_id).where(Flag.user_id == actor.id, Flag.comment_id.in_(ids))
        )
    )


def render_thread(
    thread_id: int,
    *,
    form_error: dict | None = None,
    status: int = 200,
    root_id: int | None = None,
):
    """The thread page; `form_error` (or a refused flag kept in the session by moderation.flag)
    reopens the form with what was typed and why it was refused."""
    actor = current_actor()
    thread = comments.get_thread(db.session, thread_id, actor)
    sort = request.args.get("sort", "oldest")
    page_no = id_value(request.args.get("page")) or 1
    page = comments.thread_page(
        db.session,
        thread,
        actor,
        sort=sort,
        page=page_no,
        per_page=current_app.config["THREAD_PAGE_SIZE"],
        root_id=root_id,
    )
    refusal, refusal_message = participation_refusal(actor, thread, utcnow())
    flag_error = session.pop(FLAG_FORM_KEY, None) if request.method == "GET" else None
    return (
        render_template(
            "consultations/thread.html",
            thread=thread,
            consultation=thread.consultation,
            page=page,
            form_error=form_error or {},
            flag_error=flag_error or {},
            flagged=_flagged_by(actor, page),
            visible_total=consultations.comment_counts(db.session, [thread.id]).get(thread.id, 0),
            refusal=refusal,
            refusal_message=refusal_message,
            focus_id=root_id,
            display_depth=current_app.config["THREAD_DISPLAY_DEPTH"],
            edit_window=timedelta(minutes=current_app.config["COMMENT_EDIT_WINDOW_MINUTES"]),
        ),
        status,
    )


@bp.route("/threads/<int:thread_id>")
def thread(thread_id: int):
    if cacheable_request():
        state = public_thread_state(thread_id)
        if state is not None and state.status != "draft":
            key = ("thread-page", *state.key(utcnow()), request.full_path, str(get_locale()))
            return serve_cached(key, "text/html", lambda: render_thread(thread_id)[0].encode())
    return render_thread(thread_id)


@bp.route("/threads/<int:thread_id>", methods=["POST"])
@limiter.limit("30 per minute")
def post_comment(thread_id: int):
    actor = current_actor()
    form = CommentForm()
    body = form.body.data or ""
    parent_id = form.parent_id.data
    try:
        thread = comments.get_thread(db.session, thread_id, actor)
        comment = comments.post_comment(
            db.session,
            thread,
            actor=actor,
            body=body,
            parent_id=parent_id,
            max_chars=current_app.config["COMMENT_MAX_CHARS"],
        )
    except DomainError as error:
        discard_changes()
        if error.code == "thread_not_found":
            raise
        form_error = {
            "parent_id": parent_id,
            "body": body,
            "message": message_for(error.code, **error.params),
        }
        return render_thread(thread_id, form_error=form_error, status=status_for(error))
    if comment.status == "pending":
        # Held by an automatic check: say so now, and why (the notice follows under Notices).
        why = labels.label(labels.HOLD_RULES, comment.held_by) or labels.label(
            labels.STATUSES, "pending"
        )
        flash(
            _(
                "Your comment was received and awaits a moderator's review before anyone else "
                "can see it. Reason: %(why)s. You will get a notice when it is decided.",
                why=why,
            ),
            "info",
        )
    else:
        flash(_("Your comment was posted."), "success")
    return redirect(
        url_for(".thread", thread_id=thread_id, sort=request.args.get("sort")) + f"#c{comment.id}"
    )


@bp.route("/comments/<int:comment_id>")
def comment(comment_id: int):
    """One comment and everything below it: where "continue this thread" leads."""
    item = comments.get_comment(db.session, comment_id, current_actor())
    return render_thread(item.thread_id, root_id=item.id)


@bp.route("/comments/<int:comment_id>/history")
def history(comment_id: int):
    actor = current_actor()
    item = comments.get_comment(db.session, comment_id, actor)
    visible = rules.can_see_comment_text(actor, item)
    return render_template(
        "consultations/history.html",
        comment=item,
        revisions=comments.revisions(db.session, item) if visible else [],
        visible=visible,
    )


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    actor = current_actor()
    item = comments.get_comment(db.session, comment_id, actor)
    window = timedelta(minutes=current_app.config["COMMENT_EDIT_WINDOW_MINUTES"])
    form = EditForm()
    error = None
    status = 200
    locked = False  # the comment can no longer be edited by this reader: a notice, no form
    if request.method == "GET":
        # Hidden text is never put in a form, not even for its author (moderation guarantee).
        form.body.data = item.body if rules.can_see_comment_text(actor, item) else ""
        form.version.data = str(item.version)
        refusal = rules.edit_refusal(actor, item, utcnow(), window)
        if refusal:
            error = message_for(refusal, minutes=window.seconds // 60)
            status = 403
            locked = True
    elif form.validate_on_submit():
        try:
            expected = int(form.version.data) if (form.version.data or "").isdigit() else None
            comments.edit_comment(
                db.session,
                item,
                actor=actor,
                body=form.body.data or "",
                expected_version=expected,
                window=window,
                max_chars=current_app.config["COMMENT_MAX_CHARS"],
            )
        except DomainError as err:
            discard_changes()
            error = message_for(err.code, minutes=window.seconds // 60, **err.params)
            status = status_for(err)
            locked = err.code in LOCKED_EDIT
        else:
            flash(_("Your comment was updated."), "success")
            return redirect(url_for(".thread", thread_id=item.thread_id) + f"#c{item.id}")
    else:
        status = 400
        error = message_for("csrf_failed")
    return render_template(
        "consultations/edit.html", comment=item, form=form, error=error, locked=locked
    ), status


@bp.route("/comments/<int:comment_id>/vote", methods=["POST"])
@login_required
@limiter.limit("120 per minute")
def vote(comment_id: int):
    """The no-JavaScript way to vote; the page's script uses the API instead."""
    form = VoteForm()
    try:
        item, _counts = comments.cast_vote(
            db.session, comment_id, actor=current_actor(), value=form.value.data
        )
    except DomainError as err:
        discard_changes()
        if err.code == "comment_not_found":
            raise
        flash(message_for(err.code, **err.params), "error")
        item = comments.get_comment(db.session, comment_id, current_actor())
    return redirect(url_for(".thread", thread_id=item.thread_id) + f"#c{item.id}")


@bp.route("/help")
def help_page():
    return render_template("help.html")


@bp.route("/help/developers")
def developer_help():
    """The API and integration notes, apart from the citizens' help."""
    return render_template("help_developers.html")
