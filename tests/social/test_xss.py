"""Every XSS vector of the shared corpus, through each import field, never becomes markup."""

from __future__ import annotations

import base64
import re

import html5lib
from sqlalchemy import select

from app.extensions import db
from deliberation.errors import ValidationError
from deliberation.models import User
from deliberation.sanitize import sanitize_html
from deliberation.services import imports
from tests.factories import csrf_from, login, make_user, save

from ..unit.test_sanitize import PAYLOADS_PATH, _load_payloads, assert_safe

KEY = b"xss-test-key"
PAYLOADS = [p.values[0] for p in _load_payloads() if p.values[0] is not None]


def _elements(html: str, css_class: str):
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    return [e for e in tree.iter() if css_class in (e.get("class") or "").split()]


def _serialise(element) -> str:
    import xml.etree.ElementTree as ET

    return "".join(ET.tostring(child, encoding="unicode", method="html") for child in element)


def test_the_corpus_is_present():
    assert PAYLOADS_PATH.exists() and len(PAYLOADS) > 300


def test_xss_payloads_as_import_text_author_and_url_never_produce_markup(client, desk):
    stored: list[int] = []
    for n, payload in enumerate(PAYLOADS):
        # As a link: refused, or kept as an inert http(s) address.
        try:
            url = imports.normalise_url(payload)
        except ValidationError:
            url = None
        if url is not None:
            assert url.startswith(("http://", "https://")), payload
        # As a handle: refused when too long (then its first 200 characters are used).
        try:
            imports.normalise_handle(payload)
            author = payload
        except ValidationError as error:
            assert error.code in ("import_author_too_long", "import_author_required"), payload
            author = payload[: imports.MAX_HANDLE] if payload.strip() else f"blank-{n}"
        item = imports.validate_item(
            {
                "platform": "other",
                "url": url or f"https://example.org/post/{n}?q={n}",
                "author": author,
                "text": payload if payload.strip() else f"(blank payload {n})",
            }
        )
        result = imports.import_item(db.session, desk.thread, item, actor=desk.staff, key=KEY)
        stored.append(result.comment.id)
        # Author handles never reach the page, only their pseudonym.
        assert result.comment.author.display_name.startswith("外部 使用者 ")
        assert_safe(result.comment.html)
        assert sanitize_html(result.comment.html) == result.comment.html
    save()
    # Render every page of the thread as a moderator (who also sees held comments) and check
    # each comment body and origin mark as a browser would.
    login(client, make_user("moderator"))
    seen: set[int] = set()
    pages = 1
    page_no = 1
    while page_no <= pages:
        html = client.get(f"/threads/{desk.thread.id}?page={page_no}").get_data(as_text=True)
        for article in _elements(html, "comment"):
            if not (article.get("id") or "").startswith("c"):
                continue  # the live-update template
            seen.add(int(article.get("id")[1:]))
            for body in article.findall("div"):
                if "comment-body" in (body.get("class") or ""):
                    assert_safe(_serialise(body))
        for origin in _elements(html, "origin"):
            for element in origin.iter():
                assert element.tag in {"span", "a", "time"}, element.tag
                if element.tag == "a":
                    assert element.get("href", "").startswith(("http://", "https://"))
                    assert element.get("rel") == "nofollow noopener ugc"
        if page_no == 1:
            found = re.search(r'data-pages="(\d+)"', html)
            pages = int(found.group(1)) if found else 1
        page_no += 1
    assert seen == set(stored)
    # No handle was stored as a display name or e-mail.
    for name, email in db.session.execute(
        select(User.display_name, User.email).where(User.origin == "other")
    ):
        assert "<" not in name and "<" not in email


def test_xss_payloads_in_a_csv_preview_are_shown_as_text_and_round_trip_intact(client, desk):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(imports.CSV_COLUMNS)
    for payload in PAYLOADS[:200]:  # the preview takes at most 1000 rows; 200 keep it quick
        writer.writerow([payload, payload, payload, payload, payload])
    text = buffer.getvalue()
    login(client, desk.staff)
    page = f"/staff/threads/{desk.thread.id}/import"

    token = csrf_from(client.get(page).get_data(as_text=True))
    r = client.post(page, data={"csrf_token": token, "step": "preview", "csv_text": text})
    assert r.status_code == 200
    tree = html5lib.parse(
        r.get_data(as_text=True), treebuilder="etree", namespaceHTMLElements=False
    )
    table = next(e for e in tree.iter("table") if "import-rows" in (e.get("class") or ""))
    allowed = {"table", "thead", "tbody", "tr", "th", "td", "ul", "li", "a"}
    for element in table.iter():
        assert element.tag in allowed, element.tag
        assert not any(name.lower().startswith("on") for name in element.attrib)
    # The confirm form's hidden copy is exactly the previewed text, byte for byte.
    hidden = next(e for e in tree.iter("input") if e.get("name") == "csv_b64")
    assert base64.b64decode(hidden.get("value")).decode() == text
