"""The quality score of a dataset (提升資料集品質): named checks, each with its result.

Every check gives a score from 0 to 1, whether it passed and a detail in both languages; the
dataset's score is their mean, out of 100. Schema validity runs the `frictionless` validator
when it is installed (the tests and the dev extra have it) and otherwise this module's own
check of every file against its Table Schema (header and types); the check says which ran.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

MACHINE_READABLE = (".csv", ".json", ".jsonld", ".txt", ".sha256")
_INT = re.compile(r"^-?\d+$")
_NUM = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


@dataclass
class Check:
    key: str
    passed: bool
    score: float
    detail_zh: str
    detail_en: str


def _cell_ok(kind: str, value: str) -> bool:
    if value == "":
        return True
    if kind == "integer":
        return bool(_INT.match(value))
    if kind == "number":
        return bool(_NUM.match(value))
    if kind == "date":
        return bool(_DATE.match(value))
    if kind == "datetime":
        return bool(_DATETIME.match(value))
    return True


# A dataset of more rows than this is checked by this module's own checker on the first
# SAMPLE_ROWS rows of each file (the header, every type, every row's length): the frictionless
# validator reads about 5,000 rows a second, minutes for millions of votes in a download.
FULL_CHECK_ROWS = 200_000
SAMPLE_ROWS = 100_000


def builtin_errors(folder: Path, package: dict[str, Any], *, limit: int | None = None) -> list[str]:
    """Each file against its Table Schema: the header is the schema's field names and every
    cell parses as its type. Reads the files row by row (the first `limit` rows of each)."""
    errors: list[str] = []
    for resource in package["resources"]:
        fields = resource["schema"]["fields"]
        with (folder / resource["path"]).open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            if header != [f["name"] for f in fields]:
                errors.append(f"{resource['path']}: header")
                continue
            kinds = [f["type"] for f in fields]
            for n, row in enumerate(reader, start=2):
                if limit is not None and n > limit + 1:
                    break
                if len(row) != len(kinds) or not all(map(_cell_ok, kinds, row)):
                    errors.append(f"{resource['path']}:{n}")
                    break
    return errors


def schema_errors(folder: Path, package: dict[str, Any]) -> tuple[str, list[str]]:
    """(validator used, errors) for the package written in `folder`."""
    if sum(int(r.get("rows") or 0) for r in package["resources"]) > FULL_CHECK_ROWS:
        return (
            f"builtin (first {SAMPLE_ROWS:,} rows of each file)",
            builtin_errors(folder, package, limit=SAMPLE_ROWS),
        )
    try:
        import frictionless  # optional: in the dev extra, not needed to serve
    except ImportError:
        return "builtin", builtin_errors(folder, package)
    report = frictionless.validate(str(folder / "datapackage.json"))
    errors = [e.message for task in report.tasks for e in task.errors][:20]
    errors += [e.message for e in report.errors][:20]
    return f"frictionless {frictionless.__version__}", errors


def checks(
    folder: Path,
    package: dict[str, Any],
    *,
    members: list[str],
    rows: dict[str, int],
    final: bool,
    closed_at: datetime | None,
    built_at: datetime,
    has_run: bool,
    responded: int,
    themes: int,
) -> list[Check]:
    """Every named check of one dataset."""
    validator, errors = schema_errors(folder, package)
    out = [
        Check(
            "schema_validity",
            not errors,
            0.0 if errors else 1.0,
            f"{validator}：{len(errors)} 個錯誤" + (f"（{errors[0]}）" if errors else ""),
            f"{validator}: {len(errors)} errors" + (f" ({errors[0]})" if errors else ""),
        )
    ]
    # Completeness: the parts a consultation's record should have by its end: comments, an
    # analysis snapshot, and a published response to every theme.
    parts = [rows.get("comments.csv", 0) > 0, has_run, themes > 0 and responded >= themes]
    done = sum(parts)
    out.append(
        Check(
            "completeness",
            done == len(parts),
            done / len(parts),
            f"留言、分析快照、各主題之公開回應：{done}／{len(parts)} 項齊備"
            f"（已回應 {responded}／{themes} 個主題）",
            f"Comments, an analysis snapshot, a published response per theme: {done}/{len(parts)}"
            f" ({responded} of {themes} themes answered)",
        )
    )
    if final and closed_at is not None:
        days = max(0, (built_at - closed_at).days)
        out.append(
            Check(
                "timeliness",
                True,
                1.0 if days <= 30 else 0.5 if days <= 90 else 0.25,
                f"諮詢結束後 {days} 日；資料集內容為結束後之最終資料，隨每次變更重新產製",
                f"{days} day{'' if days == 1 else 's'} since the consultation closed; the dataset holds "
                "the final data "
                "and is rebuilt on every change",
            )
        )
    else:
        out.append(
            Check(
                "timeliness",
                final,
                1.0 if final else 0.5,
                "諮詢已結束（未設定結束日）" if final else "諮詢進行中：資料為暫時性，依需求產製",
                "Closed (no closing date set)"
                if final
                else "Still open: provisional data, built on request",
            )
        )
    fields = [f for r in package["resources"] for f in r["schema"]["fields"]]
    documented = sum(
        1
        for f in fields
        if f.get("dictionary", {}).get("zh-TW", {}).get("description")
        and f.get("dictionary", {}).get("en", {}).get("description")
    )
    out.append(
        Check(
            "documentation",
            documented == len(fields) and "README.txt" in members,
            documented / max(1, len(fields)),
            f"{documented}／{len(fields)} 個欄位有中英文資料字典；附說明檔 README.txt",
            f"{documented}/{len(fields)} fields documented in zh-TW and English; README.txt",
        )
    )
    licensed = bool(package.get("licenses")) and "LICENSE.txt" in members
    out.append(
        Check(
            "licence",
            licensed,
            1.0 if licensed else 0.0,
            "政府資料開放授權條款第1版，附顯名聲明" if licensed else "缺授權條款",
            "Open Government Data License 1.0, with attribution text" if licensed else "No licence",
        )
    )
    readable = [m for m in members if m.endswith(MACHINE_READABLE)]
    out.append(
        Check(
            "machine_readability",
            len(readable) == len(members),
            len(readable) / max(1, len(members)),
            "全部檔案為 UTF-8 CSV、JSON 或純文字（開放格式，三星級以上）",
            "Every file is UTF-8 CSV, JSON or plain text (open formats, three stars or more)",
        )
    )
    return out


def score(results: list[Check]) -> int:
    """The dataset's quality score out of 100."""
    return round(100 * sum(c.score for c in results) / max(1, len(results)))


def as_json(results: list[Check]) -> list[dict[str, Any]]:
    return [asdict(c) for c in results]
