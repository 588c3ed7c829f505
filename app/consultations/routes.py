"""Public pages: the list of consultations, one consultation, a thread, a comment."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from deliberation import rules
from deliberation.errors import DomainError
from deliberation.models import Agency, utcnow
from deliberation.search import listing
from deliberation.services import comments, consultations

from ..cache import cacheable_request, public_thread_state, serve_cached
from ..errors import message_for, status_for
from ..extensions import db, limiter
from ..security import current_actor
from ..transaction import discard_changes
from . import bp
from .forms import CommentForm, EditForm, VoteForm


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
    )


def _render_thread(
    thread_id: int, *, form_error: dict | None = None, status: int = 200, root_id: int | None = None
):
    actor = current_actor()
    thread = comments.get_thread(db.session, thread_id, actor)
    sort = request.args.get("sort", "oldest")
    try:
        page_no = int(request.args.get("page", "1"))
    except ValueError:
        page_no = 1
    page = comments.thread_page(
        db.session,
        thread,
        actor,
        sort=sort,
        page=page_no,
        per_page=current_app.config["THREAD_PAGE_SIZE"],
        root_id=root_id,
    )
    now = utcnow()
    refusal = rules.posting_refusal(actor, thread.consultation, thread.locked, now)
    return (
        render_template(
            "consultations/thread.html",
            thread=thread,
            consultation=thread.consultation,
            page=page,
            form_error=form_error or {},
            refusal=refusal,
            refusal_message=message_for(refusal) if refusal else None,
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
            return serve_cached(key, "text/html", lambda: _render_thread(thread_id)[0].encode())
    return _render_thread(thread_id)


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
        return _render_thread(thread_id, form_error=form_error, status=status_for(error))
    flash(_("Your comment was posted."), "success")
    return redirect(
        url_for(".thread", thread_id=thread_id, sort=request.args.get("sort")) + f"#c{comment.id}"
    )


@bp.route("/comments/<int:comment_id>")
def comment(comment_id: int):
    """One comment and everything below it: where "continue this thread" leads."""
    item = comments.get_comment(db.session, comment_id, current_actor())
    return _render_thread(item.thread_id, root_id=item.id)


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
    if request.method == "GET":
        # Hidden text is never put in a form, not even for its author (moderation guarantee).
        form.body.data = item.body if rules.can_see_comment_text(actor, item) else ""
        form.version.data = str(item.version)
        refusal = rules.edit_refusal(actor, item, utcnow(), window)
        if refusal:
            error = message_for(refusal, minutes=window.seconds // 60)
            status = 403
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
        else:
            flash(_("Your comment was updated."), "success")
            return redirect(url_for(".thread", thread_id=item.thread_id) + f"#c{item.id}")
    else:
        status = 400
        error = message_for("csrf_failed")
    return render_template("consultations/edit.html", comment=item, form=form, error=error), status


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
