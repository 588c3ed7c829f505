"""Domain errors and HTTP errors → status, words and format (JSON for the API, HTML for pages)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from deliberation.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotAuthenticated,
    NotFound,
    ValidationError,
)

from .extensions import limiter
from .i18n import when
from .ratelimit import retry_after_seconds

STATUS: dict[type[DomainError], int] = {
    ValidationError: 400,
    NotAuthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
}

MESSAGES: dict[str, Any] = {
    "empty_comment": _l("Please write something before posting."),
    "comment_too_long": _l("A comment can be at most %(max)s characters (yours has %(length)s)."),
    "parent_not_found": _l("The comment you are replying to does not exist."),
    "parent_hidden": _l("The comment you are replying to has been hidden by a moderator."),
    "thread_too_deep": _l("This conversation is nested too deeply; reply higher up instead."),
    "comment_not_found": _l("That comment does not exist."),
    "thread_not_found": _l("That discussion does not exist."),
    "consultation_not_found": _l("That consultation does not exist."),
    "consultation_not_open": _l("This consultation is not open for comments."),
    "thread_locked": _l("This discussion is locked."),
    "not_authenticated": _l("Please log in first."),
    "account_inactive": _l("Your account is not active."),
    "not_author": _l("Only the author can edit this comment."),
    "comment_hidden": _l("This comment has been hidden by a moderator."),
    "edit_window_passed": _l("Comments can only be edited within %(minutes)s minutes of posting."),
    "stale_edit": _l(
        "This comment was changed since you opened it. Reload to see the latest text, then edit again."
    ),
    "invalid_vote": _l("A vote must be agree (1), disagree (-1) or pass (0)."),
    "invalid_email": _l("Please enter a valid e-mail address."),
    "email_taken": _l("An account with this e-mail address already exists."),
    "name_required": _l("Please enter a display name."),
    "name_too_long": _l("A display name can be at most %(max)s characters."),
    "password_too_short": _l("A password needs at least %(min)s characters."),
    "invalid_login": _l("Wrong e-mail address or password."),
    "invalid_role": _l("Unknown role."),
    "agency_required": _l("Staff accounts need an agency."),
    "staff_only": _l("Only agency staff can do this."),
    "not_agency_staff": _l("Only staff of this consultation's agency can do this."),
    "title_required": _l("Please enter a title."),
    "title_too_long": _l("A title can be at most %(max)s characters."),
    "summary_too_long": _l("The summary can be at most %(max)s characters."),
    "body_too_long": _l("The text can be at most %(max)s characters."),
    "section_title_required": _l("Every section needs a title."),
    "unknown_section": _l("One of the sections does not belong to this consultation."),
    "section_has_comments": _l(
        "The section “%(title)s” already has comments and cannot be removed."
    ),
    "invalid_status": _l("Unknown status."),
    "invalid_transition": _l("A consultation cannot go from %(current)s to %(new)s."),
    "invalid_date": _l("Please enter a valid date and time."),
    "dates_out_of_order": _l("The closing time must be after the opening time."),
    "invalid_idempotency_key": _l(
        "The Idempotency-Key header is empty, too long or not printable."
    ),
    "idempotency_key_reused": _l("This Idempotency-Key was already used for a different request."),
    "invalid_json": _l(
        "The request body must be a JSON object (no NUL characters, no numbers beyond 64 bits, "
        "nested at most 32 levels)."
    ),
    "invalid_field": _l("The field “%(field)s” is missing or has the wrong type."),
    "invalid_parameter": _l("The parameter “%(field)s” is not valid."),
    "csrf_failed": _l("Your session expired or the form is stale. Reload the page and try again."),
    "bad_request": _l("The request could not be understood."),
    "forbidden": _l("You are not allowed to do this."),
    "not_found": _l("Page not found."),
    "method_not_allowed": _l("This method is not allowed here."),
    "too_many_requests": _l("Too many requests. Please wait a moment and try again."),
    "retry_after": _l("Too many requests. Please try again in %(seconds)s seconds."),
    "payload_too_large": _l("The request is too large."),
    "server_error": _l("Something went wrong on our side. Nothing was saved; please try again."),
    # moderation (issue 4)
    "moderators_only": _l("Only moderators can do this."),
    "note_too_long": _l("A note can be at most %(max)s characters."),
    "note_required": _l("Please add a note saying what is wrong."),
    "reason_required": _l("Please choose the rule this breaks."),
    "invalid_reason": _l("Please choose one of the published moderation rules."),
    "invalid_flag_reason": _l(
        "Please choose a reason: spam, harassment, hate, personal data, off-topic, misinformation or other."
    ),
    "invalid_setting": _l("“%(field)s” must be a whole number from %(low)s to %(high)s."),
    "muted": _l("Your account is muted (read-only) until %(until)s. You can read but not post."),
    "muted_indefinitely": _l("Your account is muted (read-only). You can read but not post."),
    "suspended": _l("Your account is suspended until %(until)s."),
    "suspended_indefinitely": _l(
        "Your account is suspended. You can still appeal on your notices page."
    ),
    "slow_mode": _l(
        "Slow mode is on in this discussion: you can post again in %(seconds)s seconds."
    ),
    "cannot_flag_own": _l("You cannot flag your own comment."),
    "already_flagged": _l("You have already flagged this comment. Moderators will review it."),
    "invalid_action": _l("Unknown moderation action."),
    "duplicate_of_required": _l("Please give the number of the comment this one duplicates."),
    "invalid_duplicate": _l(
        "The original must be another visible comment in the same consultation."
    ),
    "moderation_conflict": _l(
        "Another moderator changed this comment while you were looking (it is now %(state)s). "
        "Reload to see the current state."
    ),
    "use_restore": _l("This comment is hidden: restore it instead of approving it."),
    "use_approve": _l("This comment is awaiting review: approve it instead of restoring it."),
    "pin_visible_only": _l("Only visible comments can be pinned."),
    "invalid_slow_mode": _l("Slow mode must be between 0 (off) and %(max)s seconds."),
    "invalid_sanction": _l("A sanction is either a mute or a suspension."),
    "invalid_days": _l("Please give a period from 1 to %(max)s days (required for a mute)."),
    "user_not_found": _l("That account does not exist."),
    "cannot_sanction": _l("You cannot sanction this account."),
    "sanction_not_found": _l("That sanction does not exist."),
    "appeal_required": _l("Please explain why the decision should be reviewed."),
    "appeal_too_long": _l("An appeal can be at most %(max)s characters."),
    "appeal_not_hidden": _l("Only a hidden comment can be appealed."),
    "appeal_not_needed": _l("This sanction has already been lifted."),
    "appeal_exists": _l(
        "You have already appealed this decision; each decision can be appealed once."
    ),
    "invalid_decision": _l("An appeal is either upheld or rejected."),
    "appeal_not_found": _l("That appeal does not exist."),
    "appeal_decided": _l("This appeal was already decided (%(state)s)."),
}

# The words a rate-limited request gets, by the view it was sent to (areas add theirs).
RATE_LIMIT_CODES: dict[str, str] = {}

HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "too_many_requests",
}


STATUS_LABELS: dict[str, Any] = {
    "draft": _l("Draft"),
    "open": _l("Open for comments"),
    "closed": _l("Closed"),
    "concluded": _l("Concluded"),
}
ROLE_LABELS: dict[str, Any] = {
    "citizen": _l("Citizen"),
    "moderator": _l("Moderator"),
    "staff": _l("Policy staff"),
    "reviewer": _l("Reviewer"),
    "admin": _l("Administrator"),
}


def message_for(code: str, **params: Any) -> str:
    """The user's-language message for an error code."""
    for key in ("current", "new"):  # consultation statuses are shown by name, not by code
        if key in params and params[key] in STATUS_LABELS:
            params[key] = str(STATUS_LABELS[params[key]])
    if isinstance(params.get("until_at"), datetime):  # a sanction's end, in Taiwan time and words
        params["until"] = when(params["until_at"], "short")
    template = MESSAGES.get(code)
    if template is None:
        return gettext("The request could not be completed (%(code)s).", code=code)
    text = str(template)
    try:
        return text % params if params else text.replace("%%", "%")
    except (KeyError, ValueError, TypeError):
        return text


