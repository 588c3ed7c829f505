"""A closed consultation's dataset is rebuilt by a background job when its data change
(deliberation/opendata/refresh.py, app/opendata/jobs.py): the researcher who downloads next
gets the current files without waiting for a build."""

from __future__ import annotations

import json

import pytest

from app.extensions import db
from deliberation.services import accounts

from .test_dataset import download


@pytest.fixture
def prebuild(app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN_DATA_PREBUILD", True)


def _bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    token = accounts.issue_token(db.session, user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _built(open_data_dir) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(p.read_text(encoding="utf-8")) for p in open_data_dir.glob("*.json")]


def test_publishing_a_response_rebuilds_the_dataset_before_anyone_asks(
    client, scene, open_data_dir, prebuild
):
    cid = scene.consultation.id
    before = download(client, cid)
    assert [r["theme-key"] for r in before.rows("responses.csv")] == ["T1"]

    answer = client.post(
        f"/api/v1/consultations/{cid}/responses/T2/publish", headers=_bearer(scene.staff)
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    # built by the job after the commit, not by a download: one version on disk, with T2
    (manifest,) = _built(open_data_dir)
    assert manifest["counts"]["responses"] == 2
    after = download(client, cid)
    assert after.data == (open_data_dir / manifest["zip"]["name"]).read_bytes()
    assert [r["theme-key"] for r in after.rows("responses.csv")] == ["T1", "T2"]


def test_an_open_consultation_is_never_built_in_the_background(
    client, scene, open_data_dir, prebuild
):
    scene.consultation.status = "open"
    db.session.commit()
    answer = client.post(
        f"/api/v1/consultations/{scene.consultation.id}/responses/T2/publish",
        headers=_bearer(scene.staff),
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert _built(open_data_dir) == []  # open ones are built on request only


def test_without_prebuild_a_change_waits_for_the_next_download(client, scene, open_data_dir):
    download(client, scene.consultation.id)
    client.post(
        f"/api/v1/consultations/{scene.consultation.id}/responses/T2/publish",
        headers=_bearer(scene.staff),
    )
    (manifest,) = _built(open_data_dir)
    assert manifest["counts"]["responses"] == 1  # the old version until someone asks


def test_the_list_shows_each_dataset_as_last_built_and_its_page_the_current_one(
    client, scene, open_data_dir
):
    """The list reads the built manifests (it counts no votes); a dataset's own page and its
    download check the data first."""
    cid = scene.consultation.id
    download(client, cid)
    client.post(f"/api/v1/consultations/{cid}/responses/T2/publish", headers=_bearer(scene.staff))
    (listed,) = client.get("/api/v1/open-data").get_json()["datasets"]
    assert listed["counts"]["responses"] == 1  # as last built, with its date
    current = client.get(f"/api/v1/open-data/{cid}").get_json()
    assert current["manifest"]["counts"]["responses"] == 2
    (listed,) = client.get("/api/v1/open-data").get_json()["datasets"]
    assert listed["counts"]["responses"] == 2 and listed["built_at"] == current["built_at"]
