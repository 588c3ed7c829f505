"""The same import and export over /api/v1: multipart upload in, a zip of the CSVs out."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from app.extensions import db
from deliberation.models import Consultation, User
from deliberation.services import accounts
from tests.factories import api_csrf, login, make_agency, make_consultation, make_user

from .helpers import LONDON, expected, imported_state, row_counts

URL = "/api/v1/consultations/import-polis"
EN = {"Accept-Language": "en"}


def _bearer(user) -> dict[str, str]:
    token = accounts.issue_token(db.session, user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}", **EN}


def _bytes(given: bytes | None, path) -> io.BytesIO:
    return io.BytesIO(path.read_bytes() if given is None else given)


def _files(folder=LONDON, *, comments=None, votes=None, **fields):
    data = {
        "comments": (_bytes(comments, folder / "comments.csv"), "comments.csv"),
        "votes": (_bytes(votes, folder / "votes.csv"), "votes.csv"),
    }
    data.update(fields)
    return data


def test_staff_upload_a_conversation_into_their_agency_and_get_the_counts(client):
    staff = make_user("staff", agency=make_agency("MOI", "內政部"))
    r = client.post(URL, data=_files(title="倫敦青年警政"), headers=_bearer(staff))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    exp = expected(LONDON)
    assert body["comments"] == len(exp.comments) == 39
    assert body["hidden"] == 3 and body["participants"] == len(exp.participants)
    assert body["votes"] == len(exp.latest) and body["vote_rows"] == 640
    consultation = db.session.get(Consultation, body["id"])
    assert consultation.agency.code == "MOI" and consultation.title == "倫敦青年警政"
    assert consultation.status == "closed"
    _comments, votes = imported_state(body["id"])
    assert votes == exp.latest
    assert client.get(body["url"]).status_code == 200


def test_a_session_upload_needs_the_csrf_token(client):
    admin = make_user("admin")
    login(client, admin)
    before = row_counts()
    assert client.post(URL, data=_files()).status_code == 400
    assert row_counts() == before
    r = client.post(URL, data=_files(slug="london"), headers=api_csrf(client))
    assert r.status_code == 201
    assert db.session.get(Consultation, r.get_json()["id"]).agency.code == "IMPORT"


def test_the_same_upload_twice_is_refused(client):
    admin = make_user("admin")
    assert client.post(URL, data=_files(), headers=_bearer(admin)).status_code == 201
    before = row_counts()
    r = client.post(URL, data=_files(), headers=_bearer(admin))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "polis_already_imported"
    assert row_counts() == before


@pytest.mark.parametrize(
    "who, fields, status",
    [
        ("anonymous", {}, 401),
        ("citizen", {}, 403),
        ("reviewer", {}, 403),
        ("other_staff", {"agency": "MOI"}, 403),
    ],
)
def test_only_staff_of_the_agency_or_admins_may_import(client, who, fields, status):
    make_agency("MOI", "內政部")
    headers = {**api_csrf(client, "/login"), **EN}  # anonymous, past the CSRF check
    if who == "other_staff":
        headers = _bearer(make_user("staff", agency=make_agency("NDC")))
    elif who != "anonymous":
        headers = _bearer(make_user(who))
    before = row_counts()
    r = client.post(URL, data=_files(**fields), headers=headers)
    assert r.status_code == status
    assert row_counts() == before


@pytest.mark.parametrize(
    "files, code, words",
    [
        ({"comments": b""}, "polis_empty_file", "comments.csv is empty"),
        (
            {"votes": b"timestamp,datetime,comment-id,voter-id,vote\n1,x,777,1,1\n"},
            "polis_unknown_comment",
            "comment 777",
        ),
        ({"votes": b"when,who,what\n1,2,3\n"}, "polis_bad_header", "The first line should be"),
    ],
)
def test_bad_uploads_get_a_clear_json_error_and_change_nothing(client, files, code, words):
    admin = make_user("admin")
    before = row_counts()
    r = client.post(URL, data=_files(**files), headers=_bearer(admin))
    assert r.status_code == 400
    error = r.get_json()["error"]
    assert error["code"] == code and words in error["message"]
    assert row_counts() == before


def test_a_missing_upload_is_named(client):
    admin = make_user("admin")
    data = _files()
    del data["votes"]
    r = client.post(URL, data=data, headers=_bearer(admin))
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "polis_upload_missing"


def _zip_rows(response) -> dict[str, list[dict[str, str]]]:
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return {
        name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
        for name in archive.namelist()
    }


def test_staff_reviewers_and_admins_download_the_export_as_a_zip(client):
    admin = make_user("admin")
    created = client.post(URL, data=_files(), headers=_bearer(admin)).get_json()
    reviewer = make_user("reviewer")
    r = client.get(f"/api/v1/consultations/{created['id']}/export-polis", headers=_bearer(reviewer))
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert "attachment" in r.headers["Content-Disposition"]
    files = _zip_rows(r)
    assert set(files) == {"comments.csv", "votes.csv", "participants-votes.csv"}
    assert len(files["comments.csv"]) == 39
    exp = expected(LONDON)
    assert {
        (int(v["comment-id"]), int(v["voter-id"])): int(v["vote"]) for v in files["votes.csv"]
    } == exp.latest
    hidden = {r["comment-id"] for r in files["comments.csv"] if r["moderated"] == "-1"}
    assert len(hidden) == 3


def test_people_outside_the_agency_cannot_download_the_export(client):
    consultation = make_consultation(status="open")
    url = f"/api/v1/consultations/{consultation.id}/export-polis"
    assert client.get(url, headers=EN).status_code == 401
    assert client.get(url, headers=_bearer(make_user("citizen"))).status_code == 403
    assert client.get(url, headers=_bearer(make_user("moderator"))).status_code == 403
    outsider = make_user("staff", agency=make_agency("MOI", "內政部"))
    assert client.get(url, headers=_bearer(outsider)).status_code == 403
    own = db.session.get(User, consultation.created_by_id)
    assert client.get(url, headers=_bearer(own)).status_code == 200
    missing = "/api/v1/consultations/999999/export-polis"
    assert client.get(missing, headers=_bearer(own)).status_code == 404
