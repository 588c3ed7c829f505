"""The focus group in the dataset: the draw's public facts and per-feature counts, small cells
suppressed, nobody's attributes; the file is there, header only, without a draw."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from deliberation.focus_groups.models import FocusDraw, FocusGroup, FocusQuota, FocusVolunteer
from deliberation.models import utcnow

from .helpers import Dataset

QUOTAS = [("性別", "女", 2, 4), ("性別", "男", 2, 4), ("居住地", "離島", 0, 2)]


def download(client, cid: int) -> Dataset:
    response = client.get(f"/open-data/{cid}/download")
    assert response.status_code == 200
    data = response.get_data()
    response.close()
    return Dataset(data)


def drawn_group(consultation, *, purged: bool = False) -> FocusGroup:
    group = FocusGroup(
        consultation_id=consultation.id,
        panel_size=6,
        retain_until=utcnow() + timedelta(days=90),
        notice_version="2026-12-v1",
        purged_at=utcnow() if purged else None,
    )
    db.session.add(group)
    db.session.flush()
    for category, feature, low, high in QUOTAS:
        db.session.add(
            FocusQuota(
                focus_group_id=group.id,
                category=category,
                feature=feature,
                min_seats=low,
                max_seats=high,
            )
        )
    # 12 in the pool: 7 women (3 on the panel), 5 men (3 on the panel), 2 from an outlying
    # island (1 on the panel); one more who withdrew before the draw (no probability).
    people = [("女", "本島")] * 5 + [("女", "離島")] * 2 + [("男", "本島")] * 5
    on_panel = {0, 1, 5, 7, 8, 9}
    for i, (gender, place) in enumerate(people):
        db.session.add(
            FocusVolunteer(
                focus_group_id=group.id,
                pool_id=f"V{i:03d}",
                attributes=None if purged else {"性別": gender, "居住地": place},
                notice_version="2026-12-v1",
                status="selected" if i in on_panel else "reserve",
                probability=0.5,
            )
        )
    db.session.add(
        FocusVolunteer(
            focus_group_id=group.id,
            pool_id="WITHDRAWN9",
            attributes={"性別": "女", "居住地": "離島"},
            notice_version="2026-12-v1",
            status="withdrawn",
        )
    )
    record = {
        "seed": 20261205,
        "size": 6,
        "algorithm": "maximin",
        "package_version": "0.9.0",
        "pool_hash": "ab" * 32,
        "pool_size": 12,
        "quotas": [{"category": c, "feature": f, "min": lo, "max": hi} for c, f, lo, hi in QUOTAS],
        "panel": ["V000", "V001", "V005", "V007", "V008", "V009"],
    }
    db.session.add(FocusDraw(focus_group_id=group.id, record=record))
    db.session.commit()
    return group


def test_the_focus_group_draw_is_in_the_dataset_with_small_cells_suppressed(client, scene):
    drawn_group(scene.consultation)
    data = download(client, scene.consultation.id)
    rows = data.rows("focus_group.csv")
    assert [(r["category"], r["feature"], r["min-seats"], r["max-seats"]) for r in rows] == [
        (c, f, str(lo), str(hi)) for c, f, lo, hi in QUOTAS
    ]
    counts = {(r["category"], r["feature"]): (r["pool-count"], r["panel-count"]) for r in rows}
    assert counts == {
        ("性別", "女"): ("7", "<5"),  # 3 women on the panel: a small cell
        ("性別", "男"): ("5", "<5"),
        ("居住地", "離島"): ("<5", "<5"),
    }
    first = rows[0]
    assert (first["panel-size"], first["pool-size"], first["algorithm"], first["seed"]) == (
        "6", "12", "maximin", "20261205"
    )  # fmt: skip
    assert first["pool-hash"] == "ab" * 32
    text = data.text("focus_group.csv")
    for private in ("V000", "WITHDRAWN9", "本島"):  # no ids, no feature outside the quotas
        assert private not in text
    resource = next(
        r for r in data.json("datapackage.json")["resources"] if r["path"] == "focus_group.csv"
    )
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert fields["pool-count"]["dictionary"]["zh-TW"]["title"] == "報名者中具此特徵人數"
    assert "<k" in fields["panel-count"]["dictionary"]["en"]["description"]
    assert resource["rows"] == 3
    assert "focus_group.csv" in data.text("checksums.sha256")
    quality = {c["key"]: c["passed"] for c in data.json("quality.json")["checks"]}
    assert quality["schema_validity"]


def test_counts_are_left_empty_once_the_answers_were_erased(client, scene):
    drawn_group(scene.consultation, purged=True)
    rows = download(client, scene.consultation.id).rows("focus_group.csv")
    assert len(rows) == 3 and {(r["pool-count"], r["panel-count"]) for r in rows} == {("", "")}
    assert rows[0]["pool-size"] == "12"


def test_without_a_draw_the_file_has_its_header_only(client, scene):
    data = download(client, scene.consultation.id)
    assert data.rows("focus_group.csv") == []
    assert data.text("focus_group.csv").startswith("drawn-at,panel-size,pool-size")
