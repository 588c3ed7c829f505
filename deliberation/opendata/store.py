"""Built datasets on disk: one ZIP and its manifest per consultation and data version (the
fingerprint of what it is built from). A dataset is built the first time it is asked for after
its data change (or before, by the job a change to a closed consultation declares: refresh.py),
one build at a time; older versions are removed."""

from __future__ import annotations

import contextlib
import fcntl
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import Consultation
from . import queries
from .build import Publisher, build
from .lanes import Lanes
from .rules import dataset_id, has_dataset


def available(session: Session, consultation_id: int) -> Consultation:
    """The consultation if it has a public dataset; a draft (or nothing) is not found."""
    consultation = session.get(Consultation, consultation_id)
    if consultation is None or not has_dataset(consultation.status):
        raise NotFound("consultation_not_found")
    return consultation


def _paths(folder: Path, consultation_id: int, fingerprint: str) -> tuple[Path, Path]:
    """(a new ZIP's path, the manifest's path) of one data version. Each build writes a ZIP of
    its own name and its manifest names it: a manifest always describes the ZIP it points to,
    even if two machines sharing the folder build the same version at once."""
    stem = f"{dataset_id(consultation_id)}-{fingerprint}"
    return folder / f"{stem}-{uuid.uuid4().hex[:8]}.zip", folder / f"{stem}.json"


def cached(folder: Path, consultation_id: int) -> dict[str, Any] | None:
    """The newest manifest built for this consultation, whatever its version (for listings
    that must not build)."""
    found = sorted(
        folder.glob(f"{dataset_id(consultation_id)}-*.json"), key=lambda p: p.stat().st_mtime
    )
    for path in reversed(found):
        try:
            manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        return manifest
    return None


def ensure(
    session: Session,
    consultation: Consultation,
    folder: Path,
    *,
    secret: str,
    k: int,
    publisher: Publisher,
    lanes: Lanes | None = None,
) -> tuple[dict[str, Any], Path]:
    """The current dataset's manifest and ZIP path, built now if the data changed since.
    With `lanes` the fingerprint and the build read one snapshot, on several connections."""
    folder.mkdir(parents=True, exist_ok=True)
    lanes = lanes or Lanes(None)
    with lanes.reading(session) as reading:
        current = reading.get(Consultation, consultation.id) or consultation
        summary = queries.vote_summary(reading, current.id)  # every vote, read once
        people = queries.participants(reading, current.id, summary)
        fingerprint, updated = queries.fingerprint(reading, current, people, summary)
        zip_path, manifest_path = _paths(folder, current.id, fingerprint)
        found = _read(folder, manifest_path)
        if found is not None:
            return found
        # One build of a dataset at a time on this machine (a download and the background
        # job, or two downloads): the second waits, then finds the first one's files.
        with _locked(folder / f"{dataset_id(current.id)}.lock"):
            found = _read(folder, manifest_path)
            if found is not None:
                return found
            manifest = build(
                reading,
                current,
                zip_path,
                secret=secret,
                k=k,
                publisher=publisher,
                fingerprint=fingerprint,
                updated_at=updated,
                participants=people,
                summary=summary,
                lanes=lanes,
            )
            part = manifest_path.with_suffix(".json.part")
            part.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
            part.replace(manifest_path)
            for old in folder.glob(f"{dataset_id(current.id)}-*"):
                if old not in (zip_path, manifest_path) and old.suffix in (".zip", ".json"):
                    old.unlink(missing_ok=True)
    return manifest, zip_path


def _read(folder: Path, manifest_path: Path) -> tuple[dict[str, Any], Path] | None:
    """A version built already: its manifest and the ZIP it names (None if either is gone)."""
    try:
        manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        zip_path = folder / Path(str(manifest["zip"]["name"])).name
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (manifest, zip_path) if zip_path.exists() else None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` between processes of this machine (flock; the lock goes
    with the process, so a crashed build never leaves it held)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
