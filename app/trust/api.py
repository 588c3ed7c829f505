"""The admins' account API under /api/v1/admin: a user's sessions and API token, seen and
revoked (the same operations and audit rows as the pages in admin.py)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from deliberation.errors import Forbidden, NotAuthenticated, NotFound
from deliberation.models import User
from deliberation.trust import admin as ops
from deliberation.trust import rules, sessions, two_factor
from deliberation.trust.models import UserSession

from ..extensions import db
from ..openapi.operation import operation
from ..security import current_actor
from ..sessions import client_ip
from . import api_bp
from . import schemas as sc


def _admin() -> User:
    user = current_actor()
    if user is None:
        raise NotAuthenticated()
    if not rules.can_administer_accounts(user):
        raise Forbidden("admin_only")
    return user


def _subject(user_id: int) -> User:
    subject = db.session.get(User, user_id)
    if subject is None:
        raise NotFound("user_not_found")
    return subject


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def session_json(row: UserSession) -> dict[str, Any]:
    return {
        "id": row.id,
        "created_at": _iso(row.created_at),
        "expires_at": _iso(row.expires_at),
        "remember": row.remember,
        "two_factor": row.two_factor,
        "ip": row.ip,
        "user_agent": row.user_agent,
    }


@api_bp.get("/admin/users/<int:user_id>/sessions")
@operation("admin", responses={200: sc.Sessions}, errors=(401, 403, 404))
def list_sessions(user_id: int):
    _admin()
    subject = _subject(user_id)
    return jsonify(
        {
            "user_id": subject.id,
            "items": [session_json(s) for s in sessions.of_user(db.session, subject.id)],
            "api_token": ops.has_token(subject),
            "two_factor": two_factor.is_enabled(db.session, subject.id),
        }
    )


@api_bp.delete("/admin/users/<int:user_id>/sessions/<int:session_id>")
@operation("admin", responses={204: None}, errors=(401, 403, 404))
def revoke_session(user_id: int, session_id: int):
    me = _admin()
    subject = _subject(user_id)
    if sessions.revoke(db.session, subject, session_id, actor=me, ip=client_ip()) is None:
        raise NotFound("session_not_found")
    return Response(status=204)


@api_bp.delete("/admin/users/<int:user_id>/sessions")
@operation("admin", responses={200: sc.Revoked}, errors=(401, 403, 404))
def revoke_sessions(user_id: int):
    me = _admin()
    subject = _subject(user_id)
    count = sessions.revoke_all(db.session, subject, actor=me, ip=client_ip())
    return jsonify({"revoked": count})


@api_bp.delete("/admin/users/<int:user_id>/token")
@operation("admin", responses={204: None}, errors=(401, 403, 404))
def revoke_token(user_id: int):
    me = _admin()
    subject = _subject(user_id)
    if not ops.revoke_token(db.session, subject, actor=me, ip=client_ip()):
        raise NotFound("no_token")
    return Response(status=204)
