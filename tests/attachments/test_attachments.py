"""Attachments: staff attach the draft's files; the type is told by content; downloads carry
Content-Disposition and nosniff; drafts' files stay with their agency; every route × role."""

from __future__ import annotations

import io
import sys
import zipfile

import pytest

from app.attachments.storage import FolderStore
from app.extensions import db
from deliberation.attachments import operations
from deliberation.attachments.rules import sniff
from deliberation.models import Attachment, User
from tests.factories import (
    csrf_from,
    login,
    make_agency,
    make_consultation,
    make_user,
    save,
)

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODS = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "jpeg"),
        (DOCX, "docx"),
        (XLSX, "xlsx"),
        (ODS, "ods"),
        (_zip({"mimetype": b"application/vnd.oasis.opendocument.text"}), "odt"),
        (b"<html><script>alert(1)</script>", None),  # whatever its name says
        (_zip({"evil.exe": b"MZ"}), None),
        (b"PK\x03\x04broken", None),
        (b"GIF89a", None),
    ],
)
def test_the_type_is_told_by_the_content(data, kind):
    assert sniff(data) == kind


@pytest.fixture
def files(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024 * 1024)
    monkeypatch.setitem(app.config, "ATTACHMENT_SCAN_COMMAND", "")
    return tmp_path / "attachments"


def _upload(client, consultation_id: int, name: str, data: bytes):
    page = client.get(f"/consultations/{consultation_id}").get_data(as_text=True)
    return client.post(
        f"/staff/consultations/{consultation_id}/attachments",
        data={"csrf_token": csrf_from(page), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},  # the flashed refusal is worded in this language
    )


def test_staff_attach_a_pdf_and_everyone_downloads_it_as_a_file(client, files):
    staff = make_user("staff")
    item = make_consultation(staff=staff)
    login(client, staff)
    response = _upload(client, item.id, "草案 全文.PDF", PDF)
    assert response.status_code == 303
    [stored] = db.session.query(Attachment).all()
    assert stored.filename == "草案 全文.pdf" and stored.kind == "pdf" and stored.size == len(PDF)
    assert (files / stored.stored_name).read_bytes() == PDF
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})

    reader = client.application.test_client()
    page = reader.get(f"/consultations/{item.id}", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert "草案 全文.pdf" in html and "PDF · 1 KB" in html
    with reader.get(f"/consultations/{item.id}/attachments/{stored.id}") as download:
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
    api = reader.get(f"/api/v1/consultations/{item.id}/attachments").get_json()
    assert api["items"][0]["sha256"] == stored.sha256


def test_a_disguised_file_an_oversized_one_and_a_refused_scan_are_refused(
    app, client, files, monkeypatch
):
    staff = make_user("staff")
    item = make_consultation(staff=staff)
    login(client, staff)
    headers = {"Accept-Language": "en"}
    _upload(client, item.id, "草案.pdf", b"<html><script>alert(1)</script></html>")
    page = client.get(f"/consultations/{item.id}", headers=headers).get_data(as_text=True)
    assert "checked by their content" in page
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 100 * 1024)
    _upload(client, item.id, "big.pdf", PDF + b"0" * (100 * 1024))  # test client: keep it small
    assert "at most 100 KB" in client.get(f"/consultations/{item.id}", headers=headers).get_data(
        as_text=True
    )
    monkeypatch.setitem(app.config, "ATTACHMENT_SCAN_COMMAND", f"{sys.executable} -c 'exit(1)'")
    _upload(client, item.id, "ok.pdf", PDF)
    assert db.session.query(Attachment).count() == 0
    assert not files.exists() or list(files.iterdir()) == []
    monkeypatch.setitem(app.config, "ATTACHMENT_SCAN_COMMAND", f"{sys.executable} -c 'exit(0)'")
    _upload(client, item.id, "ok.pdf", PDF)
    assert db.session.query(Attachment).count() == 1


def test_removing_hides_the_file(client, files):
    staff = make_user("staff")
    item = make_consultation(staff=staff)
    login(client, staff)
    _upload(client, item.id, "a.xlsx", XLSX)
    [stored] = db.session.query(Attachment).all()
    page = client.get(f"/consultations/{item.id}").get_data(as_text=True)
    client.post(
        f"/staff/consultations/{item.id}/attachments/{stored.id}/remove",
        data={"csrf_token": csrf_from(page)},
    )
    assert client.get(f"/consultations/{item.id}/attachments/{stored.id}").status_code == 404


ROLES = ("anonymous", "citizen", "moderator", "staff", "other_staff", "reviewer", "admin")


@pytest.fixture
def world(files):
    agency = make_agency()
    staff = make_user("staff", agency=agency)
    item = make_consultation(staff=staff)
    draft = make_consultation(staff=staff, status="draft")
    saved = []
    for consultation in (item, draft):
        saved.append(
            operations.add_attachment(
                db.session,
                consultation,
                "a.pdf",
                PDF,
                actor=staff,
                store=FolderStore(files),
                max_bytes=10**6,
            ).id
        )
    save()
    users = {
        "citizen": make_user(),
        "moderator": make_user("moderator"),
        "staff": staff,
        "other_staff": make_user("staff", agency=make_agency("MOTC", "交通部")),
        "reviewer": make_user("reviewer"),
        "admin": make_user("admin"),
    }
    return users, {"open": (item.id, saved[0]), "draft": (draft.id, saved[1])}


@pytest.mark.parametrize("role", ROLES)
def test_every_attachment_route_as_every_role(client, world, role):
    users, ids = world
    if role != "anonymous":
        login(client, db.session.get(User, users[role].id))
    managers = {"staff", "admin"}
    cid, aid = ids["open"]
    with client.get(f"/consultations/{cid}/attachments/{aid}") as response:
        assert response.status_code == 200
    assert client.get(f"/api/v1/consultations/{cid}/attachments").status_code == 200
    dcid, daid = ids["draft"]
    with client.get(f"/consultations/{dcid}/attachments/{daid}") as response:
        assert response.status_code == (200 if role in managers else 404)
    token = csrf_from(
        client.get("/login" if role == "anonymous" else "/help").get_data(as_text=True)
    )
    upload = client.post(
        f"/api/v1/consultations/{cid}/attachments",
        data={"file": (io.BytesIO(PNG), "x.png")},
        headers={"X-CSRFToken": token},
        content_type="multipart/form-data",
    )
    expected = 201 if role in managers else (401 if role == "anonymous" else 403)
    assert upload.status_code == expected, upload.get_data(as_text=True)[:200]
    form = client.post(
        f"/staff/consultations/{cid}/attachments",
        data={"file": (io.BytesIO(PNG), "x.png"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert form.status_code == (303 if role in managers else expected)
    remove = client.delete(
        f"/api/v1/consultations/{cid}/attachments/{aid}", headers={"X-CSRFToken": token}
    )
    assert remove.status_code == (200 if role in managers else expected)
    remove_form = client.post(
        f"/staff/consultations/{cid}/attachments/{aid}/remove", data={"csrf_token": token}
    )
    assert remove_form.status_code == (404 if role in managers else expected)  # already removed


def test_the_matrix_covers_every_attachment_route(app):
    covered = {
        "/staff/consultations/<consultation_id>/attachments",
        "/staff/consultations/<consultation_id>/attachments/<attachment_id>/remove",
        "/consultations/<consultation_id>/attachments/<attachment_id>",
        "/api/v1/consultations/<consultation_id>/attachments",
        "/api/v1/consultations/<consultation_id>/attachments/<attachment_id>",
    }
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("attachments"):
            assert rule.rule.replace("<int:", "<") in covered, rule.rule
