"""JSON API under /api/v1: thin views over the same services as the pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app, jsonify, request

from deliberation.errors import ValidationError
from deliberation.models import utcnow
from deliberation.services import comments, consultations, idempotency
from deliberation.services.consultations import SectionInput

from ..cache import cacheable_request, public_thread_state, serve_cached
from ..extensions import db, limiter
from ..openapi.operation import operation
from ..openapi.schemas import Comment, ConsultationFull
from ..openapi.web import keyset_page, paged
from ..params import check_datetime, int_arg, int_field, json_body, str_field
from ..security import current_actor
from . import bp
from . import schemas as s
from .serialize import comment_json, consultation_json

STATUS_ORDER = {"open": 0, "draft": 1, "closed": 2, "concluded": 3}  # list_consultations' order


def _datetime(data: dict[str, Any], name: str) -> datetime | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError("invalid_date", field=name) from None
    if parsed.tzinfo is None:
        raise ValidationError("invalid_date", field=name)
    return check_datetime(parsed, name)


@bp.get("/consultations")
@operation(
    "consultations", query=s.ConsultationListQuery, responses={200: s.ConsultationPage}, public=True
)
def list_consultations():
    """Consultations the caller may see, open ones first, newest first (`limit`, `cursor`)."""
    items = consultations.list_consultations(
        db.session, current_actor(), status=request.args.get("status")
    )
    page, next_cursor = keyset_page(items, _list_position)
    totals = consultations.comment_totals(db.session, [c.id for c in page])
    body = {"items": [consultation_json(c, comment_count=totals.get(c.id, 0)) for c in page]}
    return paged(body, next_cursor)


def _list_position(item: Any) -> list[Any]:
    """Where a consultation stands in the list's order (open first, then newest first)."""
    return [STATUS_ORDER.get(item.status, 9), -item.created_at.timestamp(), -item.id]


@bp.post("/consultations")
@operation(
    "consultations", body=s.ConsultationBody, responses={201: ConsultationFull}, errors=(401, 403)
)
@limiter.limit("30 per minute")
def create_consultation():
    data = json_body()
    raw_sections = data.get("sections") or []
    if not isinstance(raw_sections, list) or not all(isinstance(s, dict) for s in raw_sections):
        raise ValidationError("invalid_field", field="sections")
    sections = [
        SectionInput(title=str_field(s, "title"), body=str_field(s, "body")) for s in raw_sections
    ]
    item = consultations.create_consultation(
        db.session,
        actor=current_actor(),
        title=str_field(data, "title"),
        summary=str_field(data, "summary"),
        body=str_field(data, "body"),
        sections=sections,
        status=str_field(data, "status") or "draft",
        opens_at=_datetime(data, "opens_at"),
        closes_at=_datetime(data, "closes_at"),
    )
    item = consultations.get_consultation(db.session, item.id, current_actor())
    return jsonify(consultation_json(item, full=True)), 201


@bp.get("/consultations/<int:consultation_id>")
@operation("consultations", responses={200: ConsultationFull}, errors=(404,), public=True)
def get_consultation(consultation_id: int):
    item = consultations.get_consultation(db.session, consultation_id, current_actor())
    return jsonify(consultation_json(item, full=True))


@bp.patch("/consultations/<int:consultation_id>")
@operation(
    "consultations",
    body=s.StatusBody,
    responses={200: ConsultationFull},
    errors=(401, 403, 404, 409),
)
def update_consultation_status(consultation_id: int):
    """Change the status only: {"status": "open" | "closed" | "concluded"}."""
    actor = current_actor()
    data = json_body()
    item = consultations.get_consultation(db.session, consultation_id, actor)
    consultations.set_status(
        db.session, item, str_field(data, "status", required=True), actor=actor
    )
    return jsonify(
        consultation_json(
            consultations.get_consultation(db.session, consultation_id, actor), full=True
        )
    )


@bp.get("/threads/<int:thread_id>/comments")
@operation("comments", query=s.SeqQuery, responses={200: s.CommentList}, errors=(404,), public=True)
def list_comments(thread_id: int):
    actor = current_actor()
    after = int_arg("after_seq", 0, low=0)
    limit = int_arg("limit", 100, low=1, high=current_app.config["API_MAX_LIMIT"])

    def render() -> bytes:
        thread = comments.get_thread(db.session, thread_id, actor)
        items, last_seq = comments.comments_after(
            db.session, thread, actor, after_seq=after, limit=limit
        )
        body = {"items": [comment_json(c, actor) for c in items], "last_seq": last_seq}
        return current_app.json.dumps(body).encode()

    if cacheable_request():
        state = public_thread_state(thread_id)
        if state is not None and state.status != "draft":
            key = ("api-comments", *state.key(utcnow()), after, limit)
            return serve_cached(key, "application/json", render)
    return current_app.response_class(render(), mimetype="application/json")


