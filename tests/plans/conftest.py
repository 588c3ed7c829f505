"""Fixtures for this package; its helpers are in helpers.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.extensions import db
from deliberation.services import plans
from tests.factories import (
    general_thread,
    make_agency,
    make_comment,
    make_consultation,
    make_user,
    save,
)

from .helpers import (  # noqa: F401  (names test files imported from here before helpers.py)
    World,
    make_run,
    respond,
    set_status,
    text_of,
)


@pytest.fixture
def world(session) -> World:
    mot = make_agency("MOT", "交通部")
    make_agency("EPA", "環境部")
    make_agency("MOI", "內政部")
    lead = make_user("staff", agency=mot, name="交通部承辦")
    co = make_user("staff", agency=make_agency("EPA"), name="環境部承辦")
    other = make_user("staff", agency=make_agency("MOI"), name="內政部承辦")
    reviewer = make_user("reviewer", name="國發會審議")
    citizen = make_user("citizen", name="市民甲")
    admin = make_user("admin", name="管理員")
    consultation = make_consultation(staff=lead, status="open", title="電動機車補助草案")
    thread = general_thread(consultation)
    alice = make_user(name="小美")
    bob = make_user(name="阿明")
    a1 = make_comment(thread, alice, "充電站太少，補助應包含充電設施")
    a2 = make_comment(thread, alice, "偏鄉更缺充電站")
    b1 = make_comment(thread, bob, "電池交換站也要補助")
    b2 = make_comment(thread, bob, "補助金額應提高到三萬")
    consultation.status = "closed"
    save()
    run = make_run(consultation, [("T1", "充電設施", [a1, a2, b1]), ("T2", "補助金額", [b2])])
    plan = plans.create_plan(
        db.session,
        actor=lead,
        title="電動機車推廣計畫",
        summary="推廣電動機車",
        changes="依諮詢意見，補助範圍納入充電設施。",
        period_start=datetime(2026, 1, 1, tzinfo=UTC),
        period_end=datetime(2029, 12, 31, tzinfo=UTC),
        consultation_ids=[consultation.id],
        co_agency_codes=["EPA"],
    )
    save()
    return World(
        lead=lead,
        co=co,
        other=other,
        reviewer=reviewer,
        citizen=citizen,
        admin=admin,
        consultation=consultation,
        plan=plan,
        run=run,
        comments={"T1": [a1, a2, b1], "T2": [b2]},
        authors=[alice, bob],
    )
