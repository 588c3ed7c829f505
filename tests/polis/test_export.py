"""Exporting a consultation in the Polis format: the open-data columns, our opinion groups, and a
round trip back through the importer."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from analysis.groups import agreement_with_reference
from app.extensions import db
from deliberation.models import AnalysisRun, Comment, User
from deliberation.services import analysis_runs, comments, polis_io
from deliberation.services import moderation as mod
from tests.factories import general_thread, make_comment, make_consultation, make_user

from .helpers import LONDON, SEATTLE, expected, import_cli, imported_state, row_counts


def _read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _header(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f))


def _export(runner, consultation_id, folder, *options):
    result = runner.invoke(
        args=["consultations", "export-polis", str(consultation_id), str(folder), *options]
    )
    assert result.exit_code == 0, result.output
    return folder


def test_export_writes_the_open_data_columns(runner, tmp_path):
    consultation_id = int(import_cli(runner, LONDON).stdout)
    out = _export(runner, consultation_id, tmp_path / "out")
    assert _header(out / "comments.csv") == _header(LONDON / "comments.csv")
    assert _header(out / "votes.csv") == _header(LONDON / "votes.csv")
    ours = _header(out / "participants-votes.csv")
    theirs = _header(LONDON / "participants-votes.csv")
    meta = [c for c in theirs if not c.isdigit() and c != "xid"]  # we hold no external ids
    assert ours[:6] == meta
    # One column per comment (newer Polis exports leave rejected ones out; we keep them all).
    assert set(ours[6:]) == {r["comment-id"] for r in _read(LONDON / "comments.csv")}
    assert set(theirs[len(meta) + 1 :]) <= set(ours[6:])


def test_export_then_reimport_gives_identical_comments_and_votes(runner, tmp_path):
    original = int(import_cli(runner, SEATTLE).stdout)
    out = _export(runner, original, tmp_path / "seattle-export", "--full-text")
    again = import_cli(runner, out)
    assert again.exit_code == 0, again.output
    copy = int(again.stdout)
    assert imported_state(copy) == imported_state(original)
    comments_a, votes_a = imported_state(original)
    exp = expected(SEATTLE)
    assert votes_a == exp.latest
    assert {cid for cid, c in comments_a.items() if c[1] == "hidden"} == {
        cid for cid, r in exp.comments.items() if r["moderated"] == "-1"
    }
    moderated = {int(r["comment-id"]): r["moderated"] for r in _read(out / "comments.csv")}
    assert moderated == {cid: r["moderated"] for cid, r in exp.comments.items()}


def test_participants_votes_carry_our_opinion_groups(runner, tmp_path):
    consultation_id = int(import_cli(runner, SEATTLE).stdout)
    out = _export(runner, consultation_id, tmp_path / "out")
    rows = {int(r["participant"]): r for r in _read(out / "participants-votes.csv")}
    ours = polis_io.group_labels(db.session, consultation_id)
    by_pid = {
        int(email.split("@")[0].rpartition("-")[2]): uid
        for uid, email in db.session.execute(
            select(User.id, User.email).where(User.email.like("polis-15-per-hour-seattle-%"))
        )
    }
    assert len(set(ours.values())) >= 2
    for pid, row in rows.items():
        label = ours.get(by_pid[pid])
        assert row["group-id"] == ("" if label is None else str(label))
    # Each row is the participant's latest votes, as in the open data.
    exp = expected(SEATTLE)
    for (cid, pid), value in exp.latest.items():
        assert rows[pid][str(cid)] == str(value)
    # Our groups are the Polis method's: most participants land where Polis put them.
    reference = {
        int(r["participant"]): r["group-id"] for r in _read(SEATTLE / "participants-votes.csv")
    }
    pids = sorted(rows)
    share = agreement_with_reference(
        [rows[p]["group-id"] for p in pids], [reference.get(p, "") for p in pids]
    )
    assert share > 0.8


def test_groups_of_a_current_analysis_run_are_used(runner, tmp_path):
    consultation_id = int(import_cli(runner, LONDON).stdout)
    voters = sorted(
        {u for u, _c, _v in mod.visible_votes_for_analysis(db.session, consultation_id)}
    )
    half = len(voters) // 2
    db.session.add(
        AnalysisRun(
            consultation_id=consultation_id,
            status="done",
            input_fingerprint=analysis_runs.input_fingerprint(db.session, consultation_id),
            groups={
                "groups": [
                    {"id": 0, "participants": [str(u) for u in voters[:half]]},
                    {"id": 1, "participants": [str(u) for u in voters[half:]]},
                ]
            },
        )
    )
    db.session.commit()
    assert polis_io.group_labels(db.session, consultation_id) == {
        **{u: 0 for u in voters[:half]},
        **{u: 1 for u in voters[half:]},
    }
    out = _export(runner, consultation_id, tmp_path / "out")
    groups = {r["group-id"] for r in _read(out / "participants-votes.csv")}
    assert groups <= {"0", "1", ""} and {"0", "1"} <= groups


def test_a_native_consultation_exports_with_stable_ids_and_pending_as_unmoderated(session):
    consultation = make_consultation(status="open")
    thread = general_thread(consultation)
    alice, bob = make_user(), make_user()
    first = make_comment(thread, alice, body="第一則留言")
    second = make_comment(thread, bob, body="第二則留言")
    comments.cast_vote(db.session, second.id, actor=alice, value=1)
    db.session.commit()
    db.session.get(Comment, first.id).status = "pending"
    db.session.commit()

    staff = db.session.get(User, consultation.created_by_id)
    export = polis_io.export_polis(db.session, consultation.id, actor=staff)
    again = polis_io.export_polis(db.session, consultation.id, actor=staff)
    assert export.files == again.files
    rows = list(csv.DictReader(io.StringIO(export.files["comments.csv"])))
    assert [(r["comment-id"], r["author-id"], r["moderated"], r["comment-body"]) for r in rows] == [
        ("0", "0", "0", ""),  # pending: the row stays, the text does not leave the site
        ("1", "1", "1", "第二則留言"),
    ]
    votes = list(csv.DictReader(io.StringIO(export.files["votes.csv"])))
    assert [(v["comment-id"], v["voter-id"], v["vote"]) for v in votes] == [("1", "0", "1")]


def test_export_of_a_missing_consultation_is_refused_and_writes_no_files(runner, tmp_path):
    before = row_counts()
    result = runner.invoke(args=["consultations", "export-polis", "999999", str(tmp_path / "x")])
    assert result.exit_code != 0
    assert not (tmp_path / "x").exists()
    assert row_counts() == before


def test_a_current_run_without_membership_lends_its_parameters(runner):
    consultation_id = int(import_cli(runner, SEATTLE).stdout)
    default = polis_io.group_labels(db.session, consultation_id)
    k = len(set(default.values())) + 1
    db.session.add(
        AnalysisRun(
            consultation_id=consultation_id,
            status="done",
            input_fingerprint=analysis_runs.input_fingerprint(db.session, consultation_id),
            params={"groups": {"k": k, "k_range": [2, 5], "n_init": 20, "random_state": 0}},
            groups={"groups": [{"id": i, "size": 1} for i in range(k)]},
        )
    )
    db.session.commit()
    labels = polis_io.group_labels(db.session, consultation_id)
    assert set(labels.values()) == set(range(k))
