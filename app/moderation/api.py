"""Moderation JSON API under /api/v1 (documented in docs/api.md, "Moderation")."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request

from deliberation import moderation as policy
from deliberation.models import Appeal, Flag, ModerationAction
from deliberation.services import consultations
from deliberation.services import moderation as service

from ..api.serialize import comment_json, iso
from ..extensions import db, limiter
from ..openapi.operation import operation
from ..openapi.web import cursor_page, next_page_cursor, paged
from ..params import int_arg, int_field, json_body, str_field, str_list
from ..security import current_actor
from . import api_bp as bp
from . import schemas as s


def flag_json(flag: Flag) -> dict[str, Any]:
    return {
        "id": flag.id,
        "comment_id": flag.comment_id,
        "reason": flag.reason,
        "note": flag.note,
        "created_at": iso(flag.created_at),
    }


def moderated_comment_json(comment: Any, actor: Any, flags: list[Flag] | None = None) -> dict:
    data = comment_json(comment, actor)
    data.update(
        {
            "pinned": comment.pinned,
            "duplicate_of": comment.duplicate_of_id,
            "flag_count": comment.flag_count,
            "held_by": comment.held_by,
            "redacted": comment.redacted_at is not None,
            "consultation_id": comment.thread.consultation_id,
        }
    )
    if flags is not None:
        data["flags"] = [flag_json(f) for f in flags]
    return data


def log_json(row: ModerationAction, *, with_original: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row.id,
        "created_at": iso(row.created_at),
        "actor": {"id": row.actor.id, "name": row.actor.display_name} if row.actor else None,
        "action": row.action,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "comment_id": row.comment_id,
        "thread_id": row.thread_id,
        "consultation_id": row.consultation_id,
        "subject_user_id": row.subject_user_id,
        "reason": row.reason,
        "rule": row.rule,
        "note": row.note,
        "before_status": row.before_status,
        "after_status": row.after_status,
    }
    if with_original and row.original is not None:
        data["original"] = row.original  # admins only: the text a redaction removed
    return data


def appeal_json(appeal: Appeal) -> dict[str, Any]:
    return {
        "id": appeal.id,
        "user_id": appeal.user_id,
        "comment_id": appeal.comment_id,
        "sanction_id": appeal.sanction_id,
        "html": appeal.html,
        "status": appeal.status,
        "created_at": iso(appeal.created_at),
        "decided_at": iso(appeal.decided_at),
        "decision_note": appeal.decision_note,
    }


# ---- everyone logged in --------------------------------------------------------------------------


@bp.post("/comments/<int:comment_id>/flags")
@operation(
    "moderation", body=s.FlagBody, responses={201: s.FlagCreated}, errors=(401, 403, 404, 409)
)
@limiter.limit("30 per minute")
def flag(comment_id: int):
    data = json_body()
    result = service.flag_comment(
        db.session,
        comment_id,
        actor=current_actor(),
        reason=str_field(data, "reason"),
        note=str_field(data, "note", default=None),
    )
    # The flagger learns that the flag counted, not what moderators will decide.
    return jsonify(
        {"id": result.flag.id, "comment_id": comment_id, "reason": result.flag.reason}
    ), 201


@bp.post("/comments/<int:comment_id>/appeal")
@operation("moderation", body=s.AppealBody, responses={201: s.Appeal}, errors=(401, 403, 404, 409))
@limiter.limit("10 per hour")
def appeal_comment(comment_id: int):
    data = json_body()
    item = service.submit_appeal(
        db.session, actor=current_actor(), body=str_field(data, "body"), comment_id=comment_id
    )
    return jsonify(appeal_json(item)), 201


@bp.post("/sanctions/<int:sanction_id>/appeal")
@operation("moderation", body=s.AppealBody, responses={201: s.Appeal}, errors=(401, 403, 404, 409))
@limiter.limit("10 per hour")
def appeal_sanction(sanction_id: int):
    data = json_body()
    item = service.submit_appeal(
        db.session,
        actor=current_actor(),
        body=str_field(data, "body"),
        sanction_id=sanction_id,
    )
    return jsonify(appeal_json(item)), 201


@bp.get("/consultations/<int:consultation_id>/transparency")
@operation("moderation", responses={200: s.Transparency}, errors=(404,), public=True)
def transparency(consultation_id: int):
    item = consultations.get_consultation(db.session, consultation_id, current_actor())
    t = service.transparency(db.session, item)
    return jsonify({"consultation_id": item.id, **t.__dict__})


# ---- moderators ---------------------------------------------------------------------------------


@bp.get("/moderation/queue")
@operation("moderation", query=s.QueueQuery, responses={200: s.QueuePage}, errors=(401, 403))
def queue():
    actor = current_actor()
    service.require_moderator(actor)
    page = service.queue(
        db.session,
        actor=actor,
        status=request.args.get("status") or "open",
        consultation_id=int_arg("consultation_id", None, low=1, default_if="empty"),
        reason=request.args.get("reason") or None,
        older_than_hours=int_arg(
            "older_than_hours", None, low=1, high=24 * 365, default_if="empty"
        ),
        sort=request.args.get("sort") or "oldest",
        page=cursor_page(int_arg("page", 1, low=1, default_if="empty")),
        per_page=int_arg(
            "per_page", 25, low=1, high=current_app.config["API_MAX_LIMIT"], default_if="empty"
        ),
    )
    body: dict[str, Any] = {"total": page.total, "page": page.page, "pages": page.pages}
    if page.appeals or request.args.get("status") == "appeals":
        body["items"] = [appeal_json(a) for a in page.appeals]
    else:
        body["items"] = [
            moderated_comment_json(c, actor, page.flags.get(c.id, [])) for c in page.items
        ]
    return paged(body, next_page_cursor(page.page, page.pages))


@bp.post("/moderation/comments/<int:comment_id>/actions")
@operation(
    "moderation",
    body=s.CommentActionBody,
    responses={200: s.CommentActionResult},
    errors=(401, 403, 404, 409),
)
def comment_action(comment_id: int):
    actor = current_actor()
    service.require_moderator(actor)
    data = json_body()
    texts = str_list(data, "texts")
    result = service.act_on_comment(
        db.session,
        comment_id,
        actor=actor,
        action=str_field(data, "action"),
        reason=str_field(data, "reason", default=None),
        note=str_field(data, "note", default=None),
        expected_version=int_field(data, "version"),
        duplicate_of=int_field(data, "duplicate_of"),
        redact_texts=texts,
    )
    return jsonify(
        {
            "changed": result.changed,
            "log_id": result.log.id if result.log is not None else None,
            "comment": moderated_comment_json(result.comment, actor),
        }
    )


@bp.post("/moderation/threads/<int:thread_id>/actions")
@operation(
    "moderation",
    body=s.ThreadActionBody,
    responses={200: s.ThreadActionResult},
    errors=(401, 403, 404, 409),
)
def thread_action(thread_id: int):
    actor = current_actor()
    service.require_moderator(actor)
    data = json_body()
    thread, changed = service.act_on_thread(
        db.session,
        thread_id,
        actor=actor,
        action=str_field(data, "action"),
        reason=str_field(data, "reason", default=None),
        note=str_field(data, "note", default=None),
        seconds=int_field(data, "seconds"),
    )
    return jsonify(
        {
            "changed": changed,
            "thread": {
                "id": thread.id,
                "locked": thread.locked,
                "slow_mode_seconds": thread.slow_mode_seconds,
            },
        }
    )


@bp.post("/moderation/users/<int:user_id>/sanctions")
@operation(
    "moderation", body=s.SanctionBody, responses={201: s.Sanction}, errors=(401, 403, 404, 409)
)
def sanction(user_id: int):
    actor = current_actor()
    service.require_moderator(actor)
    data = json_body()
    item = service.sanction_user(
        db.session,
        user_id,
        actor=actor,
        kind=str_field(data, "kind"),
        reason=str_field(data, "reason", default=None),
        note=str_field(data, "note", default=None),
        days=int_field(data, "days"),
        comment_id=int_field(data, "comment_id"),
    )
    return jsonify(_sanction_json(item)), 201


@bp.post("/moderation/sanctions/<int:sanction_id>/lift")
@operation(
    "moderation",
    body=s.NoteBody,
    body_required=False,
    responses={200: s.LiftResult},
    errors=(401, 403, 404, 409),
)
def lift(sanction_id: int):
    actor = current_actor()
    service.require_moderator(actor)
    data = json_body(optional=True)
    item, changed = service.lift_sanction(
        db.session, sanction_id, actor=actor, note=str_field(data, "note", default=None)
    )
    return jsonify({"changed": changed, "sanction": _sanction_json(item)})


@bp.post("/moderation/appeals/<int:appeal_id>/decision")
@operation(
    "moderation",
    body=s.DecisionBody,
    responses={200: s.DecisionResult},
    errors=(401, 403, 404, 409),
)
def decide(appeal_id: int):
    actor = current_actor()
    service.require_moderator(actor)
    data = json_body()
    item, changed = service.decide_appeal(
        db.session,
        appeal_id,
        actor=actor,
        decision=str_field(data, "decision"),
        note=str_field(data, "note", default=None),
    )
    return jsonify({"changed": changed, "appeal": appeal_json(item)})


@bp.get("/moderation/log")
@operation("moderation", query=s.LogQuery, responses={200: s.LogPage}, errors=(401, 403))
def log():
    actor = current_actor()
    service.require_moderator(actor)
    page = service.log_page(
        db.session,
        actor=actor,
        consultation_id=int_arg("consultation_id", None, low=1, default_if="empty"),
        action=request.args.get("action") or None,
        page=cursor_page(int_arg("page", 1, low=1, default_if="empty")),
        per_page=int_arg(
            "per_page", 50, low=1, high=current_app.config["API_MAX_LIMIT"], default_if="empty"
        ),
    )
    admin = policy.can_see_original(actor)
    return paged(
        {
            "total": page.total,
            "page": page.page,
            "pages": page.pages,
            "items": [log_json(r, with_original=admin) for r in page.rows],
        },
        next_page_cursor(page.page, page.pages),
    )


def _sanction_json(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "user_id": item.user_id,
        "kind": item.kind,
        "reason": item.reason,
        "note": item.note,
        "starts_at": iso(item.starts_at),
        "ends_at": iso(item.ends_at),
        "lifted_at": iso(item.lifted_at),
    }
