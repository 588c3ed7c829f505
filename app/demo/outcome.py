"""The demo's outcome loop: a closed consultation with 220 comments and their votes, and a plan.

The comments are the synthetic-zh "ev-scooter" set (invented for this project, no real person's
text; app/demo/data/ev-scooter-comments.csv), brought in through the Polis importer like any
real Polis export. Votes are generated here, deterministically: two loose camps of voters who
lean differently on each comment, so opinion groups have something to find. Nothing is analysed
yet: running the analysis, curating, answering and exporting is what the demo is for.
"""

from __future__ import annotations

import csv
import random
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from deliberation.models import Agency, Consultation, User, utcnow
from deliberation.services import plans, polis_io

DATA = Path(__file__).resolve().parent / "data" / "ev-scooter-comments.csv"
TITLE = "電動機車購車補助與充電設施推動方案（草案）"
SUMMARY = (
    "電動機車購車補助、充電與換電設施、電池回收與機車行轉型的推動方案草案。意見徵集已結束，"
    "承辦機關正在整理意見主題並逐一回應。"
)
PLAN_TITLE = "電動機車產業推動中長程個案計畫"
VOTERS = 160
TAIPEI = ZoneInfo("Asia/Taipei")


def _votes_csv(path: Path, comment_ids: list[tuple[int, int]]) -> None:
    rng = random.Random(20261127)
    camp = {v: v % 2 for v in range(VOTERS)}
    lean = {cid: (rng.uniform(-1, 1), rng.uniform(-1, 1)) for cid, _ in comment_ids}
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
        for cid, posted_ms in comment_ids:
            for voter in range(VOTERS):
                if rng.random() > 0.35:
                    continue
                p_agree = 0.5 + 0.45 * lean[cid][camp[voter]]
                roll = rng.random()
                vote = 1 if roll < p_agree * 0.85 else (0 if roll < p_agree * 0.85 + 0.15 else -1)
                ms = posted_ms + rng.randint(60_000, 3 * 86_400_000)
                writer.writerow([ms, "", cid, 10_000 + voter, vote])


def load(session: Session, users: dict[str, User]) -> Consultation:
    """Import the consultation, close it, and create a draft plan that links it."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ev-scooter"
        folder.mkdir()
        shutil.copy(DATA, folder / polis_io.COMMENTS_CSV)
        with DATA.open(encoding="utf-8", newline="") as fh:
            ids = [(int(r["comment-id"]), int(r["timestamp"])) for r in csv.DictReader(fh)]
        _votes_csv(folder / polis_io.VOTES_CSV, ids)
        data = polis_io.read_folder(folder, slug="demo-ev-scooter")
    staff = users["staff"]
    assert staff.agency is not None
    result = polis_io.import_polis(
        session, data, actor=staff, title=TITLE, agency_code=staff.agency.code
    )
    consultation = session.get(Consultation, result.consultation_id)
    assert consultation is not None
    consultation.summary = SUMMARY
    now = utcnow()
    plans.create_plan(
        session,
        actor=staff,
        title=PLAN_TITLE,
        lead_agency=session.get(Agency, staff.agency_id),
        summary="推動電動機車普及、充電與換電設施布建、電池回收及傳統機車行轉型。",
        # 116–119 (ROC years): from next 1 January to 31 December three years later, Taiwan time.
        period_start=datetime(now.year + 1, 1, 1, tzinfo=TAIPEI),
        period_end=datetime(now.year + 4, 12, 31, tzinfo=TAIPEI),
        budget=1_250_000,
        consultation_ids=[consultation.id],
        co_agency_codes=["MOTC"],
        indicators=[
            plans.IndicatorInput(name="電動機車年銷售占比", target="119 年達 35%"),
            plans.IndicatorInput(name="公共充換電站數", target="119 年達 6,000 站"),
        ],
    )
    return consultation
