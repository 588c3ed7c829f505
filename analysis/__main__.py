"""Command line over Polis-format files: ``python -m analysis {segment,themes,groups} ...``.

Bad input gives a one-line error on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.polis import InputError, read_comments
from analysis.segment import Segmenter, get_segmenter
from analysis.themes import ThemeError, ThemeModel

try:
    from analysis import cli_groups
except ImportError:  # the groups command is optional while it is being built
    cli_groups = None  # type: ignore[assignment]


class UsageError(ValueError):
    """A command-line problem worth one line on stderr."""


def _segmenter(extra: str | None) -> Segmenter:
    if not extra:
        return get_segmenter()
    path = Path(extra)
    try:
        words = path.read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the word list ({exc.__class__.__name__})") from None
    return get_segmenter().with_words(words)


def run_segment(args: argparse.Namespace) -> int:
    """stdin lines -> words separated by spaces (or analysis tokens with --normalize)."""
    seg = _segmenter(args.words)
    sep = args.sep
    try:
        data = sys.stdin.buffer.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"stdin: not UTF-8 text (byte {exc.start})") from None
    out = sys.stdout
    lines = data.splitlines(keepends=True)
    bodies = [line.rstrip("\r\n") for line in lines]
    if args.normalize:
        for line, body, toks in zip(lines, bodies, seg.tokens_many(bodies), strict=True):
            out.write(" ".join(toks) + line[len(body) :])
        return 0
    for line, body, words in zip(lines, bodies, seg.cut_many(bodies), strict=True):
        # An input whitespace run is itself the boundary: print it unchanged and add nothing,
        # so only the separators between two adjacent words are new characters.
        parts: list[str] = []
        for word in words:
            if parts and not word.isspace() and not parts[-1].isspace():
                parts.append(sep)
            parts.append(word)
        out.write("".join(parts) + line[len(body) :])
    return 0


def _load_seeds(path: str) -> list[dict[str, Any]]:
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{p}: seed-themes file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{p}: cannot read seed themes ({exc.__class__.__name__})") from None
    try:
        seeds = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{p}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(seeds, list) or not seeds:
        raise UsageError(f'{p}: expected a JSON list [{{"name": ..., "keywords": [...]}}, ...]')
    return seeds


def _load_examples(path: str) -> dict[str, str]:
    """EXAMPLES.csv (columns comment-id, theme): comments staff placed under a seed theme."""
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{p}: examples file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{p}: cannot read examples ({exc.__class__.__name__})") from None
    reader = csv.DictReader(io.StringIO(raw))
    if not reader.fieldnames or not {"comment-id", "theme"} <= set(reader.fieldnames):
        raise UsageError(f"{p}: expected the columns comment-id,theme")
    out: dict[str, str] = {}
    for n, row in enumerate(reader, 2):
        cid, theme = (row.get("comment-id") or "").strip(), (row.get("theme") or "").strip()
        if not cid or not theme:
            raise UsageError(f"{p}: line {n}: comment-id and theme are both needed")
        out[cid] = theme
    return out


def run_themes(args: argparse.Namespace) -> int:
    """Polis comments.csv -> themes JSON."""
    seeds = _load_seeds(args.seed_themes) if args.seed_themes else None
    examples = _load_examples(args.examples) if args.examples else None
    if examples and not seeds:
        raise UsageError("--examples needs --seed-themes (each example names a seed theme)")
    comments = read_comments(args.comments)
    if len(comments) < 2:
        raise InputError(f"{args.comments}: only one comment; themes need at least 2")
    if args.k is not None and args.k < 1:
        raise UsageError("--k must be at least 1")
    seg = _segmenter(args.words)
    model = ThemeModel(
        n_themes=args.k,
        seed_themes=seeds,
        examples=examples,
        random_state=args.random_state,
        segmenter=seg,
    )
    texts = [c.text for c in comments]
    model.fit(
        seg.tokens_many(texts),
        ids=[c.id for c in comments],
        texts=texts,
        votes=[(c.agrees, c.disagrees) for c in comments],
    )
    result = model.to_dict()
    result["params"]["comments"] = len(comments)
    result["params"]["source"] = str(args.comments)
    text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    if args.json == "-":
        sys.stdout.write(text)
    else:
        try:
            Path(args.json).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{args.json}: cannot write ({exc.strerror})") from None
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis", description="Segmentation, themes and opinion groups."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("segment", help="split stdin lines into words")
    p.add_argument(
        "--normalize", action="store_true", help="print analysis tokens (normalised, no stop words)"
    )
    p.add_argument("--sep", default=" ", help="separator between words (default: one space)")
    p.add_argument("--words", metavar="FILE", help="extra dictionary words, whitespace-separated")
    p.set_defaults(func=run_segment)

    p = sub.add_parser("themes", help="themes of a Polis comments.csv")
    p.add_argument("comments", metavar="COMMENTS_CSV")
    p.add_argument("--json", required=True, metavar="OUT", help="output file ('-' for stdout)")
    p.add_argument("--k", type=int, help="number of themes (default: chosen automatically)")
    p.add_argument("--seed-themes", metavar="FILE", help='JSON [{"name", "keywords"}, ...]')
    p.add_argument(
        "--examples",
        metavar="FILE",
        help="CSV comment-id,theme: comments placed under a seed theme (with --seed-themes)",
    )
    p.add_argument("--words", metavar="FILE", help="extra dictionary words, whitespace-separated")
    p.add_argument("--random-state", type=int, default=0)
    p.set_defaults(func=run_themes)

    if cli_groups is not None:
        cli_groups.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (InputError, ThemeError, UsageError) as exc:
        print("error: " + " ".join(str(exc).split()), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
