"""poll.csv in the open dataset: each answer counted raw and weighted after the close, small
counts suppressed with the dataset's k rule, described in the data package."""

from __future__ import annotations

import pytest

from app.extensions import db
from deliberation.opendata.rules import DEFAULT_K
from tests.opendata.helpers import Dataset

from .helpers import answer, make_poll


@pytest.fixture(autouse=True)
def open_data_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN_DATA_DIR", str(tmp_path / "open-data"))


def test_poll_csv_counts_each_answer_and_suppresses_small_cells(
    client, session, make_consultation, make_user, make_agency
):
    staff = make_user("staff", agency=make_agency())
    consultation = make_consultation(staff=staff)
    poll = make_poll(consultation, staff)
    people = [("18-39", "男", True), ("40+", "女", True), ("18-39", "女", True)] * 2
    people += [("40+", "男", False)]
    for age, gender, yes in people:
        answer(poll, make_user(), yes=yes, age=age, gender=gender)
    consultation.status = "closed"
    db.session.commit()
    response = client.get(f"/open-data/{consultation.id}/download")
    assert response.status_code == 200
    data = Dataset(response.get_data())
    response.close()
    rows = data.rows("poll.csv")
    first = [r for r in rows if r["question"] == "1"]
    yes, no = first
    assert (
        yes["option"] == "Yes"
        and yes["count"] == "6"
        and float(yes["share"]) == pytest.approx(6 / 7, abs=1e-4)
    )
    assert yes["weighted-share"] and yes["margin-of-error"]
    assert no["count"] == f"<{DEFAULT_K}" and no["share"] == "" and no["weighted-share"] == ""
    resources = {r["path"]: r for r in data.json("datapackage.json")["resources"]}
    fields = [f["name"] for f in resources["poll.csv"]["schema"]["fields"]]
    assert fields[:5] == ["question", "prompt", "kind", "option", "count"]


def test_poll_csv_is_empty_while_the_consultation_is_open(
    client, session, make_consultation, make_user, make_agency
):
    staff = make_user("staff", agency=make_agency())
    consultation = make_consultation(staff=staff)
    poll = make_poll(consultation, staff)
    answer(poll, make_user())
    response = client.get(f"/open-data/{consultation.id}/download")
    assert response.status_code == 200  # an open consultation's dataset is built on demand
    data = Dataset(response.get_data())
    response.close()
    assert data.rows("poll.csv") == []
