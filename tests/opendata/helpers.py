"""Reading a downloaded dataset the way a researcher would."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from typing import Any

DELETED_TEXT = "DELETEDAUTHOR 帳號已刪除者之留言"
DRAFT_REASON = "DRAFTREASON 尚未公布之回應"


class Dataset:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        names = self.zip.namelist()
        self.prefix = names[0].split("/")[0] + "/"
        self.names = [n.removeprefix(self.prefix) for n in names]

    def text(self, name: str) -> str:
        return self.zip.read(self.prefix + name).decode("utf-8")

    def rows(self, name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.text(name), newline="")))

    def json(self, name: str) -> Any:
        return json.loads(self.text(name))

    def sha256(self, name: str) -> str:
        return hashlib.sha256(self.zip.read(self.prefix + name)).hexdigest()

    def extract(self, folder) -> Any:  # type: ignore[no-untyped-def]
        self.zip.extractall(folder)
        return folder / self.prefix.rstrip("/")
