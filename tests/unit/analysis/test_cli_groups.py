"""`python -m analysis groups`: JSON output, comment texts, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import cli_groups

MAIN = Path(__file__).resolve().parents[3]
HEADER = "participant,group-id,n-comments,n-votes,n-agree,n-disagree,c0,c1,c2,c3,c4,c5\n"


def _votes_csv(tmp_path: Path, n_per_camp: int = 6) -> Path:
    """Two camps opposed on c0-c3, everyone agreeing with c4; c5 splits people at random."""
    lines = [HEADER]
    for i in range(2 * n_per_camp):
        side = "1" if i < n_per_camp else "-1"
        c5 = ("1", "0", "-1")[i % 3]
        lines.append(f"{i},,0,6,0,0,{side},{side},{side},{side},1,{c5}\n")
    path = tmp_path / "participants-votes.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _comments_csv(tmp_path: Path) -> Path:
    rows = ["timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"]
    for j in range(6):
        moderated = -1 if j == 5 else 1
        rows.append(f"0,,c{j},0,0,0,{moderated},意見 {j}\n")
    path = tmp_path / "comments.csv"
    path.write_text("".join(rows), encoding="utf-8")
    return path


def test_groups_command_writes_the_documented_json(tmp_path):
    out = tmp_path / "groups.json"
    code = cli_groups.main([str(_votes_csv(tmp_path)), "--json", str(out)])
    assert code == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert {"groups", "consensus", "divisive", "params"} <= result.keys()
    assert len(result["groups"]) == 2
    group = result["groups"][0]
    assert {"id", "participants", "representative"} <= group.keys()
    assert sorted(p for g in result["groups"] for p in g["participants"]) == sorted(
        str(i) for i in range(12)
    )
    assert result["params"]["random_state"] == 0


def test_comments_file_excludes_rejected_comments_and_adds_texts(tmp_path):
    out = tmp_path / "groups.json"
    args = [
        str(_votes_csv(tmp_path)),
        "--json",
        str(out),
        "--comments",
        str(_comments_csv(tmp_path)),
    ]
    assert cli_groups.main(args) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["excluded_comments"] == ["c5"]
    entries = [e for g in result["groups"] for e in g["representative"]] + result["consensus"]
    assert entries and all(e["comment_id"] != "c5" for e in entries)
    assert all(e["text"] == f"意見 {e['comment_id'][1:]}" for e in entries)
    assert result["consensus"][0]["comment_id"] == "c4"


def test_seed_and_k_options_reach_the_estimator(tmp_path):
    out = tmp_path / "groups.json"
    votes = _votes_csv(tmp_path, n_per_camp=10)
    assert cli_groups.main([str(votes), "--json", str(out), "--k", "3", "--seed", "7"]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["k"] == 3 and result["params"]["random_state"] == 7


def test_polis_clustered_clusters_exactly_the_participants_in_a_polis_group(tmp_path, capsys):
    votes = _votes_csv(tmp_path, n_per_camp=6)
    lines = votes.read_text(encoding="utf-8").splitlines(keepends=True)
    # Polis put participants 0-3 and 6-9 in groups; 4, 5, 10 and 11 were left out.
    for i in (0, 1, 2, 3, 6, 7, 8, 9):
        lines[1 + i] = lines[1 + i].replace(f"{i},,", f"{i},{int(i >= 6)},", 1)
    votes.write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "groups.json"
    assert cli_groups.main([str(votes), "--json", str(out), "--polis-clustered"]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(result["unclustered"], key=int) == ["4", "5", "10", "11"]
    assert result["polis_agreement"] == {"fraction": 1.0, "participants": 8}
    plain = _votes_csv(tmp_path / ".." / tmp_path.name, n_per_camp=6)  # no group-id at all
    assert cli_groups.main([str(plain), "--json", str(out), "--polis-clustered"]) == 2
    assert "--polis-clustered needs a group-id" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "file not found"),
        (b"", "empty"),
        (b"participant,group-id\n1,\n", "no comment columns"),
        (b"who,c0,c1\n1,1,1\n", "missing column(s) participant"),
        ("participant,c0\n1,\xe9\n".encode("latin-1"), "not UTF-8"),
        (HEADER.encode() + b"1,,0,0,0,0,,,,,,\n2,,0,0,0,0,,,,,,\n", "every vote is empty"),
        (HEADER.encode() + b"1,,0,0,0,0,1,1,1,1,1,1\n2,,0,0,0,0,1,-1,1,1,1,1\n", "need at least 3"),
        (b"participant,c0\n1,1\n2,-1\n3,1\n", "need at least 2"),
        (HEADER.encode() + b"1,,0,0,0,0,1,yes,1,1,1,1\n", "expected 1, -1 or 0"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_problem(tmp_path, capsys, content, expected):
    path = tmp_path / "participants-votes.csv"
    if content is not None:
        path.write_bytes(content)
    code = cli_groups.main([str(path), "--json", str(tmp_path / "out.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert expected in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.json").exists()


def test_unwritable_output_exits_2(tmp_path, capsys):
    code = cli_groups.main(
        [str(_votes_csv(tmp_path)), "--json", str(tmp_path / "missing" / "out.json")]
    )
    assert code == 2
    assert "cannot write" in capsys.readouterr().err


@pytest.mark.skipif(
    not (MAIN / "analysis" / "__main__.py").exists(), reason="analysis/__main__.py not there yet"
)
def test_python_dash_m_analysis_groups_runs_as_a_subcommand(tmp_path):
    out = tmp_path / "groups.json"
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "groups",
            str(tmp_path / "nope.csv"),
            "--json",
            str(out),
        ],
        cwd=MAIN,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 2 and "file not found" in missing.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "analysis", "groups", str(_votes_csv(tmp_path)), "--json", str(out)],
        cwd=MAIN,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))["groups"]) == 2


def _votes_log_csv(tmp_path: Path, votes_csv: Path) -> Path:
    """The vote log behind a participants-votes.csv: one vote a second, participant by participant."""
    lines = ["timestamp,datetime,comment-id,voter-id,vote\n"]
    rows = votes_csv.read_text(encoding="utf-8").splitlines()[1:]
    for row in rows:
        cells = row.split(",")
        for j, v in enumerate(cells[6:]):
            if v != "":
                lines.append(f"{1000 * len(lines)},,c{j},{cells[0]},{v}\n")
    path = tmp_path / "votes.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_votes_option_replays_the_log_and_reports_the_updates(tmp_path):
    votes = _votes_csv(tmp_path)
    log = _votes_log_csv(tmp_path, votes)
    out = tmp_path / "groups.json"
    assert cli_groups.main([str(votes), "--json", str(out), "--votes", str(log)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert len(result["groups"]) == 2
    assert result["replay"]["updates"] == 72 and result["replay"]["update_interval_ms"] == 1000
    args = [str(votes), "--json", str(out), "--votes", str(log), "--update-interval", "100000000"]
    assert cli_groups.main(args) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["replay"]["updates"] == 1


@pytest.mark.parametrize(
    ("log_text", "expected"),
    [
        ("timestamp,comment-id,voter-id\n", "missing column(s) vote"),
        ("timestamp,comment-id,voter-id,vote\n", "no votes"),
        ("timestamp,comment-id,voter-id,vote\nsoon,c0,0,1\n", "line 2 has a timestamp 'soon'"),
        ("timestamp,comment-id,voter-id,vote\n1,c0,0,2\n", "line 2 has a vote '2'"),
        ("timestamp,comment-id,voter-id,vote\n1,c0,99,1\n", "voter 99 is not in"),
    ],
)
def test_a_bad_vote_log_exits_2_with_one_line(tmp_path, capsys, log_text, expected):
    log = tmp_path / "votes.csv"
    log.write_text(log_text, encoding="utf-8")
    args = [str(_votes_csv(tmp_path)), "--json", str(tmp_path / "o.json"), "--votes", str(log)]
    assert cli_groups.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and expected in err
    assert not (tmp_path / "o.json").exists()
