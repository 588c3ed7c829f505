"""The XSS corpus (shared/data/xss) through every card field a linked page controls: Open
Graph title, description, site name and image. Cards must stay text — never markup."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import html5lib
from flask import render_template
from markupsafe import escape
from sqlalchemy import select

from app.extensions import db
from app.links.jobs import make_fetcher
from deliberation.models import LinkPreview
from deliberation.services import links as service
from tests.factories import api_csrf, general_thread, login, make_consultation, make_user

from .helpers import og_page, xss_payloads

# What a card may contain, and nothing else.
CARD_TAGS = {"div", "a", "img", "span", "strong", "button", "iframe", "link"}
CARD_ATTRS = {
    "class",
    "data-link-cards",
    "data-url",
    "href",
    "rel",
    "src",
    "alt",
    "loading",
    "referrerpolicy",
    "decoding",
    "type",
    "aria-expanded",
    "data-show",
    "data-hide",
    "title",
    "sandbox",
    "allow",
    "allowfullscreen",
}
_INVISIBLE = re.compile("[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def _scheme_ok(value: str, schemes: tuple[str, ...]) -> bool:
    previous = None
    while value != previous:
        previous, value = value, html.unescape(value)
    return _INVISIBLE.sub("", value).lower().startswith(schemes)


def assert_inert(fragment) -> None:
    root = (
        html5lib.parseFragment(fragment, treebuilder="etree", namespaceHTMLElements=False)
        if isinstance(fragment, str)
        else fragment
    )
    for el in root.iter():
        if not isinstance(el.tag, str) or el is root:
            continue
        assert el.tag in CARD_TAGS, el.tag
        for name, value in el.attrib.items():
            assert name in CARD_ATTRS and not name.startswith("on"), (name, value)
            if el.tag == "a" and name == "href":
                assert _scheme_ok(value, ("http://", "https://")), value
            if el.tag == "img" and name == "src":
                assert _scheme_ok(value, ("https://",)), value
            if el.tag == "link" and name == "href":
                assert value.startswith("/static/"), value
        assert el.tag != "iframe", "no page in the corpus is an allow-listed provider"


def test_xss_corpus_in_open_graph_fields_never_becomes_markup(linked_app, session, fake_site):
    payloads = xss_payloads()
    assert len(payloads) > 300
    previews = []
    for i, payload in enumerate(payloads):
        image = payload if i % 2 else "https://img.example.tw/" + payload
        url = fake_site.page(
            f"/xss/{i}", og_page(payload or "x", description=payload, site=payload, image=image)
        )
        preview = LinkPreview(url=url, status="pending")
        db.session.add(preview)
        previews.append(preview)
    db.session.flush()
    service.refresh_previews(db.session, [p.id for p in previews], make_fetcher())
    db.session.flush()

    stored = list(
        db.session.scalars(select(LinkPreview).where(LinkPreview.id.in_([p.id for p in previews])))
    )
    ready = [p for p in stored if p.status == "ready"]
    assert len(ready) > len(stored) * 0.9  # the pages were read, not just refused
    for p in stored:
        for value in (p.title, p.site_name, p.description):
            assert "\n" not in value and "\x00" not in value
        assert p.image == "" or p.image.startswith("https://")
        assert not any(ch in p.image for ch in "<>\"' ")

    cards = [service.card(p) for p in stored]
    with linked_app.test_request_context("/"):
        rendered = render_template(
            "links/_cards.html", c=SimpleNamespace(id=1, _zhongyi_link_cards=cards)
        )
    assert_inert(rendered)
    # The words survive as text: a payload title is shown, escaped, not dropped.
    doc = html5lib.parseFragment(rendered, treebuilder="etree", namespaceHTMLElements=False)
    titles = [
        "".join(el.itertext())
        for el in doc.iter("strong")
        if "link-card-title" in el.get("class", "")
    ]
    assert titles == [p.title for p in stored if p.status == "ready"]


def test_a_hostile_page_posted_as_a_link_shows_as_text_on_the_thread_page(
    linked_app, client, fake_site
):
    payload = '<img src=x onerror=alert(1)><script>alert("og")</script>'
    url = fake_site.page(
        "/hostile",
        og_page(payload, description=payload, site=payload, image="javascript:alert(1)"),
    )
    thread = general_thread(make_consultation())
    login(client, make_user())
    r = client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": f"<{url}>"}, headers=api_csrf(client)
    )
    [link] = client.get(f"/api/v1/comments/{r.get_json()['id']}").get_json()["links"]
    assert link["title"] == payload and link["image"] == ""
    body = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    doc = html5lib.parse(body, treebuilder="etree", namespaceHTMLElements=False)
    [cards] = [el for el in doc.iter("div") if el.get("data-link-cards")]
    assert_inert(cards)
    assert str(escape(payload)) in body
    assert [el.text for el in cards.iter("strong")] == [payload]
