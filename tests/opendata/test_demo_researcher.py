"""The researcher's path on the demo: the concluded electric-scooter consultation is on
/open-data, its ZIP downloads, comments.csv reads in the Polis columns and the participation
figures are the outcome section's."""

from __future__ import annotations

import csv
import io
import zipfile

from sqlalchemy import select

from app.demo.outcome import TITLE
from app.extensions import db
from deliberation.models import Consultation, Plan
from deliberation.outcome.build import build_section
from deliberation.participation import KEYS


def test_a_researcher_downloads_the_concluded_demo_consultation(app, session, client):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    ev = db.session.scalar(select(Consultation).where(Consultation.title == TITLE))
    ev.status = "concluded"
    db.session.commit()

    listing = client.get("/open-data").get_data(as_text=True)
    assert TITLE in listing
    page = client.get(f"/open-data/{ev.id}")
    assert page.status_code == 200
    response = client.get(f"/open-data/{ev.id}/download")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    response.close()
    prefix = f"zhongyi-consultation-{ev.id}/"

    def rows(name: str) -> list[dict[str, str]]:
        text = archive.read(prefix + name).decode("utf-8")
        return list(csv.DictReader(io.StringIO(text, newline="")))

    comments = rows("comments.csv")
    assert list(comments[0]) == [
        "timestamp",
        "datetime",
        "comment-id",
        "author-id",
        "agrees",
        "disagrees",
        "moderated",
        "comment-body",
    ]
    visible = [r for r in comments if r["moderated"] == "1"]
    assert len(visible) >= 200 and all(r["comment-body"] for r in visible)
    assert all(r["comment-body"] == "" for r in comments if r["moderated"] != "1")
    votes = rows("votes.csv")
    assert sum(int(r["agrees"]) + int(r["disagrees"]) for r in visible) == sum(
        1 for v in votes if v["vote"] != "0"
    )
    plan = db.session.scalar(select(Plan).join(Plan.consultations).where(Consultation.id == ev.id))
    section = build_section(db.session, plan.id, actor=None, trusted=True)
    published = {r["key"]: r["value"] for r in rows("participation.csv")}
    for key in KEYS:
        assert published[key] == str(section.participation[key]), key
