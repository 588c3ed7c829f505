"""Invitations by signed link: staff mail a personal link; its holder volunteers without an account.

Why not make them register first: a stratified lottery exists to reach people who would not
come on their own (the elderly, people offline, people recruited by post or phone); an account,
a password and a verified address in the way of the one form would skew the pool towards the
already-engaged. So the link is enough: it is signed with the site's key (itsdangerous, like
deliberation/accounts/tokens.py), names one invitation row, expires after MAX_AGE, and is
personal — volunteering through it is possible once; afterwards the same link shows the
holder's status and lets them withdraw. Nothing else is reachable through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound, ValidationError
from ..models import User, utcnow
from ..services.accounts import EMAIL_RE
from . import queries, rules
from .models import FocusGroup, FocusInvitation, FocusVolunteer

PURPOSE = "focus-group-invitation"
MAX_AGE = 30 * 24 * 3600  # thirty days: long enough for a recruitment round
MAX_PER_BATCH = 500


def make_token(secret: str, invitation: FocusInvitation) -> str:
    """The signed link's token: the invitation and its group, nothing personal."""
    serializer = URLSafeTimedSerializer(secret, salt=PURPOSE)
    return serializer.dumps({"i": invitation.id, "g": invitation.focus_group_id})


def read_token(secret: str, token: str, *, max_age: int | None = None) -> tuple[int, int]:
    """(invitation id, group id); ValidationError focus_invitation_expired / _invalid otherwise."""
    serializer = URLSafeTimedSerializer(secret, salt=PURPOSE)
    try:
        data = serializer.loads(token or "", max_age=MAX_AGE if max_age is None else max_age)
    except SignatureExpired:
        raise ValidationError("focus_invitation_expired") from None
    except BadSignature:
        raise ValidationError("focus_invitation_invalid") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in ("i", "g")):
        raise ValidationError("focus_invitation_invalid")
    return data["i"], data["g"]


def parse_addresses(text: str) -> list[str]:
    """One address a line (or separated by commas); every bad one is named, nothing is kept."""
    found: list[str] = []
    for raw in text.replace(",", "\n").replace(";", "\n").splitlines():
        address = raw.strip().lower()
        if not address:
            continue
        if not EMAIL_RE.match(address) or len(address) > 254:
            raise ValidationError("focus_invitation_bad_address", address=address[:80])
        if address not in found:
            found.append(address)
    if not found:
        raise ValidationError("focus_invitation_no_address")
    if len(found) > MAX_PER_BATCH:
        raise ValidationError("focus_invitation_too_many", max=MAX_PER_BATCH)
    return found


def invite(
    session: Session, group: FocusGroup, addresses: Iterable[str], *, actor: User
) -> list[FocusInvitation]:
    """An invitation per address (an address invited before and not yet used gets its row
    again, so a second mail does not make a second pool entry). The caller mails the links."""
    if group.purged_at is not None:
        raise Conflict("focus_purged")
    if queries.latest_draw(session, group) is not None:
        raise Conflict("focus_already_drawn")
    if not group.quotas:
        raise Conflict("focus_not_ready")
    wanted = list(addresses)
    existing = {
        i.email: i
        for i in session.scalars(
            select(FocusInvitation).where(
                FocusInvitation.focus_group_id == group.id, FocusInvitation.email.in_(wanted)
            )
        )
    }
    out: list[FocusInvitation] = []
    for address in wanted:
        row = existing.get(address)
        if row is not None and row.used_at is not None:
            continue  # already in the pool through their link
        if row is None:
            row = FocusInvitation(focus_group_id=group.id, email=address, created_by_id=actor.id)
            session.add(row)
        out.append(row)
    session.flush()
    return out


def invitation_for(session: Session, secret: str, token: str) -> FocusInvitation:
    """The invitation a link names, after its signature and age are checked."""
    invitation_id, group_id = read_token(secret, token)
    invitation = session.get(FocusInvitation, invitation_id)
    if invitation is None or invitation.focus_group_id != group_id:
        raise NotFound("focus_invitation_invalid")
    return invitation


def volunteer_of(session: Session, invitation: FocusInvitation) -> FocusVolunteer | None:
    return session.scalar(
        select(FocusVolunteer).where(FocusVolunteer.invitation_id == invitation.id)
    )


def volunteer(
    session: Session,
    invitation: FocusInvitation,
    *,
    attributes: Mapping[str, str],
    consent: bool,
    notice_version: str,
) -> FocusVolunteer:
    """The link's holder joins the pool, having read the notice and agreed, once."""
    group = session.get(FocusGroup, invitation.focus_group_id)
    assert group is not None
    if group.purged_at is not None:
        raise Conflict("focus_purged")
    if queries.latest_draw(session, group) is not None:
        raise Conflict("focus_already_drawn")
    if not group.quotas:
        raise Conflict("focus_not_ready")
    if invitation.used_at is not None or volunteer_of(session, invitation) is not None:
        raise Conflict("focus_already_volunteered")
    if not consent:
        raise ValidationError("focus_consent_required")
    if notice_version != group.notice_version:
        raise ValidationError("focus_notice_changed")
    kept = rules.check_attributes(attributes, rules.categories_of(queries.quotas_of(group)))
    row = FocusVolunteer(
        focus_group_id=group.id,
        pool_id=f"i{invitation.id}",
        invitation_id=invitation.id,
        attributes=kept,
        notice_version=group.notice_version,
    )
    session.add(row)
    invitation.used_at = utcnow()
    session.flush()
    return row
