"""Fixtures for this package; its helpers are in helpers.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from deliberation.models import (
    Comment,
    Flag,
    utcnow,
)
from tests.factories import general_thread, make_agency, make_comment, make_consultation, make_user

from .helpers import (
    HIDDEN_TEXT,
    PENDING_TEXT,
    Scene,
    hide,
    imported,
    make_plan,
    make_run,
    respond,
    vote,
)


@pytest.fixture
def scene(session) -> Scene:
    ndc = make_agency("NDC", "國家發展委員會")
    moe = make_agency("MOE", "教育部")
    other = make_agency("MOI", "內政部")
    lead_staff = make_user("staff", agency=ndc, name="國發會承辦人")
    consultation = make_consultation(
        staff=lead_staff,
        title="數位治理草案諮詢",
        opens_at=utcnow() - timedelta(days=10),
        closes_at=utcnow() + timedelta(days=20),
    )
    thread = general_thread(consultation)
    moderator = make_user("moderator")
    people = [make_user(name=f"市民{i}") for i in range(4)]
    c: dict[str, Comment] = {}
    c["subsidy"] = make_comment(thread, people[0], body="支持提高**補助**金額，減輕家庭負擔")
    c["reply"] = make_comment(thread, people[1], body="同意，補助應涵蓋偏鄉", parent=c["subsidy"])
    c["charging"] = make_comment(thread, people[2], body="充電站數量不足，應優先設置")
    c["hidden"] = make_comment(thread, people[3], body=HIDDEN_TEXT)
    c["pending"] = make_comment(thread, people[3], body=PENDING_TEXT)
    c["ptt1"] = imported(thread, "ptt", "PTT 網友認為充電站要更多", 1)
    c["ptt2"] = imported(thread, "ptt", "PTT 另一位網友也同意", 2)
    c["dcard"] = imported(thread, "dcard", "Dcard 同學覺得補助太少", 3)
    voter_a, voter_b = make_user(name="投票者甲"), make_user(name="投票者乙")
    vote(c["subsidy"], voter_a, 1)
    vote(c["subsidy"], voter_b, -1)
    vote(c["charging"], voter_a, 0)
    vote(c["hidden"], voter_b, 1)  # before it was hidden: must not count anywhere
    db.session.add(Flag(comment_id=c["hidden"].id, user_id=voter_a.id, reason="harassment"))
    db.session.commit()
    hide(c["hidden"], moderator)
    c["pending"].status = "pending"
    db.session.commit()

    run = make_run(
        consultation,
        [
            {
                "key": "T1",
                "label": "提高補助金額",
                "keywords": ["補助", "金額"],
                "members": [c["subsidy"], c["reply"], c["hidden"], c["pending"], c["dcard"]],
                "representative": [c["hidden"], c["subsidy"], c["dcard"]],
                "pinned": [c["pending"], c["reply"]],
            },
            {
                "key": "T2",
                "label": "充電站設置",
                "keywords": ["充電站"],
                "members": [c["charging"], c["ptt1"]],
                "representative": [c["charging"], c["ptt1"]],
            },
            {
                "key": "T3",
                "label": "雜訊",
                "members": [c["ptt2"]],
                "representative": [c["ptt2"]],
                "discarded": True,
            },
        ],
        groups={
            "groups": [
                {
                    "id": 0,
                    "size": 2,
                    "representative": [
                        {"comment_id": c["subsidy"].id, "repful_for": "agree"},
                        {"comment_id": c["hidden"].id, "repful_for": "agree"},
                    ],
                },
                {"id": 1, "size": 1, "representative": [{"comment_id": c["charging"].id}]},
            ],
            "consensus": [
                {"comment_id": c["charging"].id, "direction": "agree"},
                {"comment_id": c["pending"].id, "direction": "agree"},
            ],
        },
    )
    respond(consultation, "T1", "adopted", "將補助金額由 3,000 元提高為 5,000 元。", unit="綜規處")
    respond(
        consultation,
        "T2",
        "under_study",
        "DRAFTREASON 與經濟部研議充電站布建。",
        published=False,
        unit="產業處",
        due=utcnow() + timedelta(days=90),
    )
    plan = make_plan(
        ndc, [consultation], co=[moe], changes="- 補助金額提高至 5,000 元\n- 新增偏鄉加碼"
    )
    return Scene(
        plan=plan,
        consultation=consultation,
        run=run,
        lead_staff=lead_staff,
        co_staff=make_user("staff", agency=moe, name="教育部承辦人"),
        other_staff=make_user("staff", agency=other, name="內政部承辦人"),
        reviewer=make_user("reviewer", name="審查委員"),
        admin=make_user("admin", name="管理員"),
        citizen=make_user(name="路人"),
        c=c,
    )
