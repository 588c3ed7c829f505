"""Bad Polis input: a clear message naming the problem, and nothing written."""

from __future__ import annotations

import pytest

from .helpers import LONDON, copy_folder, import_cli, row_counts

COMMENTS_HEADER = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body"
VOTES_HEADER = "timestamp,datetime,comment-id,voter-id,vote"


def _write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


def _missing_votes(folder):
    (folder / "votes.csv").unlink()


def _empty_folder(folder):
    for name in ("comments.csv", "votes.csv"):
        (folder / name).unlink()


def _wrong_header(folder):
    _write(folder, "votes.csv", "time,comment,voter,vote\n1,0,0,1\n")


def _unknown_comment(folder):
    with open(folder / "votes.csv", "a", encoding="utf-8") as f:
        f.write("1700000000000,Tue Nov 14 22:13:20 UTC 2023,999,5,1\n")


def _bad_vote(folder):
    with open(folder / "votes.csv", "a", encoding="utf-8") as f:
        f.write("1700000000000,x,0,5,2\n")


def _empty_comments(folder):
    _write(folder, "comments.csv", "")


def _header_only_comments(folder):
    _write(folder, "comments.csv", COMMENTS_HEADER + "\n")


def _bad_moderated(folder):
    _write(folder, "comments.csv", COMMENTS_HEADER + "\n1,x,0,0,0,0,maybe,hello\n")


def _duplicate_comment(folder):
    _write(folder, "comments.csv", COMMENTS_HEADER + "\n1,x,0,0,0,0,1,hello\n2,x,0,1,0,0,1,again\n")


def _not_utf8(folder):
    (folder / "comments.csv").write_bytes(
        (COMMENTS_HEADER + "\n1,x,0,0,0,0,1,caf\xe9\n").encode("latin-1")
    )


@pytest.mark.parametrize(
    "spoil, words",
    [
        (_missing_votes, "votes.csv is missing"),
        (_empty_folder, "neither comments.csv nor votes.csv"),
        (_wrong_header, "timestamp, comment-id, voter-id missing"),
        (_unknown_comment, "comment 999, which is not in comments.csv"),
        (_bad_vote, "not “2”"),
        (_empty_comments, "comments.csv is empty"),
        (_header_only_comments, "no comments"),
        (_bad_moderated, "“moderated” must be 1, 0 or -1"),
        (_duplicate_comment, "comment 0 appears twice"),
        (_not_utf8, "not UTF-8"),
    ],
)
def test_bad_input_names_the_problem_and_writes_nothing(
    app, runner, tmp_path, monkeypatch, spoil, words
):
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")  # the CLI's language
    folder = copy_folder(LONDON, tmp_path / "conversation")
    spoil(folder)
    before = row_counts()
    result = import_cli(runner, folder)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert words in result.output
    assert "Traceback" not in result.output
    assert row_counts() == before


def test_the_command_line_speaks_traditional_chinese_by_default(runner, tmp_path):
    folder = copy_folder(LONDON, tmp_path / "conversation")
    _missing_votes(folder)
    result = import_cli(runner, folder)
    assert result.exit_code != 0 and "缺少 votes.csv" in result.output


def test_a_folder_that_does_not_exist_is_named(runner, tmp_path):
    result = import_cli(runner, tmp_path / "nowhere")
    assert result.exit_code != 0 and "nowhere" in result.output


def test_votes_on_unknown_comments_can_be_skipped_and_are_reported(runner, tmp_path):
    folder = copy_folder(LONDON, tmp_path / "conversation")
    _unknown_comment(folder)
    result = import_cli(runner, folder, "--skip-unknown-votes")
    assert result.exit_code == 0, result.output
    assert "1 skipped" in result.stderr
