"""The 隱私權及資訊安全政策 in the footer and the 個資告知 at registration: shipped as version 1,
edited by admins as new versions, earlier versions kept and readable."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from deliberation.accounts.models import Consent, PolicyDocument
from tests.factories import csrf_from, login, make_user

EN = {"Accept-Language": "en"}


def publish(client, slug: str, zh: str, en: str = ""):  # type: ignore[no-untyped-def]
    page = client.get(f"/admin/privacy/{slug}")
    return client.post(
        f"/admin/privacy/{slug}",
        data={"body_zh": zh, "body_en": en, "csrf_token": csrf_from(page.get_data(as_text=True))},
        headers=EN,
    )


def test_every_page_links_the_privacy_policy_in_its_footer(client):
    html = client.get("/").get_data(as_text=True)
    footer = html[html.index('<footer class="site-footer">') :]
    assert 'href="/privacy"' in footer and "隱私權及資訊安全政策" in footer
    policy = client.get("/privacy").get_data(as_text=True)
    assert "隱私權及資訊安全政策" in policy and "Cookie" in policy


def test_the_english_reader_gets_the_english_text(client):
    html = client.get("/privacy/notice", headers=EN).get_data(as_text=True)
    assert "Notice on the collection of personal data" in html and "PDPA art. 3" in html


def test_an_admin_publishes_a_new_version_and_the_old_one_is_kept(client):
    login(client, make_user("admin"))
    assert publish(client, "notice", "## 新版告知\n\n第二版內容").status_code == 302
    versions = db.session.scalars(
        select(PolicyDocument.version).where(PolicyDocument.kind == "collection_notice")
    ).all()
    assert sorted(versions) == [1, 2]
    assert "第二版內容" in client.get("/privacy/notice").get_data(as_text=True)
    old = client.get("/privacy/notice?version=1").get_data(as_text=True)
    assert "第二版內容" not in old and "第 8 條" in old
    assert client.get("/privacy/notice?version=9").status_code == 404


def test_a_registration_records_the_version_in_force(client):
    admin = make_user("admin")
    login(client, admin)
    publish(client, "notice", "第二版告知")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    page = client.get("/register")
    assert "第二版告知" in page.get_data(as_text=True)
    client.post(
        "/register",
        data={
            "email": "v2@example.tw",
            "display_name": "第二版的人",
            "password": "a long passphrase",
            "consent": "y",
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    consent = db.session.scalar(select(Consent).order_by(Consent.id.desc()))
    assert db.session.get(PolicyDocument, consent.document_id).version == 2


def test_an_empty_text_is_refused_and_nothing_is_published(client):
    login(client, make_user("admin"))
    response = publish(client, "policy", "   ")
    assert response.status_code == 400
    assert db.session.scalar(select(PolicyDocument.id).where(PolicyDocument.version == 2)) is None
