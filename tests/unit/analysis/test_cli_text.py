"""CLI: segment round trip, themes JSON shape, one-line errors with exit code 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.__main__ import main

from ._data import POLIS, REPO, SYNTHETIC, need


def run_cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """`python -m analysis …` in its own process (for what only a process shows)."""
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args], input=stdin, cwd=REPO, capture_output=True
    )


@pytest.fixture
def cli(monkeypatch, capsys):  # type: ignore[no-untyped-def]
    """cli(*args, stdin=b"") -> (exit code, stdout, stderr): the CLI's main() in this process,
    with its standard input replaced (the process itself is tested by run_cli)."""

    def run(*args: str, stdin: bytes = b"") -> tuple[int, str, str]:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_segment_round_trip_changes_nothing_but_separators(cli) -> None:
    lines = "我覺得中長程個案計畫應由國家發展委員會審議\r\nI think  this is fine.\n\n  全形ＡＢＣ　電動機車😀\n"
    code, out, err = cli("segment", "--sep", "|", stdin=lines.encode())
    assert code == 0, err
    assert out.replace("|", "") == lines
    assert out.splitlines()[0] == "我|覺得|中長程個案計畫|應|由|國家發展委員會|審議"
    assert out.count("\n") == lines.count("\n")


def test_segment_with_spaces_keeps_existing_spaces_as_boundaries(cli) -> None:
    code, out, _err = cli("segment", stdin="I think  this is fine.\n電動機車補助\n".encode())
    assert out == "I think  this is fine .\n電動機車 補助\n"


def test_segment_normalize_prints_analysis_tokens(cli) -> None:
    _code, out, _err = cli(
        "segment", "--normalize", stdin="我覺得Uber跟UBER https://x.tw\n".encode()
    )
    assert out == "uber uber <url>\n"


def test_themes_json_shape(tmp_path: Path) -> None:
    src = need(SYNTHETIC / "long-term-care" / "comments.csv")
    out = tmp_path / "themes.json"
    assert main(["themes", str(src), "--json", str(out), "--k", "6"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) >= {"themes", "duplicates", "params"}
    assert len(data["themes"]) == 6 and data["params"]["k"] == 6
    for t in data["themes"]:
        assert {
            "id",
            "label",
            "keywords",
            "size",
            "comment_ids",
            "representative_ids",
            "stance",
        } <= set(t)
    assert any(d["size"] == 12 for d in data["duplicates"])


def test_themes_guided_from_a_seed_file(tmp_path: Path) -> None:
    src = need(SYNTHETIC / "ev-scooter" / "comments.csv")
    seeds = Path(__file__).resolve().parent / "seeds" / "ev-scooter.json"
    out = tmp_path / "guided.json"
    assert main(["themes", str(src), "--json", str(out), "--seed-themes", str(seeds)]) == 0
    labels = [t["label"] for t in json.loads(out.read_text(encoding="utf-8"))["themes"]]
    assert "購車補助金額與申請資格" in labels


def test_themes_run_on_a_polis_conversation(tmp_path: Path) -> None:
    src = need(POLIS / "15-per-hour-seattle" / "comments.csv")  # vendored in tests/data
    out = tmp_path / "b.json"
    assert main(["themes", str(src), "--json", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["themes"]


GOOD = "comment-id,moderated,comment-body,agrees,disagrees\n1,1,電價太貴,1,0\n2,1,補助太少,2,1\n"


@pytest.mark.parametrize(
    ("name", "content", "extra", "message"),
    [
        ("missing.csv", None, [], "file not found"),
        ("cols.csv", "id,text\n1,電價太貴\n", [], "missing column"),
        (
            "latin1.csv",
            "comment-id,moderated,comment-body\n1,1,caf\xe9\n".encode("latin-1"),
            [],
            "not UTF-8",
        ),
        ("empty.csv", "", [], "empty"),
        ("one.csv", "comment-id,moderated,comment-body\n1,1,電價太貴\n", [], "only one comment"),
        ("ok.csv", GOOD, ["--seed-themes", "SEEDS_BAD"], "not valid JSON"),
        ("ok.csv", GOOD, ["--seed-themes", "SEEDS_EMPTY"], "expected a JSON list"),
        ("ok.csv", GOOD, ["--seed-themes", "SEEDS_NOKW"], "keywords"),
        ("ok.csv", GOOD, ["--seed-themes", "nowhere.json"], "seed-themes file not found"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name, content, extra, message
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    (tmp_path / "bad.json").write_text("[{", encoding="utf-8")
    (tmp_path / "empty.json").write_text("[]", encoding="utf-8")
    (tmp_path / "nokw.json").write_text('[{"name": "x"}]', encoding="utf-8")
    swap = {"SEEDS_BAD": "bad.json", "SEEDS_EMPTY": "empty.json", "SEEDS_NOKW": "nokw.json"}
    extra = [str(tmp_path / swap.get(e, e)) if e != "--seed-themes" else e for e in extra]
    code = main(["themes", str(path), "--json", str(tmp_path / "out.json"), *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err


def test_bad_input_never_shows_a_traceback() -> None:
    res = run_cli("themes", "/nonexistent/comments.csv", "--json", "/tmp/x.json")
    assert res.returncode == 2
    assert b"Traceback" not in res.stderr and res.stderr.count(b"\n") == 1


def test_segment_rejects_non_utf8_stdin(cli) -> None:
    code, _out, err = cli("segment", stdin="caf\xe9\n".encode("latin-1"))
    assert code == 2 and "not UTF-8" in err
