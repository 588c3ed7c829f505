"""The demo's quick poll (民調) on the draft: three questions, census-style margins, and a few
invented answers, so the results page shows raw and weighted figures."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from deliberation.models import Consultation, User
from deliberation.polls import operations, rules

TITLE = "草案快速民調"
QUESTIONS: list[dict[str, Any]] = [
    {"kind": "single", "prompt": "您是否支持本要點草案？", "options": ["支持", "不支持", "沒有意見"]},
    {"kind": "multi", "prompt": "您最關心哪些部分？", "options": ["資訊公開", "民眾參與", "跨機關協調"]},
    {"kind": "scale", "prompt": "您認為推動本要點有多迫切？"},
]  # fmt: skip
# Invented shares, shaped like the census (內政部戶政司) for adults; not real figures.
MARGINS = """category,feature,percent
年齡,18-39 歲,36
年齡,40-64 歲,44
年齡,65 歲以上,20
性別,女,51
性別,男,49
"""
SOURCE = "示範資料（依人口統計格式虛構）"
# (account, support option, cares about, urgency 0–4, age, gender)
ANSWERS = [
    ("amei", 0, [0, 1], 3, "40-64 歲", "女"),
    ("jianhong", 1, [2], 1, "18-39 歲", "男"),
    ("yuting", 0, [1], 4, "18-39 歲", "女"),
    ("prof", 2, [0, 2], 2, "65 歲以上", "男"),
    ("ngo", 0, [0, 1], 4, "18-39 歲", "男"),
]


def load(session: Session, users: dict[str, User], consultation: Consultation) -> None:
    """The poll, its margins and the demo accounts' answers (the 示範民眾 account has not
    answered: the browser test answers as them)."""
    poll = operations.save_poll(
        session, consultation, actor=users["staff"], title=TITLE, questions=QUESTIONS
    )
    operations.set_margins(
        session, consultation, rules.parse_margins(MARGINS), actor=users["staff"], source=SOURCE
    )
    q = [question.id for question in poll.questions]
    for key, support, cares, urgency, age, gender in ANSWERS:
        operations.answer(
            session,
            poll,
            actor=users[key],
            answers={str(q[0]): support, str(q[1]): cares, str(q[2]): urgency},
            demographics={"年齡": age, "性別": gender},
            consent=True,
            notice_version=poll.notice_version,
        )