def status_for(error: DomainError) -> int:
    for cls, status in STATUS.items():
        if isinstance(error, cls):
            return status
    return 400


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def error_response(code: str, status: int, *, message: str | None = None, **params: Any):
    message = message or message_for(code, **params)
    if wants_json():
        body: dict[str, Any] = {"error": {"code": code, "message": message}}
        if "field" in params:
            body["error"]["field"] = params["field"]
        response = jsonify(body)
        response.status_code = status
        return response
    return render_template("errors/error.html", code=code, message=message, status=status), status


def init_app(app: Flask) -> None:
    app.jinja_env.globals["role_label"] = lambda role: str(ROLE_LABELS.get(role, role))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        from .extensions import db

        db.session.rollback()
        return error_response(error.code, status_for(error), **error.params)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response("csrf_failed", 400)

    @app.errorhandler(RateLimitExceeded)
    def too_many(error: RateLimitExceeded):
        # The real wait, in the header and in the words (not "a moment"), after what the view
        # says about its own limit (RATE_LIMIT_CODES, filled by the areas).
        seconds = retry_after_seconds(limiter)
        code = RATE_LIMIT_CODES.get(request.endpoint or "", "too_many_requests")
        wait = message_for("retry_after", seconds=seconds)
        if code != "too_many_requests":
            joiner = "" if str(get_locale()).startswith("zh") else " "
            wait = message_for(code) + joiner + wait
        response = make_response(error_response(code, 429, message=wait))
        response.headers["Retry-After"] = str(seconds)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        return error_response(HTTP_CODES.get(status, "bad_request"), status)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        from .extensions import db

        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("unhandled error")
        db.session.rollback()
        return error_response("server_error", 500)
