"""Paths and loaders for the shared development data (../shared/data next to the repo)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.datasets import data_path, polis_conversations

REPO = Path(__file__).resolve().parents[3]
SYNTHETIC = data_path("synthetic-zh")
POLIS = polis_conversations()
SEEDS = Path(__file__).resolve().parent / "seeds"
SETS = ("ev-scooter", "long-term-care")
# The seed files' theme order -> the label codes of labels.csv (seeds/<set>.json).
SEED_CODES = {
    "ev-scooter": [
        "SUBSIDY",
        "SWAP_STD",
        "BUILDING",
        "GRID",
        "RECYCLE",
        "REPAIR",
        "SAFETY",
        "RURAL",
    ],
    "long-term-care": ["WORKFORCE", "MIGRANT", "FAMILY", "FUNDING", "DEMENTIA", "RURAL", "QUALITY"],
}


def need(path: Path) -> Path:
    """Skip the test when the shared data is not next to the repo."""
    if not path.exists():
        pytest.skip(f"shared data not found at {path}")
    return path


def load_labelled(name: str) -> tuple[list[str], list[str], list[str], list[tuple[int, int]]]:
    """ids, texts, primary theme labels and (agrees, disagrees) of a synthetic-zh set."""
    base = need(SYNTHETIC / name)
    with (base / "comments.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with (base / "labels.csv").open(encoding="utf-8", newline="") as f:
        labels = {r["comment-id"]: r["theme"] for r in csv.DictReader(f)}
    ids = [r["comment-id"] for r in rows]
    return (
        ids,
        [r["comment-body"] for r in rows],
        [labels[i] for i in ids],
        [(int(r["agrees"]), int(r["disagrees"])) for r in rows],
    )


def campaign_ids(name: str) -> set[str]:
    with (need(SYNTHETIC / name) / "labels.csv").open(encoding="utf-8", newline="") as f:
        return {r["comment-id"] for r in csv.DictReader(f) if r["campaign"] == "1"}
