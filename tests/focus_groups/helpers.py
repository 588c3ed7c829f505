"""A small pool and quotas shared by the focus-group tests (small, because each draw solves LPs)."""

from __future__ import annotations

from deliberation.focus_groups.lottery import Quota

QUOTAS_CSV = """category,feature,min,max
age,18-39,2,4
age,40+,2,4
gender,女,3,3
gender,男,3,3
"""

QUOTAS = [
    Quota("age", "18-39", 2, 4),
    Quota("age", "40+", 2, 4),
    Quota("gender", "女", 3, 3),
    Quota("gender", "男", 3, 3),
]


def pool(n: int = 14) -> dict[str, dict[str, str]]:
    """n people, alternating gender, a third of them young."""
    return {
        f"p{i:02d}": {"age": "18-39" if i % 3 == 0 else "40+", "gender": "女" if i % 2 else "男"}
        for i in range(n)
    }


def pool_csv(people: dict[str, dict[str, str]]) -> str:
    lines = ["id,age,gender"] + [f"{pid},{a['age']},{a['gender']}" for pid, a in people.items()]
    return "\n".join(lines) + "\n"


def fake_draw(session, group, size: int = 6):  # type: ignore[no-untyped-def]
    """Mark the first `size` volunteers as the panel and store a draw record, without the
    solver: for tests about what comes after a draw (sessions, permissions)."""
    from deliberation.focus_groups import lottery, queries
    from deliberation.focus_groups.models import FocusDraw

    people = queries.volunteers(session, group)
    pool = queries.pool_of(session, group)
    panel = [v.pool_id for v in people[:size]]
    for rank, v in enumerate(people):
        v.status = "selected" if rank < size else "reserve"
        v.reserve_rank = None if rank < size else rank - size + 1
        v.probability = size / len(people)
    record = {
        "consultation_id": group.consultation_id, "seed": 7, "size": size,
        "algorithm": "maximin", "algorithm_run": "maximin", "solver": lottery.SOLVER,
        "package": lottery.PACKAGE, "package_version": lottery.package_version(),
        "pool_hash": lottery.pool_hash(pool), "pool_size": len(pool),
        "quotas": [q.__dict__ for q in queries.quotas_of(group)], "panel": panel,
        "reserve": [v.pool_id for v in people[size:]], "min_probability": size / len(people),
        "zero_probability": 0, "replacements": [],
    }  # fmt: skip
    session.add(FocusDraw(focus_group_id=group.id, record=record))
    session.flush()
    return panel


def seed_for_pages(session, consultation_id: int, staff, secret: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """A drawn panel with a session, notes and an invitation on this consultation, for the
    accessibility check of the session and invitation pages (tests/e2e/test_accessibility.py).
    Returns the placeholders of tests/e2e/a11y_pages.py: focus_session, focus_link."""
    from datetime import timedelta

    from deliberation.focus_groups import invitations, operations, queries, sessions
    from deliberation.models import Consultation, utcnow
    from deliberation.services.consultations import general_thread

    consultation = session.get(Consultation, consultation_id)
    group = operations.configure(
        session, consultation, actor=None, panel_size=6, operator=True,
        retain_until=utcnow() + timedelta(days=90),
    )  # fmt: skip
    operations.set_quotas(session, group, QUOTAS, actor=None, operator=True)
    [invitation] = invitations.invite(session, group, ["a11y@example.tw"], actor=staff)
    operations.import_pool(session, group, pool(14), actor=None, operator=True)
    fake_draw(session, group)
    fs = sessions.schedule(
        session, group, starts_at=utcnow() + timedelta(days=7), place="國家發展委員會 1 樓",
        online_url="https://meet.example.tw/a11y", facilitator="王主持", agenda="一、開場",
        thread_id=general_thread(consultation).id,
    )  # fmt: skip
    sessions.add_notes(session, fs, "A：我支持。\nB：我有疑慮。", actor=staff)
    assert queries.latest_draw(session, group) is not None
    return {"focus_session": fs.id, "focus_link": invitations.make_token(secret, invitation)}