@bp.post("/threads/<int:thread_id>/comments")
@operation("comments", body=s.CommentBody, responses={201: Comment}, errors=(401, 403, 404, 409))
@limiter.limit("30 per minute")
def post_comment(thread_id: int):
    actor = current_actor()
    data = json_body()
    parent_id = int_field(data, "parent_id")
    raw_key = request.headers.get("Idempotency-Key")
    key = None
    if raw_key is not None and actor is not None:
        key = idempotency.check_key(raw_key)
        fp = idempotency.fingerprint(request.method, request.path, request.get_data())
        stored = idempotency.replay(db.session, actor.id, key, fp)
        if stored is None and not idempotency.claim(db.session, actor.id, key, fp):
            # A concurrent request with this key committed first: answer what it answered.
            stored = idempotency.replay(db.session, actor.id, key, fp)
        if stored is not None:
            return jsonify(stored[1]), stored[0]
    thread = comments.get_thread(db.session, thread_id, actor)
    comment = comments.post_comment(
        db.session,
        thread,
        actor=actor,
        body=str_field(data, "body"),
        parent_id=parent_id,
        max_chars=current_app.config["COMMENT_MAX_CHARS"],
    )
    body = comment_json(comment, actor)
    if key is not None and actor is not None:
        idempotency.complete(db.session, actor.id, key, 201, body)
    return jsonify(body), 201


@bp.get("/comments/<int:comment_id>")
@operation("comments", responses={200: Comment}, errors=(404,), public=True)
def get_comment(comment_id: int):
    actor = current_actor()
    return jsonify(comment_json(comments.get_comment(db.session, comment_id, actor), actor))


@bp.patch("/comments/<int:comment_id>")
@operation("comments", body=s.EditBody, responses={200: Comment}, errors=(401, 403, 404, 409))
def edit_comment(comment_id: int):
    actor = current_actor()
    data = json_body()
    version = int_field(data, "version")
    item = comments.get_comment(db.session, comment_id, actor)
    comments.edit_comment(
        db.session,
        item,
        actor=actor,
        body=str_field(data, "body"),
        expected_version=version,
        window=timedelta(minutes=current_app.config["COMMENT_EDIT_WINDOW_MINUTES"]),
        max_chars=current_app.config["COMMENT_MAX_CHARS"],
    )
    return jsonify(comment_json(comments.get_comment(db.session, comment_id, actor), actor))


@bp.post("/comments/<int:comment_id>/vote")
@operation("comments", body=s.VoteBody, responses={200: s.VoteResult}, errors=(401, 403, 404))
@limiter.limit("120 per minute")
def vote(comment_id: int):
    actor = current_actor()
    data = json_body()
    item, counts = comments.cast_vote(db.session, comment_id, actor=actor, value=data.get("value"))
    return jsonify({"comment_id": item.id, "value": data.get("value"), "votes": counts.as_dict()})


@bp.get("/threads/<int:thread_id>/events")
@operation("comments", query=s.SeqQuery, responses={200: s.EventList}, errors=(404,), public=True)
def list_events(thread_id: int):
    """Thread events after a seq, for real-time clients that missed some (docs/api.md)."""
    from deliberation import events as thread_events

    actor = current_actor()
    after = int_arg("after_seq", 0, low=0)
    limit = int_arg("limit", 100, low=1, high=current_app.config["API_MAX_LIMIT"])

    def render() -> bytes:
        comments.get_thread(db.session, thread_id, actor)  # drafts: 404 unless you manage it
        items, last_seq, more = thread_events.events_after(
            db.session, thread_id, after_seq=after, limit=limit
        )
        return current_app.json.dumps({"items": items, "last_seq": last_seq, "more": more}).encode()

    # The payloads are the public view whoever asks, so every reader of a public thread shares
    # one cached answer: a thousand clients resyncing after the same gap cost one query.
    state = public_thread_state(thread_id)
    if state is not None and state.status != "draft":
        key = ("api-events", *state.key(utcnow()), after, limit)
        return serve_cached(key, "application/json", render)
    return current_app.response_class(render(), mimetype="application/json")
