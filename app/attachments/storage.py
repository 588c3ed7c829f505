"""Where attachment bytes live (a folder), and the optional virus scan."""

from __future__ import annotations

import logging
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


class FolderStore:
    """Files in ATTACHMENTS_DIR, named by the domain (random, never the uploader's name)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def save(self, name: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / name).write_bytes(data)

    def path(self, name: str) -> Path:
        return self.folder / name


def store() -> FolderStore:
    return FolderStore(current_app.config["ATTACHMENTS_DIR"])


def scanner() -> Callable[[bytes], bool] | None:
    """The configured virus scan (ATTACHMENT_SCAN_COMMAND), or None."""
    command = str(current_app.config.get("ATTACHMENT_SCAN_COMMAND") or "").strip()
    if not command:
        return None

    def scan(data: bytes) -> bool:
        try:
            done = subprocess.run(
                shlex.split(command), input=data, capture_output=True, timeout=120, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            log.exception("the attachment scan could not run: refusing the file")
            return False
        return done.returncode == 0

    return scan
