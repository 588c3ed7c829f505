"""Reading a downloaded dataset the way a researcher would, and the scene the open-data tests
share: a closed consultation with visible, held, hidden, imported and deleted-account comments,
votes, an analysis run, a published and a draft response, and a plan."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from app.extensions import db
from deliberation.models import Comment, Consultation, Plan, User, utcnow
from tests.factories import general_thread, make_agency, make_comment, make_consultation, make_user
from tests.outcome.helpers import (
    HIDDEN_TEXT,
    PENDING_TEXT,
    hide,
    imported,
    make_plan,
    make_run,
    respond,
    vote,
)

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


@dataclass
class Scene:
    consultation: Consultation
    plan: Plan
    staff: User
    other_staff: User
    people: list[User]
    deleted: User
    c: dict[str, Comment]


def make_scene() -> Scene:
    """The open-data scene (the `scene` fixture), with db.session of whichever app is current
    (tests/opendata/test_lanes.py builds it, committed, in a database of its own)."""
    ndc = make_agency("NDC", "國家發展委員會")
    other = make_agency("MOI", "內政部")
    staff = make_user("staff", agency=ndc, name="國發會承辦人")
    consultation = make_consultation(
        staff=staff,
        title="數位治理草案諮詢",
        opens_at=utcnow() - timedelta(days=10),
        closes_at=utcnow() + timedelta(days=20),
    )
    thread = general_thread(consultation)
    moderator = make_user("moderator")
    people = [make_user(name=f"市民{i}", email=f"citizen{i}@example.tw") for i in range(4)]
    deleted = make_user(name="註銷者甲乙", email="gone@example.tw")
    c: dict[str, Comment] = {}
    c["subsidy"] = make_comment(thread, people[0], body="支持提高補助金額")
    c["charging"] = make_comment(thread, people[1], body='=HYPERLINK("x") 充電站數量不足')
    c["hidden"] = make_comment(thread, people[2], body=HIDDEN_TEXT)
    c["pending"] = make_comment(thread, people[3], body=PENDING_TEXT)
    c["deleted"] = make_comment(thread, deleted, body=DELETED_TEXT)
    c["ptt"] = imported(thread, "ptt", "PTT 網友認為充電站要更多", 1)
    vote(c["subsidy"], people[1], 1)
    vote(c["subsidy"], people[2], -1)
    vote(c["charging"], people[0], 0)
    vote(c["subsidy"], deleted, 1)
    vote(c["hidden"], people[1], 1)  # before it was hidden: never published
    hide(c["hidden"], moderator)
    c["pending"].status = "pending"
    db.session.commit()
    make_run(
        consultation,
        [
            {
                "key": "T1",
                "label": "提高補助",
                "keywords": ["補助"],
                "members": [c["subsidy"], c["hidden"], c["deleted"]],
            },
            {
                "key": "T2",
                "label": "充電站",
                "keywords": ["充電站"],
                "members": [c["charging"], c["ptt"], c["pending"]],
            },
        ],
    )
    respond(consultation, "T1", "adopted", "將補助金額提高。", unit="綜規處")
    respond(consultation, "T2", "under_study", DRAFT_REASON, published=False)
    deleted.is_active = False  # the account was deleted after taking part
    consultation.status = "closed"
    consultation.closes_at = utcnow() - timedelta(days=1, hours=1)
    db.session.commit()
    plan = make_plan(ndc, [consultation])
    return Scene(
        consultation=consultation,
        plan=plan,
        staff=staff,
        other_staff=make_user("staff", agency=other),
        people=people,
        deleted=deleted,
        c=c,
    )
