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
