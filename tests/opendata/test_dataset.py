"""The dataset a researcher downloads: Polis files, our files, the data package, the privacy
rules, the checksums and the quality score."""

from __future__ import annotations

import base64
import hashlib

import pytest

from app.extensions import db
from deliberation.opendata.build import summary_rows
from deliberation.opendata.rules import DEFAULT_K
from deliberation.outcome.build import build_section
from deliberation.participation import KEYS
from tests.factories import make_user
from tests.outcome.helpers import HIDDEN_TEXT, PENDING_TEXT, hide

from .helpers import DELETED_TEXT, DRAFT_REASON, Dataset

POLIS_COMMENT_COLUMNS = [
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
]


def download(client, consultation_id: int) -> Dataset:
    response = client.get(f"/open-data/{consultation_id}/download")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/zip"
    data = response.get_data()
    response.close()
    return Dataset(data)


def test_a_researcher_finds_downloads_and_reads_a_closed_consultation(client, scene):
    cid = scene.consultation.id
    page = client.get("/open-data").get_data(as_text=True)
    assert "數位治理草案諮詢" in page and f"/open-data/{cid}/download" in page
    data = download(client, cid)
    for name in (
        "comments.csv",
        "votes.csv",
        "participants-votes.csv",
        "summary.csv",
        "themes.csv",
        "theme_members.csv",
        "responses.csv",
        "participation.csv",
        "datapackage.json",
        "LICENSE.txt",
        "metadata.json",
        "metadata.jsonld",
        "checksums.sha256",
        "quality.json",
        "README.txt",
    ):
        assert name in data.names
    comments = data.rows("comments.csv")
    assert list(comments[0]) == POLIS_COMMENT_COLUMNS
    by_id = {int(r["comment-id"]): r for r in comments}
    subsidy = by_id[scene.c["subsidy"].id]
    assert subsidy["comment-body"] == "支持提高補助金額" and subsidy["moderated"] == "1"
    # the deleted account's vote is not published, so the counts add up to votes.csv
    assert (subsidy["agrees"], subsidy["disagrees"]) == ("1", "1")
    votes = data.rows("votes.csv")
    on_subsidy = [v for v in votes if int(v["comment-id"]) == scene.c["subsidy"].id]
    assert sorted(v["vote"] for v in on_subsidy) == ["-1", "1"]
    # the page shows the ZIP's own SHA-256, and that is the file's
    dataset_page = client.get(f"/open-data/{cid}").get_data(as_text=True)
    response = client.get(f"/open-data/{cid}/download")
    assert (
        response.headers["Digest"]
        == "sha-256=" + base64.b64encode(hashlib.sha256(data.data).digest()).decode()
    )
    response.close()
    assert hashlib.sha256(data.data).hexdigest() in dataset_page
    assert "政府資料開放授權條款" in dataset_page


def test_participation_csv_has_the_figures_of_the_outcome_section(client, scene):
    data = download(client, scene.consultation.id)
    published = {r["key"]: r["value"] for r in data.rows("participation.csv")}
    section = build_section(db.session, scene.plan.id, actor=None, trusted=True)
    for key in KEYS:
        assert published[key] == str(section.participation[key]), key
    assert published["participation_comments_hidden"] == "1"
    assert published["participation_comments_pending"] == "1"


def test_the_data_package_validates_with_frictionless(client, scene, tmp_path):
    import frictionless

    folder = download(client, scene.consultation.id).extract(tmp_path)
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    package = frictionless.Package(str(folder / "datapackage.json"))
    fields = [f for r in package.to_descriptor()["resources"] for f in r["schema"]["fields"]]
    assert all(
        f["dictionary"]["zh-TW"]["description"] and f["dictionary"]["en"]["description"]
        for f in fields
    )


def test_checksums_inside_match_every_file(client, scene):
    data = download(client, scene.consultation.id)
    lines = data.text("checksums.sha256").splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    assert set(listed) == set(data.names) - {"checksums.sha256"}
    for name, digest in listed.items():
        assert data.sha256(name) == digest, name


