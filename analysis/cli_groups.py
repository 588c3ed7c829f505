"""`python -m analysis groups`: opinion groups from a Polis participants-votes.csv, as JSON.

Usage::

    python -m analysis groups participants-votes.csv --json groups.json \\
        [--comments comments.csv] [--k K] [--seed N] [--min-votes N] [--polis-clustered] \\
        [--votes votes.csv [--update-interval MS]]

With ``--votes`` the groups come from replaying the vote log in time order the way Polis
computed them live (warm-started k-means, k smoothing; see docs/analysis.md); without it, one
fit of the final votes.

Bad input prints one line naming the problem to stderr and exits 2; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from analysis.groups import POLIS_POLL_INTERVAL_MS, OpinionGroups, agreement_with_reference
from analysis.polis import InputError, read_comments, read_participants_votes, read_votes

EXIT_BAD_INPUT = 2


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the `groups` subcommand on an argparse subparsers object."""
    parser = subparsers.add_parser(
        "groups",
        help="opinion groups from a Polis participants-votes.csv (PCA, k-means, repness)",
        description="Find opinion groups the Polis way and write them as JSON.",
    )
    parser.add_argument(
        "votes", metavar="PARTICIPANTS_VOTES_CSV", help="Polis participants-votes.csv"
    )
    parser.add_argument("--json", required=True, metavar="OUT", help="output file ('-' = stdout)")
    parser.add_argument(
        "--comments",
        metavar="COMMENTS_CSV",
        help="Polis comments.csv: rejected comments (moderated = -1) are excluded, texts added",
    )
    parser.add_argument("--k", type=_at_least(2), help="number of groups (default: chosen in 2-5)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--min-votes",
        type=_at_least(1),
        default=7,
        help="votes a participant needs to be clustered (default 7, as Polis)",
    )
    parser.add_argument(
        "--polis-clustered",
        action="store_true",
        help="cluster exactly the participants the export shows in a Polis group (non-empty "
        "group-id) instead of applying --min-votes; for reproducing Polis's own run",
    )
    parser.add_argument(
        "--votes",
        dest="votes_log",
        metavar="VOTES_CSV",
        help="Polis votes.csv (the vote log): replay it in time order as Polis's live updates did "
        "(warm-started k-means, group-k smoothing) instead of one fit of the final votes",
    )
    parser.add_argument(
        "--update-interval",
        type=_at_least(1),
        default=POLIS_POLL_INTERVAL_MS,
        metavar="MS",
        help="with --votes: votes within this many milliseconds form one update "
        f"(default {POLIS_POLL_INTERVAL_MS}, Polis's polling interval)",
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the `groups` command; returns the process exit code."""
    try:
        result = _groups(args)
    except InputError as exc:
        return _fail(str(exc))
    try:
        text = json.dumps(result, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        if args.json == "-":
            sys.stdout.write(text)
        else:
            Path(args.json).write_text(text, encoding="utf-8")
    except OSError as exc:
        return _fail(f"{args.json}: cannot write ({exc.strerror or exc})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: `groups` arguments without the subcommand name."""
    parser = argparse.ArgumentParser(prog="python -m analysis")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    args = parser.parse_args(["groups", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args))


def _groups(args: argparse.Namespace) -> dict[str, Any]:
    matrix = read_participants_votes(args.votes)
    texts: dict[str, str] = {}
    excluded: list[str] = []
    if args.comments:
        comments = read_comments(args.comments, include_rejected=True)
        texts = {c.id: c.text for c in comments}
        excluded = [c.id for c in comments if c.moderated == -1]
    clustered = None
    if getattr(args, "polis_clustered", False):
        if not any(g is not None for g in matrix.reference_groups):
            raise InputError(f"{args.votes}: --polis-clustered needs a group-id column with groups")
        clustered = [g is not None for g in matrix.reference_groups]
    estimator = OpinionGroups(k=args.k, min_votes=args.min_votes, random_state=args.seed)
    log_path = getattr(args, "votes_log", None)
    if log_path:
        log = read_votes(log_path)
        unknown = set(log.participant_ids) - set(matrix.participant_ids)
        if unknown:
            raise InputError(
                f"{log_path}: voter {sorted(unknown)[0]} is not in {args.votes}; "
                "the two files must come from the same export"
            )
        names = None
        if clustered is not None:
            names = [p for p, ok in zip(matrix.participant_ids, clustered, strict=True) if ok]
        estimator.fit_history(
            log.timestamps,
            log.participant_ids,
            log.comment_ids,
            log.votes,
            excluded_comments=excluded,
            clustered=names,
            update_interval_ms=args.update_interval,
        )
    else:
        estimator.fit(
            matrix.values,
            participant_ids=matrix.participant_ids,
            comment_ids=matrix.comment_ids,
            excluded_comments=excluded,
            clustered=clustered,
        )
    result = estimator.to_dict()
    if log_path:
        result["replay"] = {
            "votes": str(log_path),
            "update_interval_ms": args.update_interval,
            "updates": estimator.n_updates_,
        }
    if texts:
        for entry in _comment_entries(result):
            entry["text"] = texts.get(entry["comment_id"], "")
    if any(g is not None for g in matrix.reference_groups):
        # The export carries Polis's own groups: say how far ours agree, for the analyst to judge.
        reference_of = dict(zip(matrix.participant_ids, matrix.reference_groups, strict=True))
        reference = [reference_of.get(p) for p in estimator.participant_ids_]
        both = sum(
            1
            for label, ref in zip(estimator.labels_, reference, strict=True)
            if label >= 0 and ref is not None
        )
        fraction = agreement_with_reference(estimator.labels_, reference)
        result["polis_agreement"] = {
            "fraction": None if math.isnan(fraction) else round(fraction, 4),
            "participants": both,
        }
    return result


def _comment_entries(result: dict[str, Any]) -> list[dict[str, Any]]:
    entries = [e for g in result["groups"] for e in g["representative"]]
    return entries + result["consensus"] + result["divisive"]


def _at_least(lowest: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < lowest:
            raise argparse.ArgumentTypeError(f"must be at least {lowest}, got {value}")
        return value

    return parse


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
