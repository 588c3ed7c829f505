"""The demo's moderation scene: a flag, a comment held for personal data, a hidden comment with
its author's appeal and a mute, so the queue, the appeal card and the notices have something to
show. People and texts are invented."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from deliberation.models import Thread, User, utcnow
from deliberation.services import comments, moderation

RUDE = "寫這種要點的人根本沒在做事，整天只會開會浪費納稅人的錢，全部換掉算了。"
APPEAL = "我批評的是政策執行方式，不是針對特定個人，請重新考慮。"
HELD = "我住在偏鄉，實體座談很需要。要辦的話可以打給我 0933-222-111，我幫忙找村長。"


def load(
    session: Session,
    users: dict[str, User],
    threads: list[Thread],
    closing: list[Thread],
    posted: dict[str, int],
) -> None:
    """Flag, hold, hide, appeal and mute, each through the same services the pages use. The
    hidden comment and its appeal are in `closing` (the consultation about to close), so the
    draft's transparency page starts with nothing hidden."""
    now = utcnow()
    mod, hao = users["mod"], users["hao"]
    moderation.flag_comment(
        session,
        posted["s1r1"],
        actor=users["yuting"],
        reason="other",
        note="這則留言沒有回應偏鄉長輩的需求，請版主看看是否離題。",
        now=now - timedelta(hours=5),
    )
    rude = comments.post_comment(
        session, closing[0], actor=hao, body=RUDE, now=now - timedelta(hours=4)
    )
    moderation.act_on_comment(
        session,
        rude.id,
        actor=mod,
        action="hide",
        reason="harassment",
        note="請針對政策內容討論，避免人身攻擊。",
        now=now - timedelta(hours=3, minutes=30),
    )
    moderation.submit_appeal(
        session, actor=hao, body=APPEAL, comment_id=rude.id, now=now - timedelta(hours=3)
    )
    moderation.sanction_user(
        session,
        hao.id,
        actor=mod,
        kind="mute",
        reason="harassment",
        note="多次人身攻擊，禁言三天。",
        days=3,
        comment_id=rude.id,
        now=now - timedelta(hours=2, minutes=50),
    )
    comments.post_comment(
        session, threads[1], actor=users["yuting"], body=HELD, now=now - timedelta(hours=2)
    )
