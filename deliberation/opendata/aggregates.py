"""Aggregate tables a dataset carries when the consultation has them: the focus group's draw
(panel and pool sizes, quotas and how many in the pool and on the panel had each feature,
small cells suppressed; never anyone's attributes).

The extension point: another aggregate (polls, say) is one more `Aggregate` in `AGGREGATES`:
its file name, its Table Schema fields with the zh-TW/English dictionary, and a function giving
its rows (no rows: the file is still there, header only, so every dataset has the same files).
`build` writes each one, and `datapackage.json`, the metadata and the checksums include it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..focus_groups.models import FocusVolunteer
from ..focus_groups.queries import group_of, latest_draw
from ..models import Consultation
from .rules import suppress
from .schema import Field

Rows = Callable[[Session, Consultation, int], Iterable[Sequence[Any]]]


@dataclass(frozen=True)
class Aggregate:
    name: str  # the file in the ZIP
    fields: tuple[Field, ...]
    zh: str  # the resource's title
    en: str
    rows: Rows  # (session, consultation, k) -> rows, people counts below k suppressed


def _f(name: str, kind: str, zh: str, zh_desc: str, en: str, en_desc: str) -> Field:
    return Field(name, kind, zh, zh_desc, en, en_desc)


SUPPRESSED_ZH = "；少於 k 人（但非零）以「<k」表示"
SUPPRESSED_EN = '; counts below k (but not zero) show as "<k"'

FOCUS_GROUP = (
    _f("drawn-at", "datetime", "抽籤時間", "抽出座談會名單之時間（UTC，ISO 8601）",
       "Drawn at", "When the panel was drawn (UTC, ISO 8601)"),
    _f("panel-size", "integer", "座談會人數", "抽出之座談會席次", "Panel size", "Seats drawn"),
    _f("pool-size", "integer", "報名人數", "參加抽籤之報名者人數", "Pool size",
       "People in the pool the panel was drawn from"),
    _f("algorithm", "string", "演算法", "抽籤演算法（maximin、nash 或 leximin）",
       "Algorithm", "The selection algorithm (maximin, nash or leximin)"),
    _f("seed", "integer", "亂數種子", "抽籤前公布之亂數種子", "Seed",
       "The random seed published before the draw"),
    _f("package-version", "string", "套件版本", "抽籤所用 sortition-algorithms 套件之版本",
       "Package version", "The sortition-algorithms version that drew the panel"),
    _f("pool-hash", "string", "名單雜湊值", "報名名單（編號與屬性）之 SHA-256，供稽核重現抽籤",
       "Pool hash", "SHA-256 of the pool (ids and features), for replaying the draw in an audit"),
    _f("category", "string", "類別", "配額之類別（例如性別、年齡層）", "Category",
       "The quota's category (e.g. gender, age band)"),
    _f("feature", "string", "特徵", "類別中之一項特徵", "Feature", "One feature of the category"),
    _f("min-seats", "integer", "最少席次", "此特徵之最少席次", "Minimum seats",
       "Fewest seats for this feature"),
    _f("max-seats", "integer", "最多席次", "此特徵之最多席次", "Maximum seats",
       "Most seats for this feature"),
    _f("pool-count", "string", "報名者中具此特徵人數",
       "參加抽籤之報名者中具此特徵之人數；屬性已依保存期限刪除時留空" + SUPPRESSED_ZH,
       "In the pool", "People in the pool with this feature; empty once the answers were "
       "erased after the retention date" + SUPPRESSED_EN),
    _f("panel-count", "string", "座談會中具此特徵人數",
       "目前座談會成員中具此特徵之人數；屬性已刪除時留空" + SUPPRESSED_ZH,
       "On the panel", "Current panel members with this feature; empty once the answers were "
       "erased" + SUPPRESSED_EN),
)  # fmt: skip


def focus_group_rows(session: Session, consultation: Consultation, k: int) -> list[list[Any]]:
    """One row per quota of the latest draw (none without a draw): the draw's public facts and
    how many in the pool and on the panel had the feature, suppressed below k."""
    group = group_of(session, consultation.id)
    draw = latest_draw(session, group) if group is not None else None
    if group is None or draw is None:
        return []
    record = draw.record
    pool: dict[tuple[str, str], int] = {}
    panel: dict[tuple[str, str], int] = {}
    erased = group.purged_at is not None
    for status, attributes in session.execute(
        select(FocusVolunteer.status, FocusVolunteer.attributes).where(
            FocusVolunteer.focus_group_id == group.id, FocusVolunteer.probability.is_not(None)
        )
    ):
        if attributes is None:
            erased = True
            continue
        for pair in attributes.items():
            pool[pair] = pool.get(pair, 0) + 1
            if status == "selected":
                panel[pair] = panel.get(pair, 0) + 1
    drawn = draw.created_at.isoformat()
    rows = []
    for q in record.get("quotas") or []:
        key = (q["category"], q["feature"])
        rows.append(
            [
                drawn,
                record.get("size", ""),
                record.get("pool_size", ""),
                record.get("algorithm", ""),
                record.get("seed", ""),
                record.get("package_version", ""),
                record.get("pool_hash", ""),
                q["category"],
                q["feature"],
                q["min"],
                q["max"],
                "" if erased else suppress(pool.get(key, 0), k),
                "" if erased else suppress(panel.get(key, 0), k),
            ]
        )
    return rows


AGGREGATES: tuple[Aggregate, ...] = (
    Aggregate(
        "focus_group.csv", FOCUS_GROUP, "政策提案座談會抽籤", "Focus group draw", focus_group_rows
    ),  # fmt: skip
    # polls: Aggregate("polls.csv", POLL_FIELDS, "民意調查", "Polls", poll_rows),
)
FILES: dict[str, tuple[tuple[Field, ...], str, str]] = {
    a.name: (a.fields, a.zh, a.en) for a in AGGREGATES
}