def test_privacy_rules_hold_in_every_file(client, scene):
    data = download(client, scene.consultation.id)
    everything = "\n".join(data.text(n) for n in data.names)
    # no e-mail, no display name, no text of a hidden, pending or draft row
    for secret in (
        HIDDEN_TEXT,
        PENDING_TEXT,
        DRAFT_REASON,
        "@example.tw",
        "市民0",
        "註銷者甲乙",
        "ptt網友1",
    ):
        assert secret not in everything, secret
    comments = {int(r["comment-id"]): r for r in data.rows("comments.csv")}
    for key, moderated in (("hidden", "-1"), ("pending", "0")):
        row = comments[scene.c[key].id]
        assert row["moderated"] == moderated
        assert [v for k, v in row.items() if k not in ("comment-id", "moderated")] == [""] * 6
    # the deleted account: its visible comment keeps its text but no author, and it is in no
    # per-person row
    gone = comments[scene.c["deleted"].id]
    assert gone["comment-body"] == DELETED_TEXT and gone["author-id"] == ""
    participants = data.rows("participants-votes.csv")
    assert len(participants) == 4  # citizens 0, 1, 2 and the PTT author; not the deleted one
    assert sum(int(r["n-votes"]) for r in participants) == len(data.rows("votes.csv")) == 3
    # votes on the hidden comment never appear
    assert all(int(v["comment-id"]) != scene.c["hidden"].id for v in data.rows("votes.csv"))
    members = {int(r["comment-id"]) for r in data.rows("theme_members.csv")}
    assert members == {
        scene.c["subsidy"].id,
        scene.c["deleted"].id,
        scene.c["charging"].id,
        scene.c["ptt"].id,
    }
    responses = data.rows("responses.csv")
    assert [r["theme-key"] for r in responses] == ["T1"]


def test_participant_numbers_differ_between_datasets_and_follow_no_account_order(
    client, scene, app, monkeypatch
):
    first = download(client, scene.consultation.id).rows("comments.csv")
    authors = {int(r["comment-id"]): r["author-id"] for r in first}
    # The same people under another key (another dataset id or secret): other numbers.
    monkeypatch.setitem(app.config, "SECRET_KEY", "another secret")
    db.session.expire_all()
    scene.consultation.summary = "改寫摘要"  # a new version of the data
    db.session.commit()
    second = download(client, scene.consultation.id).rows("comments.csv")
    again = {int(r["comment-id"]): r["author-id"] for r in second}
    visible = [scene.c[k].id for k in ("subsidy", "charging", "ptt")]
    assert [authors[i] for i in visible] != [again[i] for i in visible]


def test_small_opinion_groups_are_suppressed_in_the_summary(client, scene):
    summary = {
        r["key"]: r["value"] for r in download(client, scene.consultation.id).rows("summary.csv")
    }
    assert summary["comments"] == "4" and summary["topic"] == "數位治理草案諮詢"
    # group sizes as published: a group of 2 is "<5", a group of 6 is 6; a person not
    # published (a deleted account) is not counted in any group
    pid_of = {uid: uid for uid in range(1, 9)}
    groups = {1: 0, 2: 0, **{uid: 1 for uid in range(3, 9)}, 99: 0}
    rows = dict(summary_rows(scene.consultation, "/c", pid_of, 8, 3, 4, groups, DEFAULT_K))
    assert rows["group-0-participants"] == "<5" and rows["group-1-participants"] == "6"
    assert rows["groups"] == "2"


def test_quality_score_names_each_check_with_its_result(client, scene):
    body = client.get(f"/api/v1/open-data/{scene.consultation.id}").get_json()
    checks = {c["key"]: c for c in body["manifest"]["quality"]["checks"]}
    assert set(checks) == {
        "schema_validity",
        "completeness",
        "timeliness",
        "documentation",
        "licence",
        "machine_readability",
    }
    assert checks["schema_validity"]["passed"], checks["schema_validity"]
    assert checks["licence"]["passed"] and checks["documentation"]["passed"]
    assert not checks["completeness"]["passed"]  # T2 has no published response
    assert "1 day since" in checks["timeliness"]["detail_en"]
    assert 0 < body["score"] < 100
    page = client.get(f"/open-data/{scene.consultation.id}").get_data(as_text=True)
    assert f'class="quality-score">{body["score"]}<' in page


def test_a_change_in_the_data_builds_a_new_version_and_drops_the_old(client, scene, open_data_dir):
    first = client.get(f"/api/v1/open-data/{scene.consultation.id}").get_json()
    again = client.get(f"/api/v1/open-data/{scene.consultation.id}").get_json()
    assert again["sha256"] == first["sha256"]  # nothing changed: the same ZIP
    hide(scene.c["subsidy"], make_user("moderator"))
    db.session.expire_all()
    later = client.get(f"/api/v1/open-data/{scene.consultation.id}").get_json()
    assert later["sha256"] != first["sha256"]
    assert later["manifest"]["counts"]["comments"] == first["manifest"]["counts"]["comments"] - 1
    assert len(list(open_data_dir.glob("*.zip"))) == 1


def test_an_account_deleted_after_a_build_leaves_the_next_download(client, scene):
    before = download(client, scene.consultation.id).rows("participants-votes.csv")
    scene.people[0].is_active = False
    db.session.commit()
    after = download(client, scene.consultation.id)
    assert len(after.rows("participants-votes.csv")) == len(before) - 1
    row = {int(r["comment-id"]): r for r in after.rows("comments.csv")}[scene.c["subsidy"].id]
    assert row["author-id"] == ""


def test_the_dataset_page_reads_in_zh_tw_and_in_english(client, scene):
    path = f"/open-data/{scene.consultation.id}"
    zh = client.get(path, headers={"Accept-Language": "zh-TW"}).get_data(as_text=True)
    assert "品質分數" in zh and "結構描述正確性" in zh and "諮詢結束後 1 日" in zh
    en = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Quality score" in en and "Schema validity" in en and "1 day since" in en


def test_a_comment_that_starts_a_formula_is_neutralised_and_votes_stay_numbers(client, scene):
    data = download(client, scene.consultation.id)
    comments = {int(r["comment-id"]): r for r in data.rows("comments.csv")}
    assert comments[scene.c["charging"].id]["comment-body"].startswith("'=HYPERLINK(")
    assert "-1" in {v["vote"] for v in data.rows("votes.csv")}


def test_votes_csv_written_by_postgresql_is_the_file_the_row_writer_writes(
    session, scene, monkeypatch
):
    import io
    from datetime import UTC, datetime

    from deliberation.exports import copy_csv, write_csv
    from deliberation.models import Vote
    from deliberation.opendata import queries, schema

    if not queries.copies_votes(session):
        pytest.skip("PostgreSQL writes votes.csv; SQLite uses the row writer")
    monkeypatch.setattr(queries, "VOTE_BLOCK", 2)  # blocks of 2 rows: 3 votes take two
    votes = session.query(Vote).order_by(Vote.id).all()
    # a vote a hair before a millisecond and one on a leap day, to check the rounding and dates
    votes[0].updated_at = datetime(2024, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC)
    votes[1].updated_at = datetime(2026, 12, 5, 1, 2, 3, 4_500, tzinfo=UTC)
    session.flush()
    pid_of = {
        uid: n for n, uid in enumerate(sorted(queries.participants(session, scene.consultation.id)))
    }
    header = [f.name for f in schema.VOTES]
    text = io.StringIO()
    expected_rows = write_csv(
        text, header, queries.vote_rows(session, scene.consultation.id, pid_of)
    )
    copied = io.BytesIO()
    blocks = queries.vote_csv_blocks(session, scene.consultation.id, pid_of)
    assert copy_csv(copied, header, blocks) == expected_rows == 3
    assert copied.getvalue().decode("utf-8") == text.getvalue()
    assert "Thu Feb 29 23:59:59 UTC 2024" in text.getvalue()
